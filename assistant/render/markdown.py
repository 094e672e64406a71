"""The quote as a Markdown document (`assistant quote`, the app's Markdown download)."""

from __future__ import annotations

from datetime import date

from ..calculators.fees import Quote
from .document import ITEM_HEADINGS, TITLE, YEAR_HEADINGS, Field, item_cells, quote_document, year_cells
from .numbers import format_amount
from .style import md_escape

__all__ = ["quote_markdown"]


def _row(cells: list[str] | tuple[str, ...]) -> str:
    return "| " + " | ".join(cells) + " |"


def _field(field: Field) -> str:
    # What a user typed (the company name) is escaped: it can neither end the line nor add markup.
    return f"- {field.label}：{md_escape(field.value) if field.user else field.value}"


def quote_markdown(quote: Quote, *, number: str | None = None, issued: date | None = None) -> str:
    """The quote as Markdown: header, itemised first-year table, cycle view, assumptions, sources.

    Args:
        quote: the quote to render.
        number: quote number; default `quote_number(quote, issued)`.
        issued: issue date; default today.
    """
    doc = quote_document(quote, number=number, issued=issued)
    cycle = doc.cycle_years
    lines = [f"# {TITLE}", "", *(_field(f) for f in doc.fields)]
    lines += ["", "## 首年费用明细", "", _row(ITEM_HEADINGS), "|---|---|---|---|"]
    lines += [_row(item_cells(line)) for line in quote.items]
    lines.append(f"| **首年合计** | | | **{format_amount(quote.first_year_total)}** |")
    lines += ["", f"## {cycle}年费用概览", "", _row(YEAR_HEADINGS), "|---|---|---|"]
    lines += [_row(year_cells(year)) for year in quote.years]
    lines.append(f"| **{cycle}年合计** | | **{format_amount(quote.cycle_total)}** |")
    lines.append(_row(year_cells(quote.recert)))
    for note in doc.notes:
        lines += ["", note]
    lines += ["", "## 说明与假设", "", *(f"- {text}" for text in doc.assumptions)]
    lines += ["", "## 数据来源", "", *(f"- {label}" for label in quote.sources)]
    return "\n".join(lines) + "\n"
