"""`python -m bench.reload_cost`: what following the live build costs a warm question.

A loaded `Assistant` reads the index pointer before every question (assistant/live.py). This
measures that read alone, then the warm latency of the golden questions answered through the live
index and through the same retriever held directly (no pointer read), interleaved question by
question so machine load hits both alike, plus the cost of the integrity check of a build
(`index.check.check_build`, what a switch and every load run). Writes bench/results/reload_cost.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import timeit
from collections.abc import Sequence
from pathlib import Path

from .proc import REPO, bench_env
from .stats import latency_stats

__all__ = ["main"]


def measure(home: Path, passes: int) -> dict[str, object]:
    os.environ["ASSISTANT_HOME"] = str(home)
    from assistant.core import Assistant
    from evals.golden import golden_files, load_golden
    from index.check import check_build
    from index.store import current_build, read_pointer

    live = Assistant.load(build=False)
    plain = Assistant(live.retriever)  # the same loaded retriever, without the pointer read
    questions = [case.question for case in load_golden(golden_files())]
    for q in questions[:20]:
        live.ask(q)
    timings: dict[str, list[float]] = {"live": [], "plain": []}
    for _ in range(passes):
        for q in questions:
            for name, assistant in (("live", live), ("plain", plain)):
                started = time.perf_counter()
                assistant.ask(q)
                timings[name].append((time.perf_counter() - started) * 1000)
    reads = 20_000
    pointer_us = timeit.timeit(read_pointer, number=reads) / reads * 1e6
    build = current_build()
    assert build is not None
    check_ms = sorted(timeit.repeat(lambda: check_build(build), number=1, repeat=5))[2] * 1000
    files_ms = sorted(timeit.repeat(lambda: check_build(build, chroma=False), number=1, repeat=5))[2] * 1000
    return {
        "questions": len(questions), "passes": passes,
        "pointer_read_us": round(pointer_us, 1),
        "ask_live_ms": latency_stats(timings["live"]), "ask_plain_ms": latency_stats(timings["plain"]),
        "check_build_ms": round(check_ms, 1), "check_files_only_ms": round(files_ms, 1),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reload_cost", description=__doc__)
    parser.add_argument("--home", type=Path, default=REPO / "bench" / "results" / "soak-home")
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "reload_cost.json")
    args = parser.parse_args(argv)
    args.home.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "index"], env=bench_env(args.home), cwd=str(REPO), check=True)
    figures = measure(args.home, args.passes)
    figures["measured_at"] = time.strftime("%Y-%m-%d %H:%M:%S")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    raise SystemExit(main())
