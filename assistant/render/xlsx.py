"""The quote as an Excel workbook (`--format xlsx`, the app's Excel download), and plain tables.

Same content as the PDF, laid out for a colleague who keeps working in Excel: every price,
quantity and amount is a number (its unit shown by the number format, "3,000 元/人日"), every
amount a formula (单价 × 数量, SUM for subtotals and totals), and the later years' prices refer to
the first-year cells, so changing the rate in one cell re-prices the whole cycle. Sheet 报价单
follows the document; sheet 逐年明细 itemises the surveillance years and the re-certification
that the cycle table sums. Text a user typed is stored as text even when it starts with "=", so
it can never become a formula.

openpyxl is imported inside the functions: the quote command stays fast without --format xlsx.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..calculators.fees import LineItem, YearCost
from .document import (
    FOOTER,
    ITEM_HEADINGS,
    TITLE,
    YEAR_HEADINGS,
    QuoteDocument,
    cycle_rows,
    first_year_rows,
    year_cells,
)
from .phrases import line_name, year_label

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["DETAIL_SHEET", "QUOTE_SHEET", "money_format", "quote_xlsx", "table_xlsx", "text_cell"]

QUOTE_SHEET = "报价单"
DETAIL_SHEET = "逐年明细"
_WIDTHS = {"A": 36, "B": 20, "C": 14, "D": 16}


def money_format(value: float | None, unit: str = "") -> str:
    """'#,##0' for whole 元, '#,##0.00' otherwise; `unit` ('元/人日') shown after the number."""
    base = "#,##0" if value is None or float(value).is_integer() else "#,##0.00"
    return f'{base}" {unit}"' if unit else base


def _quantity_format(unit: str) -> str:
    return f'General" {unit}"'


def text_cell(ws: Worksheet, row: int, column: int, value: str, *, bold: bool = False) -> None:
    """Put `value` in a cell as text, never as a formula, whatever it starts with."""
    from openpyxl.styles import Font

    cell = ws.cell(row=row, column=column)
    cell.value = value
    cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)


class _Sheet:
    """A worksheet written top to bottom."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.row = 0

    def next(self) -> int:
        self.row += 1
        return self.row

    def skip(self) -> None:
        self.row += 1

    def texts(self, values: Sequence[str], *, bold: bool = False, columns: Sequence[int] | None = None) -> int:
        row = self.next()
        for column, value in zip(columns or range(1, len(values) + 1), values, strict=True):
            if value:
                text_cell(self.ws, row, column, value, bold=bold)
        return row

    def heading(self, text: str, size: int = 12) -> None:
        from openpyxl.styles import Font

        row = self.next()
        text_cell(self.ws, row, 1, text)
        self.ws.cell(row=row, column=1).font = Font(bold=True, size=size)

    def line(self, line: LineItem, *, price_ref: str | None = None, amount: str | None = None) -> int:
        """A priced line: name, unit price, quantity, amount = price × quantity; a discount has only
        its amount (`amount`, a formula, when it is a share of other cells)."""
        from openpyxl.styles import Font

        row = self.texts([line_name(line)])
        ws = self.ws
        if line.key == "discount":
            cell = ws.cell(row=row, column=4, value=amount or line.amount)
        else:
            price = ws.cell(row=row, column=2, value=f"={price_ref}" if price_ref else line.unit_price)
            price.number_format = money_format(line.unit_price, f"元/{line.unit}")
            ws.cell(row=row, column=3, value=line.quantity).number_format = _quantity_format(line.unit)
            # To the fen, as the calculator rounds it, so every engine shows the same total.
            cell = ws.cell(row=row, column=4, value=f"=ROUND(B{row}*C{row},2)")
        cell.number_format = money_format(line.amount)
        if line.origin == "user":
            ws.cell(row=row, column=1).font = Font(italic=True)
        return row

    def formula(self, label: str, formula: str, value: float | None, *, column: int = 4) -> int:
        """A labelled formula row (subtotal or total), bold."""
        from openpyxl.styles import Font

        row = self.texts([label], bold=True)
        cell = self.ws.cell(row=row, column=column, value=formula)
        cell.number_format = money_format(value)
        cell.font = Font(bold=True)
        return row


def _widths(ws: Worksheet) -> None:
    for column, width in _WIDTHS.items():
        ws.column_dimensions[column].width = width


def _first_year(sheet: _Sheet, doc: QuoteDocument) -> tuple[int, dict[str, str]]:
    """The first-year table; returns the total's row and the unit-price cell of each priced line."""
    quote = doc.quote
    sheet.texts(ITEM_HEADINGS, bold=True)
    prices: dict[str, str] = {}
    table_rows: list[int] = []
    extra_rows: dict[str, int] = {}
    subtotal = total = 0
    for item in first_year_rows(quote):
        if item.kind == "subtotal":
            subtotal = sheet.formula(item.cells[0], f"=SUM(D{table_rows[0]}:D{table_rows[-1]})", item.amount)
        elif item.kind == "total":
            parts = [f"D{subtotal}", *(f"D{r}" for r in extra_rows.values())] if subtotal else [
                f"D{table_rows[0]}:D{table_rows[-1]}"
            ]
            total = sheet.formula(item.cells[0], f"=SUM({','.join(parts)})", item.amount)
        elif item.line is not None:
            line = item.line
            amount = None
            if line.key == "discount" and quote.discount_percent is not None:
                amount = _share_formula(quote.discount_percent, [subtotal, *(extra_rows[k] for k in ("consulting",) if k in extra_rows)])
            row = sheet.line(line, amount=amount)
            if line.origin == "user":
                extra_rows[line.key] = row
            else:
                table_rows.append(row)
            if line.key != "discount":
                prices.setdefault(line.key, f"'{QUOTE_SHEET}'!B{row}")
    return total, prices


def _share_formula(percent: float, rows: list[int]) -> str:
    """−percent % of the amounts in column D of `rows`, to the fen, computed in whole fen.

    A float product such as 65,345.5 × 15% is 9,801.824999…, which ROUND(…, 2) takes down while
    the calculator's decimal arithmetic gives 9,801.83; fen × (an integer ratio) rounds exactly.
    """
    num, den = Decimal(repr(percent)).as_integer_ratio()
    base = "+".join(f"D{r}" for r in rows)
    return f"=-ROUND(ROUND(({base})*100,0)*{num}/{den * 100},0)/100"


def _later_years(detail: _Sheet, doc: QuoteDocument, prices: dict[str, str]) -> dict[int, str]:
    """Sheet 逐年明细: each later year's and the re-certification's lines and subtotal; returns the
    subtotal cell of each year (by year number)."""
    quote = doc.quote
    first = {line.key: line.unit_price for line in (*quote.items, *quote.extras)}
    detail.heading(f"{TITLE}（{doc.number}）逐年明细", 13)
    cells: dict[int, str] = {}
    for year in (*quote.years[1:], quote.recert):
        detail.skip()
        detail.heading(year_label(year))
        if year.total is None:
            detail.texts([year_cells(year)[1]])
            continue
        detail.texts(ITEM_HEADINGS, bold=True)
        rows = []
        for line in year.items:
            same = line.key in prices and first.get(line.key) == line.unit_price
            rows.append(detail.line(line, price_ref=prices[line.key] if same else None))
        row = detail.formula("小计", f"=SUM(D{rows[0]}:D{rows[-1]})", year.total)
        cells[year.year] = f"'{DETAIL_SHEET}'!D{row}"
    return cells


def _cycle(sheet: _Sheet, doc: QuoteDocument, first_total: int, later: dict[int, str]) -> None:
    sheet.texts(YEAR_HEADINGS, bold=True, columns=(1, 2, 4))
    year_rows: list[int] = []
    for item in cycle_rows(doc.quote):
        year: YearCost | None = item.year
        if year is None:  # the cycle total
            sheet.formula(item.cells[0], f"=SUM(D{year_rows[0]}:D{year_rows[-1]})", doc.quote.cycle_total)
            continue
        row = sheet.texts(item.cells[:2])
        sheet.ws.cell(row=row, column=2).alignment = _wrap()
        if year.total is None:
            text_cell(sheet.ws, row, 4, item.cells[2])
        else:
            source = f"D{first_total}" if year.stage == "initial" else later[year.year]
            sheet.ws.cell(row=row, column=4, value=f"={source}").number_format = money_format(year.total)
        if item.kind == "year":
            year_rows.append(row)


def _wrap() -> Any:
    from openpyxl.styles import Alignment

    return Alignment(wrap_text=True, vertical="top")


def quote_xlsx(doc: QuoteDocument, path: str | Path) -> Path:
    """Write the quote document as an .xlsx workbook (sheets 报价单 and 逐年明细).

    Args:
        doc: the quote document.
        path: output file; its folder must exist.

    Returns:
        The path written.

    Raises:
        OSError: the file cannot be written (callers go through `assistant.quotes.files`).
    """
    from openpyxl import Workbook

    workbook = Workbook()
    ws = workbook.active
    ws.title = QUOTE_SHEET
    _widths(ws)
    sheet = _Sheet(ws)
    sheet.heading(TITLE, 16)
    sheet.skip()
    for field in doc.fields:
        sheet.texts([field.label, field.value])
    sheet.skip()
    sheet.heading("首年费用明细")
    first_total, prices = _first_year(sheet, doc)
    detail = _Sheet(workbook.create_sheet(DETAIL_SHEET))
    _widths(detail.ws)
    later = _later_years(detail, doc, prices)
    sheet.skip()
    sheet.heading(f"{doc.cycle_years}年费用概览")
    _cycle(sheet, doc, first_total, later)
    for block, lines in (("", doc.notes), ("说明与假设", doc.assumptions), ("数据来源", doc.quote.sources)):
        sheet.skip()
        if block:
            sheet.heading(block)
        for text in lines:
            sheet.texts([f"• {text}" if block else text])
    sheet.skip()
    sheet.texts([FOOTER])
    workbook.properties.title = TITLE
    workbook.properties.subject = doc.number
    workbook.properties.creator = doc.quote.issuer
    workbook.properties.created = datetime.combine(doc.issued, time())
    out = Path(path)
    workbook.save(out)
    return out


def table_xlsx(
    path: str | Path,
    title: str,
    headings: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    formats: Sequence[str | None] = (),
    totals: Sequence[int] = (),
) -> Path:
    """A one-sheet table: a title, bold headings, the rows (str as text, numbers as numbers) and,
    for the 0-based `totals` columns, a 合计 row of SUM formulas.

    Raises:
        OSError: the file cannot be written.
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    ws = workbook.active
    ws.title = title[:31]
    sheet = _Sheet(ws)
    sheet.heading(title, 14)
    sheet.texts(headings, bold=True)
    first = sheet.row + 1
    for values in rows:
        row = sheet.next()
        for column, value in enumerate(values, 1):
            if isinstance(value, str):
                text_cell(ws, row, column, value)
            elif value is not None:
                cell = ws.cell(row=row, column=column, value=value)
                fmt = formats[column - 1] if column - 1 < len(formats) else None
                if fmt:
                    cell.number_format = fmt
    if totals and rows:
        last = sheet.row
        row = sheet.texts(["合计"], bold=True)
        for index in totals:
            letter = get_column_letter(index + 1)
            cell = ws.cell(row=row, column=index + 1, value=f"=SUM({letter}{first}:{letter}{last})")
            cell.number_format = formats[index] if index < len(formats) and formats[index] else "#,##0"
    for index, heading in enumerate(headings, 1):
        ws.column_dimensions[get_column_letter(index)].width = max(10, min(40, len(heading) * 3))
    out = Path(path)
    workbook.save(out)
    return out
