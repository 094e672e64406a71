"""The evaluation report: one JSON object and its Markdown rendering (tables, then the failures)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .golden import OUTCOMES, SPLITS
from .llm import render_llm
from .metrics import CaseOutcome, Summary, summarize, summarize_by, summarize_by_topic

__all__ = ["build_report", "render_markdown"]

UNLABELLED = "unlabelled"  # the kind of golden lines written before kinds existed

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
# Issue 8's figures: the right outcome, wrong abstentions, chat replies and complete lists.
_OUTCOME_COLUMNS = (
    ("n", "n"),
    ("outcome_accuracy", "outcome acc"),
    ("in_scope_wrongly_abstained", "in-scope abstained"),
    ("oos_not_covered_abstained", "OOS+NC abstained"),
    ("chat_accuracy", "chat acc"),
    ("list_completeness", "list items"),
    ("list_complete", "lists 100%"),
    ("n_list", "n lists"),
)
_KIND_COLUMNS = (
    ("n", "n"),
    ("accuracy", "accuracy"),
    ("outcome_accuracy", "outcome acc"),
    ("in_scope_wrongly_abstained", "in-scope abstained"),
    ("list_completeness", "list items"),
    ("latency_p50_ms", "p50 ms"),
    ("latency_p95_ms", "p95 ms"),
)


def build_report(outcomes: Sequence[CaseOutcome], *, meta: dict[str, Any]) -> dict[str, Any]:
    """The report as plain data: `meta`, overall and per-topic summaries, failures and every case."""
    overall: Summary = summarize(outcomes)
    by_split = {split: [o for o in outcomes if o.split == split] for split in SPLITS}
    by_split = {split: group for split, group in by_split.items() if group}
    return {
        **meta,
        "overall": overall.to_dict(),
        "per_split": {split: summarize(group).to_dict() for split, group in by_split.items()},
        "per_topic": {t: s.to_dict() for t, s in summarize_by_topic(outcomes).items()},
        "per_split_topic": {
            split: {t: s.to_dict() for t, s in summarize_by_topic(group).items()}
            for split, group in by_split.items()
        },
        "per_split_kind": {
            split: {k: s.to_dict() for k, s in summarize_by(group, lambda o: o.kind or UNLABELLED).items()}
            for split, group in by_split.items()
        },
        "failures": [
            {
                "id": o.id,
                "split": o.split,
                "kind": o.kind,
                "topic": o.topic,
                "question": o.question,
                "history": list(o.history),
                "reasons": o.reasons,
                "missing": [list(f) for f in o.missing],
                "unsupported": [list(f) for f in o.unsupported],
                "cite_doc": list(o.cite_doc),
                "cited_docs": list(o.cited_docs),
                "list_missing": [list(f) for f in o.list_missing],
                "answer": o.answer,
            }
            for o in outcomes
            if not o.correct or (o.list_share is not None and o.list_share < 1)
        ],
        "cases": [o.to_dict() for o in outcomes],
    }


def _cell(key: str, value: Any) -> str:
    if value is None:
        return "–"  # not measured for this group (e.g. no out-of-scope question in a topic)
    if key.startswith("n"):
        return str(value)
    if key.startswith("latency"):
        return f"{value:.1f}"
    return f"{value:.3f}" if key == "mrr" else f"{value:.1%}"


def _row(label: str, summary: dict[str, Any], columns: tuple[tuple[str, str], ...] = _COLUMNS) -> str:
    return "| " + " | ".join([label, *(_cell(k, summary[k]) for k, _ in columns)]) + " |"


def _header(first: str, columns: tuple[tuple[str, str], ...]) -> list[str]:
    return [
        "| " + " | ".join([first, *(label for _, label in columns)]) + " |",
        "|---|" + "---:|" * len(columns),
    ]


def _outcome_row(label: str, summary: dict[str, Any]) -> str:
    cells = [
        f"{_cell('p', summary['outcome_precision'].get(o))} / {_cell('r', summary['outcome_recall'].get(o))}"
        for o in OUTCOMES
    ]
    return "| " + " | ".join([label, *cells]) + " |"


def _split_tables(report: dict[str, Any]) -> list[str]:
    """The issue-8 tables: outcome figures and per-outcome P/R per split, then kinds and topics."""
    splits = report.get("per_split", {})
    rows = [("**overall**", report["overall"]), *splits.items()]
    lines = ["## Outcomes", "", *_header("split", _OUTCOME_COLUMNS)]
    lines += [_row(label, s, _OUTCOME_COLUMNS) for label, s in rows]
    lines += [
        "",
        "| split | " + " | ".join(f"{o} P / R" for o in OUTCOMES) + " |",
        "|---|" + "---:|" * len(OUTCOMES),
    ]
    lines += [_outcome_row(label, s) for label, s in rows]
    for split, kinds in report.get("per_split_kind", {}).items():
        lines += ["", f"## Kinds: {split}", "", *_header("kind", _KIND_COLUMNS)]
        lines += [_row(kind, s, _KIND_COLUMNS) for kind, s in kinds.items()]
    for split, topics in report.get("per_split_topic", {}).items():
        lines += ["", f"## Topics: {split}", "", *_header("topic", _COLUMNS)]
        lines += [_row(topic, s) for topic, s in topics.items()]
    return lines


def _facts(facts: list[list[str]]) -> str:
    return "; ".join(" / ".join(f"`{alt}`" for alt in fact) for fact in facts)


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: dict[str, Any], *, answer_chars: int = 120) -> str:
    """Markdown: a header line, the overall and per-split table, outcome, kind and topic tables
    per split, then one line per failing case (or incomplete list)."""
    lines = [
        "# Evaluation report",
        "",
        f"variant: `{report.get('variant') or 'default'}` · cases: {report['overall']['n']} · "
        f"golden: {', '.join(report.get('golden', []))} · {report.get('created', '')}",
        "",
        *_header("split", _COLUMNS),
        _row("**overall**", report["overall"]),
    ]
    lines += [_row(split, s) for split, s in report.get("per_split", {}).items()]
    lines += [
        "",
        "Accuracy: the expected outcome, and for `qa` every fact in the answer, every fact in a cited "
        "passage and `cite_doc` cited; for not_covered / out_of_scope / chat an abstention with that "
        "outcome. Citation support is over answered in-scope cases. Retrieval: rank of `cite_doc` in "
        "`search(question, k=5)`. Outcome P / R: precision / recall of each outcome; list items: mean "
        "share of `list_items` present in the answer.",
        "",
        *_split_tables(report),
        "",
        f"## Failures and incomplete lists ({len(report['failures'])})",
        "",
    ]
    if not report["failures"]:
        lines.append("None.")
    for f in report["failures"]:
        detail = [", ".join(f["reasons"])] if f["reasons"] else []
        if f.get("list_missing"):
            detail.append(f"list items missing: {_facts(f['list_missing'])}")
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
        detail = [x for x in (f.get("split"), f.get("kind")) if x] + detail
        if f.get("history"):
            detail.insert(0, "after " + " → ".join(_escape(h) for h in f["history"]))
        lines.append(
            f"- **{f['id']}** ({f['topic']}) {_escape(f['question'])} — {' · '.join(detail)}"
            + (f"\n  - answer: {answer}" if answer else "")
        )
    if report.get("llm"):
        lines += render_llm(report["llm"])
    return "\n".join(lines) + "\n"
