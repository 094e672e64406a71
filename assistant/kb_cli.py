"""`assistant index add|list|remove` (users' documents) and `assistant feedback export`.

Registered into the main parser by assistant/cli.py; each command is a thin shell over
index/ingest.py and assistant/feedback.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .errors import InputError

__all__ = ["register_feedback", "register_index"]


def _refusals(refused: list[tuple[str, str]]) -> None:
    for _, message in refused:
        print(f"未添加：{message}", file=sys.stderr)


def _rebuild() -> None:
    from index.build import build_index

    report = build_index()
    print(f"索引已更新：{report.chunks} 个片段（新向量化 {report.embedded}，复用 {report.reused}），"
          f"用时 {report.seconds:.1f} 秒")


def _preview(items: list[Any], *, shown: int = 3) -> None:
    for item in items:
        chunks = item.chunks()
        sections = list(dict.fromkeys(c.section for c in chunks))
        print(f"{item.name}（{item.format}，{item.size / 1024:.0f} KB）：{len(sections)} 个小节，{len(chunks)} 个片段")
        for note in item.notes:
            print(f"  提示：{note}")
        for chunk in chunks[:shown]:
            text = chunk.text.replace("\n", " ")
            print(f"  [{chunk.section}] {text[:80]}{'…' if len(text) > 80 else ''}")
        if len(chunks) > shown:
            print(f"  …… 另有 {len(chunks) - shown} 个片段")


def _cmd_add(args: argparse.Namespace) -> int:
    from index.ingest import commit, stage_files

    ok, refused = stage_files([Path(p) for p in args.paths])
    if args.preview:
        _preview(ok)
        _refusals(refused)
        print("（预览：未写入任何内容。去掉 --preview 即可加入知识库。）")
        return 2 if refused else 0
    report = commit(ok, replace=args.replace)
    _refusals(refused + report.refused)
    for item in report.added:
        for note in item.notes:
            print(f"提示：{item.name} {note}")
    if report.added:
        replaced = f"（替换 {len(report.replaced)} 个同名文档）" if report.replaced else ""
        print(f"已添加 {len(report.added)} 个文件{replaced}：" + "、".join(i.name for i in report.added))
        _rebuild()
    else:
        print("没有添加任何文件，索引未改变。", file=sys.stderr)
    return 2 if refused or report.refused else 0


def _cmd_list(args: argparse.Namespace) -> int:
    from index.ingest import list_documents

    docs = list_documents()
    if args.json:
        rows = [
            {"name": d.name, "doc_id": d.doc_id, "format": d.format, "added": d.added, "size": d.size,
             "sections": d.sections, "chunks": d.chunks, "error": d.error}
            for d in docs
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not docs:
        print("还没有添加自己的文档。用 assistant index add 文件 添加（支持 .md .txt .pdf .docx .xlsx .html）。")
        return 0
    for d in docs:
        state = f"  ⚠ {d.error}" if d.error else ""
        print(f"{d.name}\t{d.format}\t{d.chunks} 个片段\t{d.size / 1024:.0f} KB\t添加于 {d.added}{state}")
    return 0


def _cmd_remove(args: argparse.Namespace) -> int:
    from index.ingest import remove_documents

    removed = remove_documents(args.names)
    print(f"已删除 {len(removed)} 个文档：" + "、".join(d.name for d in removed))
    _rebuild()
    return 0


def register_index(idx_sub: Any) -> None:
    """Add `add`, `list` and `remove` to the `assistant index` subcommands."""
    add = idx_sub.add_parser("add", help="加入自己的文档（.md .txt .pdf .docx .xlsx .html 或文件夹）并更新索引")
    add.add_argument("paths", nargs="+", metavar="文件或文件夹")
    add.add_argument("--preview", action="store_true", help="只显示会生成的片段，不写入")
    add.add_argument("--replace", action="store_true", help="用新文件替换已有的同名文档")
    add.set_defaults(func=_cmd_add)
    listing = idx_sub.add_parser("list", help="列出自己添加的文档")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=_cmd_list)
    remove = idx_sub.add_parser("remove", help="删除自己添加的文档（按文件名）并更新索引")
    remove.add_argument("names", nargs="+", metavar="文件名")
    remove.set_defaults(func=_cmd_remove)


# ---------------------------------------------------------------------------------------------


def _cmd_export(args: argparse.Namespace) -> int:
    from .feedback import FeedbackStore, golden_jsonl

    if args.format != "golden":
        raise InputError(f"不支持的导出格式 {args.format!r}，目前只支持 golden")
    lines = FeedbackStore().export_golden(include_handled=args.all)
    text = golden_jsonl(lines)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"已导出 {len(lines)} 条待审核的题目到 {args.out}（补全 must_include 和 cite_doc 后放入 evals/golden/）",
              file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def register_feedback(sub: Any) -> None:
    """Add `assistant feedback export`."""
    feedback = sub.add_parser("feedback", help="用户反馈与未答问题")
    feedback_sub = feedback.add_subparsers(dest="feedback_cmd", metavar="子命令", required=True)
    export = feedback_sub.add_parser("export", help="把未答和被点踩的问题导出为待审核的评测题")
    export.add_argument("--format", default="golden", help="导出格式（golden：评测集 JSONL）")
    export.add_argument("--out", metavar="FILE.jsonl", help="写入文件（默认输出到屏幕）")
    export.add_argument("--all", action="store_true", help="也导出已标记为已处理的条目")
    export.set_defaults(func=_cmd_export)
