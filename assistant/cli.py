"""`assistant` command line: index, ask, quote, score. A thin shell over the library."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

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


def _cmd_ask(args: argparse.Namespace) -> int:
    from .core import Assistant

    if args.batch:
        return _ask_batch(args)
    if not args.question:
        raise InputError("请给出问题，例如：assistant ask \"证书有效期是几年？\"")
    assistant = Assistant.load(variant=args.variant)
    answer = assistant.ask(" ".join(args.question))
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
    else:
        _print_answer(answer.to_dict())
    return 0


def _ask_batch(args: argparse.Namespace) -> int:
    from .core import Assistant

    path = Path(args.batch)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"无法读取批量文件 {path}：{exc.strerror}") from exc
    assistant = Assistant.load(variant=args.variant)
    out = sys.stdout
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not isinstance(row.get("question"), str):
                raise ValueError("需要 JSON 对象，且含字符串字段 question")
            history = row.get("history") or []
            if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
                raise ValueError("history 应为字符串列表")
        except ValueError as exc:
            out.write(json.dumps({"id": None, "line": lineno, "error": f"第 {lineno} 行无法解析：{exc}"},
                                 ensure_ascii=False) + "\n")
            continue
        result = assistant.ask(row["question"], history=history).to_dict()
        out.write(json.dumps({"id": row.get("id"), **result}, ensure_ascii=False) + "\n")
        out.flush()
    return 0


def _cmd_index(args: argparse.Namespace) -> int:
    from index.build import build_index, index_status

    if args.index_cmd == "build":
        report = build_index()
        print(f"索引已建立：{report.documents} 篇文档，{report.chunks} 个片段"
              f"（新向量化 {report.embedded}，复用 {report.reused}），用时 {report.seconds:.1f} 秒，"
              f"向量模型 {report.embedder}")
        return 0
    status = index_status()
    if not status:
        print("尚无索引。运行 assistant index build 建立索引。")
        return 1
    if args.json:
        print(json.dumps(status, ensure_ascii=False, indent=2))
        return 0
    print(f"文档：{status['documents']} 篇\n片段：{status['chunks']} 个\n向量模型：{status['embedder']}\n"
          f"建立时间：{status['built_at']}\n大小：{status['size_mb']} MB\n位置：{status['path']}\n"
          f"状态：{'需要重建（' + status['stale'] + '）' if status['stale'] else '最新'}")
    return 0


def _parser() -> argparse.ArgumentParser:
    from . import kb_cli
    from .calculators import cli as calc_cli

    parser = argparse.ArgumentParser(prog="assistant", description="售后服务认证助手（GB/T 27922-2011）")
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
    kb_cli.register_index(idx_sub)
    idx.set_defaults(func=_cmd_index, index_cmd="status", json=False)

    calc_cli.register(sub)
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
    except Exception as exc:  # a bug or a broken environment: one line for the user, details with -v
        logging.getLogger("assistant").debug("unexpected error", exc_info=True)
        print(f"内部错误：{exc.__class__.__name__}: {exc}（加 -v 查看详细信息）", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
