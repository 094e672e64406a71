"""`assistant quote`: issue a quote (saved and numbered), list, show and export saved quotes, batches.

    assistant quote --employees N [--company X] [--contact Y] [--rate R] [--travel A | --travel-rate D]
                    [--consulting C] [--discount 5000|10%|9折] [--valid-days 30] [--json]
                    [--format pdf|md|xlsx] [--out FILE]
    assistant quote --batch companies.csv|xlsx --out-dir DIR [--format pdf|md|xlsx]
    assistant quote list [--company X] [--since 2026-11-01] [--limit N] [--json]
    assistant quote show NUMBER [--json]
    assistant quote export NUMBER --out FILE [--format pdf|md|xlsx]

Only the calculators, the register (sqlite3) and the renderers are imported; reportlab and
openpyxl load when a PDF or workbook is written, so a plain quote stays well under a second.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..calculators import fees
from ..errors import AssistantError, InputError
from ..render.document import quote_document
from ..render.jsondata import dumps, issued_quote_data
from ..render.markdown import quote_markdown
from ..render.numbers import format_amount
from ..render.text import quote_written
from .files import FORMATS, Format, format_for, write_quote
from .register import SavedQuote, open_register, parse_day

__all__ = ["add_parser", "run_quote"]


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `quote` (and its list/show/export subcommands) to the main parser; the handler returns
    the exit code (0 ok, 2 bad input, 1 broken data table or database)."""
    quote = subparsers.add_parser(
        "quote",
        help="按员工人数计算认证费用报价（自动编号保存），查看、导出已保存的报价单，批量报价",
        description="按《商品售后服务评价体系认证收费标准及人日数对照表（试行）》计算认证费用报价；"
        "每张报价单自动编号并保存到报价登记册（$ASSISTANT_HOME/assistant.db）。",
    )
    quote.add_argument("--employees", metavar="N", help="企业雇员人数（正整数，例如 1200）")
    quote.add_argument("--company", metavar="名称", help="报价单上的客户名称")
    quote.add_argument("--contact", metavar="姓名", help="客户联系人")
    quote.add_argument("--rate", metavar="R", help="每人日评审费（元），默认按收费表")
    quote.add_argument("--travel", metavar="元", help="差旅食宿估算：每次现场评审的金额（非收费表项目，逐年计入）")
    quote.add_argument("--travel-rate", metavar="元", help="差旅食宿估算：每现场人日的单价 × 收费表的现场人日数")
    quote.add_argument("--consulting", metavar="元", help="咨询服务费（非收费表项目，只计入首年）")
    quote.add_argument("--discount", metavar="优惠", help="首年优惠：金额（如 5000）或比例（如 10%% 或 9折）")
    quote.add_argument("--valid-days", metavar="天", help="报价有效期天数（默认按设置，30 天）")
    quote.add_argument("--json", action="store_true", help="输出 JSON")
    quote.add_argument("--format", choices=FORMATS, help="写出报价单文件的格式（需配合 --out 或 --out-dir）")
    quote.add_argument("--out", metavar="FILE", help="报价单文件路径；未给 --format 时按扩展名判断")
    quote.add_argument("--batch", metavar="FILE", help="批量报价：.csv 或 .xlsx，列为 公司、人数（可选 联系人、差旅费、咨询费、优惠…）")
    quote.add_argument("--out-dir", metavar="DIR", help="批量报价的输出目录（每家公司一个文件，另有 汇总.xlsx）")
    quote.set_defaults(func=run_quote, quote_cmd=None)
    sub = quote.add_subparsers(dest="quote_cmd", metavar="子命令")

    listing = sub.add_parser("list", help="列出已保存的报价单（最新在前）")
    listing.add_argument("--company", metavar="名称", help="只列客户名称包含此文字的报价单")
    listing.add_argument("--since", metavar="日期", help="只列此日期（含）以后的，例如 2026-11-01")
    listing.add_argument("--limit", metavar="N", type=int, help="最多列出多少张")
    listing.add_argument("--json", action="store_true", help="输出 JSON 数组")
    listing.set_defaults(func=_list)

    show = sub.add_parser("show", help="显示一张已保存的报价单（与开出时相同）")
    show.add_argument("number", metavar="报价单号")
    show.add_argument("--json", action="store_true", help="输出 JSON")
    show.set_defaults(func=_show)

    export = sub.add_parser("export", help="把已保存的报价单导出为 PDF、Markdown 或 Excel 文件")
    export.add_argument("number", metavar="报价单号")
    export.add_argument("--format", choices=FORMATS, help="pdf、md 或 xlsx；未给时按 --out 的扩展名判断")
    export.add_argument("--out", metavar="FILE", required=True, help="输出文件路径")
    export.set_defaults(func=_export)


def _fail(exc: AssistantError) -> int:
    print(f"错误：{exc}", file=sys.stderr)
    return 2 if isinstance(exc, InputError) else 1


def run_quote(args: argparse.Namespace) -> int:
    """Handle `assistant quote`: issue and save a quote, then print it or write it as a file; or
    run a batch.

    Returns:
        0 on success; 2 for bad input (headcount, amounts, output options, some batch rows);
        1 for a broken data table, settings file or database.
    """
    try:
        if args.batch:
            return _batch(args)
        if args.out_dir:
            raise InputError("--out-dir 只用于批量报价（--batch）；单张报价请用 --out 指定文件")
        if not args.employees:
            raise InputError("请用 --employees 指定员工人数（例如 --employees 1200），或用 --batch 批量报价、quote list 查看已保存的报价单")
        quote = fees.quote_fee(
            args.employees,
            rate=args.rate,
            company=args.company,
            travel=args.travel,
            travel_rate=args.travel_rate,
            consulting=args.consulting,
            discount=args.discount,
        )
        target = _target(args)
        with open_register() as register:
            saved = register.issue(quote, channel="cli", contact=args.contact, valid_days=args.valid_days)
        if target is not None:
            return _write(saved, *target, as_json=args.json)
    except AssistantError as exc:
        return _fail(exc)
    _print(saved, as_json=args.json)
    print(f"已保存报价单 {saved.issue.number}（assistant quote show {saved.issue.number} 可再次查看）", file=sys.stderr)
    return 0


def _target(args: argparse.Namespace) -> tuple[Path, Format] | None:
    """The output file and format, checked before anything is saved."""
    if not args.out:
        if args.format:
            raise InputError("使用 --format 时需要用 --out 指定报价单文件路径，例如 --out 报价单.pdf")
        return None
    out = Path(args.out)
    kind = format_for(out, args.format)
    if not out.parent.exists():
        raise InputError(f"目录 {out.parent} 不存在，请先创建或换一个路径")
    return out, kind


def _print(saved: SavedQuote, *, as_json: bool) -> None:
    if as_json:
        print(dumps(issued_quote_data(saved.quote, saved.issue), indent=2))
    else:
        print(quote_markdown(quote_document(saved.quote, saved.issue)), end="")


def _write(saved: SavedQuote, out: Path, kind: Format, *, as_json: bool) -> int:
    number = saved.issue.number
    try:
        write_quote(quote_document(saved.quote, saved.issue), out, kind)
    except InputError as exc:
        raise InputError(f"报价单 {number} 已保存，但{exc}；可稍后用 assistant quote export {number} --out 文件 重新导出") from exc
    if as_json:
        print(dumps({"path": str(out), "format": kind, "quote": issued_quote_data(saved.quote, saved.issue)}, indent=2))
    else:
        print(quote_written(out, saved.quote, number))
    return 0


def _list(args: argparse.Namespace) -> int:
    try:
        since = parse_day(args.since, "--since 日期") if args.since else None
        if args.limit is not None and args.limit < 1:
            raise InputError("--limit 应为正整数")
        with open_register() as register:
            rows = register.list(company=args.company, since=since, limit=args.limit)
    except AssistantError as exc:
        return _fail(exc)
    if args.json:
        print(dumps([row.to_dict() for row in rows], indent=2))
        return 0
    if not rows:
        print("没有符合条件的报价单。")
        return 0
    print("报价单号\t日期\t客户\t人数\t首年合计（元）\t有效期至")
    for row in rows:
        print(
            f"{row.number}\t{row.issued.isoformat()}\t{row.company or '（未填写）'}\t{row.employees}\t"
            f"{format_amount(row.total)}\t{row.valid_until.isoformat()}"
        )
    return 0


def _show(args: argparse.Namespace) -> int:
    try:
        with open_register() as register:
            saved = register.get(args.number)
    except AssistantError as exc:
        return _fail(exc)
    _print(saved, as_json=args.json)
    return 0


def _export(args: argparse.Namespace) -> int:
    try:
        out = Path(args.out)
        kind = format_for(out, args.format)
        with open_register() as register:
            saved = register.get(args.number)
        write_quote(quote_document(saved.quote, saved.issue), out, kind)
    except AssistantError as exc:
        return _fail(exc)
    print(quote_written(out, saved.quote, saved.issue.number))
    return 0


def _batch(args: argparse.Namespace) -> int:
    from .batch import run_batch

    if args.employees or args.out:
        raise InputError("--batch 不能与 --employees 或 --out 同时使用；批量报价请用 --out-dir 指定输出目录")
    if not args.out_dir:
        raise InputError("批量报价需要用 --out-dir 指定输出目录，例如 --out-dir 报价单")
    kind = format_for(None, args.format)

    def progress(done: int, total: int, company: str) -> None:
        print(f"[{done}/{total}] {company}", file=sys.stderr, flush=True)

    with open_register() as register:
        result = run_batch(Path(args.batch), Path(args.out_dir), kind, register, progress=progress)
    for error in result.errors:
        print(f"错误：{error}", file=sys.stderr)
    if result.ignored_columns:
        print(f"提示：已忽略不认识的列：{'、'.join(result.ignored_columns)}", file=sys.stderr)
    print(
        f"已为 {len(result.written)} 家公司写出报价单（{kind}）到 {args.out_dir}，"
        f"{len(result.errors)} 行有误未报价；汇总：{result.summary}"
    )
    return 2 if result.errors else 0
