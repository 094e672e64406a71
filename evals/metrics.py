"""Scoring: pure functions from (golden case, answer, retrieved doc ids) to outcomes and summaries.

Nothing here loads models or reads files, so every figure in the report can be checked by hand
(tests/test_evals.py does).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from assistant.textproc import normalize
from assistant.types import Answer

from .golden import GoldenCase

__all__ = [
    "CaseOutcome",
    "Summary",
    "abstention_precision_recall",
    "fact_holds",
    "hit_at_k",
    "mean_reciprocal_rank",
    "missing_facts",
    "percentile",
    "retrieval_rank",
    "score_case",
    "summarize",
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

    @property
    def reasons(self) -> list[str]:
        """Why the case failed, in words an engineer can act on (empty when it passed)."""
        if self.correct:
            return []
        if self.error:
            return [f"error: {self.error}"]
        if self.expected_abstain:
            return ["should have abstained"]
        if self.abstained:
            return ["abstained on an in-scope question"]
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
        The outcome. An in-scope case is correct when the assistant answered, every fact holds in
        the answer, every fact is found in at least one cited passage, and one document of
        `cite_doc` (if any) is among the cited documents. An out-of-scope case is correct when the assistant abstained.
    """
    scored = retrieved is not None
    rank = retrieval_rank(case.corpus_docs, retrieved) if retrieved is not None else None
    if answer is None:
        return CaseOutcome(
            id=case.id,
            topic=case.topic,
            question=case.question,
            expected_abstain=case.abstain,
            abstained=False,
            correct=False,
            cite_doc=case.cite_doc,
            retrieval_scored=scored,
            rank=rank,
            error=error or "no answer",
        )
    cited_docs = tuple(c.doc_id for c in answer.citations)
    common: dict[str, Any] = {
        "id": case.id,
        "topic": case.topic,
        "question": case.question,
        "expected_abstain": case.abstain,
        "abstained": answer.abstained,
        "answer": answer.answer,
        "intent": answer.intent,
        "cite_doc": case.cite_doc,
        "cited_docs": cited_docs,
        "retrieval_scored": scored,
        "rank": rank,
        "latency_ms": answer.latency_ms,
    }
    if case.abstain:
        return CaseOutcome(correct=answer.abstained, **common)
    if answer.abstained:
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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarize(outcomes: Sequence[CaseOutcome]) -> Summary:
    """Accuracy, citation support, abstention P/R, hit@1/hit@5/MRR and latency over `outcomes`.

    Citation support is over answered in-scope cases only: an abstention has nothing to support,
    and a wrong abstention is already counted against accuracy and abstention precision.
    """
    n = len(outcomes)
    n_correct = sum(o.correct for o in outcomes)
    answered = [o for o in outcomes if o.supported is not None]
    precision, recall = abstention_precision_recall(
        (o.expected_abstain, o.abstained) for o in outcomes if o.error is None
    )
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
    )


def summarize_by_topic(outcomes: Sequence[CaseOutcome]) -> dict[str, Summary]:
    """`summarize` per topic, topics in order of first appearance."""
    groups: dict[str, list[CaseOutcome]] = {}
    for o in outcomes:
        groups.setdefault(o.topic, []).append(o)
    return {topic: summarize(group) for topic, group in groups.items()}
