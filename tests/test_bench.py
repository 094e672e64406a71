"""The benchmark's pure parts: corpus generator, latency statistics, report tables, child accounting.

Nothing here builds an index or loads a model; the benchmark itself runs with `make bench`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from bench.corpus_gen import corpus_sentences, generate_docs, load_generated, write_corpus
from bench.proc import run_child
from bench.report import check_targets, render_report
from bench.stats import fact_rank, latency_stats
from bench.suite import parse_importtime, take_snapshot
from bench.worker import load_snapshot, revise_document
from index.chunking import split_document


def _chunks(folder: Path) -> list[Any]:
    return [c for doc in load_generated(folder) for c in split_document(doc)]


# -- corpus generator --------------------------------------------------------------------------
def test_generator_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    a = write_corpus(tmp_path / "a", 120, seed=7)
    b = write_corpus(tmp_path / "b", 120, seed=7)
    c = write_corpus(tmp_path / "c", 120, seed=8)
    assert [p.name for p in a] == [p.name for p in b]
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    assert [p.read_bytes() for p in a] != [p.read_bytes() for p in c]


@pytest.mark.parametrize("n", [1, 3, 37, 250])
def test_generator_yields_the_requested_chunk_count(tmp_path: Path, n: int) -> None:
    # Counted by the real loader and chunker, so a section that grew past the chunk limit (and
    # split in two) would show up here as n + 1.
    write_corpus(tmp_path, n, seed=1)
    chunks = _chunks(tmp_path)
    assert len(chunks) == n
    assert len({c.chunk_id for c in chunks}) == n


def test_generated_text_recombines_corpus_sentences(tmp_path: Path) -> None:
    sentences = corpus_sentences()
    docs = generate_docs(40, seed=3)
    texts = [text for doc in docs for _, text in doc.sections]
    # Every section starts from one real corpus sentence (shuffled among templated ones).
    assert all(any(s in text for s in sentences) for text in texts)
    assert all(3 <= len(doc.sections) <= 8 for doc in docs[:-1])


def test_rewriting_a_folder_replaces_the_old_corpus(tmp_path: Path) -> None:
    write_corpus(tmp_path, 200, seed=1)
    write_corpus(tmp_path, 20, seed=1)
    assert len(_chunks(tmp_path)) == 20


@pytest.mark.parametrize("n", [0, -5])
def test_generator_rejects_an_empty_corpus(n: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        generate_docs(n, seed=0, sentences=["一句话。"], terms=["售后服务"])


def test_revising_a_document_changes_exactly_one_chunk(tmp_path: Path) -> None:
    write_corpus(tmp_path, 30, seed=2)
    doc = load_generated(tmp_path)[0]
    before = {c.chunk_id: c.content_hash for c in split_document(doc)}
    after = {c.chunk_id: c.content_hash for c in split_document(revise_document(doc))}
    assert before.keys() == after.keys()  # the note fits: no section splits into two chunks
    assert sum(before[k] != after[k] for k in before) == 1


# -- statistics --------------------------------------------------------------------------------
def test_latency_stats_hand_worked() -> None:
    # 1..10 ms, shuffled. Ranks interpolate over positions 0..9:
    # p50 at 4.5 -> 5 + 0.5 * (6 - 5) = 5.5; p95 at 8.55 -> 9.55; p99 at 8.91 -> 9.91.
    stats = latency_stats([7, 1, 10, 3, 5, 2, 9, 4, 8, 6])
    assert stats["n"] == 10
    assert stats["p50"] == pytest.approx(5.5)
    assert stats["p95"] == pytest.approx(9.55)
    assert stats["p99"] == pytest.approx(9.91)
    assert stats["mean"] == pytest.approx(5.5)
    assert stats["max"] == 10


@pytest.mark.parametrize(
    ("facts", "texts", "expected"),
    [
        # Both facts in the second passage; the first holds only one of them.
        ([["申请费"], ["1000"]], ["申请费另计。", "申请费为1000元。", "1000元"], 2),
        # Alternatives: either spelling of a fact will do, and 三年 is read as 3年 after normalising.
        ([["3年", "三年"]], ["证书有效期为三年。"], 1),
        # Facts spread over two passages are not one passage holding the answer.
        ([["申请费"], ["年金"]], ["申请费为1000元。", "年金为2000元。"], None),
        ([["申请费"]], [], None),
    ],
)
def test_fact_rank(facts: list[list[str]], texts: list[str], expected: int | None) -> None:
    assert fact_rank(facts, texts) == expected


def test_latency_stats_of_one_and_of_none() -> None:
    assert latency_stats([42.0])["p99"] == 42.0
    assert latency_stats([]) == {"n": 0, "p50": None, "p95": None, "p99": None, "mean": None, "max": None}


def test_parse_importtime_keeps_top_level_imports_slowest_first() -> None:
    stderr = "\n".join([
        "import time: self [us] | cumulative | imported package",
        "import time:       100 |        100 |   _codecs",
        "import time:       200 |        300 | codecs",
        "import time:      1000 |      52000 |     torch._C",
        "import time:      5000 |      60000 |   torch",
        "import time:      7000 |      70000 | chromadb",
        "import time:       500 |        500 | json",
        "some other stderr line",
    ])
    # torch is nested (under chromadb here), so only chromadb, json and codecs are top-level.
    assert parse_importtime(stderr, top=2) == [
        {"module": "chromadb", "cumulative_ms": 70.0},
        {"module": "json", "cumulative_ms": 0.5},
    ]


# -- snapshot ----------------------------------------------------------------------------------
def test_snapshot_holds_the_corpus_and_golden_set(tmp_path: Path) -> None:
    from assistant.corpus import load_corpus
    from evals.golden import golden_files

    snap = take_snapshot(tmp_path)
    assert [d.id for d in load_snapshot(Path(snap["corpus_dir"]))] == [d.id for d in load_corpus()]
    assert [Path(p).name for p in snap["golden"]] == [p.name for p in golden_files()]
    assert take_snapshot(tmp_path)["sha1"] == snap["sha1"]  # same files, same fingerprint


# -- child processes ---------------------------------------------------------------------------
def test_run_child_reports_this_childs_peak_memory() -> None:
    big = run_child([sys.executable, "-c", "b = bytearray(150_000_000); b[::4096] = b'x' * len(b[::4096])"])
    small = run_child([sys.executable, "-c", "pass"])
    assert big.returncode == 0 and small.returncode == 0
    assert big.peak_rss_mb > 140
    # Measured per child with wait4: the big child before it does not raise the small one's peak.
    assert small.peak_rss_mb < 100


# -- report ------------------------------------------------------------------------------------
def _summary(accuracy: float, hit5: float) -> dict[str, Any]:
    return {"n": 10, "accuracy": accuracy, "citation_support": 1.0, "abstention_precision": 1.0,
            "abstention_recall": 0.5, "hit_at_1": 0.5, "hit_at_5": hit5, "mrr": 0.625,
            "latency_p50_ms": 12.0, "latency_p95_ms": 40.25}


def _results() -> dict[str, Any]:
    stats = {"n": 20, "p50": 10.0, "p95": 60.0, "p99": 80.0, "mean": 15.0, "max": 90.0}
    return {
        "meta": {"created": "2026-01-01T00:00:00", "commit": "abc1234", "cpus": 2, "loadavg_start": [1.0]},
        "variants": [
            {"name": "bm25", "label": "BM25 only", "summary": _summary(0.6, 0.8), "chunks": 201,
             "cases": [{"topic": "fees", "correct": True}, {"topic": "timeline", "correct": False},
                       {"topic": "out_of_scope", "correct": True}, {"topic": "calc_fee", "correct": False}]},
            {"name": "hybrid", "label": "hybrid", "summary": _summary(0.9, 1.0), "chunks": 201,
             "passage": {"n": 8, "fact_hit_at_1": 0.75, "fact_hit_at_5": 0.875, "fact_mrr": 0.8}},
            {"name": "llamaindex", "label": "plain llama-index", "summary": _summary(0.95, 0.7), "chunks": 40},
        ],
        "latency": {"questions": 10, "latency": stats, "samples_ms": [10.0, 60.0],
                    "throughput": [
                        {"callers": 1, "questions": 10, "qps": 20.0, "latency": stats, "cpu_per_wall": 1.0, "errors": 0},
                        {"callers": 2, "questions": 10, "qps": 40.0, "latency": stats, "cpu_per_wall": 1.9, "errors": 0},
                    ]},
        "cold": {"ask": {"measured": True, "median_s": 3.5, "first_s": 5.0, "min_s": 3.25, "max_s": 3.75, "runs": 5,
                         "peak_rss_mb": 300.0, "torch_imported": False, "rebuilt_runs": 1,
                         "imports": {"heavy": [], "modules": 900, "slowest": [{"module": "chromadb", "cumulative_ms": 700.0}]}},
                 "quote": {"measured": False, "reason": "exit 2: invalid choice: 'quote'"},
                 "app": {"measured": False, "reason": "app.py not present yet"}},
    }


def test_report_renders_the_variant_table() -> None:
    md = render_report(_results(), None)
    assert ("| variant | accuracy | citation support | hit@1 | hit@5 | MRR | fact hit@1 | fact hit@5 | abstain P | "
            "abstain R | p50 ms | p95 ms | chunks |") in md
    assert "| hybrid | 90.0% | 100.0% | 50.0% | 100.0% | 0.625 | 75.0% | 87.5% | 100.0% | 50.0% | 12.0 | 40.2 | 201 |" in md
    # A variant measured without passage figures shows them as not measured.
    assert "| bm25 | 60.0% | 100.0% | 50.0% | 80.0% | 0.625 | – | – |" in md
    assert "- **llamaindex**: plain llama-index" in md


def test_report_renders_latency_throughput_and_cold_starts() -> None:
    md = render_report(_results(), None)
    assert "| `ask` (full) | 10 | 20 | 10.0 | 60.0 | 80.0 | 15.0 | 90.0 |" in md
    assert "| 2 | 10 | 40.0 | 2.00× | 10.0 | 60.0 | 1.90 | 0 |" in md  # 40 q/s over 20 q/s
    assert ("| `assistant ask --json` (index exists) | 3.50 | 5.00 | 3.25–3.75 | 300 | "
            "5 runs (1 more rebuilt the index and are left out) |") in md
    assert "| `assistant quote --employees 1200` | not measured |" in md
    assert "| chromadb | 700.0 |" in md


def test_report_groups_outcomes_by_topic_family() -> None:
    md = render_report(_results(), None)
    # Only bm25 carries per-case outcomes: fees and timeline are corpus topics (1 of 2 right).
    assert "| group | bm25 |" in md
    assert "| corpus questions | 1/2 (50%) |" in md
    assert "| adversarial | – |" in md
    assert "| out of scope | 1/1 (100%) |" in md
    assert "| calculators + follow-ups | 0/1 (0%) |" in md


def test_report_names_missed_targets() -> None:
    md = render_report(_results(), None)
    assert "| shipped corpus: warm p95 per question < 50 ms | 60.0 ms | **missed** |" in md
    assert "| cold `assistant ask` (median) < 4 s | 3.50 s | met |" in md
    assert "| 10,000 chunks: warm p95 per question < 150 ms | not measured | – |" in md
    # hybrid 90% beats bm25 60% but not the llama-index baseline at 95%.
    hybrid = next(t for t in check_targets(_results(), None) if t["key"] == "hybrid_beats_single")
    assert hybrid["met"] is False
    assert hybrid["note"] == "bm25 60.0%, llamaindex 95.0%"


def test_scale_targets_read_the_10000_chunk_row() -> None:
    size = {"chunks": 10000, "build": {"_child": {"peak_rss_mb": 900.0}},
            "query": {"ask": {"p95": 120.0}}, "incremental": {"seconds": 12.5}}
    by_key = {t["key"]: t for t in check_targets(None, {"sizes": [size]})}
    assert by_key["scale_p95_ms"]["met"] is True
    assert by_key["scale_incremental_s"]["met"] is False
    assert by_key["scale_peak_mb"]["met"] is True
    assert by_key["warm_p95_ms"]["met"] is None


def test_report_names_when_each_stage_was_measured() -> None:
    results = _results()
    results["meta"]["stages"] = {
        "build": {"run": "2026-01-01T00:00:00", "created": "2026-01-01T00:00:00", "commit": "aaa1111"},
        "variants": {"run": "2026-01-01T02:00:00", "created": "2026-01-01T02:00:00", "commit": "bbb2222"},
    }
    md = render_report(results, None)
    # `--only variants` a day later: the report says which figures are from which run.
    assert "stages: build 2026-01-01T00:00:00 `aaa1111`, variants 2026-01-01T02:00:00 `bbb2222`" in md
    results["meta"]["stages"]["variants"]["run"] = "2026-01-01T00:00:00"
    assert "stages:" not in render_report(results, None)  # one run: nothing to say


def test_quote_batch_benchmark_file_is_a_valid_gbk_company_list(tmp_path: Path) -> None:
    from assistant.quotes.batch import read_companies
    from bench.quotes import companies_csv

    path = companies_csv(tmp_path / "companies.csv", 30)
    companies, ignored = read_companies(path)
    assert len(companies) == 30 and ignored == [] and not any(c.error for c in companies)
    assert sum(1 for c in companies if c.values.get("discount")) == 10  # every third row
