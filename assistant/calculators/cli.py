"""`assistant quote` and `assistant score`: the calculators on the command line.

Only the calculators and the data tables are imported here (no index, no model), so both commands
answer in well under a second from a cold start. `assistant quote` itself (issuing, the register,
exports, batches) lives in assistant/quotes/cli.py.
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
from ..quotes import cli as quote_cli
from ..render.jsondata import assessment_data, dumps, rating_data
from ..render.numbers import format_score
from ..render.rows import thresholds_phrase
from ..render.text import assessment_text, rating_text
from . import scoring

__all__ = ["register", "run_score"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `quote` and `score` subcommands to the main parser.

    Each stores its handler with `set_defaults(func=...)`; the handler takes the parsed `args`
    and returns the exit code (0 ok, 2 bad input, 1 broken data table).
    """
    quote_cli.add_parser(subparsers)

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
