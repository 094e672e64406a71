"""Latency summaries. The percentile itself is the evaluation's (`evals.metrics.percentile`), so a
p95 in the benchmark and a p95 in the evaluation report are the same statistic."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence

from evals.metrics import fact_holds, percentile

__all__ = ["fact_rank", "latency_stats", "percentile"]


def latency_stats(values_ms: Sequence[float]) -> dict[str, float | int | None]:
    """n, p50, p95, p99, mean and max of `values_ms` (None for each figure when there are none).

    Percentiles interpolate linearly between ranks (numpy's default): with 20 samples p95 lies
    between the 19th and 20th value, so a single slow outlier already shows in p95 and p99.
    """
    if not values_ms:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "mean": None, "max": None}
    return {
        "n": len(values_ms),
        "p50": percentile(values_ms, 50),
        "p95": percentile(values_ms, 95),
        "p99": percentile(values_ms, 99),
        "mean": statistics.fmean(values_ms),
        "max": max(values_ms),
    }


def fact_rank(facts: Iterable[Sequence[str]], texts: Sequence[str]) -> int | None:
    """1-based rank of the first passage text that holds every fact; None if no passage does.

    The evaluation's hit@k asks whether the right *document* was retrieved; this asks whether a
    passage with the answer in it was, which is what the composer needs to quote. The same
    `fact_holds` decides, so "三年" in a passage satisfies a golden "3年" here too.
    """
    facts = list(facts)
    for rank, text in enumerate(texts, start=1):
        if all(fact_holds(fact, text) for fact in facts):
            return rank
    return None
