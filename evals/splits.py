"""Which split a question written for issue 8 belongs to: a seeded random draw, stratified by kind.

The questions were assigned to `dev` or `test` by `draw_splits` once, before anyone ran them, not
by hand after seeing results. Within each kind the ids are sorted, shuffled by a generator seeded
with "<SEED>:<kind>", and the first round(TEST_SHARE × n) go to `test`, the rest to `dev`.

`python -m evals.splits POOL.jsonl` writes `evals/golden/test_issue8.jsonl` and
`dev_issue8.jsonl` from a pool of new questions; `python -m evals.splits` (no pool) checks that the
committed files of every draw still hold exactly that draw (tests/test_evals.py runs the same
check), so a case cannot be moved between splits silently.

A later set of unseen questions (session 4, `f9-*` ids) is a second draw with its own seed and a
50% test share, written to `dev_fresh.jsonl` / `test_fresh.jsonl` by
`python -m evals.splits --draw fresh POOL.jsonl`; the issue-8 draw is unchanged by it. Session 5's
second fresh set (`f10-*` ids) is a third draw, again with its own seed and a 50% share, written to
`dev_fresh2.jsonl` / `test_fresh2.jsonl` by `--draw fresh2`; the two earlier draws are unchanged.
Session 5 also wrote a third fresh set (`f11-*` ids) for session 6's answer-path change: a fourth
draw with its own seed and a 50% share, written to `dev_fresh3.jsonl` / `test_fresh3.jsonl` by
`--draw fresh3`; the three earlier draws are unchanged. Session 6 wrote a fourth fresh set (`f12-*`
ids) for session 7's answer-path change: a fifth draw with its own seed and a 50% share, written to
`dev_fresh4.jsonl` / `test_fresh4.jsonl` by `--draw fresh4`; the four earlier draws are unchanged.
Session 6 also wrote a fifth fresh set (`f13-*` ids) for session 7: a sixth draw with its own seed
and a 50% share, written to `dev_fresh5.jsonl` / `test_fresh5.jsonl` by `--draw fresh5`; the five
earlier draws are unchanged. Session 7 wrote a sixth fresh set (`f14-*` ids) for session 8: a
seventh draw with its own seed and a 50% share, written to `dev_fresh6.jsonl` / `test_fresh6.jsonl`
by `--draw fresh6`; the six earlier draws are unchanged. Session 8 wrote a seventh fresh set (`f15-*`
ids) for session 9: an eighth draw with its own seed and a 50% share, written to `dev_fresh7.jsonl` /
`test_fresh7.jsonl` by `--draw fresh7`; the seven earlier draws are unchanged. Session 9 wrote an eighth
fresh set (`f16-*` ids) for session 10: a ninth draw with its own seed and a 50% share, written to
`dev_fresh8.jsonl` / `test_fresh8.jsonl` by `--draw fresh8`; the eight earlier draws are unchanged.
Session 10 wrote a ninth fresh set (`f17-*` ids) for session 11: a tenth draw with its own seed and a
50% share, written to `dev_fresh9.jsonl` / `test_fresh9.jsonl` by `--draw fresh9`; the nine earlier
draws are unchanged. Session 11 wrote a tenth fresh set (`f18-*` ids) for session 12: an eleventh draw
with its own seed and a 50% share, written to `dev_fresh10.jsonl` / `test_fresh10.jsonl` by
`--draw fresh10`; the ten earlier draws are unchanged. Session 12 wrote an eleventh fresh set (`f19-*`
ids) for session 13: a twelfth draw with its own seed and a 50% share, written to `dev_fresh11.jsonl` /
`test_fresh11.jsonl` by `--draw fresh11`; the eleven earlier draws are unchanged.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .golden import GOLDEN_DIR, GoldenCase, GoldenError, load_golden, parse_case

__all__ = [
    "DRAWN_FILES",
    "DRAWS",
    "SEED",
    "TEST_SHARE",
    "Draw",
    "check_draw",
    "draw_splits",
    "main",
    "write_draw",
]

SEED = 827922  # issue 8, GB/T 27922
TEST_SHARE = 0.7  # at least 170 of the 240+ new questions go to test
DRAWN_FILES = {"dev": "dev_issue8.jsonl", "test": "test_issue8.jsonl"}
FRESH_SEED = 9202611  # session 4's fresh set (f9-* ids), drawn apart from issue 8's
FRESH_TEST_SHARE = 0.5  # half a dev file to learn from, half a test file nobody tunes on
FRESH2_SEED = 10202612  # session 5's second fresh set (f10-* ids), drawn apart from both
FRESH3_SEED = 11202613  # the third fresh set (f11-* ids), for session 6, drawn apart from all three
FRESH4_SEED = 12202614  # the fourth fresh set (f12-* ids), for session 7, drawn apart from all four
FRESH5_SEED = 13202615  # the fifth fresh set (f13-* ids), also for session 7, drawn apart from all five
FRESH6_SEED = 14202616  # the sixth fresh set (f14-* ids), for session 8, drawn apart from all six
FRESH7_SEED = 15202617  # the seventh fresh set (f15-* ids), for session 9, drawn apart from all seven
FRESH8_SEED = 16202618  # the eighth fresh set (f16-* ids), for session 10, drawn apart from all eight
FRESH9_SEED = 17202619  # the ninth fresh set (f17-* ids), for session 11, drawn apart from all nine
FRESH10_SEED = 18202620  # the tenth fresh set (f18-* ids), for session 12, drawn apart from all ten
FRESH11_SEED = 19202621  # the eleventh fresh set (f19-* ids), for session 13, drawn apart from all eleven


@dataclass(frozen=True)
class Draw:
    """One seeded assignment of a pool of new questions to a dev file and a test file."""

    seed: int
    share: float
    files: dict[str, str]  # split -> file name under evals/golden


DRAWS = {
    "issue8": Draw(SEED, TEST_SHARE, DRAWN_FILES),
    "fresh": Draw(FRESH_SEED, FRESH_TEST_SHARE, {"dev": "dev_fresh.jsonl", "test": "test_fresh.jsonl"}),
    "fresh2": Draw(
        FRESH2_SEED, FRESH_TEST_SHARE, {"dev": "dev_fresh2.jsonl", "test": "test_fresh2.jsonl"}
    ),
    "fresh3": Draw(
        FRESH3_SEED, FRESH_TEST_SHARE, {"dev": "dev_fresh3.jsonl", "test": "test_fresh3.jsonl"}
    ),
    "fresh4": Draw(
        FRESH4_SEED, FRESH_TEST_SHARE, {"dev": "dev_fresh4.jsonl", "test": "test_fresh4.jsonl"}
    ),
    "fresh5": Draw(
        FRESH5_SEED, FRESH_TEST_SHARE, {"dev": "dev_fresh5.jsonl", "test": "test_fresh5.jsonl"}
    ),
    "fresh6": Draw(
        FRESH6_SEED, FRESH_TEST_SHARE, {"dev": "dev_fresh6.jsonl", "test": "test_fresh6.jsonl"}
    ),
    "fresh7": Draw(
        FRESH7_SEED, FRESH_TEST_SHARE, {"dev": "dev_fresh7.jsonl", "test": "test_fresh7.jsonl"}
    ),
    "fresh8": Draw(
        FRESH8_SEED, FRESH_TEST_SHARE, {"dev": "dev_fresh8.jsonl", "test": "test_fresh8.jsonl"}
    ),
    "fresh9": Draw(
        FRESH9_SEED, FRESH_TEST_SHARE, {"dev": "dev_fresh9.jsonl", "test": "test_fresh9.jsonl"}
    ),
    "fresh10": Draw(
        FRESH10_SEED, FRESH_TEST_SHARE, {"dev": "dev_fresh10.jsonl", "test": "test_fresh10.jsonl"}
    ),
    "fresh11": Draw(
        FRESH11_SEED, FRESH_TEST_SHARE, {"dev": "dev_fresh11.jsonl", "test": "test_fresh11.jsonl"}
    ),
}


def draw_splits(
    cases: Iterable[GoldenCase], *, seed: int = SEED, share: float = TEST_SHARE
) -> dict[str, str]:
    """The split (`dev` or `test`) of every case id, drawn at random within each kind.

    Depends only on the set of (kind, id) pairs and the seed, not on file order, so the draw can
    be repeated from the committed files.
    """
    by_kind: dict[str, list[str]] = {}
    for case in cases:
        by_kind.setdefault(case.kind, []).append(case.id)
    splits = {}
    for kind, ids in sorted(by_kind.items()):
        order = sorted(ids)
        random.Random(f"{seed}:{kind}").shuffle(order)
        n_test = round(share * len(order))
        splits.update({case_id: ("test" if i < n_test else "dev") for i, case_id in enumerate(order)})
    return splits


def check_draw(cases: Sequence[GoldenCase], **kw: Any) -> list[str]:
    """Messages for each case whose file's split is not the one the draw gives it (empty: all are)."""
    drawn = draw_splits(cases, **kw)
    return [
        f"{c.id} ({c.kind}) is in {c.split}, the draw puts it in {drawn[c.id]}"
        for c in cases
        if drawn[c.id] != c.split
    ]


def write_draw(pool: Path, directory: Path = GOLDEN_DIR, draw: Draw = DRAWS["issue8"]) -> dict[str, int]:
    """Write the pool's lines, in pool order, into the dev and test files; return the counts.

    Raises:
        GoldenError: a pool line is not a valid case (nothing is written then).
    """
    rows: list[tuple[dict[str, Any], GoldenCase]] = []
    for lineno, line in enumerate(pool.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            obj = json.loads(line)
            rows.append((obj, parse_case(obj, where=f"{pool}:{lineno}")))
    drawn = draw_splits((case for _, case in rows), seed=draw.seed, share=draw.share)
    counts = {}
    for split, name in draw.files.items():
        lines = [json.dumps(obj, ensure_ascii=False) for obj, case in rows if drawn[case.id] == split]
        (directory / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        counts[split] = len(lines)
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    """0 when the files hold the draws (or were written), 1 when a case sits in the wrong split."""
    parser = argparse.ArgumentParser(
        prog="python -m evals.splits",
        description="Assign new golden questions to dev/test by a seeded draw stratified by kind, or check it.",
    )
    parser.add_argument("pool", nargs="?", type=Path, help="write the split files from this pool .jsonl")
    parser.add_argument(
        "--draw", choices=sorted(DRAWS), default="issue8", help="which draw a pool is written for"
    )
    args = parser.parse_args(argv)
    try:
        if args.pool:
            draw = DRAWS[args.draw]
            counts = write_draw(args.pool, draw=draw)
            print(f"test: {counts['test']} · dev: {counts['dev']} (seed {draw.seed})")
            return 0
        drawn = {
            name: load_golden([GOLDEN_DIR / file for file in draw.files.values()])
            for name, draw in DRAWS.items()
        }
    except (GoldenError, OSError, json.JSONDecodeError) as exc:
        print(f"无法读取题目文件：{exc}", file=sys.stderr)
        return 2
    problems = [
        problem
        for name, cases in drawn.items()
        for problem in check_draw(cases, seed=DRAWS[name].seed, share=DRAWS[name].share)
    ]
    for problem in problems:
        print(problem)
    total = sum(len(cases) for cases in drawn.values())
    print(
        f"{total} drawn cases checked ({len(drawn)} draws), {len(problems)} in the wrong split",
        file=sys.stderr,
    )
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
