"""Command line of `python -m bench`: run the suite or the scale benchmark, then write the report."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .proc import REPO

__all__ = ["RESULTS_DIR", "main", "write_report"]

RESULTS_DIR = REPO / "bench" / "results"
_STAGES = ("build", "variants", "latency", "cold")
_SCALE_STAGES = ("incremental",)


def _read(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _save(data: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def write_report(out_dir: Path) -> Path:
    """REPORT.md and the plots from whatever of bench.json and scale.json exists in `out_dir`."""
    from .plots import write_plots
    from .report import check_targets, render_report

    bench, scale = _read(out_dir / "bench.json"), _read(out_dir / "scale.json")
    plots = write_plots(bench, scale, out_dir)
    path = out_dir / "REPORT.md"
    path.write_text(render_report(bench, scale, plots=plots), encoding="utf-8")
    _save({"targets": check_targets(bench, scale)}, out_dir / "targets.json")
    return path


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", action="store_true", help="generated corpora of 1,000 and 10,000 chunks")
    parser.add_argument("--sizes", default="1000,10000", help="scale: chunk counts, comma-separated")
    parser.add_argument("--seed", type=int, help="scale: generator seed")
    parser.add_argument("--only", help=f"suite: run only these stages ({','.join(_STAGES)}), the others "
                                       "keep their last figures; with --scale: 'incremental' re-times the "
                                       "incremental rebuilds on the indexes the last scale run left")
    parser.add_argument("--report-only", action="store_true", help="re-render REPORT.md and plots from the JSON")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="results folder (default bench/results)")
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes {args.sizes!r} must be chunk counts separated by commas, e.g. 1000,10000")
    if any(n < 1 for n in args.sizes):
        parser.error("--sizes must be positive chunk counts")
    only = {s.strip() for s in args.only.split(",")} if args.only else None
    allowed = _SCALE_STAGES if args.scale else _STAGES
    if only and not only <= set(allowed):
        parser.error(f"--only {args.only!r}: choose from {', '.join(allowed)}")
    args.only = only
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; 0 when it ran (missed targets are reported, not failures), 1 on an error."""
    args = _parse(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    if not args.report_only:
        from .proc import WorkerError

        try:
            if args.scale and args.only:
                from .scale import rerun_incremental

                previous = _read(out / "scale.json")
                if previous is None:
                    _log("no scale.json yet: run `python -m bench --scale` first")
                    return 1
                _save(rerun_incremental(out, previous, log=_log), out / "scale.json")
            elif args.scale:
                from .scale import DEFAULT_SEED, run_scale

                run_scale(out, sizes=args.sizes, seed=args.seed if args.seed is not None else DEFAULT_SEED,
                          log=_log, save=lambda r: _save(r, out / "scale.json"))
            else:
                from .suite import run_suite

                _save(run_suite(out, log=_log, only=args.only), out / "bench.json")
        except WorkerError as exc:
            _log(f"failed: {exc}")
            return 1
    report = write_report(out)
    _log(f"report: {report}")
    return 0
