"""The quote document: what every file format shows, in order; Markdown and PDF only lay it out.

A new format (a spreadsheet, say) takes a `QuoteDocument` and writes its parts: the header
`fields`, the first-year `items` (their figures as numbers; `item_cells` gives them as text), the
cycle's `years` and the `recert` row (`year_cells`), the totals, `notes`, `assumptions`, `sources`.
Header fields holding what a user typed are flagged `user`, so each format can escape them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from ..calculators.fees import LineItem, Quote, YearCost
from .jsondata import quote_data
from .numbers import format_amount
from .phrases import person_days_summary, quote_assumptions, recert_note, year_label
from .style import TEXT

__all__ = [
    "FOOTER",
    "ITEM_HEADINGS",
    "TITLE",
    "YEAR_HEADINGS",
    "Field",
    "QuoteDocument",
    "item_cells",
    "quote_document",
    "quote_number",
    "year_cells",
]

TITLE = "售后服务认证费用报价单"
FOOTER = "本报价单由售后服务认证助手按收费表自动生成，仅供参考。"
ITEM_HEADINGS = ("项目", "单价", "数量", "金额（元）")
YEAR_HEADINGS = ("年度", "内容", "金额（元）")


@dataclass(frozen=True)
class Field:
    """One header line of the document; `user` marks text a user typed (escaped by every format)."""

    label: str
    value: str
    user: bool = False


@dataclass(frozen=True)
class QuoteDocument:
    """A quote laid out as a document: number, date, header fields and the quote's parts in order."""

    quote: Quote
    number: str
    issued: date
    fields: tuple[Field, ...]
    notes: tuple[str, ...]
    assumptions: tuple[str, ...]

    @property
    def cycle_years(self) -> int:
        """How many years the cycle view spans (its total is `quote.cycle_total`)."""
        return len(self.quote.years)


def quote_number(quote: Quote, issued: date) -> str:
    """A stable quote number: the issue date plus a short hash of the quote's content."""
    digest = hashlib.sha1(
        json.dumps(quote_data(quote), ensure_ascii=False, sort_keys=True).encode("utf-8")
    ).hexdigest()
    return f"SH-{issued:%Y%m%d}-{digest[:6].upper()}"


def quote_document(quote: Quote, *, number: str | None = None, issued: date | None = None) -> QuoteDocument:
    """The document for `quote`.

    Args:
        quote: the quote.
        number: quote number; default `quote_number(quote, issued)`.
        issued: issue date; default today (the only place a quote looks at the clock).
    """
    day = issued or date.today()
    num = number or quote_number(quote, day)
    fields = (
        Field("报价单号", num),
        Field("日期", day.isoformat()),
        Field("客户", quote.company, user=True) if quote.company else Field("客户", "（未填写）"),
        Field("雇员人数", f"{TEXT.quantity(quote.employees, '人')}（收费表档次：{quote.band.label}）"),
        Field("评审人日", person_days_summary(quote.band)),
        Field("收费依据", quote.title),
    )
    notes = tuple(f"注：{note}" for note in (recert_note(quote), quote.band.note) if note)
    return QuoteDocument(quote, num, day, fields, notes, quote_assumptions(quote))


def item_cells(line: LineItem) -> list[str]:
    """['评审费', '3,000 元/人日', '16 人日', '48,000']."""
    return [
        line.name,
        TEXT.price(line.unit_price, line.unit),
        TEXT.quantity(line.quantity, line.unit),
        format_amount(line.amount),
    ]


def year_cells(year: YearCost) -> list[str]:
    """['第2年（监督评审）', '评审费 5.5 人日、年金（含标志使用费）', '18,500']; an unpriceable year says so."""
    if year.total is None:
        return [year_label(year), "人日数来源缺失（见注）", "无法计算"]
    content = "、".join(
        f"{line.name} {TEXT.days(line.quantity)}" if line.unit == "人日" else line.name for line in year.items
    )
    return [year_label(year), content, format_amount(year.total)]

