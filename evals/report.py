"""The evaluation report: one JSON object and its Markdown rendering (tables, then the failures)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .metrics import CaseOutcome, Summary, summarize, summarize_by_topic

__all__ = ["build_report", "render_markdown"]

_COLUMNS = (
    ("n", "n"),
    ("accuracy", "accuracy"),
    ("citation_support", "citation support"),
    ("abstention_precision", "abstain P"),
    ("abstention_recall", "abstain R"),
    ("hit_at_1", "hit@1"),
    ("hit_at_5", "hit@5"),
    ("mrr", "MRR"),
    ("latency_p50_ms", "p50 ms"),
    ("latency_p95_ms", "p95 ms"),
)


def build_report(outcomes: Sequence[CaseOutcome], *, meta: dict[str, Any]) -> dict[str, Any]:
    """The report as plain data: `meta`, overall and per-topic summaries, failures and every case."""
    overall: Summary = summarize(outcomes)
    return {
        **meta,
        "overall": overall.to_dict(),
        "per_topic": {t: s.to_dict() for t, s in summarize_by_topic(outcomes).items()},
        "failures": [
            {
                "id": o.id,
                "topic": o.topic,
                "question": o.question,
                "reasons": o.reasons,
                "missing": [list(f) for f in o.missing],
                "unsupported": [list(f) for f in o.unsupported],
                "cite_doc": list(o.cite_doc),
                "cited_docs": list(o.cited_docs),
                "answer": o.answer,
            }
            for o in outcomes
            if not o.correct
        ],
        "cases": [o.to_dict() for o in outcomes],
    }


def _cell(key: str, value: Any) -> str:
    if value is None:
        return "–"  # not measured for this group (e.g. no out-of-scope question in a topic)
    if key == "n":
        return str(value)
    if key.startswith("latency"):
        return f"{value:.1f}"
    return f"{value:.3f}" if key == "mrr" else f"{value:.1%}"


def _row(label: str, summary: dict[str, Any]) -> str:
    return "| " + " | ".join([label, *(_cell(k, summary[k]) for k, _ in _COLUMNS)]) + " |"


def _facts(facts: list[list[str]]) -> str:
    return "; ".join(" / ".join(f"`{alt}`" for alt in fact) for fact in facts)


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: dict[str, Any], *, answer_chars: int = 120) -> str:
    """Markdown: a header line, the overall + per-topic table, then one line per failing case."""
    lines = [
        "# Evaluation report",
        "",
        f"variant: `{report.get('variant') or 'default'}` · cases: {report['overall']['n']} · "
        f"golden: {', '.join(report.get('golden', []))} · {report.get('created', '')}",
        "",
        "| topic | " + " | ".join(label for _, label in _COLUMNS) + " |",
        "|---|" + "---:|" * len(_COLUMNS),
        _row("**overall**", report["overall"]),
    ]
    lines += [_row(topic, s) for topic, s in report["per_topic"].items()]
    lines += [
        "",
        "Accuracy: in scope = answered, every fact in the answer, every fact in a cited passage and "
        "`cite_doc` cited; out of scope = abstained. Citation support is over answered in-scope "
        "cases. Retrieval: rank of `cite_doc` in `search(question, k=5)`.",
        "",
        f"## Failures ({len(report['failures'])})",
        "",
    ]
    if not report["failures"]:
        lines.append("None.")
    for f in report["failures"]:
        detail = [", ".join(f["reasons"])]
        if f["missing"]:
            detail.append(f"missing: {_facts(f['missing'])}")
        if f["unsupported"]:
            detail.append(f"unsupported: {_facts(f['unsupported'])}")
        if f["cite_doc"]:
            cited = ", ".join(f["cited_docs"]) or "nothing"
            detail.append(f"cite_doc `{' / '.join(f['cite_doc'])}`, cited: {cited}")
        answer = _escape(f["answer"])
        if len(answer) > answer_chars:
            answer = answer[:answer_chars] + "…"
        lines.append(
            f"- **{f['id']}** ({f['topic']}) {_escape(f['question'])} — {' · '.join(detail)}"
            + (f"\n  - answer: {answer}" if answer else "")
        )
    return "\n".join(lines) + "\n"
