"""The app's maintenance parts: 👍/👎 on chat answers, the 运营 tab, document uploads, `/feedback`.

Wired into assistant/ui.py with a few calls; the library does the work (assistant/feedback.py,
index/ingest.py, index/build.py). Maintainer-only handlers check the login on every call (see
assistant/access.py): hiding a tab is a convenience, not the protection.
"""

from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import gradio as gr

from .access import Access
from .errors import AssistantError
from .feedback import (
    EXPORT_LIMIT,
    OUTCOMES,
    SHOWN_DISLIKED,
    SHOWN_GROUPS,
    DislikedAnswer,
    FeedbackStore,
    QuestionGroup,
    golden_jsonl,
    golden_lines,
)
from .render.html import bullet_list, table
from .ui_render import error_html, esc

__all__ = [
    "attach_feedback",
    "counts_html",
    "dislikes_html",
    "groups_html",
    "ops_tab",
    "preview_html",
    "register_feedback_api",
    "upload_section",
    "user_documents_html",
]

UPLOAD_TYPES = [".md", ".txt", ".pdf", ".docx", ".xlsx", ".html", ".htm"]
QUICK_REASONS = ["引用不对", "没回答我的问题", "内容有误"]
_PREVIEW_CHUNKS = 4
_ANSWER_ID = re.compile(r"sa-id-([0-9a-f]{8,64})")
# One writer: two uploads committed at once would build two indexes over each other.
_WRITE_LOCK = threading.Lock()


def _user(request: gr.Request | None) -> str | None:
    return getattr(request, "username", None) if request is not None else None


def _when(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return str(stamp or "—")


# ---------------------------------------------------------------------------------------------
# 👍/👎 in the chat.


def answer_id_of(value: Any) -> str | None:
    """The answer id carried by a chat message (the `sa-id-…` class of its HTML)."""
    match = _ANSWER_ID.search(str(value))
    return match.group(1) if match else None


def attach_feedback(chatbot: gr.Chatbot, store: FeedbackStore) -> None:
    """Record the chat's thumbs; after 👎 offer a short comment (quick reasons or free text)."""
    target = gr.State(None)
    with gr.Column(visible=False, elem_id="chat-feedback") as box:
        gr.Markdown("**这条回答哪里不好？**（可选，帮助我们改进资料）")
        reason = gr.Radio(QUICK_REASONS, label="常见原因", elem_id="chat-feedback-reason")
        comment = gr.Textbox(
            show_label=False, placeholder="补充说明（可选，最多500字）", max_length=500, elem_id="chat-feedback-comment"
        )
        with gr.Row():
            send = gr.Button("提交反馈", variant="primary", size="sm", elem_id="chat-feedback-send")
            skip = gr.Button("不用了", size="sm", elem_id="chat-feedback-skip")
    note = gr.HTML(elem_id="chat-feedback-note")

    def on_like(data: gr.LikeData) -> tuple[Any, ...]:
        answer_id = answer_id_of(data.value)
        if answer_id is None:
            return gr.skip(), gr.skip(), "", gr.skip(), gr.skip()
        liked = data.liked
        verdict = ("up" if liked else "down") if isinstance(liked, bool) else ("down" if liked else "")
        try:
            store.rate(answer_id, verdict)
        except AssistantError as exc:
            return gr.Column(visible=False), None, error_html(str(exc)), None, ""
        if verdict == "down":
            return gr.Column(visible=True), answer_id, "", None, ""
        thanks = '<p class="sa-small">谢谢您的反馈。</p>' if verdict else ""
        return gr.Column(visible=False), None, thanks, None, ""

    def on_send(answer_id: str | None, why: str | None, text: str) -> tuple[Any, ...]:
        if not answer_id:
            return gr.Column(visible=False), None, ""
        remark = "；".join(part for part in ((why or "").strip(), (text or "").strip()) if part)
        try:
            store.rate(answer_id, "down", remark)
        except AssistantError as exc:
            return gr.Column(visible=True), answer_id, error_html(str(exc))
        return gr.Column(visible=False), None, '<p class="sa-small">已收到您的意见，谢谢！</p>'

    chatbot.like(on_like, outputs=[box, target, note, reason, comment], api_visibility="private", queue=False)
    send.click(on_send, inputs=[target, reason, comment], outputs=[box, target, note], api_visibility="private")
    skip.click(lambda: (gr.Column(visible=False), None, ""), outputs=[box, target, note],
               api_visibility="private", queue=False)


def register_feedback_api(store: FeedbackStore, guard: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """The `/feedback` endpoint for API clients (`guard` turns errors into gr.Error)."""

    @guard
    def feedback(answer_id: str, verdict: str, comment: str = "") -> dict:
        """Rate an answer given by /chat in the last 24 hours.

        Args:
            answer_id: the "id" of the /chat answer.
            verdict: "up" (useful) or "down" (not useful); "" withdraws an earlier verdict.
            comment: optional, at most 500 characters.

        Returns:
            {"answer_id", "verdict", "comment"} as stored.
        """
        return store.rate(answer_id, verdict, comment or "")

    gr.api(feedback, api_name="feedback")


# ---------------------------------------------------------------------------------------------
# The 运营 tab.


def counts_html(days: Sequence[tuple[Any, dict[str, int]]]) -> str:
    if not days:
        return '<p class="sa-small">最近 14 天还没有未答问题或评价记录。</p>'
    totals = {k: sum(c[k] for _, c in days) for k in OUTCOMES}
    rows = [[esc(day), *(str(c[k]) for k in OUTCOMES)] for day, c in days]
    rows.append(["<b>合计</b>", *(f"<b>{totals[k]}</b>" for k in OUTCOMES)])
    return table(["日期", *OUTCOMES.values()], rows)


def groups_html(groups: Sequence[QuestionGroup]) -> str:
    if not groups:
        return '<p class="sa-small">没有待处理的未答问题。</p>'
    rows = []
    for g in groups:
        kinds = "、".join(f"{OUTCOMES.get(k, k)} {n}" for k, n in g.intents.items())
        more = bullet_list(g.questions[1:6])
        rows.append([str(g.count), f"<b>{esc(g.question)}</b>{more}", esc(kinds), esc(_when(g.last_asked))])
    return table(["次数", "问题（相似问法归为一组）", "结果", "最近一次"], rows)


def dislikes_html(items: Sequence[DislikedAnswer]) -> str:
    if not items:
        return '<p class="sa-small">没有待处理的点踩。</p>'
    cards = []
    for item in items:
        question = esc(item.question) if item.question else "（未记录问题：ASSISTANT_LOG_QUESTIONS=0）"
        answer = esc((item.answer or "")[:300]) + ("…" if item.answer and len(item.answer) > 300 else "")
        cites = "；".join(f"[{c.get('n')}] {c.get('title')} › {c.get('section')}" for c in item.citations)
        comment = esc(item.comment) if item.comment else "（没有留言）"
        cards.append(
            f'<div class="sa-card sa-dislike"><div><b>问：</b>{question}</div>'
            f'<div class="sa-dislike-comment"><b>意见：</b>{comment}</div>'
            f'<details class="sa-meta"><summary>回答与引用</summary><div>{answer}</div>'
            f"<div>引用：{esc(cites) or '无'}</div><div>意图 {esc(item.intent)} · 索引 {esc(item.build_id)}</div>"
            f"</details><div class=\"sa-meta\">{esc(_when(item.rated_at))}</div></div>"
        )
    return "".join(cards)


@functools.cache
def _scratch() -> Path:
    """This process's folder for files handed to the browser (gradio serves files from the temp
    folder; $ASSISTANT_HOME may be anywhere)."""
    folder = Path(tempfile.mkdtemp(prefix="shouhou-ops-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _export(lines: list[dict[str, Any]]) -> str:
    """The golden-set review file of what is pending now (`assistant feedback export`)."""
    folder = _scratch()
    target = folder / f"待审核评测题-{datetime.now():%Y%m%d}.jsonl"
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".jsonl")
    with open(fd, "w", encoding="utf-8") as fh:
        fh.write(golden_jsonl(lines))
    os.replace(tmp, target)
    return str(target)


def _pending_choices(groups: Sequence[QuestionGroup], items: Sequence[DislikedAnswer]) -> list[tuple[str, str]]:
    choices = [(f"未答 ×{g.count}：{g.question[:40]}", "q:" + ",".join(map(str, g.ids))) for g in groups]
    choices += [(f"踩：{(i.question or '（未记录问题）')[:30]} — {i.comment[:20] or '没有留言'}", f"f:{i.id}") for i in items]
    return choices


def ops_tab(store: FeedbackStore, access: Access, *, demo: gr.Blocks, tab: gr.Tab) -> None:
    """The 运营 tab's contents (call inside `tab`); the tab is shown to maintainers at page load."""
    gr.Markdown("未答问题与用户评价。处理完一项（补充资料、修正文档或加入评测题）后把它标记为已处理。")
    with gr.Row():
        refresh = gr.Button("刷新", size="sm", elem_id="ops-refresh", min_width=80)
        show_handled = gr.Checkbox(label="显示已处理的条目", value=False, elem_id="ops-show-handled")
        export = gr.DownloadButton("导出为待审核评测题（JSONL）", size="sm", elem_id="ops-export", min_width=200)
    gr.Markdown("#### 每日统计")
    counts = gr.HTML(elem_id="ops-counts")
    gr.Markdown("#### 最常见的未答问题")
    groups = gr.HTML(elem_id="ops-unanswered")
    gr.Markdown("#### 被点踩的回答")
    dislikes = gr.HTML(elem_id="ops-disliked")
    pending = gr.CheckboxGroup(label="选择已处理的条目", choices=[], elem_id="ops-pending")
    mark = gr.Button("标记为已处理", elem_id="ops-mark")
    message = gr.HTML(elem_id="ops-message")

    def load(handled: bool, request: gr.Request) -> tuple[Any, ...]:
        try:
            access.check(_user(request))
            # Read once for the view and the export: grouping the questions is the slow part.
            found = store.unanswered(include_handled=handled, limit=EXPORT_LIMIT)
            bad = store.disliked(include_handled=handled, limit=EXPORT_LIMIT)
            pending = store.export_golden() if handled else golden_lines(found, bad)  # only pending is exported
            found, bad = found[:SHOWN_GROUPS], bad[:SHOWN_DISLIKED]
            return (counts_html(store.daily_counts()), groups_html(found), dislikes_html(bad),
                    gr.CheckboxGroup(choices=_pending_choices(found, bad), value=[]), "", _export(pending))
        except AssistantError as exc:
            return "", "", "", gr.CheckboxGroup(choices=[], value=[]), error_html(str(exc)), None

    def handle(chosen: list[str] | None, handled: bool, request: gr.Request) -> tuple[Any, ...]:
        try:
            access.check(_user(request))
        except AssistantError as exc:
            return "", "", "", gr.skip(), error_html(str(exc)), None
        questions = [int(i) for c in chosen or [] if c.startswith("q:") for i in c[2:].split(",") if i]
        feedback = [int(c[2:]) for c in chosen or [] if c.startswith("f:")]
        changed = store.mark_handled(questions=questions, feedback=feedback)
        out = load(handled, request)
        return (*out[:4], f'<p class="sa-small">已标记 {changed} 条为已处理。</p>', out[5])

    # A DownloadButton serves the file it already holds, so every refresh writes a fresh export.
    outputs = [counts, groups, dislikes, pending, message, export]
    refresh.click(load, inputs=show_handled, outputs=outputs, api_visibility="private")
    show_handled.change(load, inputs=show_handled, outputs=outputs, api_visibility="private")
    mark.click(handle, inputs=[pending, show_handled], outputs=outputs, api_visibility="private")

    def on_select(request: gr.Request) -> tuple[Any, ...]:
        return load(False, request)

    def reveal_ops(request: gr.Request) -> Any:
        return gr.Tab(visible=access.may_maintain(_user(request)))

    tab.select(on_select, outputs=outputs, api_visibility="private")
    demo.load(reveal_ops, outputs=tab, api_visibility="private", queue=False)


# ---------------------------------------------------------------------------------------------
# Uploads (in the 知识库 tab).


def preview_html(items: Sequence[Any], refused: Sequence[tuple[str, str]]) -> str:
    """What each file would add (sections and the first chunks), and why others are refused."""
    out = []
    for item in items:
        chunks = item.chunks()
        sections = list(dict.fromkeys(c.section for c in chunks))
        notes = "".join(f'<div class="sa-small">提示：{esc(n)}</div>' for n in item.notes)
        rows = [[esc(c.section), esc(c.text[:160]) + ("…" if len(c.text) > 160 else "")] for c in chunks[:_PREVIEW_CHUNKS]]
        more = f'<p class="sa-small">…… 另有 {len(chunks) - _PREVIEW_CHUNKS} 个片段</p>' if len(chunks) > _PREVIEW_CHUNKS else ""
        out.append(
            f'<div class="sa-card sa-preview"><div><b>{esc(item.name)}</b>（{esc(item.format)}）：'
            f"{len(sections)} 个小节，{len(chunks)} 个片段</div>{notes}{table(['小节', '片段内容'], rows)}{more}</div>"
        )
    out += [error_html(message) for _, message in refused]
    return "".join(out) or '<p class="sa-small">请选择要添加的文件。</p>'


def user_documents_html(docs: Sequence[Any]) -> str:
    if not docs:
        return '<p class="sa-small">还没有添加自己的文档。</p>'
    rows = [
        [esc(d.name), esc(d.format), str(d.chunks), f"{d.size / 1024:.0f} KB", esc(_when(d.added)),
         esc(d.error) if d.error else "正常"]
        for d in docs
    ]
    return table(["文件", "类型", "片段", "大小", "添加时间", "状态"], rows)


def _names(files: Sequence[Any] | None) -> tuple[list[Path], list[str]]:
    paths = [Path(f if isinstance(f, str) else getattr(f, "name", "")) for f in files or []]
    return paths, [p.name for p in paths]


def upload_section(reload_assistant: Callable[[], None], access: Access, *, demo: gr.Blocks,
                   then: tuple[Callable[[], Any], list[Any]] | None = None) -> None:
    """Upload with a preview, add (incremental index build with progress), list, download, remove;
    shown to maintainers at page load.

    Args:
        reload_assistant: makes the app answer from the new build.
        access: who may maintain.
        demo: the Blocks (for the page-load event).
        then: (handler, outputs) run after an add or remove, e.g. the tab's index status refresh.
    """
    from index.build import build_index
    from index.ingest import commit, list_documents, remove_documents, stage_files

    with gr.Column(visible=False, elem_id="kb-manage") as section:
        gr.Markdown("#### 添加自己的文档")
        files = gr.File(
            label="选择文件（.md .txt .pdf .docx .xlsx .html，可多选）；选好后先预览切分结果，再加入知识库",
            file_count="multiple", file_types=UPLOAD_TYPES, type="filepath", elem_id="kb-upload",
        )
        preview = gr.HTML(elem_id="kb-preview")
        with gr.Row():
            replace = gr.Checkbox(label="替换同名文档", value=False, elem_id="kb-replace")
            add = gr.Button("加入知识库", variant="primary", interactive=False, elem_id="kb-add")
        result = gr.HTML(elem_id="kb-add-result")
        gr.Markdown("#### 已添加的文档")
        listing = gr.HTML(elem_id="kb-mine")
        with gr.Row(equal_height=True):
            picked = gr.Dropdown(choices=[], value=None, label="选择已添加的文档", elem_id="kb-mine-pick", scale=3)
            download = gr.DownloadButton("下载原文件", visible=False, elem_id="kb-download", scale=1)
            remove = gr.Button("删除所选文档", variant="stop", elem_id="kb-remove", scale=1)

    def documents() -> tuple[str, Any]:
        docs = list_documents()
        return user_documents_html(docs), gr.Dropdown(choices=[d.name for d in docs], value=None)

    def reveal_uploads(request: gr.Request) -> tuple[Any, ...]:
        if not access.may_maintain(_user(request)):
            return gr.Column(visible=False), "", gr.Dropdown(choices=[])
        return gr.Column(visible=True), *documents()

    def on_files(chosen: list[Any] | None, request: gr.Request) -> tuple[str, Any]:
        try:
            access.check(_user(request))
            paths, names = _names(chosen)
            if not paths:
                return "", gr.Button(interactive=False)
            ok, refused = stage_files(paths, names=names)
        except AssistantError as exc:
            return error_html(str(exc)), gr.Button(interactive=False)
        return preview_html(ok, refused), gr.Button(interactive=bool(ok))

    def on_add(chosen: list[Any] | None, replacing: bool, request: gr.Request,
               progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008 - gradio's injection idiom
        try:
            access.check(_user(request))
            paths, names = _names(chosen)
            ok, refused = stage_files(paths, names=names)
            with _WRITE_LOCK:
                report = commit(ok, replace=replacing)
                if report.added:
                    build_index(progress=lambda stage, done, total: progress(done / max(total, 1), desc=f"{stage} {done}/{total}"))
                    reload_assistant()
        except AssistantError as exc:
            return (error_html(str(exc)), gr.skip(), *documents())
        lines = []
        if report.added:
            replaced = f"（其中替换 {len(report.replaced)} 个同名文档）" if report.replaced else ""
            lines.append(f'<p class="sa-small sa-added">已加入知识库：{esc("、".join(i.name for i in report.added))}{esc(replaced)}。现在就可以提问了。</p>')
        lines += [error_html(m) for _, m in refused + report.refused]
        return ("".join(lines), None, *documents())

    def on_pick(name: str | None, request: gr.Request) -> Any:
        if not name or not access.may_maintain(_user(request)):
            return gr.DownloadButton(visible=False)
        doc = next((d for d in list_documents() if d.name == name), None)
        if doc is None or doc.original is None:
            return gr.DownloadButton(visible=False)
        copy = _scratch() / "originals" / doc.name
        copy.parent.mkdir(exist_ok=True)
        shutil.copyfile(doc.original, copy)
        return gr.DownloadButton(value=str(copy), visible=True)

    def on_remove(name: str | None, request: gr.Request) -> tuple[Any, ...]:
        try:
            access.check(_user(request))
            if not name:
                return (error_html("请先在“选择文档”中选一个要删除的文档"), *documents())
            with _WRITE_LOCK:
                removed = remove_documents([name])
                build_index(progress=None)
                reload_assistant()
        except AssistantError as exc:
            return (error_html(str(exc)), *documents())
        return (f'<p class="sa-small">已删除：{esc("、".join(d.name for d in removed))}。</p>', *documents())

    files.change(on_files, inputs=files, outputs=[preview, add], api_visibility="private")
    added = add.click(on_add, inputs=[files, replace], outputs=[result, files, listing, picked], api_visibility="private")
    picked.change(on_pick, inputs=picked, outputs=download, api_visibility="private")
    removed = remove.click(on_remove, inputs=picked, outputs=[result, listing, picked], api_visibility="private")
    if then is not None:
        for event in (added, removed):
            event.then(then[0], outputs=then[1], api_visibility="private")
    demo.load(reveal_uploads, outputs=[section, listing, picked], api_visibility="private")
