"""Calibrate the scope and "not covered" thresholds on the labelled calibration set.

    python -m evals.calibrate                    # outcomes with today's AnswerConfig, then the sweep

evals/calibration/scope.jsonl holds questions labelled with the outcome they should get (`qa`,
`not_covered`, `out_of_scope`, `chat`). It is neither `dev` nor `test`: it is written to set these
thresholds and nothing else is tuned on it (docs/DECISIONS.md says how it was built). Retrieval runs
once per question; each candidate configuration then only re-decides (`answering.decide`), so a
sweep of a few hundred configurations takes seconds.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

__all__ = ["CALIBRATION_FILE", "Labelled", "cost", "load_calibration", "main", "sweep"]

CALIBRATION_FILE = Path(__file__).resolve().parent / "calibration" / "scope.jsonl"
_OUTCOMES = ("qa", "not_covered", "out_of_scope", "chat")
# What a wrong outcome costs: refusing an answerable question is the error users notice most
# (issue 8's ceiling is 2 %), so it costs twice an answer given to a question we cannot answer;
# "not covered" for "out of scope" (or back) is still an honest refusal, so it costs half.
_COSTS = {("qa", "abstain"): 2.0, ("abstain", "qa"): 1.0, ("nc", "oos"): 0.5, ("chat", "other"): 1.0}
# The thresholds swept, and the values tried for each.
GRID: dict[str, tuple[float, ...]] = {
    "support_min": (0.4, 0.5, 0.6, 0.7),
    "form_sure": (0.94, 0.95, 0.96),
    "oos_margin": (0.0, 0.02, 0.04),
    "unanchored_min_form": (0.91, 0.93, 0.95),
    "domain_min_form": (0.91, 0.93, 0.95),
}


@dataclass(frozen=True)
class Labelled:
    question: str
    outcome: str


def load_calibration(path: Path = CALIBRATION_FILE) -> list[Labelled]:
    """The labelled questions.

    Raises:
        ValueError: a line is not an object with a question and a known outcome (names the line).
    """
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        data = json.loads(line)
        if not isinstance(data, dict) or not data.get("question") or data.get("outcome") not in _OUTCOMES:
            raise ValueError(f"{path}:{number}: 需要 question 和 outcome（{'/'.join(_OUTCOMES)}）")
        out.append(Labelled(data["question"], data["outcome"]))
    return out


def cost(expected: str, got: str) -> float:
    """The cost of answering `got` where `expected` was right (see `_COSTS`)."""
    if expected == got:
        return 0.0
    if expected == "chat" or got == "chat":
        return _COSTS[("chat", "other")]
    if expected == "qa":
        return _COSTS[("qa", "abstain")]
    if got == "qa":
        return _COSTS[("abstain", "qa")]
    return _COSTS[("nc", "oos")]


def _outcome_of(intent: str) -> str:
    return {"fee": "qa", "score": "qa", "invalid": "out_of_scope"}.get(intent, intent)


def _evidence(assistant: Any, items: Sequence[Labelled]) -> list[tuple[Labelled, Any, list[Any]] | tuple[Labelled, str]]:
    """Retrieval for each question, once; calculator questions keep their fixed outcome."""
    from assistant import dialogue
    from assistant.answering import TOP_K, _parts

    retriever, cfg = assistant.retriever, assistant.variant.config
    out: list[Any] = []
    for item in items:
        route = dialogue.route(item.question, dialogue.Session())
        if route.intent in {"fee", "score"}:
            out.append((item, "qa"))
            continue
        q = retriever.parse(item.question)
        evidence = retriever.retrieve(q, k=TOP_K, units=cfg.units)
        parts = _parts(q, retriever)
        evidences = [evidence] if parts == [q] else [retriever.retrieve(p, k=TOP_K, units=cfg.units) for p in parts]
        out.append((item, evidence, evidences))
    return out


def _decide_all(stored: list[Any], cfg: Any) -> list[tuple[Labelled, str]]:
    from assistant.answering import decide

    results = []
    for row in stored:
        if len(row) == 2:
            results.append((row[0], row[1]))
        else:
            item, evidence, evidences = row
            results.append((item, _outcome_of(decide(evidence, evidences, cfg).answer.intent)))
    return results


def _summary(results: list[tuple[Labelled, str]]) -> dict[str, Any]:
    confusion = Counter((item.outcome, got) for item, got in results)
    by_label = Counter(item.outcome for item, _ in results)
    wrong_abstain = sum(n for (e, g), n in confusion.items() if e == "qa" and g != "qa")
    return {
        "cost": sum(cost(item.outcome, got) for item, got in results),
        "accuracy": sum(item.outcome == got for item, got in results) / len(results),
        "in_scope_wrongly_abstained": wrong_abstain / (by_label["qa"] or 1),
        "per_label": {label: confusion[(label, label)] / by_label[label] for label in _OUTCOMES if by_label[label]},
        "confusion": {f"{e}->{g}": n for (e, g), n in sorted(confusion.items()) if e != g},
    }


def sweep(stored: list[Any], base: Any, grid: dict[str, tuple[float, ...]] = GRID) -> list[tuple[dict[str, Any], dict[str, float]]]:
    """Every combination of `grid` over `base`, cheapest first, as (summary, values)."""
    names = list(grid)
    runs = []
    for values in itertools.product(*(grid[n] for n in names)):
        chosen = dict(zip(names, values, strict=True))
        runs.append((_summary(_decide_all(stored, replace(base, **chosen))), chosen))
    return sorted(runs, key=lambda r: (r[0]["cost"], -r[0]["accuracy"]))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.calibrate", description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=CALIBRATION_FILE)
    parser.add_argument("--top", type=int, default=10, help="how many of the cheapest configurations to print")
    parser.add_argument("--no-sweep", action="store_true", help="only the outcomes with today's configuration")
    args = parser.parse_args(argv)
    from assistant.core import Assistant

    assistant = Assistant.load()
    items = load_calibration(args.file)
    stored = _evidence(assistant, items)
    base = assistant.variant.config
    now = _decide_all(stored, base)
    print(json.dumps({"questions": len(items), "today": _summary(now)}, ensure_ascii=False, indent=1))
    for item, got in now:
        if got != item.outcome:
            print(f"  {item.outcome:>12} -> {got:<12} {item.question}")
    if args.no_sweep:
        return 0
    current = {f.name: getattr(base, f.name) for f in fields(base) if f.name in GRID}
    print("today's values:", current, file=sys.stderr)
    for summary, values in sweep(stored, base)[: args.top]:
        print(json.dumps({"values": values, **summary}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
