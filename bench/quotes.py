"""`python -m bench.quotes`: the quote path's cold start, what the register and openpyxl add to it,
and batches of 200 companies in each format (wall time and peak memory of the whole process).

Every figure comes from one run on this machine: cold starts are medians of `--runs` fresh
processes (a first run reported apart), each measured by `bench.proc.run_child` (its own peak
RSS). `--baseline DIR` times the same cold quote from another checkout (e.g. main before the
register) with this interpreter, so the two medians and their ratio come from the same minutes.
Writes bench/results/quotes.json and prints a Markdown table for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .proc import REPO, bench_env, run_child

__all__ = ["companies_csv", "main"]

RESULTS = REPO / "bench" / "results" / "quotes.json"
_CLI = [sys.executable, "-m", "assistant"]


def companies_csv(path: Path, count: int, *, seed: int = 27922) -> Path:
    """`count` companies spread over the whole person-day table, a third with travel, consulting
    or a discount (what a sales team's list looks like), as a GBK CSV with Chinese headers."""
    rng = random.Random(seed)
    with path.open("w", encoding="gbk", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["公司", "人数", "联系人", "差旅费", "咨询费", "优惠"])
        for i in range(count):
            extras = ["", "", ""]
            if i % 3 == 1:
                extras = [str(rng.choice((2000, 3000, 5000))), str(rng.choice((0, 10000, 20000))), ""]
            elif i % 3 == 2:
                extras = ["", "", rng.choice(("5%", "9折", "2000"))]
            writer.writerow([f"测试企业{i + 1:03d}有限公司", rng.randint(1, 10700), f"联系人{i + 1}", *extras])
    return path


def _summary(children: list[Any]) -> dict[str, Any]:
    bad = next((c for c in children if c.returncode != 0), None)
    if bad is not None:
        return {"measured": False, "reason": bad.stderr.strip().splitlines()[-1:]}
    seconds = [c.seconds for c in children[1:]]
    return {
        "measured": True,
        "first_s": round(children[0].seconds, 3),
        "median_s": round(statistics.median(seconds), 3),
        "min_s": round(min(seconds), 3),
        "max_s": round(max(seconds), 3),
        "runs": len(seconds),
        "peak_rss_mb": round(statistics.median(c.peak_rss_mb for c in children[1:]), 1),
    }


def _cold_all(commands: dict[str, tuple[list[str], Path, Path | None]], runs: int) -> dict[str, Any]:
    """`runs` + 1 cold runs of each command, interleaved (one of each per round), so load from
    other work on this shared machine falls on all of them alike. A command with a checkout runs
    from that folder: `python -m` puts the working folder first on sys.path."""
    children: dict[str, list[Any]] = {name: [] for name in commands}
    for _ in range(runs + 1):
        for name, (cmd, home, checkout) in commands.items():
            extra = {"PYTHONPATH": str(checkout)} if checkout else {}
            children[name].append(run_child(cmd, env=bench_env(home, **extra), timeout=120, cwd=checkout))
    return {name: _summary(runs_) for name, runs_ in children.items()}


_IMPORTS = """
import assistant.calculators.fees, assistant.render.markdown, assistant.render.jsondata
import {module}
"""


def _import_ms(module: str, home: Path, runs: int) -> float:
    """What importing `module` adds to the quote path's own imports: the median cumulative time
    of its top-level line in `python -X importtime` (modules already loaded cost nothing there)."""
    from .suite import parse_importtime

    times = []
    for _ in range(runs):
        child = run_child([sys.executable, "-X", "importtime", "-c", _IMPORTS.format(module=module)],
                          env=bench_env(home), timeout=120)
        rows = {r["module"]: r["cumulative_ms"] for r in parse_importtime(child.stderr, top=1000)}
        times.append(rows.get(module, 0.0))
    return round(statistics.median(times), 1)


def _batch(home: Path, source: Path, kind: str) -> dict[str, Any]:
    out = home / f"batch-{kind}"
    child = run_child([*_CLI, "quote", "--batch", str(source), "--out-dir", str(out), "--format", kind],
                      env=bench_env(home), timeout=1200)
    files = [p for p in out.glob(f"*.{kind}") if p.name != "汇总.xlsx"] if out.exists() else []
    return {
        "exit": child.returncode,
        "seconds": round(child.seconds, 2),
        "per_company_ms": round(child.seconds / max(1, len(files)) * 1000, 1),
        "peak_rss_mb": round(child.peak_rss_mb, 1),
        "files": len(files),
        "summary": (out / "汇总.xlsx").exists(),
        "bytes": sum(p.stat().st_size for p in files),
    }


def run(*, runs: int, companies: int, baseline: Path | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-quotes-") as tmp:
        home = Path(tmp)
        results: dict[str, Any] = {"load_avg": list(__import__("os").getloadavg())}
        commands: dict[str, tuple[list[str], Path, Path | None]] = {
            "quote": ([*_CLI, "quote", "--employees", "1200"], home, None),
            "quote_json": ([*_CLI, "quote", "--employees", "1200", "--json"], home, None),
            "quote_pdf": ([*_CLI, "quote", "--employees", "1200", "--out", str(home / "q.pdf")], home, None),
            "quote_xlsx": ([*_CLI, "quote", "--employees", "1200", "--out", str(home / "q.xlsx")], home, None),
            "list": ([*_CLI, "quote", "list", "--json"], home, None),
        }
        if baseline is not None:
            base_home = home / "baseline"
            base_home.mkdir()
            commands["baseline_quote"] = ([*_CLI, "quote", "--employees", "1200"], base_home, baseline.resolve())
        results["cold"] = _cold_all(commands, runs)
        if baseline is not None and results["cold"]["baseline_quote"].get("measured"):
            results["cold"]["ratio_to_baseline"] = round(
                results["cold"]["quote"]["median_s"] / results["cold"]["baseline_quote"]["median_s"], 2
            )
        results["imports_ms"] = {
            m: _import_ms(m, home, runs)
            for m in ("assistant.quotes.register", "assistant.quotes.cli", "openpyxl", "reportlab.platypus")
        }
        source = companies_csv(home / "companies.csv", companies)
        results["batch"] = {kind: _batch(home, source, kind) for kind in ("md", "pdf", "xlsx")}
        results["batch"]["companies"] = companies
    return results


def _table(results: dict[str, Any]) -> str:
    lines = ["| what | median s | first s | range s | peak MB |", "|---|---:|---:|---:|---:|"]
    names = {
        "quote": "`assistant quote --employees 1200` (Markdown, saved)",
        "quote_json": "… `--json`",
        "quote_pdf": "… `--out q.pdf`",
        "quote_xlsx": "… `--out q.xlsx`",
        "list": "`assistant quote list --json`",
        "baseline_quote": "`assistant quote --employees 1200` on the baseline checkout",
    }
    for key, row in results["cold"].items():
        if isinstance(row, dict) and row.get("measured"):
            lines.append(f"| {names[key]} | {row['median_s']:.3f} | {row['first_s']:.3f} | "
                         f"{row['min_s']:.3f}–{row['max_s']:.3f} | {row['peak_rss_mb']:.0f} |")
    if "ratio_to_baseline" in results["cold"]:
        lines += ["", f"Ratio of the medians (this checkout / baseline): {results['cold']['ratio_to_baseline']}"]
    lines += ["", "| added to the quote path's imports | ms |", "|---|---:|"]
    lines += [f"| `{m}` | {ms} |" for m, ms in results["imports_ms"].items()]
    n = results["batch"]["companies"]
    lines += ["", f"| batch of {n} companies | s | ms per company | peak MB | files |", "|---|---:|---:|---:|---:|"]
    for kind in ("md", "pdf", "xlsx"):
        b = results["batch"][kind]
        lines.append(f"| `--format {kind}` | {b['seconds']} | {b['per_company_ms']} | {b['peak_rss_mb']:.0f} | "
                     f"{b['files']} + 汇总.xlsx |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.quotes", description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="cold runs per command (after one reported apart)")
    parser.add_argument("--companies", type=int, default=200, help="rows in the batch file")
    parser.add_argument("--baseline", type=Path, help="another checkout to time the same cold quote from")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    results = run(runs=args.runs, companies=args.companies, baseline=args.baseline)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(_table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
