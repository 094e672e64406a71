"""`assistant` command line: index, ask, quote, score. A thin shell over the library."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any, NoReturn, cast

from .errors import AssistantError, InputError

__all__ = ["main"]


def _print_answer(data: dict[str, Any]) -> None:
    if data.get("notice"):
        print(f"（提示：{data['notice']}）")
    print(data["answer"])
    if data["citations"]:
        print("\n来源：")
        for c in data["citations"]:
            quote = c["text"].replace("\n", " ")
            print(f"[{c['n']}] {c['title']} › {c['section']}\n    “{quote}”\n    出处：{c['source']}")


def _json(data: Any) -> str:
    """One line of standard JSON (no NaN/Infinity: `allow_nan=False` raises ValueError instead)."""
    return json.dumps(data, ensure_ascii=False, allow_nan=False)


def _cmd_ask(args: argparse.Namespace) -> int:
    from .core import Assistant
    from .text_input import question_text

    if args.batch:
        return _ask_batch(args)
    if not args.question:
        raise InputError("请给出问题，例如：assistant ask \"证书有效期是几年？\"")
    question = question_text(" ".join(args.question))
    assistant = Assistant.load(variant=args.variant)
    answer = assistant.ask(question)
    if args.json:
        print(_json(answer.to_dict()))
    else:
        _print_answer(answer.to_dict())
    return 0


def _read_batch(path: Path) -> list[str]:
    """The batch file's lines. Only "\n" ends a line: U+2028 and friends may sit inside a JSON string."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取批量文件 {path}：{exc.strerror}") from exc
    try:
        text = raw.decode("utf-8-sig")  # a BOM, as Windows Notepad writes it, is not part of line 1
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"批量文件 {path} 不是 UTF-8 编码（第 {line} 行有无法按 UTF-8 解读的字节）。"
            f"请另存为 UTF-8 后重试，例如：iconv -f GBK -t UTF-8 {path.name} > questions-utf8.jsonl"
        ) from None
    return [line.removesuffix("\r") for line in text.split("\n")]


def _batch_row(line: str) -> tuple[Any, str, list[str]]:
    """(id, question, history) of one batch line.

    Raises:
        ValueError: the line is not a usable question (InputError for a bad field).
    """
    from .text_input import history_questions, question_text

    row = json.loads(line)
    if not isinstance(row, dict) or "question" not in row:
        raise ValueError("需要一个 JSON 对象，含字段 question，例如 {\"id\": \"q1\", \"question\": \"证书有效期是几年？\"}")
    return row.get("id"), question_text(row["question"]), history_questions(row.get("history"))


def _ask_batch(args: argparse.Namespace) -> int:
    from .core import Assistant

    lines = _read_batch(Path(args.batch))
    assistant = Assistant.load(variant=args.variant)
    out = sys.stdout
    failures = 0
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row_id, question, history = _batch_row(line)
            text = _json({"id": row_id, **assistant.ask(question, history=history).to_dict()})
        except ValueError as exc:  # bad JSON, a bad field, or a value JSON cannot hold (NaN id)
            text = _json({"id": None, "line": lineno, "error": f"第 {lineno} 行无法处理：{exc}"})
        except Exception as exc:  # one failing question must not stop the rest
            logging.getLogger("assistant").debug("batch line %d failed", lineno, exc_info=True)
            failures += 1
            text = _json({"id": None, "line": lineno, "error": f"第 {lineno} 行内部错误：{exc.__class__.__name__}"})
        out.write(text + "\n")
        out.flush()
    return 1 if failures else 0


_VERIFIED = "校验通过：所有文件与清单一致，向量库可检索"
_REPAIR_HINT = "修复：运行 assistant index build（或直接提问，会自动重建）"


def _cmd_index(args: argparse.Namespace) -> int:
    from index.build import build_index, index_status

    if args.index_cmd == "build":
        report = build_index()
        print(f"索引已建立：{report.documents} 篇文档，{report.chunks} 个片段"
              f"（新向量化 {report.embedded}，复用 {report.reused}），用时 {report.seconds:.1f} 秒，"
              f"向量模型 {report.embedder}\n{_VERIFIED}")
        return 0
    if args.index_cmd == "check":
        return _index_check()
    status = index_status()
    if not status:
        print("尚无索引。运行 assistant index build 建立索引。")
        return 1
    if args.json:
        print(json.dumps(status, ensure_ascii=False, indent=2))
        return 0
    unknown = "未知（索引清单无法读取）"
    print(f"文档：{status['documents'] if status['documents'] is not None else unknown} 篇\n"
          f"片段：{status['chunks'] or unknown} 个\n向量模型：{status['embedder'] or unknown}\n"
          f"建立时间：{status['built_at'] or unknown}\n大小：{status['size_mb']} MB\n位置：{status['path']}\n"
          f"状态：{_state(status['stale'])}")
    return 0


def _state(stale: str | None) -> str:
    from index.check import DAMAGED

    if stale is None:
        return "最新"
    if stale.startswith(DAMAGED):
        return f"{stale}。{_REPAIR_HINT}"
    return f"需要重建（{stale}）"


def _index_check() -> int:
    from index.check import check_build
    from index.store import current_build

    build = current_build()
    if build is None:
        print("尚无索引。运行 assistant index build 建立索引。")
        return 1
    problems = check_build(build)
    if problems:
        print(f"索引已损坏（{build.name}）：")
        for problem in problems:
            print(f"- {problem}")
        print(_REPAIR_HINT)
        return 1
    print(f"索引完好（{build.name}）：{_VERIFIED}")
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors said in Chinese (exit code 2, as for any bad input)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"错误：命令行参数有误（{message}）。查看用法：{self.prog} -h；"
                     f"问题以“-”开头时请放在 -- 之后，例如：assistant ask -- \"-5分能评几星？\"\n")


def _parser() -> argparse.ArgumentParser:
    from . import kb_cli
    from .calculators import cli as calc_cli

    parser = _Parser(prog="assistant", description="售后服务认证助手（GB/T 27922-2011）")
    parser.add_argument("-v", "--verbose", action="store_true", help="显示调试日志")
    sub = parser.add_subparsers(dest="command", metavar="命令")

    ask = sub.add_parser("ask", help="提问并获得带引用的回答")
    ask.add_argument("question", nargs="*", help="问题（中文）")
    ask.add_argument("--json", action="store_true", help="输出 JSON")
    ask.add_argument("--batch", metavar="FILE.jsonl", help="批量提问：每行 {id, question, history?}")
    ask.add_argument("--variant", default="full", help="检索方案：full（默认）/hybrid/bm25/dense")
    ask.set_defaults(func=_cmd_ask)

    idx = sub.add_parser("index", help="建立或查看索引")
    idx_sub = idx.add_subparsers(dest="index_cmd", metavar="子命令")
    idx_sub.add_parser("build", help="建立（或增量更新）索引")
    st = idx_sub.add_parser("status", help="显示索引状态")
    st.add_argument("--json", action="store_true")
    idx_sub.add_parser("check", help="只做完整性校验：清单、每个文件和向量库（损坏时退出码 1）")
    kb_cli.register_index(idx_sub)
    idx.set_defaults(func=_cmd_index, index_cmd="status", json=False)

    # Subparsers are `_Parser`s too (argparse makes them of the parent's class).
    calc_cli.register(cast("argparse._SubParsersAction[argparse.ArgumentParser]", sub))
    kb_cli.register_feedback(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 failure, 2 bad input)."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except InputError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except AssistantError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except UnicodeError as exc:  # e.g. a terminal whose encoding cannot show Chinese
        encoding = getattr(sys.stdout, "encoding", "?")
        print(f"错误：文本编码出错（{exc.__class__.__name__}，终端编码 {encoding}）。请使用 UTF-8 终端，"
              "或设置环境变量 PYTHONIOENCODING=utf-8 后重试", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug or a broken environment: one line for the user, details with -v
        logging.getLogger("assistant").debug("unexpected error", exc_info=True)
        print(f"内部错误：{exc.__class__.__name__}: {exc}（加 -v 查看详细信息）", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
