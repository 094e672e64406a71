"""Fee quotes from the person-day table and fee items in corpus/data/fees.yaml.

`quote_fee` is a pure function of the data table and its input: the same headcount gives the same
quote. The renderers turn a quote into a Markdown or PDF document a salesperson can send; only
they look at today's date, and only when the caller gives none.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..data import load_table, source_label
from ..errors import CorpusError, InputError
from ..types import Passage

__all__ = [
    "Band",
    "LineItem",
    "Quote",
    "YearCost",
    "fee_items",
    "find_band",
    "format_amount",
    "format_number",
    "person_day_bands",
    "quote_fee",
    "quote_number",
    "render_markdown",
    "render_pdf",
]

DOC_ID = "data:fees"
_TABLE = "fees"
_UNITS = {"once": "次", "year": "年", "person_day": "人日"}
_PERSON_DAY_FIELDS = (
    "initial",
    "initial_planning",
    "initial_onsite",
    "surveillance",
    "surveillance_onsite",
    "recert",
    "recert_onsite",
)


# ---------------------------------------------------------------------------------------------
# Number formatting shared by the renderers and the chat answers.


def format_number(value: float | int | None) -> str:
    """1.5 -> '1.5', 16.0 -> '16', None -> '—'."""
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)


def format_amount(value: float | int | None) -> str:
    """Money with thousands separators: 53000 -> '53,000', 4500.5 -> '4,500.5'."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _plain(value: float | int | None) -> float | int | None:
    """Whole floats become ints so JSON shows 48000, not 48000.0."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# ---------------------------------------------------------------------------------------------
# The table, read once and checked.


@dataclass(frozen=True)
class Band:
    """One row of the person-day table: a headcount band and its person-days (None = not in source)."""

    min: int
    max: int
    initial: float | None
    initial_planning: float | None
    initial_onsite: float | None
    surveillance: float | None
    surveillance_onsite: float | None
    recert: float | None
    recert_onsite: float | None
    source: str
    note: str | None = None

    @property
    def label(self) -> str:
        """'1176–1550人'."""
        return f"{self.min}–{self.max}人"

    def sentence(self) -> str:
        """The row as one Chinese sentence with every figure it holds."""
        def n(label: str, value: float | None) -> str:
            return f"{label}人日数来源缺失" if value is None else f"{label}{format_number(value)}人日"

        text = (
            f"雇员人数{self.label}：{n('初审', self.initial)}（{n('策划及文件评审', self.initial_planning)}，"
            f"{n('现场评审', self.initial_onsite)}），{n('监督评审', self.surveillance)}"
            f"（{n('现场', self.surveillance_onsite)}），{n('复评', self.recert)}（{n('现场', self.recert_onsite)}）。"
        )
        return text + (self.note or "")


@dataclass(frozen=True)
class _FeeItem:
    key: str
    name: str
    amount: float
    per: str
    stage: str
    source: str

    def sentence(self, amount: float | None = None) -> str:
        unit = _UNITS.get(self.per, "次")
        return f"{self.name}{format_amount(self.amount if amount is None else amount)}元/{unit}"


def _number_or_none(row: Mapping[str, Any], key: str, where: str) -> float | None:
    value = row.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CorpusError(f"fees.yaml {where}: 字段 {key} 应为数字或 null，实际为 {value!r}")
    return float(value)


def person_day_bands() -> tuple[Band, ...]:
    """The person-day table, ascending and checked to be contiguous from 1 person.

    Raises:
        CorpusError: a row is malformed or the bands overlap or leave a gap.
    """
    table = load_table(_TABLE)
    bands: list[Band] = []
    for i, row in enumerate(table.get("person_days") or [], 1):
        where = f"person_days 第{i}行"
        try:
            low, high = int(row["min"]), int(row["max"])
        except (KeyError, TypeError, ValueError) as exc:
            raise CorpusError(f"fees.yaml {where}: 缺少整数字段 min/max") from exc
        values = {key: _number_or_none(row, key, where) for key in _PERSON_DAY_FIELDS}
        expected_low = bands[-1].max + 1 if bands else 1
        if low != expected_low or high < low:
            raise CorpusError(f"fees.yaml {where}: 区间 {low}–{high} 应从 {expected_low} 开始且不倒置")
        bands.append(
            Band(
                min=low,
                max=high,
                source=source_label(table, row.get("source")),
                note=row.get("note") or None,
                **values,
            )
        )
    if not bands:
        raise CorpusError("fees.yaml: person_days 为空")
    return tuple(bands)


def _items() -> dict[str, _FeeItem]:
    table = load_table(_TABLE)
    items: dict[str, _FeeItem] = {}
    for row in table.get("items") or []:
        try:
            items[row["key"]] = _FeeItem(
                key=row["key"],
                name=row["name"],
                amount=float(row["amount"]),
                per=row["per"],
                stage=row["stage"],
                source=source_label(table, row.get("source")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CorpusError(f"fees.yaml items: 条目 {row!r} 缺少 key/name/amount/per/stage") from exc
    for key in ("application", "registration", "annual", "audit"):
        if key not in items:
            raise CorpusError(f"fees.yaml items: 缺少收费项目 {key}")
    return items


def fee_items() -> dict[str, str]:
    """Fee item key -> Chinese name, in table order (申请费, 审定与注册费…, 年金…, 评审费)."""
    return {key: item.name for key, item in _items().items()}


# ---------------------------------------------------------------------------------------------
# Input checking.

_INT_TEXT = re.compile(r"^[+-]?\d+$")
_DECIMAL_TEXT = re.compile(r"^[+-]?\d*\.\d+$")


def _parse_employees(value: object) -> int:
    """A positive whole headcount from an int, an integral float or a digit string."""
    shown = str(value).strip() if isinstance(value, str) else repr(value)
    if isinstance(value, bool):
        raise InputError(f"无法识别员工人数 {shown}，请输入正整数，例如 1200")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(f"员工人数 {shown} 不是有效数字，请输入正整数，例如 1200")
        if not value.is_integer():
            raise InputError(f"员工人数必须是整数（收到 {format_number(value)}），请输入正整数，例如 1200")
        value = int(value)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).replace(",", "").replace(" ", "")
        text = text.removesuffix("人").removesuffix("名")
        if _DECIMAL_TEXT.match(text):
            raise InputError(f"员工人数必须是整数（收到 {shown}），请输入正整数，例如 1200")
        if not _INT_TEXT.match(text):
            raise InputError(f"无法识别员工人数“{shown}”，请输入正整数，例如 1200")
        value = int(text)
    if not isinstance(value, int):
        raise InputError(f"无法识别员工人数 {shown}，请输入正整数，例如 1200")
    if value <= 0:
        raise InputError(f"员工人数必须大于 0（收到 {value}），请输入企业的实际雇员人数")
    return value


def find_band(employees: object) -> Band:
    """The person-day band holding `employees`.

    Args:
        employees: headcount (int, integral float or digit string such as "1200" or "1,200").

    Returns:
        The table row whose min–max range contains the headcount.

    Raises:
        InputError: the headcount is not a positive whole number or lies above the last band.
    """
    return _band_for(_parse_employees(employees))


def _band_for(count: int) -> Band:
    bands = person_day_bands()
    for band in bands:
        if band.min <= count <= band.max:
            return band
    last = bands[-1].max
    raise InputError(
        f"员工人数 {count} 超出收费表范围（最高 {last} 人），需由认证机构单独核定人日数和费用，"
        "收费表无法给出报价"
    )


def _money_override(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InputError(f"{what}应为非负数字（收到 {value!r}）")
    try:
        raw = unicodedata.normalize("NFKC", value).replace(",", "") if isinstance(value, str) else value
        number = float(raw)
    except ValueError as exc:
        raise InputError(f"{what}应为非负数字（收到“{value}”）") from exc
    if not math.isfinite(number) or number < 0:
        raise InputError(f"{what}应为非负数字（收到 {value}）")
    return float(number)


# ---------------------------------------------------------------------------------------------
# The quote.


@dataclass(frozen=True)
class LineItem:
    """One priced line: unit price × quantity."""

    key: str
    name: str
    unit_price: float
    quantity: float
    unit: str
    amount: float
    source: str

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON (whole numbers as ints)."""
        return {k: _plain(v) if isinstance(v, float) else v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class YearCost:
    """What one year (or the re-certification) of the certificate cycle costs; total None = unknown."""

    year: int
    label: str
    items: tuple[LineItem, ...]
    total: float | None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {
            "year": self.year,
            "label": self.label,
            "items": [item.to_dict() for item in self.items],
            "total": _plain(self.total),
            "note": self.note,
        }


@dataclass(frozen=True)
class Quote:
    """A fee quote for one headcount: band, person-days, line items, first-year and cycle totals."""

    employees: int
    band: Band
    rate: float
    items: tuple[LineItem, ...]
    first_year_total: float
    years: tuple[YearCost, ...]
    cycle_total: float
    recert: YearCost
    assumptions: tuple[str, ...]
    sources: tuple[str, ...]
    title: str
    issuer: str
    company: str | None = None
    basis: tuple[Passage, ...] = field(default_factory=tuple)

    def item(self, key: str) -> LineItem:
        """The first-year line item `key` (application, registration, annual, audit).

        Raises:
            KeyError: no such item.
        """
        for line in self.items:
            if line.key == key:
                return line
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        """The `assistant quote --json` object and `Answer.data` for fee answers."""
        band: dict[str, Any] = {k: _plain(v) for k, v in asdict(self.band).items()}
        band["label"] = self.band.label
        return {
            "employees": self.employees,
            "company": self.company,
            "band": band,
            "person_days": {
                "initial": _plain(self.band.initial),
                "surveillance": _plain(self.band.surveillance),
                "recert": _plain(self.band.recert),
            },
            "rate": _plain(self.rate),
            "items": [item.to_dict() for item in self.items],
            "first_year_total": _plain(self.first_year_total),
            "years": [year.to_dict() for year in self.years],
            "cycle_total": _plain(self.cycle_total),
            "recert": self.recert.to_dict(),
            "assumptions": list(self.assumptions),
            "sources": list(self.sources),
            "title": self.title,
            "issuer": self.issuer,
            "basis": [{"section": p.section, "text": p.text, "source": p.source} for p in self.basis],
        }


def _line(item: _FeeItem, quantity: float, amount: float | None = None) -> LineItem:
    price = item.amount if amount is None else amount
    return LineItem(
        key=item.key,
        name=item.name,
        unit_price=price,
        quantity=quantity,
        unit=_UNITS.get(item.per, "次"),
        amount=price * quantity,
        source=item.source,
    )


def _passage(title: str, section: str, text: str, source: str) -> Passage:
    return Passage(
        chunk_id=f"{DOC_ID}#{section}",
        doc_id=DOC_ID,
        title=title,
        section=section,
        text=text,
        source=source,
        origin="table",
    )


def quote_fee(
    employees: object,
    *,
    rate: float | int | str | None = None,
    company: str | None = None,
    items: Mapping[str, float | int | str] | None = None,
) -> Quote:
    """Quote the certification fees for a company of `employees` people.

    Args:
        employees: headcount: a positive whole number (int, integral float, or "1200" / "1,200").
        rate: 评审费 per person-day in 元, replacing the table's rate.
        company: customer name printed on the quote.
        items: amount overrides by item key (application, registration, annual, audit).

    Returns:
        The `Quote`: band, person-days, first-year line items and total, the 3-year view,
        the re-certification audit, assumptions and sources.

    Raises:
        InputError: the headcount is not a positive whole number, lies above the table's last band,
            or an override is not a non-negative number or names an unknown item.
        CorpusError: corpus/data/fees.yaml is malformed.
    """
    count = _parse_employees(employees)
    band = _band_for(count)
    table = load_table(_TABLE)
    catalogue = _items()
    amounts = {key: item.amount for key, item in catalogue.items()}
    for key, value in (items or {}).items():
        if key not in catalogue:
            known = "、".join(f"{k}（{v.name}）" for k, v in catalogue.items())
            raise InputError(f"未知的收费项目“{key}”，可选：{known}")
        amounts[key] = _money_override(value, catalogue[key].name)
    if rate is not None:
        amounts["audit"] = _money_override(rate, "每人日评审费")
    if band.initial is None or band.surveillance is None:
        raise CorpusError(f"fees.yaml: {band.label} 档缺少初审或监督评审人日数")

    audit = catalogue["audit"]
    annual = _line(catalogue["annual"], 1, amounts["annual"])
    first_year = (
        _line(catalogue["application"], 1, amounts["application"]),
        _line(catalogue["registration"], 1, amounts["registration"]),
        annual,
        _line(audit, band.initial, amounts["audit"]),
    )
    first_total = sum(line.amount for line in first_year)
    cycle_years = int(table.get("cycle_years") or 3)
    years = [YearCost(1, "第1年（初次认证）", first_year, first_total)]
    surveillance = (_line(audit, band.surveillance, amounts["audit"]), annual)
    surveillance_total = sum(line.amount for line in surveillance)
    for year in range(2, cycle_years + 1):
        years.append(YearCost(year, f"第{year}年（监督评审）", surveillance, surveillance_total))
    if band.recert is None:
        recert = YearCost(
            cycle_years + 1,
            "复评（证书到期前）",
            (),
            None,
            f"收费表 {band.label} 档的复评人日数原文缺失，无法计算复评费用，请向认证机构确认。",
        )
    else:
        recert_line = _line(audit, band.recert, amounts["audit"])
        recert = YearCost(cycle_years + 1, "复评（证书到期前）", (recert_line,), recert_line.amount)

    assumptions = [str(a["text"]) if isinstance(a, Mapping) else str(a) for a in table.get("assumptions") or []]
    overridden = [key for key, value in amounts.items() if value != catalogue[key].amount]
    for key in overridden:
        item = catalogue[key]
        assumptions.insert(
            0,
            f"{item.name}按指定的 {format_amount(amounts[key])} 元/{_UNITS.get(item.per, '次')}计算"
            f"（收费表为 {format_amount(item.amount)} 元/{_UNITS.get(item.per, '次')}）。",
        )
    title = str(table.get("title") or "")
    cycle_total = sum(y.total or 0.0 for y in years)
    # What the quote rests on: the band row, the fee items, and the arithmetic over both (so that
    # every figure of an answer can be found in a cited text).
    basis = (
        _passage(title, f"人日数对照表 {band.label}", band.sentence(), band.source),
        _passage(title, "收费项目", "；".join(item.sentence() for item in catalogue.values()) + "。", audit.source),
        _passage(
            title,
            f"报价计算 {count}人",
            _calculation_text(count, band, tuple(years), cycle_total, recert),
            audit.source,
        ),
    )
    # Every source of the table: the schedule itself, the page confirming a row, and the pages
    # behind the assumptions (travel billed at cost, fees negotiable since 2014).
    sources = tuple(source_label(table, key) for key in table.get("sources") or {})
    return Quote(
        employees=count,
        band=band,
        rate=amounts["audit"],
        items=first_year,
        first_year_total=first_total,
        years=tuple(years),
        cycle_total=cycle_total,
        recert=recert,
        assumptions=tuple(assumptions),
        sources=sources,
        title=title,
        issuer=str(table.get("issuer") or ""),
        company=(company or "").strip() or None,
        basis=basis,
    )


def _sum_text(lines: tuple[LineItem, ...]) -> str:
    parts = []
    for line in lines:
        if line.unit == "人日":
            parts.append(
                f"{line.name}{format_number(line.quantity)}人日×{format_amount(line.unit_price)}元/人日"
                f"（{format_amount(line.amount)}元）"
            )
        else:
            parts.append(f"{line.name}{format_amount(line.amount)}元")
    return " + ".join(parts)


def _calculation_text(
    employees: int, band: Band, years: tuple[YearCost, ...], cycle_total: float, recert: YearCost
) -> str:
    """The quote's arithmetic as one sentence: first year, later years, cycle total, re-certification."""
    first = years[0]
    text = f"{employees}人（{band.label}档）：首年 = {_sum_text(first.items)} = {format_amount(first.total)}元"
    if len(years) > 1:
        later = years[1]
        span = "、".join(str(y.year) for y in years[1:])
        text += f"；第{span}年每年 = {_sum_text(later.items)} = {format_amount(later.total)}元"
    text += f"；{len(years)}年合计{format_amount(cycle_total)}元"
    if recert.total is None:
        text += "；复评人日数收费表中缺失，复评费用无法计算"
    else:
        line = recert.items[0]
        text += (
            f"；复评评审费 = {format_number(line.quantity)}人日×{format_amount(line.unit_price)}元/人日"
            f" = {format_amount(recert.total)}元"
        )
    return text + "。"


# ---------------------------------------------------------------------------------------------
# Documents.


def quote_number(quote: Quote, issued: date) -> str:
    """A stable quote number: the issue date plus a short hash of the quote's content."""
    digest = hashlib.sha1(
        json.dumps(quote.to_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8")
    ).hexdigest()
    return f"SH-{issued:%Y%m%d}-{digest[:6].upper()}"


def _header(quote: Quote, number: str | None, issued: date | None) -> tuple[str, str, list[tuple[str, str]]]:
    day = issued or date.today()
    num = number or quote_number(quote, day)
    band = quote.band
    n = format_number
    recert = f"{n(band.recert)} 人日" if band.recert is not None else "（来源缺失）"
    person_days = (
        f"初审 {n(band.initial)} 人日（策划及文件评审 {n(band.initial_planning)}，"
        f"现场评审 {n(band.initial_onsite)}）；监督评审 {n(band.surveillance)} 人日/年；复评 {recert}"
    )
    fields = [
        ("报价单号", num),
        ("日期", day.isoformat()),
        ("客户", quote.company or "（未填写）"),
        ("雇员人数", f"{quote.employees} 人（收费表档次：{band.label}）"),
        ("评审人日", person_days),
        ("收费依据", quote.title),
    ]
    return num, day.isoformat(), fields


def _item_row(line: LineItem) -> list[str]:
    return [
        line.name,
        f"{format_amount(line.unit_price)} 元/{line.unit}",
        f"{format_number(line.quantity)} {line.unit}",
        format_amount(line.amount),
    ]


def _year_rows(quote: Quote) -> list[list[str]]:
    rows = []
    for year in (*quote.years, quote.recert):
        content = "、".join(
            f"{line.name} {format_number(line.quantity)} 人日" if line.unit == "人日" else line.name
            for line in year.items
        )
        if year.total is None:
            rows.append([year.label, "人日数来源缺失（见注）", "无法计算"])
        else:
            rows.append([year.label, content, format_amount(year.total)])
    return rows


def render_markdown(quote: Quote, *, number: str | None = None, issued: date | None = None) -> str:
    """The quote as a Markdown document.

    Args:
        quote: the quote to render.
        number: quote number; default `quote_number(quote, issued)`.
        issued: issue date; default today.

    Returns:
        Markdown text: header, itemised first-year table, cycle view, assumptions, sources.
    """
    _, _, fields = _header(quote, number, issued)
    cycle = len(quote.years)
    lines = ["# 售后服务认证费用报价单", ""]
    lines += [f"- {name}：{value}" for name, value in fields]
    lines += ["", "## 首年费用明细", "", "| 项目 | 单价 | 数量 | 金额（元） |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(_item_row(line)) + " |" for line in quote.items]
    lines.append(f"| **首年合计** | | | **{format_amount(quote.first_year_total)}** |")
    lines += ["", f"## {cycle}年费用概览", "", "| 年度 | 内容 | 金额（元） |", "|---|---|---|"]
    rows = _year_rows(quote)
    lines += ["| " + " | ".join(row) + " |" for row in rows[:cycle]]
    lines.append(f"| **{cycle}年合计** | | **{format_amount(quote.cycle_total)}** |")
    lines += ["| " + " | ".join(row) + " |" for row in rows[cycle:]]
    if quote.recert.note:
        lines += ["", f"注：{quote.recert.note}"]
    if quote.band.note:
        lines += ["", f"注：{quote.band.note}"]
    lines += ["", "## 说明与假设", ""]
    lines += [f"- {text}" for text in quote.assumptions]
    lines += ["", "## 数据来源", ""]
    lines += [f"- {label}" for label in quote.sources]
    return "\n".join(lines) + "\n"


def render_pdf(
    quote: Quote, path: str | Path, *, number: str | None = None, issued: date | None = None
) -> Path:
    """Write the quote as a PDF (Chinese text in reportlab's built-in CID font STSong-Light).

    Args:
        quote: the quote to render.
        path: output file; its folder must exist.
        number: quote number; default `quote_number(quote, issued)`.
        issued: issue date; default today.

    Returns:
        The path written.

    Raises:
        InputError: the file cannot be written.
    """
    # reportlab is imported here so that `assistant quote` without --format pdf stays fast.
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=12)
    h1 = ParagraphStyle("h1", parent=body, fontSize=17, leading=24, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=body, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4)

    def cell(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(text.replace("&", "&amp;").replace("<", "&lt;"), style)

    def table(rows: list[list[str]], widths: list[float], bold_last: int = 0) -> Table:
        t = Table([[cell(c) for c in row] for row in rows], colWidths=widths, repeatRows=1)
        style = [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
        for i in range(bold_last):
            style.append(("BACKGROUND", (0, -1 - i), (-1, -1 - i), colors.HexColor("#f6f6f6")))
        t.setStyle(TableStyle(style))
        return t

    _, _, fields = _header(quote, number, issued)
    cycle = len(quote.years)
    story: list[Any] = [cell("售后服务认证费用报价单", h1)]
    story.append(table([[name, value] for name, value in fields], [28 * mm, 142 * mm]))
    story += [cell("首年费用明细", h2)]
    rows = [["项目", "单价", "数量", "金额（元）"]] + [_item_row(line) for line in quote.items]
    rows.append(["首年合计", "", "", format_amount(quote.first_year_total)])
    story.append(table(rows, [62 * mm, 40 * mm, 30 * mm, 38 * mm], bold_last=1))
    story += [cell(f"{cycle}年费用概览", h2)]
    year_rows = _year_rows(quote)
    rows = [["年度", "内容", "金额（元）"], *year_rows[:cycle]]
    rows.append([f"{cycle}年合计", "", format_amount(quote.cycle_total)])
    rows += year_rows[cycle:]
    story.append(table(rows, [40 * mm, 92 * mm, 38 * mm]))
    for note in (quote.recert.note, quote.band.note):
        if note:
            story.append(cell(f"注：{note}", small))
    story += [cell("说明与假设", h2)]
    story += [cell(f"• {text}", small) for text in quote.assumptions]
    story += [cell("数据来源", h2)]
    story += [cell(f"• {label}", small) for label in quote.sources]
    story += [Spacer(1, 6 * mm), cell("本报价单由售后服务认证助手按收费表自动生成，仅供参考。", small)]

    out = Path(path)
    try:
        doc = SimpleDocTemplate(
            str(out),
            pagesize=A4,
            leftMargin=20 * mm,
            rightMargin=20 * mm,
            topMargin=18 * mm,
            bottomMargin=18 * mm,
            title="售后服务认证费用报价单",
            author=quote.issuer,
        )
        doc.build(story)
    except OSError as exc:
        raise InputError(f"无法写入报价单文件 {out}：{exc.strerror or exc}") from exc
    return out
