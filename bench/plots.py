"""PNG plots of the benchmark results (matplotlib, Agg backend: no display on CI or a server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["write_plots"]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _variants(plt: Any, variants: list[dict[str, Any]], path: Path) -> None:
    rows = [v for v in variants if "summary" in v]
    metrics = (("accuracy", "accuracy"), ("citation_support", "citation support"), ("hit_at_5", "hit@5"),
               ("mrr", "MRR"))
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / len(metrics)
    for j, (key, label) in enumerate(metrics):
        values = [v["summary"][key] or 0.0 for v in rows]
        ax.bar([i + j * width for i in range(len(rows))], values, width, label=label)
    ax.set_xticks([i + width * (len(metrics) - 1) / 2 for i in range(len(rows))], [v["name"] for v in rows])
    ax.set_ylim(0, 1)
    ax.set_title("Golden set by retrieval variant")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _latency(plt: Any, latency: dict[str, Any], path: Path) -> None:
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    samples = sorted(latency.get("samples_ms") or [])
    if samples:
        left.plot(samples, [(i + 1) / len(samples) for i in range(len(samples))])
        left.axvline(50, color="grey", linestyle="--", label="target p95 50 ms")
        left.set_xlabel("ms per question (warm)")
        left.set_ylabel("share of questions")
        left.set_title("Warm latency, full variant (CDF)")
        left.legend(fontsize=8)
    rows = latency["throughput"]
    right.plot([r["callers"] for r in rows], [r["qps"] for r in rows], marker="o")
    right.set_xticks([r["callers"] for r in rows])
    right.set_xlabel("concurrent callers (threads)")
    right.set_ylabel("questions per second")
    right.set_title("Throughput, one Assistant")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _scale(plt: Any, scale: dict[str, Any], path: Path) -> None:
    sizes = scale["sizes"]
    x = [s["chunks"] for s in sizes]
    series = (
        ("full build s", [s["build"]["seconds"] for s in sizes]),
        ("incremental rebuild s", [s["incremental"]["seconds"] for s in sizes]),
        ("index on disk MB", [s["build"]["disk"]["apparent_mb"] for s in sizes]),
        ("peak build memory MB", [s["build"]["_child"]["peak_rss_mb"] for s in sizes]),
        ("ask p95 ms", [s["query"]["ask"]["p95"] for s in sizes]),
        ("bm25 search p95 ms", [s["query"]["search"]["bm25"]["p95"] for s in sizes]),
        ("dense search p95 ms", [s["query"]["search"]["dense"]["p95"] for s in sizes]),
    )
    fig, ax = plt.subplots(figsize=(8, 5))
    for label, y in series:
        ax.plot(x, y, marker="o", label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("chunks in the corpus")
    ax.set_title("How build, size, memory and latency grow with the corpus (log-log)")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_plots(bench: dict[str, Any] | None, scale: dict[str, Any] | None, out_dir: Path) -> list[str]:
    """Write the plots the results allow; return their file names (relative to `out_dir`)."""
    plt = _pyplot()
    written = []
    if bench and bench.get("variants"):
        _variants(plt, bench["variants"], out_dir / "variants.png")
        written.append("variants.png")
    if bench and bench.get("latency"):
        _latency(plt, bench["latency"], out_dir / "latency.png")
        written.append("latency.png")
    if scale and scale.get("sizes"):
        _scale(plt, scale, out_dir / "scale.png")
        written.append("scale.png")
    return written
