"""`assistant quote` and `assistant score`: the calculators on the command line.

Only the calculators and the data tables are imported here (no index, no model), so both commands
answer in well under a second from a cold start.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from ..data import star_table
from ..errors import AssistantError, CorpusError, InputError
from ..render.jsondata import assessment_data, dumps, quote_data, rating_data
from ..render.markdown import quote_markdown
from ..render.numbers import format_score
from ..render.pdf import quote_pdf
from ..render.rows import thresholds_phrase
from ..render.text import assessment_text, quote_written, rating_text
from . import fees, scoring

__all__ = ["register", "run_quote", "run_score"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `quote` and `score` subcommands to the main parser.

    Each stores its handler with `set_defaults(func=...)`; the handler takes the parsed `args`
    and returns the exit code (0 ok, 2 bad input, 1 broken data table).
    """
    quote = subparsers.add_parser(
        "quote",
        help="按员工人数计算认证费用报价",
        description="按《商品售后服务评价体系认证收费标准及人日数对照表（试行）》计算认证费用报价。",
    )
    quote.add_argument("--employees", required=True, metavar="N", help="企业雇员人数（正整数，例如 1200）")
    quote.add_argument("--company", metavar="名称", help="报价单上的客户名称")
    quote.add_argument("--rate", metavar="R", help="每人日评审费（元），默认按收费表")
    quote.add_argument("--json", action="store_true", help="输出 JSON")
    quote.add_argument("--format", choices=("pdf", "md"), help="写出报价单文件的格式（需配合 --out）")
    quote.add_argument("--out", metavar="FILE", help="报价单文件路径；未给 --format 时按扩展名判断")
    quote.set_defaults(func=run_quote)

    # The grades come from star_levels.yaml; if it is broken, `score` itself reports it.
    try:
        scale, limit = f"（{thresholds_phrase()}）", f"0–{format_score(star_table().max_score)}"
    except CorpusError:
        scale, limit = "", "0–满分"
    score = subparsers.add_parser(
        "score",
        help="按得分判断星级，或按评分表/自评清单计算得分",
        description=f"总分 → 星级{scale}；或从评分表文件计算。",
    )
    source = score.add_mutually_exclusive_group(required=True)
    source.add_argument("--total", metavar="X", help=f"总分（{limit}）")
    source.add_argument(
        "--sheet",
        metavar="FILE",
        help="评分表 .json/.yaml：{items: [{name, max, score | applicable: false}], special_deductions, "
        "special_bonus}；或自评清单 {kind: 生产型|销售服务型, answers: {指标: 符合|部分符合|不符合|不适用}}",
    )
    score.add_argument("--json", action="store_true", help="输出 JSON")
    score.set_defaults(func=run_score)


def _fail(exc: AssistantError) -> int:
    print(f"错误：{exc}", file=sys.stderr)
    return 2 if isinstance(exc, InputError) else 1


def _print_json(data: dict[str, Any]) -> None:
    print(dumps(data, indent=2))


def run_quote(args: argparse.Namespace) -> int:
    """Handle `assistant quote`: print the quote or write it as a PDF/Markdown file.

    Args:
        args: parsed arguments (employees, company, rate, json, format, out).

    Returns:
        0 on success; 2 for bad input (headcount, rate, output options); 1 for a broken data table.
    """
    try:
        quote = fees.quote_fee(args.employees, rate=args.rate, company=args.company)
        if args.format or args.out:
            return _write_quote(quote, args)
    except AssistantError as exc:
        return _fail(exc)
    if args.json:
        _print_json(quote_data(quote))
    else:
        print(quote_markdown(quote), end="")
    return 0


def _write_quote(quote: fees.Quote, args: argparse.Namespace) -> int:
    if not args.out:
        raise InputError("使用 --format 时需要用 --out 指定报价单文件路径，例如 --out 报价单.pdf")
    out = Path(args.out)
    kind = args.format or {".pdf": "pdf", ".md": "md", ".markdown": "md"}.get(out.suffix.lower())
    if kind is None:
        raise InputError(f"无法从文件名 {out.name} 判断格式，请加 --format pdf 或 --format md")
    if not out.parent.exists():
        raise InputError(f"目录 {out.parent} 不存在，请先创建或换一个路径")
    if kind == "pdf":
        quote_pdf(quote, out)
    else:
        try:
            out.write_text(quote_markdown(quote), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"无法写入报价单文件 {out}：{exc.strerror or exc}") from exc
    if args.json:
        _print_json({"path": str(out), "format": kind, "quote": quote_data(quote)})
    else:
        print(quote_written(out, quote))
    return 0


# A score sheet lists at most a few hundred indicators; a file this large is not one.
_MAX_SHEET_BYTES = 1_000_000


def _load_sheet(path: str) -> Any:
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise InputError(f"评分表文件应为 .json 或 .yaml（收到 {file.name}）")
    try:
        if file.stat().st_size > _MAX_SHEET_BYTES:
            raise InputError(f"评分表文件 {file.name} 超过 {_MAX_SHEET_BYTES // 1_000_000} MB，请检查是否选错了文件")
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise InputError(f"找不到评分表文件 {file}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"评分表文件 {file.name} 不是 UTF-8 编码（第 {exc.start + 1} 个字节起），请另存为 UTF-8 后再试") from exc
    except OSError as exc:
        raise InputError(f"无法读取评分表文件 {file}：{exc.strerror or exc}") from exc
    try:
        return json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"评分表 {file.name} 不是合法的 JSON：第{exc.lineno}行 {exc.msg}") from exc
    except yaml.YAMLError as exc:
        raise InputError(f"评分表 {file.name} 不是合法的 YAML：{exc}") from exc
    except RecursionError as exc:
        raise InputError(f"评分表 {file.name} 嵌套层数过多，不是评分表的格式") from exc


def run_score(args: argparse.Namespace) -> int:
    """Handle `assistant score`: grade a total, a score sheet or a self-assessment checklist.

    Args:
        args: parsed arguments (total or sheet, json).

    Returns:
        0 on success; 2 for bad input (score outside 0–100, non-numeric, malformed sheet);
        1 for a broken data table.
    """
    try:
        if args.sheet is None:
            result: scoring.Rating | scoring.Assessment = scoring.rate_score(args.total)
        else:
            sheet = _load_sheet(args.sheet)
            if isinstance(sheet, dict) and "answers" in sheet:
                result = scoring.self_assess(str(sheet.get("kind") or ""), sheet["answers"])
            else:
                result = scoring.score_sheet(sheet)
    except AssistantError as exc:
        return _fail(exc)
    if args.json:
        _print_json(assessment_data(result) if isinstance(result, scoring.Assessment) else rating_data(result))
    else:
        print(assessment_text(result) if isinstance(result, scoring.Assessment) else rating_text(result))
    return 0
