"""Batch quotes: a CSV or XLSX list of companies in, one quote file per company and `汇总.xlsx` out.

Columns (the header row; English or Chinese names, any order, unknown columns ignored):
company/公司 and employees/人数 are required; contact/联系人, rate/评审费单价, travel/差旅费 (元 per
on-site audit), travel_rate/差旅单价 (元 per on-site person-day), consulting/咨询费 and
discount/优惠 ("5000", "10%", "9折") are optional. CSV files may be UTF-8 (with or without BOM),
GBK/GB18030 (what Excel in China writes) or UTF-16; XLSX files are read from their first sheet,
and merged cells are refused row by row.

A bad row is reported with its row number (as Excel shows it) and the field, and the other rows
are still quoted. Every quote is saved in the register (channel `batch`); each file and the summary
are written atomically.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .. import inputs
from ..calculators import fees
from ..errors import InputError
from ..render.document import quote_document
from ..render.xlsx import table_xlsx
from .files import Format, write_atomically, write_quote
from .register import Register, SavedQuote
from .settings import QuoteSettings

__all__ = [
    "COLUMNS",
    "MAX_ROWS",
    "SUMMARY_NAME",
    "BatchResult",
    "Company",
    "RowError",
    "file_name",
    "read_companies",
    "run_batch",
    "write_summary",
]

SUMMARY_NAME = "汇总.xlsx"
MAX_ROWS = 5000
_MAX_BYTES = 20_000_000
# field -> (label shown in messages, header names accepted). Headers are compared after NFKC,
# lower case, without spaces and without a trailing （元）/(元).
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "company": ("公司", ("company", "公司", "公司名称", "客户", "客户名称", "企业", "企业名称", "单位", "单位名称")),
    "employees": ("人数", ("employees", "人数", "员工人数", "雇员人数", "员工数", "人员数量", "员工数量")),
    "contact": ("联系人", ("contact", "联系人", "客户联系人")),
    "rate": ("评审费单价", ("rate", "评审费单价", "人日单价", "评审费")),
    "travel": ("差旅费", ("travel", "差旅", "差旅费", "差旅费用")),
    "travel_rate": ("差旅单价", ("travel_rate", "差旅单价", "差旅费单价", "差旅日费")),
    "consulting": ("咨询费", ("consulting", "咨询费", "咨询服务费")),
    "discount": ("优惠", ("discount", "优惠", "折扣", "首年优惠")),
}
_REQUIRED = ("company", "employees")
_UNIT_SUFFIX = re.compile(r"[（(](?:元|人)[)）]$")


@dataclass(frozen=True)
class RowError:
    """Why a row was not quoted: the row number as the spreadsheet shows it, the field, the message."""

    row: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" + (f" {self.field}" if self.field else "")
        return f"{where}：{self.message}"


@dataclass(frozen=True)
class Company:
    """One data row: its number and its cells by field (None = empty), or the error that spoils it."""

    row: int
    values: dict[str, Any]
    error: RowError | None = None


@dataclass
class BatchResult:
    """What a batch did: the quotes written (row, saved quote, file), the rows refused, the summary."""

    written: list[tuple[int, SavedQuote, Path]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    summary: Path | None = None
    ignored_columns: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Reading.


def _header_key(text: object) -> str:
    name = unicodedata.normalize("NFKC", str(text or "")).strip().lower().replace(" ", "")
    return _UNIT_SUFFIX.sub("", name)


_ALIASES = {_header_key(alias): key for key, (_, aliases) in COLUMNS.items() for alias in aliases}


def _columns(header: Sequence[Any], source: str) -> tuple[dict[str, int], list[str]]:
    """Field -> column index, and the header names that mean nothing to us."""
    found: dict[str, int] = {}
    ignored: list[str] = []
    for index, cell in enumerate(header):
        key = _ALIASES.get(_header_key(cell))
        if key is None:
            if str(cell or "").strip():
                ignored.append(str(cell).strip())
            continue
        if key in found:
            raise InputError(f"{source} 的表头有两列都表示“{COLUMNS[key][0]}”（第 {found[key] + 1} 列和第 {index + 1} 列），请只保留一列")
        found[key] = index
    missing = [COLUMNS[k][0] for k in _REQUIRED if k not in found]
    if missing:
        shown = "、".join(str(c).strip() for c in header if str(c or "").strip()) or "（空）"
        raise InputError(
            f"{source} 缺少必需的列：{'、'.join(missing)}（表头第一行应含“公司”和“人数”，或 company 和 employees；"
            f"当前表头：{inputs.shown(shown) if len(shown) > 60 else shown}）"
        )
    return found, ignored


def _decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312: what Excel writes for "CSV" on a Chinese Windows.
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise InputError(
            f"文件 {name} 既不是 UTF-8 也不是 GBK 编码，无法读取；请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后再试"
        ) from None


def _csv_rows(path: Path) -> list[tuple[int, list[Any]]]:
    text = _decode(path.read_bytes(), path.name)
    first = text.split("\n", 1)[0]
    delimiter = max(",\t;，", key=first.count) if first else ","
    if delimiter == "，":  # a full-width comma typed as separator
        text, delimiter = text.replace("，", ","), ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise InputError(f"文件 {path.name} 不是有效的 CSV：{exc}") from exc
    return list(enumerate(rows, 1))


def _xlsx_rows(path: Path) -> tuple[list[tuple[int, list[Any]]], list[tuple[int, int, int, int]]]:
    """Rows (number, cells) of the first sheet, and its merged ranges (min_row, min_col, max_row, max_col)."""
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(f"文件 {path.name} 不是有效的 .xlsx 工作簿，请用 Excel 另存为 .xlsx 或 CSV 后再试") from exc
    ws = workbook.worksheets[0]
    merged = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges]
    rows = [(i, [_cell_value(c) for c in cells]) for i, cells in enumerate(ws.iter_rows(), 1)]
    workbook.close()
    return rows, merged


def _cell_value(cell: Any) -> Any:
    # A discount typed as 10% in Excel is the number 0.1 shown with a percent format: keep it a share.
    value = cell.value
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in (cell.number_format or ""):
        return f"{value * 100:.10g}%"
    return value


def read_companies(path: Path) -> tuple[list[Company], list[str]]:
    """The companies listed in a .csv or .xlsx file, and the header names that were ignored.

    Returns:
        One `Company` per non-empty data row, numbered as the spreadsheet numbers its rows; a row
        that touches a merged cell carries its error instead of values.

    Raises:
        InputError: the file is missing, too large, of another type, undecodable, has no header,
            misses the company or headcount column, names a column twice, merges header cells,
            or has more than `MAX_ROWS` rows.
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        hint = "旧版 .xls 请在 Excel 中另存为 .xlsx" if suffix == ".xls" else "请提供 .csv 或 .xlsx 文件"
        raise InputError(f"批量报价文件 {path.name} 的格式不支持：{hint}")
    try:
        if path.stat().st_size > _MAX_BYTES:
            raise InputError(f"批量报价文件 {path.name} 超过 {_MAX_BYTES // 1_000_000} MB，请拆分后再试")
        merged: list[tuple[int, int, int, int]] = []
        if suffix == ".csv":
            rows = _csv_rows(path)
        else:
            rows, merged = _xlsx_rows(path)
    except FileNotFoundError as exc:
        raise InputError(f"找不到批量报价文件 {path}") from exc
    except OSError as exc:
        raise InputError(f"无法读取批量报价文件 {path}：{exc.strerror or exc}") from exc
    rows = [(n, cells) for n, cells in rows if any(not inputs.blank(c) for c in cells)]
    if not rows:
        raise InputError(f"批量报价文件 {path.name} 是空的：第一行应为表头（公司、人数），之后每行一家公司")
    header_row, header = rows[0]
    for min_row, _, max_row, _ in merged:
        if min_row <= header_row <= max_row:
            raise InputError(f"文件 {path.name} 的表头（第 {header_row} 行）有合并单元格，请取消合并后每列一个列名")
    columns, ignored = _columns(header, f"文件 {path.name}")
    data = rows[1:]
    if len(data) > MAX_ROWS:
        raise InputError(f"批量报价文件 {path.name} 有 {len(data)} 行，超过上限 {MAX_ROWS} 行，请拆分后再试")
    names = {index: COLUMNS[key][0] for key, index in columns.items()}
    companies = []
    for number, cells in data:
        spoiled = next(
            (m for m in merged if m[0] <= number <= m[2] and any(m[1] - 1 <= i <= m[3] - 1 for i in names)), None
        )
        if spoiled is not None:
            min_row, min_col, max_row, max_col = spoiled
            label = "、".join(names.get(c - 1, f"第 {c} 列") for c in range(min_col, max_col + 1))
            span = f"第 {min_row}–{max_row} 行" if min_row != max_row else f"第 {min_row} 行"
            error = RowError(number, label, f"{span}的单元格是合并单元格，请取消合并，并在每一行填写完整")
            companies.append(Company(number, {}, error))
            continue
        values = {key: cells[index] if index < len(cells) else None for key, index in columns.items()}
        companies.append(Company(number, {k: None if inputs.blank(v) else v for k, v in values.items()}))
    return companies, ignored


# ---------------------------------------------------------------------------------------------
# Quoting.


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _quote(company: Company) -> fees.Quote:
    """The row's quote; an InputError names the field through `RowError` in the caller."""
    v = company.values
    if v.get("company") is None:
        raise _FieldError("company", "公司名称为空，请填写")
    if v.get("employees") is None:
        raise _FieldError("employees", "人数为空，请填写员工人数（正整数，例如 1200）")
    checks: list[tuple[str, Callable[[], object]]] = [
        ("company", lambda: inputs.name(_text(v["company"]), "公司名称")),
        ("employees", lambda: fees.find_band(v["employees"])),
        ("contact", lambda: inputs.name(_text(v.get("contact")), "联系人")),
        ("rate", lambda: v.get("rate") is None or inputs.money(v["rate"], "评审费单价")),
        ("travel", lambda: v.get("travel") is None or inputs.money(v["travel"], "差旅费（每次现场评审）")),
        ("travel_rate", lambda: v.get("travel_rate") is None or inputs.money(v["travel_rate"], "差旅单价")),
        ("consulting", lambda: v.get("consulting") is None or inputs.money(v["consulting"], "咨询费")),
        ("discount", lambda: v.get("discount") is None or _discount_value(v["discount"])),
    ]
    for key, check in checks:
        try:
            check()
        except InputError as exc:
            raise _FieldError(key, str(exc)) from exc
    discount = v.get("discount")
    try:
        return fees.quote_fee(
            v["employees"],
            company=_text(v["company"]),
            rate=v.get("rate"),
            travel=v.get("travel"),
            travel_rate=v.get("travel_rate"),
            consulting=v.get("consulting"),
            discount=_text(discount) if isinstance(discount, str) else discount,
        )
    except InputError as exc:
        # What is left is a combination: a discount above what it applies to, or travel given
        # both ways or per person-day where the table lacks the days.
        key = "discount" if "优惠" in str(exc) else "travel_rate" if "人日" in str(exc) else "travel"
        raise _FieldError(key, str(exc)) from exc


def _discount_value(value: Any) -> object:
    if isinstance(value, str) and inputs.percent_off(value, "优惠") is not None:
        return value
    return inputs.money(value, "优惠金额")


class _FieldError(InputError):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def file_name(saved: SavedQuote, kind: Format) -> str:
    """'SH-20261130-0001_某某公司.pdf': the number keeps names unique; the company makes them readable."""
    company = _UNSAFE.sub("_", saved.quote.company or "").strip(" ._")[:60]
    return f"{saved.issue.number}{'_' + company if company else ''}.{kind}"


def run_batch(
    path: Path,
    out_dir: Path,
    kind: Format,
    register: Register,
    *,
    settings: QuoteSettings | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    today: date | None = None,
) -> BatchResult:
    """Quote every company listed in `path`: one `kind` file each in `out_dir`, and `汇总.xlsx`.

    Args:
        path: the .csv or .xlsx list.
        out_dir: folder for the files (created if missing).
        kind: pdf, md or xlsx.
        register: where each quote is saved (channel `batch`).
        settings: seller and validity; default read once from settings.yaml / environment.
        progress: called with (done, total, company) after each row.
        today: the issue date; default today.

    Returns:
        The quotes written, the rows refused, the summary's path.

    Raises:
        InputError: the file as a whole cannot be used (see `read_companies`), or `out_dir`
            cannot be created.
    """
    from .settings import quote_settings

    companies, ignored = read_companies(path)
    config = settings or quote_settings()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"无法创建输出目录 {out_dir}：{exc.strerror or exc}") from exc
    result = BatchResult(ignored_columns=ignored)
    for done, company in enumerate(companies, 1):
        label = _text(company.values.get("company")) or f"第 {company.row} 行"
        if company.error is not None:
            result.errors.append(company.error)
        else:
            try:
                quote = _quote(company)
            except _FieldError as exc:
                result.errors.append(RowError(company.row, COLUMNS[exc.key][0], str(exc)))
            else:
                contact = _text(company.values.get("contact"))
                saved = register.issue(quote, channel="batch", contact=contact, settings=config, today=today)
                target = out_dir / file_name(saved, kind)
                write_quote(quote_document(quote, saved.issue), target, kind)
                result.written.append((company.row, saved, target))
        if progress is not None:
            progress(done, len(companies), label)
    result.summary = write_summary(result, out_dir / SUMMARY_NAME)
    return result


def write_summary(result: BatchResult, path: Path) -> Path:
    """`汇总.xlsx`: one row per input row (quoted or refused, in input order), totals as SUM formulas."""
    quoted = {row: (saved, target) for row, saved, target in result.written}
    refused = {error.row: error for error in result.errors}
    cycle = next((len(saved.quote.years) for saved, _ in quoted.values()), 3)
    rows: list[list[Any]] = []
    for number in sorted({*quoted, *refused}):
        if number in quoted:
            saved, target = quoted[number]
            q = saved.quote
            rows.append([
                number, q.company or "", saved.issue.contact or "", q.employees, q.band.label,
                q.first_year_total, q.cycle_total, saved.issue.number, target.name, "已报价",
            ])
        else:
            error = refused[number]
            rows.append([number, "", "", None, "", None, None, "", "", str(error)])
    headings = ["行号", "公司", "联系人", "人数", "收费表档次", "首年合计（元）", f"{cycle}年合计（元）", "报价单号", "文件", "状态"]
    formats = [None, None, None, "0", None, "#,##0.00", "#,##0.00", None, None, None]
    return write_atomically(
        path, lambda tmp: table_xlsx(tmp, "批量报价汇总", headings, rows, formats=formats, totals=(5, 6))
    )
