"""The quote document: what every file format shows, in order; Markdown, PDF and XLSX only lay it out.

A format takes a `QuoteDocument` and writes its parts: the header `fields`, the first-year table
(`first_year_rows`: fee-table lines, and when the user added lines, a subtotal and those lines,
then the total), the cycle table (`cycle_rows`: each year, the cycle total, the re-certification),
`notes`, `assumptions`, the quote's `sources`. Each row carries its text cells and the typed
figures behind them, so a spreadsheet can write numbers and formulas where the others write text.
Header fields holding what a user typed are flagged `user`, so each format can escape them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Literal

from ..calculators.fees import LineItem, Quote, YearCost
from ..quotes.issue import Issue
from .jsondata import quote_data
from .numbers import format_amount
from .phrases import (
    band_edge_note,
    extras_note,
    line_name,
    person_days_summary,
    quote_assumptions,
    recert_note,
    year_label,
)
from .style import TEXT

__all__ = [
    "FIRST_YEAR_TOTAL",
    "FOOTER",
    "ITEM_HEADINGS",
    "SUBTOTAL",
    "TITLE",
    "YEAR_HEADINGS",
    "CycleRow",
    "Field",
    "ItemRow",
    "QuoteDocument",
    "cycle_rows",
    "first_year_rows",
    "item_cells",
    "quote_document",
    "quote_number",
    "year_cells",
]

TITLE = "售后服务认证费用报价单"
FOOTER = "本报价单由售后服务认证助手按收费表自动生成，仅供参考。"
ITEM_HEADINGS = ("项目", "单价", "数量", "金额（元）")
YEAR_HEADINGS = ("年度", "内容", "金额（元）")
SUBTOTAL = "收费表费用小计"
FIRST_YEAR_TOTAL = "首年合计"


@dataclass(frozen=True)
class Field:
    """One header line of the document; `user` marks text a user typed (escaped by every format)."""

    label: str
    value: str
    user: bool = False


@dataclass(frozen=True)
class QuoteDocument:
    """A quote laid out as a document: its issue, header fields and the quote's parts in order."""

    quote: Quote
    issue: Issue
    fields: tuple[Field, ...]
    notes: tuple[str, ...]
    assumptions: tuple[str, ...]

    @property
    def number(self) -> str:
        return self.issue.number

    @property
    def issued(self) -> date:
        return self.issue.issued

    @property
    def cycle_years(self) -> int:
        """How many years the cycle view spans (its total is `quote.cycle_total`)."""
        return len(self.quote.years)


def quote_number(quote: Quote, issued: date) -> str:
    """A stable number for a quote that is not in the register: the date plus a hash of its content."""
    digest = hashlib.sha1(
        json.dumps(quote_data(quote), ensure_ascii=False, sort_keys=True).encode("utf-8")
    ).hexdigest()
    return f"SH-{issued:%Y%m%d}-{digest[:6].upper()}"


def _seller_fields(issue: Issue) -> tuple[Field, ...]:
    seller = issue.seller
    if not seller:
        return ()
    parts = (("报价方", seller.company), ("报价联系人", seller.person), ("电话", seller.phone), ("邮箱", seller.email))
    return tuple(Field(label, value, user=True) for label, value in parts if value)


def quote_document(quote: Quote, issue: Issue | None = None) -> QuoteDocument:
    """The document for `quote`.

    Args:
        quote: the quote.
        issue: number, dates, contact and seller from the register; default a document dated today
            (the only place a quote looks at the clock) numbered by `quote_number`, without seller.
    """
    if issue is None:
        today = date.today()
        issue = Issue(quote_number(quote, today), today)
    fields = [Field("报价单号", issue.number), Field("日期", issue.issued.isoformat())]
    if issue.valid_until is not None:
        days = (issue.valid_until - issue.issued).days
        fields.append(Field("有效期至", f"{issue.valid_until.isoformat()}（{days} 天内有效）"))
    fields.append(Field("客户", quote.company, user=True) if quote.company else Field("客户", "（未填写）"))
    if issue.contact:
        fields.append(Field("客户联系人", issue.contact, user=True))
    fields += [
        Field("雇员人数", f"{TEXT.quantity(quote.employees, '人')}（收费表档次：{quote.band.label}）"),
        Field("评审人日", person_days_summary(quote.band)),
        Field("收费依据", quote.title),
        *_seller_fields(issue),
    ]
    notes = tuple(
        f"注：{note}"
        for note in (band_edge_note(quote), extras_note(quote), recert_note(quote), quote.band.note)
        if note
    )
    return QuoteDocument(quote, issue, tuple(fields), notes, quote_assumptions(quote))


# ---------------------------------------------------------------------------------------------
# The two tables, row by row.


@dataclass(frozen=True)
class ItemRow:
    """A row of the first-year table: a `line` (fee table or user-added), the `subtotal` of the
    fee-table lines, or the `total`; `cells` as text, `amount` as a number."""

    kind: Literal["line", "subtotal", "total"]
    cells: tuple[str, str, str, str]
    amount: float
    line: LineItem | None = None


@dataclass(frozen=True)
class CycleRow:
    """A row of the cycle table: a `year` (or the `recert` row, outside the total) or the `total`."""

    kind: Literal["year", "total", "recert"]
    cells: tuple[str, str, str]
    year: YearCost | None = None


def item_cells(line: LineItem) -> tuple[str, str, str, str]:
    """('评审费', '3,000 元/人日', '16 人日', '48,000'); a discount shows its amount only."""
    if line.key == "discount":
        return (line_name(line), "", "", format_amount(line.amount))
    return (
        line_name(line),
        TEXT.price(line.unit_price, line.unit),
        TEXT.quantity(line.quantity, line.unit),
        format_amount(line.amount),
    )


def first_year_rows(quote: Quote) -> list[ItemRow]:
    """The fee-table lines; with user-added lines, their subtotal and those lines; the first-year total."""
    rows = [ItemRow("line", item_cells(line), line.amount, line) for line in quote.items]
    if quote.extras:
        rows.append(ItemRow("subtotal", (SUBTOTAL, "", "", format_amount(quote.table_total)), quote.table_total))
        rows += [ItemRow("line", item_cells(line), line.amount, line) for line in quote.extras]
    total = quote.first_year_total
    rows.append(ItemRow("total", (FIRST_YEAR_TOTAL, "", "", format_amount(total)), total))
    return rows


def year_cells(year: YearCost) -> tuple[str, str, str]:
    """('第2年（监督评审）', '评审费 5.5 人日、年金（含标志使用费）', '18,500'); an unpriceable year says so."""
    if year.total is None:
        return (year_label(year), "人日数来源缺失（见注）", "无法计算")
    content = "、".join(
        f"{line_name(line)} {TEXT.days(line.quantity)}" if line.unit == "人日" else line_name(line)
        for line in year.items
    )
    return (year_label(year), content, format_amount(year.total))


def cycle_rows(quote: Quote) -> list[CycleRow]:
    """Each year of the cycle, the cycle total, then the re-certification (not in the total)."""
    rows = [CycleRow("year", year_cells(year), year) for year in quote.years]
    rows.append(CycleRow("total", (f"{len(quote.years)}年合计", "", format_amount(quote.cycle_total))))
    rows.append(CycleRow("recert", year_cells(quote.recert), quote.recert))
    return rows
