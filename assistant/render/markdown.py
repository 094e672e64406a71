"""The quote as a Markdown document (`assistant quote`, the app's Markdown download)."""

from __future__ import annotations

from collections.abc import Sequence

from .document import ITEM_HEADINGS, TITLE, YEAR_HEADINGS, Field, QuoteDocument, cycle_rows, first_year_rows
from .style import md_escape

__all__ = ["quote_markdown"]


def _row(cells: Sequence[str], *, strong: bool = False) -> str:
    shown = (f"**{c}**" if strong and c else c for c in cells)
    return "|" + "|".join(f" {c} " if c else " " for c in shown) + "|"


def _field(field: Field) -> str:
    # What a user typed (the company name) is escaped: it can neither end the line nor add markup.
    return f"- {field.label}：{md_escape(field.value) if field.user else field.value}"


def quote_markdown(doc: QuoteDocument) -> str:
    """The quote document as Markdown: header, itemised first-year table, cycle view, notes,
    assumptions, sources. The same document gives the same bytes (re-issue from the register).
    """
    quote = doc.quote
    lines = [f"# {TITLE}", "", *(_field(f) for f in doc.fields)]
    lines += ["", "## 首年费用明细", "", _row(ITEM_HEADINGS), "|---|---|---|---|"]
    lines += [_row(row.cells, strong=row.kind == "total") for row in first_year_rows(quote)]
    lines += ["", f"## {doc.cycle_years}年费用概览", "", _row(YEAR_HEADINGS), "|---|---|---|"]
    lines += [_row(row.cells, strong=row.kind == "total") for row in cycle_rows(quote)]
    for note in doc.notes:
        lines += ["", note]
    lines += ["", "## 说明与假设", "", *(f"- {text}" for text in doc.assumptions)]
    lines += ["", "## 数据来源", "", *(f"- {label}" for label in quote.sources)]
    return "\n".join(lines) + "\n"
