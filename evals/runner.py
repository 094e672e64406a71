"""Run golden cases through the assistant (the CLI's code path) and write the report.

One `Assistant` is built and reused, as `assistant ask --batch` does, so the latency figures are
warm per-question times rather than model loading.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from assistant.config import embed_spec
from assistant.errors import AssistantError
from assistant.types import Answer, Passage

from .golden import OUTCOMES, SPLITS, GoldenCase, GoldenError, golden_files, load_golden
from .llm import Recorder, summarize_llm
from .metrics import CaseOutcome, score_case
from .report import build_report, render_markdown

__all__ = [
    "RESULTS_DIR",
    "Gate",
    "SupportsEval",
    "check_floors",
    "check_gates",
    "evaluate",
    "evaluate_case",
    "load_assistant",
    "main",
    "write_report",
]

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SEARCH_K = 5
# Asked once before the timed run: the first question pays for lazy loads (jieba dictionary,
# embedder session) that a warm CLI batch or the app pays once, not per question.
_WARMUP_QUESTION = "售后服务认证证书有效期是几年？"


class SupportsEval(Protocol):
    """What the evaluation needs from `assistant.core.Assistant`."""

    def ask(self, question: str, *, history: list[str] | None = ...) -> Answer: ...

    def search(self, question: str, *, k: int = ...) -> list[Passage]: ...


def load_assistant(variant: str | None = None, *, llm: bool = False) -> SupportsEval:
    """`Assistant.load()`, with `variant` (bm25, dense, hybrid, full) passed on when given.

    The configured LLM (ASSISTANT_LLM_*) is used only with `llm`: the gate measures the
    extractive answers whatever the environment says.
    """
    from assistant.core import Assistant  # imported here so the metrics work without a built index

    assistant: SupportsEval = Assistant.load(variant=variant or "full", llm=llm)
    return assistant


def _scores_retrieval(case: GoldenCase) -> bool:
    # Retrieval is scored on corpus documents only: calculator answers cite data tables, which no
    # search returns, and a follow-up ("那2000人呢？") means nothing to a search without its history.
    return not case.abstain and bool(case.corpus_docs) and not case.history


def evaluate_case(assistant: SupportsEval, case: GoldenCase, *, k: int = SEARCH_K) -> CaseOutcome:
    """Ask one case (and search for it when retrieval is scored) and score the result."""
    retrieved: list[str] | None = None
    try:
        started = time.perf_counter()
        answer = assistant.ask(case.question, history=list(case.history))
        wall_ms = (time.perf_counter() - started) * 1000
        if answer.latency_ms <= 0:
            # An Answer that does not time itself still gets a latency, measured around ask().
            answer.latency_ms = wall_ms
        if _scores_retrieval(case):
            retrieved = [p.doc_id for p in assistant.search(case.question, k=k)]
    except Exception as exc:  # one broken case must not hide the other results
        return score_case(case, None, retrieved=retrieved, error=f"{type(exc).__name__}: {exc}")
    return score_case(case, answer, retrieved=retrieved)


def evaluate(
    assistant: SupportsEval,
    cases: Sequence[GoldenCase],
    *,
    k: int = SEARCH_K,
    progress: Callable[[int, int, CaseOutcome], None] | None = None,
) -> list[CaseOutcome]:
    """Outcomes of `cases` in order; `progress(i, n, outcome)` is called after each one."""
    outcomes = []
    for i, case in enumerate(cases, start=1):
        outcome = evaluate_case(assistant, case, k=k)
        outcomes.append(outcome)
        if progress:
            progress(i, len(cases), outcome)
    return outcomes


def check_floors(
    overall: dict[str, Any], *, min_accuracy: float | None, min_abstention: float | None
) -> list[str]:
    """Messages for each floor the overall figures fall below (empty: all floors met).

    The abstention floor applies to both precision and recall: abstaining on everything has
    recall 1 and answering everything has precision undefined, so either alone is easy to game.
    """
    problems = []
    if min_accuracy is not None and (overall["accuracy"] or 0.0) < min_accuracy:
        problems.append(f"accuracy {overall['accuracy'] or 0.0:.1%} < floor {min_accuracy:.1%}")
    if min_abstention is not None:
        for key in ("abstention_precision", "abstention_recall"):
            value = overall[key]
            if value is not None and value < min_abstention:
                problems.append(f"{key} {value:.1%} < floor {min_abstention:.1%}")
    return problems


# Summary figures a gate may name: the ratios (0-1), plus precision.<outcome> / recall.<outcome>.
_RATIOS = (
    "accuracy",
    "citation_support",
    "abstention_precision",
    "abstention_recall",
    "hit_at_1",
    "hit_at_5",
    "mrr",
    "outcome_accuracy",
    "in_scope_wrongly_abstained",
    "oos_not_covered_abstained",
    "chat_accuracy",
    "list_completeness",
    "list_complete",
)
_GATE_METRICS = frozenset([*_RATIOS, *(f"{kind}.{o}" for kind in ("precision", "recall") for o in OUTCOMES)])
_GATE = re.compile(r"^(?P<split>[a-z]+)\.(?P<metric>[a-z_0-9.]+)(?P<op>>=|<=)(?P<value>[0-9]*\.?[0-9]+)$")


@dataclass(frozen=True)
class Gate:
    """One CI condition on the report, e.g. `test.accuracy>=0.95` or `dev.in_scope_wrongly_abstained<=0.02`."""

    split: str  # overall | dev | test
    metric: str
    op: str  # >= (a floor) or <= (a ceiling)
    value: float

    @classmethod
    def parse(cls, text: str) -> Gate:
        """Raises ValueError with a message naming the bad part and what is allowed."""
        match = _GATE.match(text.replace(" ", ""))
        if not match:
            raise ValueError(
                f"门槛 {text!r} 的格式应为 <split>.<指标>>=<值> 或 <=<值>，例如 test.accuracy>=0.9"
            )
        split, metric = match["split"], match["metric"]
        if split not in ("overall", *SPLITS):
            raise ValueError(f"门槛 {text!r} 的 split {split!r} 未知；允许 overall、{'、'.join(SPLITS)}")
        if metric not in _GATE_METRICS:
            raise ValueError(f"门槛 {text!r} 的指标 {metric!r} 未知；允许 {' '.join(sorted(_GATE_METRICS))}")
        value = float(match["value"])
        if not 0 <= value <= 1:
            raise ValueError(f"门槛 {text!r} 的值 {value} 应为 0 到 1 之间的比例")
        return cls(split, metric, match["op"], value)

    def measure(self, report: dict[str, Any]) -> float | None:
        """The gated figure in `report`; None when the split or the figure was not measured."""
        summary = (
            report["overall"] if self.split == "overall" else report.get("per_split", {}).get(self.split)
        )
        if summary is None:
            return None
        if "." in self.metric:
            kind, outcome = self.metric.split(".")
            value: float | None = summary[f"outcome_{kind}"].get(outcome)
            return value
        return summary[self.metric]


def check_gates(report: dict[str, Any], gates: Sequence[Gate]) -> list[str]:
    """Messages for each gate the report fails (empty: all met).

    A figure that was not measured (no test case in a --limit run, no chat question in a file)
    passes, as in `check_floors`: the gate is about the cases that ran.
    """
    problems = []
    for gate in gates:
        value = gate.measure(report)
        if value is None:
            continue
        if (gate.op == ">=" and value < gate.value) or (gate.op == "<=" and value > gate.value):
            problems.append(f"{gate.split}.{gate.metric} {value:.1%} fails {gate.op} {gate.value:.1%}")
    return problems


def _gate(text: str) -> Gate:
    try:
        return Gate.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def write_report(report: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """Write report.json (UTF-8, Chinese kept readable) and report.md into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "report.json", out_dir / "report.md"
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(render_markdown(report), encoding="utf-8")
    return json_path, md_path


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m evals", description="Run the golden sets and report accuracy, citations, retrieval."
    )
    parser.add_argument(
        "--golden",
        action="append",
        type=Path,
        metavar="FILE",
        help="golden .jsonl file (repeatable); default: every evals/golden/*.jsonl",
    )
    parser.add_argument("--min-accuracy", type=float, metavar="F", help="exit 1 if overall accuracy < F")
    parser.add_argument(
        "--min-abstention",
        type=float,
        metavar="F",
        help="exit 1 if abstention precision or recall < F",
    )
    parser.add_argument(
        "--gate",
        action="append",
        type=_gate,
        default=[],
        metavar="SPLIT.METRIC>=F",
        help="exit 1 unless the figure holds, e.g. test.accuracy>=0.95, dev.list_completeness>=1, "
        "test.in_scope_wrongly_abstained<=0.02, dev.recall.chat>=1 (repeatable; split: overall, dev, test)",
    )
    parser.add_argument("--limit", type=int, metavar="N", help="run only the first N cases")
    parser.add_argument("--variant", help="retrieval variant for Assistant.load (bm25, dense, hybrid, full)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, metavar="DIR", help="report folder")
    parser.add_argument("--quiet", action="store_true", help="no per-case progress on stderr")
    parser.add_argument("--llm", action="store_true",
                        help="answer through the LLM set by ASSISTANT_LLM_* and report the verifier's drop rate")
    args = parser.parse_args(argv)
    for name in ("min_accuracy", "min_abstention"):
        value = getattr(args, name)
        if value is not None and not 0 <= value <= 1:
            parser.error(f"--{name.replace('_', '-')} {value} must be a fraction between 0 and 1, e.g. 0.9")
    if args.limit is not None and args.limit < 1:
        parser.error(f"--limit {args.limit} must be a positive number of cases")
    return args


def _display_path(path: Path) -> str:
    # Relative to the working directory when possible: reports are read next to the repository.
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _progress(i: int, n: int, outcome: CaseOutcome) -> None:
    mark = "ok " if outcome.correct else "FAIL"
    print(f"[{i:>3}/{n}] {mark} {outcome.id}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m evals`: 0 when every floor is met, 1 below a floor, 2 on unusable input."""
    args = _parse_args(argv)
    files = args.golden or golden_files()
    if not files:
        print("没有找到金标准文件：evals/golden/*.jsonl 为空，可用 --golden FILE 指定", file=sys.stderr)
        return 2
    try:
        cases = load_golden(files)
    except (GoldenError, OSError) as exc:
        print(f"金标准文件有误：{exc}", file=sys.stderr)
        return 2
    if args.limit:
        cases = cases[: args.limit]

    started = time.perf_counter()
    try:
        assistant = load_assistant(args.variant, llm=True) if args.llm else load_assistant(args.variant)
    except (ImportError, AssistantError) as exc:
        print(f"无法加载助手：{exc}", file=sys.stderr)
        return 2
    answerer = getattr(assistant, "llm", None)
    if args.llm and answerer is None:
        print("--llm 需要先设置 ASSISTANT_LLM_BASE_URL（以 /v1 结尾）和 ASSISTANT_LLM_MODEL", file=sys.stderr)
        return 2
    load_s = time.perf_counter() - started
    try:
        assistant.ask(_WARMUP_QUESTION, history=[])
    except Exception as exc:  # the cases themselves will show the failure with its message
        print(f"warm-up question failed: {type(exc).__name__}: {exc}", file=sys.stderr)
    recorder = Recorder(assistant)
    if answerer is not None:
        answerer.stats.clear()  # the warm-up is not a case
    outcomes = evaluate(recorder, cases, progress=None if args.quiet else _progress)

    meta = {
        "created": _dt.datetime.now().isoformat(timespec="seconds"),
        "variant": args.variant,
        "embedder": embed_spec(),
        "golden": [_display_path(f) for f in files],
        "limit": args.limit,
        "search_k": SEARCH_K,
        "load_seconds": round(load_s, 2),
        "run_seconds": round(time.perf_counter() - started - load_s, 2),
    }
    report = build_report(outcomes, meta=meta)
    if answerer is not None:
        report["llm"] = summarize_llm(answerer.stats, recorder.answers, model=answerer.client.model)
    json_path, md_path = write_report(report, args.out)
    markdown = render_markdown(report)
    # The table and the failure list are what a reader needs on the terminal; the JSON has the rest.
    print(markdown)
    print(f"report: {json_path} · {md_path}")
    problems = check_floors(
        report["overall"], min_accuracy=args.min_accuracy, min_abstention=args.min_abstention
    ) + check_gates(report, args.gate)
    for problem in problems:
        print(f"below floor: {problem}", file=sys.stderr)
    return 1 if problems else 0
