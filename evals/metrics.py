"""Scoring: pure functions from (golden case, answer, retrieved doc ids) to outcomes and summaries.

Nothing here loads models or reads files, so every figure in the report can be checked by hand
(tests/test_evals.py does).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.textproc import normalize
from assistant.types import Answer

from .golden import OUTCOMES, GoldenCase

__all__ = [
    "CaseOutcome",
    "Summary",
    "abstention_precision_recall",
    "actual_outcome",
    "fact_holds",
    "hit_at_k",
    "list_completeness",
    "mean_reciprocal_rank",
    "missing_facts",
    "outcome_precision_recall",
    "percentile",
    "retrieval_rank",
    "score_case",
    "summarize",
    "summarize_by",
    "summarize_by_topic",
    "unsupported_facts",
]

Fact = Sequence[str]


def fact_holds(fact: Fact, text: str) -> bool:
    """True when any alternative of `fact` occurs in `text`, both compared after `normalize`.

    Normalising both sides is what lets "三年" in an answer satisfy the golden "3年".
    """
    haystack = normalize(text)
    return any(normalize(alt) in haystack for alt in fact)


def missing_facts(facts: Iterable[Fact], text: str) -> list[list[str]]:
    """The facts of `facts` that do not hold in `text` (each as its list of alternatives)."""
    return [list(fact) for fact in facts if not fact_holds(fact, text)]


def unsupported_facts(facts: Iterable[Fact], passages: Iterable[str]) -> list[list[str]]:
    """The facts found in none of `passages` (the cited texts).

    A fact counts as supported when one cited passage contains it on its own: joining the
    passages first would let a number from one citation and a unit from another make up a claim
    that no source states.
    """
    texts = list(passages)
    return [list(fact) for fact in facts if not any(fact_holds(fact, t) for t in texts)]


def list_completeness(items: Sequence[Fact], text: str) -> tuple[float, list[list[str]]]:
    """(share of `items` present in `text`, the items missing), items matched like facts.

    An empty list is complete (1.0): there is nothing to leave out.
    """
    missing = missing_facts(items, text)
    return (1 - len(missing) / len(items) if items else 1.0), missing


# The outcome an answer's `intent` stands for. `invalid` (empty or unusable input) is an
# abstention that is not a chat reply and not a "not covered" reply, so it counts as out_of_scope.
_INTENT_OUTCOME = {
    "qa": "qa",
    "fee": "qa",
    "score": "qa",
    "not_covered": "not_covered",
    "out_of_scope": "out_of_scope",
    "invalid": "out_of_scope",
    "chat": "chat",
}


def actual_outcome(intent: str, abstained: bool) -> str:
    """The outcome (one of `OUTCOMES`) an answer with `intent` and `abstained` gave.

    An abstaining answer whose intent would mean "answered" (a calculator refusing its input, or an
    intent this table does not know) is an abstention: out_of_scope.
    """
    outcome = _INTENT_OUTCOME.get(intent, "qa")
    return "out_of_scope" if abstained and outcome == "qa" else outcome


def outcome_precision_recall(
    pairs: Iterable[tuple[str, str]],
) -> dict[str, tuple[float | None, float | None]]:
    """Per outcome, (precision, recall) from (expected, actual) outcome pairs.

    Precision of `x` = right `x` answers / every `x` answer; recall = right `x` answers / every
    case expecting `x`. A zero denominator gives None (not measured), as for abstention.
    """
    pairs = list(pairs)
    out = {}
    for label in OUTCOMES:
        tp = sum(1 for e, a in pairs if e == label and a == label)
        predicted = sum(1 for _, a in pairs if a == label)
        expected = sum(1 for e, _ in pairs if e == label)
        out[label] = (tp / predicted if predicted else None, tp / expected if expected else None)
    return out


def retrieval_rank(targets: Collection[str], doc_ids: Sequence[str]) -> int | None:
    """1-based rank of the first passage from any document of `targets` in `doc_ids`; None if absent."""
    for rank, doc_id in enumerate(doc_ids, start=1):
        if doc_id in targets:
            return rank
    return None


def hit_at_k(ranks: Sequence[int | None], k: int) -> float | None:
    """Share of questions whose target document is within the first `k` results; None if none."""
    if not ranks:
        return None
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def mean_reciprocal_rank(ranks: Sequence[int | None]) -> float | None:
    """Mean of 1/rank, a miss counting 0 (so MRR is bounded by the cut-off `k` of the search)."""
    if not ranks:
        return None
    return sum(1 / r for r in ranks if r is not None) / len(ranks)


def abstention_precision_recall(
    pairs: Iterable[tuple[bool, bool]],
) -> tuple[float | None, float | None]:
    """(precision, recall) of abstaining, from (expected, predicted) pairs; positive = abstain.

    Precision is None when nothing abstained and recall None when nothing should have: a ratio
    with a zero denominator is "not measured", not 0 or 1.
    """
    tp = fp = fn = 0
    for expected, predicted in pairs:
        tp += expected and predicted
        fp += predicted and not expected
        fn += expected and not predicted
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    return precision, recall


def percentile(values: Sequence[float], p: float) -> float | None:
    """The `p`-th percentile (0-100) with linear interpolation between ranks, as numpy's default."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


@dataclass(frozen=True)
class CaseOutcome:
    """How the assistant did on one golden case."""

    id: str
    topic: str
    question: str
    expected_abstain: bool
    abstained: bool
    correct: bool
    answer: str = ""
    intent: str = ""
    cite_doc: tuple[str, ...] = ()  # one of these must be cited
    cited_docs: tuple[str, ...] = ()
    missing: tuple[tuple[str, ...], ...] = ()  # facts absent from the answer
    unsupported: tuple[tuple[str, ...], ...] = ()  # facts absent from every cited passage
    cite_doc_cited: bool | None = None  # None: nothing to check (abstain case or cite_doc null)
    supported: bool | None = None  # None: not an answered in-scope case
    retrieval_scored: bool = False
    rank: int | None = None
    latency_ms: float | None = None
    error: str | None = None
    split: str = "dev"
    kind: str = ""
    expected_outcome: str = ""  # "" = from expected_abstain (out_of_scope or qa)
    actual_outcome: str = ""  # "" = no answer
    list_share: float | None = None  # share of list_items in the answer; None: not a list question
    list_missing: tuple[tuple[str, ...], ...] = ()
    history: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.expected_outcome:
            object.__setattr__(self, "expected_outcome", "out_of_scope" if self.expected_abstain else "qa")

    @property
    def reasons(self) -> list[str]:
        """Why the case failed, in words an engineer can act on (empty when it passed)."""
        if self.correct:
            return []
        if self.error:
            return [f"error: {self.error}"]
        if self.expected_abstain and not self.abstained:
            return ["should have abstained"]
        if self.expected_abstain:
            return [f"abstained as {self.actual_outcome or 'unknown'}, expected {self.expected_outcome}"]
        if self.abstained:
            return ["abstained on an in-scope question"]
        if self.actual_outcome and self.actual_outcome != "qa":
            return [f"answered as {self.actual_outcome}, expected qa"]
        out = []
        if self.missing:
            out.append("facts missing from the answer")
        if self.unsupported:
            out.append("facts not found in any cited passage")
        if self.cite_doc_cited is False:
            out.append(f"{' / '.join(self.cite_doc)} not among the cited documents")
        return out

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["reasons"] = self.reasons
        return out


def score_case(
    case: GoldenCase,
    answer: Answer | None,
    *,
    retrieved: Sequence[str] | None = None,
    error: str | None = None,
) -> CaseOutcome:
    """Score one answer against its golden case.

    Args:
        case: the golden case.
        answer: the assistant's answer, or None when asking raised (then `error` says what).
        retrieved: doc ids of the passages `search` returned, best first; None when retrieval is
            not scored for this case (the rank is then that of the first `cite_doc` document).
        error: the exception text when there is no answer.

    Returns:
        The outcome. Every case needs the expected outcome (`actual_outcome` of the answer's
        intent). An in-scope (`qa`) case is correct when, besides, every fact holds in the answer,
        every fact is found in at least one cited passage, and one document of `cite_doc` (if any)
        is among the cited documents. A not_covered, out_of_scope or chat case is correct when the
        assistant abstained with that very outcome: an out_of_scope reply to a not_covered
        question abstains (safe) but is not correct. `list_items` are scored apart, as the share
        present in the answer (`list_share`); they do not decide correctness.
    """
    scored = retrieved is not None
    rank = retrieval_rank(case.corpus_docs, retrieved) if retrieved is not None else None
    labels: dict[str, Any] = {
        "id": case.id,
        "topic": case.topic,
        "question": case.question,
        "expected_abstain": case.abstain,
        "cite_doc": case.cite_doc,
        "retrieval_scored": scored,
        "rank": rank,
        "split": case.split,
        "kind": case.kind,
        "expected_outcome": case.outcome,
        "history": case.history,
    }
    if answer is None:
        return CaseOutcome(
            abstained=False,
            correct=False,
            error=error or "no answer",
            list_share=0.0 if case.list_items else None,
            list_missing=case.list_items,
            **labels,
        )
    outcome = actual_outcome(answer.intent, answer.abstained)
    list_share, list_missing = (
        list_completeness(case.list_items, answer.answer) if case.list_items else (None, [])
    )
    common: dict[str, Any] = {
        **labels,
        "abstained": answer.abstained,
        "answer": answer.answer,
        "intent": answer.intent,
        "cited_docs": tuple(c.doc_id for c in answer.citations),
        "latency_ms": answer.latency_ms,
        "actual_outcome": outcome,
        "list_share": list_share,
        "list_missing": tuple(tuple(f) for f in list_missing),
    }
    cited_docs = common["cited_docs"]
    if case.abstain:
        return CaseOutcome(correct=answer.abstained and outcome == case.outcome, **common)
    if answer.abstained or outcome != "qa":
        return CaseOutcome(correct=False, **common)
    missing = missing_facts(case.must_include, answer.answer)
    unsupported = unsupported_facts(case.must_include, (c.text for c in answer.citations))
    cite_ok = any(d in cited_docs for d in case.cite_doc) if case.cite_doc else None
    supported = not unsupported and cite_ok is not False
    return CaseOutcome(
        correct=not missing and supported,
        missing=tuple(tuple(f) for f in missing),
        unsupported=tuple(tuple(f) for f in unsupported),
        cite_doc_cited=cite_ok,
        supported=supported,
        **common,
    )


@dataclass(frozen=True)
class Summary:
    """The report's figures for one group of outcomes (all cases, or one topic)."""

    n: int
    accuracy: float | None
    citation_support: float | None
    abstention_precision: float | None
    abstention_recall: float | None
    hit_at_1: float | None
    hit_at_5: float | None
    mrr: float | None
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    n_correct: int = 0
    n_errors: int = 0
    n_retrieval: int = 0
    outcome_accuracy: float | None = None  # share with the expected outcome
    outcome_precision: dict[str, float | None] = field(default_factory=dict)
    outcome_recall: dict[str, float | None] = field(default_factory=dict)
    in_scope_wrongly_abstained: float | None = None  # of expected qa: share that abstained
    oos_not_covered_abstained: float | None = None  # of expected out_of_scope/not_covered: abstained
    chat_accuracy: float | None = None  # of expected chat: share answered as chat
    list_completeness: float | None = None  # mean share of list items present, over list questions
    list_complete: float | None = None  # share of list questions with every item present
    n_list: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _share(flags: Sequence[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def summarize(outcomes: Sequence[CaseOutcome]) -> Summary:
    """Accuracy, citation support, abstention P/R, outcome P/R, list completeness, hit@1/hit@5/MRR
    and latency over `outcomes`.

    Citation support is over answered in-scope cases only: an abstention has nothing to support,
    and a wrong abstention is already counted against accuracy and abstention precision. Outcome
    and abstention ratios leave out cases whose ask raised (they have no outcome); accuracy and
    list completeness count them as wrong and empty.
    """
    n = len(outcomes)
    n_correct = sum(o.correct for o in outcomes)
    answered = [o for o in outcomes if o.supported is not None]
    ok = [o for o in outcomes if o.error is None]
    precision, recall = abstention_precision_recall((o.expected_abstain, o.abstained) for o in ok)
    per_outcome = outcome_precision_recall((o.expected_outcome, o.actual_outcome) for o in ok)
    lists = [o.list_share for o in outcomes if o.list_share is not None]
    ranks = [o.rank for o in outcomes if o.retrieval_scored]
    latencies = [o.latency_ms for o in outcomes if o.latency_ms is not None]
    return Summary(
        n=n,
        accuracy=n_correct / n if n else None,
        citation_support=sum(bool(o.supported) for o in answered) / len(answered) if answered else None,
        abstention_precision=precision,
        abstention_recall=recall,
        hit_at_1=hit_at_k(ranks, 1),
        hit_at_5=hit_at_k(ranks, 5),
        mrr=mean_reciprocal_rank(ranks),
        latency_p50_ms=percentile(latencies, 50),
        latency_p95_ms=percentile(latencies, 95),
        n_correct=n_correct,
        n_errors=sum(o.error is not None for o in outcomes),
        n_retrieval=len(ranks),
        outcome_accuracy=_share([o.actual_outcome == o.expected_outcome for o in ok]),
        outcome_precision={k: p for k, (p, _) in per_outcome.items()},
        outcome_recall={k: r for k, (_, r) in per_outcome.items()},
        in_scope_wrongly_abstained=_share([o.abstained for o in ok if o.expected_outcome == "qa"]),
        oos_not_covered_abstained=_share(
            [o.abstained for o in ok if o.expected_outcome in ("out_of_scope", "not_covered")]
        ),
        chat_accuracy=_share([o.correct for o in outcomes if o.expected_outcome == "chat"]),
        list_completeness=sum(lists) / len(lists) if lists else None,
        list_complete=_share([share == 1.0 for share in lists]),
        n_list=len(lists),
    )


def summarize_by(outcomes: Sequence[CaseOutcome], key: Callable[[CaseOutcome], str]) -> dict[str, Summary]:
    """`summarize` per value of `key`, groups in order of first appearance."""
    groups: dict[str, list[CaseOutcome]] = {}
    for o in outcomes:
        groups.setdefault(key(o), []).append(o)
    return {label: summarize(group) for label, group in groups.items()}


def summarize_by_topic(outcomes: Sequence[CaseOutcome]) -> dict[str, Summary]:
    """`summarize` per topic, topics in order of first appearance."""
    return summarize_by(outcomes, lambda o: o.topic)
