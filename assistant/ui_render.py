"""HTML for the Gradio app: answers with footnoted sources, search results, documents, the CSS.

Every piece of user or corpus text goes through `esc` before it is placed in markup, so text such
as `<script>` or `<img onerror=...>` is shown as text wherever it comes from (a question, a
document, a search query). Only the markup written here is live HTML. The functions are pure:
plain data in, an HTML string out, so they can be checked without a browser. Quotes and ratings
are rendered by assistant/render/html.py, from the same pieces.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .render.html import esc
from .render.html import lines as _lines
from .render.html import linked as _linked
from .types import Answer, Citation, Passage

__all__ = [
    "CSS",
    "answer_html",
    "document_markdown",
    "error_html",
    "esc",
    "passages_html",
    "pending_html",
    "status_html",
    "user_html",
]

_MARKER = re.compile(r"\[(\d{1,2})\]")


def _source_list(source: str) -> list[str]:
    """A passage's original references: documents with several sources join them with "；"."""
    return [part.strip() for part in (source or "").split("；") if part.strip()]


def _sources_html(source: str) -> str:
    parts = _source_list(source)
    if not parts:
        return "（未注明）"
    if len(parts) == 1:
        return _linked(parts[0])
    return '<ul class="sa-list">' + "".join(f"<li>{_linked(p)}</li>" for p in parts) + "</ul>"


# ---------------------------------------------------------------------------------------------
# Chat.


def user_html(text: str) -> str:
    """A user's chat message, shown exactly as typed."""
    return f'<div class="sa-user">{_lines(text)}</div>'


def pending_html() -> str:
    """The placeholder shown while the answer is being looked up."""
    return '<div class="sa-answer sa-pending"><span class="sa-dots"></span>正在查找资料…</div>'


def _with_markers(text: str) -> str:
    """Escaped answer text; the composer's [n] markers become superscript footnote references,
    and its "- " point lines a bulleted list."""
    out: list[str] = []
    points: list[str] = []
    for line in text.split("\n"):
        if line.startswith("- "):
            points.append(line[2:])
            continue
        if points:
            out.append('<ul class="sa-points">' + "".join(f"<li>{esc(p)}</li>" for p in points) + "</ul>")
            points = []
        if line.strip():
            out.append(f"<div>{esc(line)}</div>")
    if points:
        out.append('<ul class="sa-points">' + "".join(f"<li>{esc(p)}</li>" for p in points) + "</ul>")
    return _MARKER.sub(r'<sup class="sa-ref">[\1]</sup>', "".join(out))


def _citation(c: Citation) -> str:
    section = f" · {esc(c.section)}" if c.section else ""
    source = _sources_html(c.source)
    return (
        f'<details class="sa-cite"><summary><span class="sa-cite-n">[{c.n}]</span> '
        f"{esc(c.title)}{section}</summary>"
        f'<blockquote class="sa-quote">{_lines(c.text)}</blockquote>'
        f'<div class="sa-meta"><div>文档：{esc(c.title)}（{esc(c.doc_id)}）</div>'
        f"<div>小节：{esc(c.section) or '—'}</div><div>原始来源：{source}</div></div></details>"
    )


# Classes by intent: not_covered is an honest "the materials do not say" (blue, labelled), chat a
# plain reply; every other abstention (out_of_scope, invalid) is a refusal (amber).
_KINDS = {"not_covered": " sa-not-covered", "chat": " sa-chat"}


def answer_html(answer: Answer, *, shown: int | None = None) -> str:
    """An assistant answer: text with [n] markers, then the numbered sources as expandable footnotes.

    Args:
        answer: the answer from `Assistant.ask`.
        shown: while streaming, how many characters of the answer text to show (sources come
            only with the complete answer); None for the complete answer.
    """
    streaming = shown is not None and shown < len(answer.answer)
    text = answer.answer[:shown] if streaming else answer.answer
    # A marker cut in half ("[1") would flash as text; hold it back until it is complete.
    if streaming:
        text = re.sub(r"\[\d{0,2}$", "", text)
    state = "sa-streaming" if streaming else "sa-done"
    # A refusal, a "not covered" reply and a chat reply each look their own way (_KINDS).
    kind = _KINDS.get(answer.intent, " sa-abstain" if answer.abstained else "")
    # The intent rides in a class: the chat's sanitizer drops data-* attributes.
    intent = re.sub(r"[^a-z_]", "", answer.intent)
    # So does the answer's id, which a 👍/👎 on this message hands back (assistant/ui_ops.py).
    answer_id = re.sub(r"[^0-9a-f]", "", answer.id)
    parts = [f'<div class="sa-answer {state}{kind} sa-intent-{intent} sa-id-{answer_id}">']
    if answer.intent == "not_covered":
        parts.append('<div class="sa-label">资料未覆盖这一点</div>')
    parts.append(f'<div class="sa-text">{_with_markers(text)}</div>')
    if not streaming:
        if answer.notice and answer.notice not in answer.answer:
            parts.append(f'<div class="sa-notice">{_lines(answer.notice)}</div>')
        if answer.citations:
            parts.append('<div class="sa-sources"><div class="sa-sources-h">来源（点击展开原文）</div>')
            parts += [_citation(c) for c in answer.citations]
            parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


def error_html(message: str) -> str:
    """A short message next to a field or in place of a result."""
    return f'<div class="sa-error" role="alert">{_lines(message)}</div>' if message else ""


# ---------------------------------------------------------------------------------------------
# Knowledge base.


def status_html(status: Mapping[str, Any]) -> str:
    """The index card: documents, chunks, embedder, build time."""
    if not status:
        return error_html("尚无索引：运行 assistant index build 后刷新本页。")
    built = str(status.get("built_at") or "—").replace("T", " ")[:19]
    rows = [
        ("文档数", status.get("documents")),
        ("文本块", status.get("chunks")),
        ("向量模型", status.get("embedder") or status.get("embed_spec")),
        ("构建时间", built),
        ("索引大小", f"{status.get('size_mb', '—')} MB"),
    ]
    cells = "".join(f'<div class="sa-stat"><span>{esc(k)}</span><b>{esc(v)}</b></div>' for k, v in rows)
    stale = status.get("stale")
    warn = error_html(f"索引可能已过期：{stale}") if stale else ""
    return f'<div class="sa-stats">{cells}</div>{warn}'


def passages_html(query: str, passages: Sequence[Passage]) -> str:
    """Ranked passages with score, title, section, text and original source."""
    if not query.strip():
        return '<p class="sa-small">请输入要检索的内容。</p>'
    if not passages:
        return f'<p class="sa-small">没有找到与“{esc(query)}”相关的段落。</p>'
    out = [f'<p class="sa-small">“{esc(query)}”的检索结果（共 {len(passages)} 条，按相关度排序）：</p>']
    for p in passages:
        out.append(
            f'<div class="sa-card sa-hit"><div class="sa-hit-h"><span class="sa-rank">#{p.rank or ""}</span> '
            f"<b>{esc(p.title)}</b> · {esc(p.section)}"
            f' <span class="sa-score-chip">得分 {p.score:.4f}</span></div>'
            f'<div class="sa-hit-text">{_lines(p.text)}</div>'
            f'<div class="sa-meta">文档 {esc(p.doc_id)} · 检索方式 {esc(p.origin)}</div>'
            # A document may list a dozen web pages; they stay folded so the ranked texts read as a list.
            f'<details class="sa-meta"><summary>原始来源（{len(_source_list(p.source))} 条）</summary>'
            f"{_sources_html(p.source)}</details></div>"
        )
    return "".join(out)


def document_markdown(title: str, kind: str, confidence: str, sources: Sequence[Mapping[str, Any]], body: str) -> str:
    """A whole document as Markdown; its text is HTML-escaped so only Markdown structure is live."""
    refs = []
    for s in sources:
        url = str(s.get("url") or "")
        name = esc(s.get("title") or url or "（未注明）")
        # Only http(s) links, and the URL escaped, so a document cannot smuggle in javascript:.
        refs.append(f"- {name} <{esc(url)}>" if url.startswith(("http://", "https://")) else f"- {name}")
    return (
        f"# {esc(title)}\n\n类别：{esc(kind)} · 可信度：{esc(confidence)}\n\n"
        + esc(body).strip()
        + "\n\n## 原始来源\n\n"
        + ("\n".join(refs) or "（未注明）")
        + "\n"
    )


# ---------------------------------------------------------------------------------------------

CSS = """
.gradio-container { max-width: 1040px !important; margin: 0 auto !important; }
/* Gradio scopes @media rules to elements inside `.contain`, so the page padding (outside it) shrinks
   with the viewport through clamp() instead: 32px on a laptop, 8px on a 390px phone. */
.gradio-container .main.app { padding-left: clamp(8px, 4vw - 8px, 32px) !important;
  padding-right: clamp(8px, 4vw - 8px, 32px) !important; }
.sa-header h1 { margin: .2em 0 0 0; font-size: 1.6em; }
.sa-header p { margin: .2em 0 .6em 0; color: var(--body-text-color-subdued); }
.sa-answer, .sa-user, .sa-card, .sa-table, .sa-hit-text, .sa-meta, .sa-error { overflow-wrap: anywhere; }
.sa-answer { line-height: 1.75; }
.sa-user { white-space: normal; }
.sa-abstain .sa-text { color: var(--body-text-color); border-left: 3px solid #d97706; padding-left: .6em; }
.sa-not-covered .sa-text { border-left: 3px solid #2563eb; background: rgba(37, 99, 235, .06); padding: .3em .6em; }
.sa-label { display: inline-block; font-size: .8em; color: #1d4ed8; background: rgba(37, 99, 235, .12);
  border-radius: 4px; padding: 0 .5em; margin-bottom: .3em; }
.sa-points { margin: .2em 0 .2em 1.2em; padding: 0; list-style: disc; }
.sa-points li { margin: .1em 0; }
.sa-ref { color: var(--color-accent); font-weight: 600; margin-left: 1px; }
.sa-notice { margin-top: .4em; font-size: .9em; color: #b45309; }
.sa-sources { margin-top: .7em; padding-top: .4em; border-top: 1px solid var(--border-color-primary); font-size: .92em; }
.sa-sources-h { font-weight: 600; margin-bottom: .2em; color: var(--body-text-color-subdued); }
details.sa-cite { margin: .25em 0; }
details.sa-cite > summary { cursor: pointer; list-style: revert; }
.sa-cite-n { color: var(--color-accent); font-weight: 600; }
blockquote.sa-quote { margin: .4em 0; padding: .45em .8em; border-left: 3px solid var(--color-accent);
  background: var(--background-fill-secondary); font-style: normal; }
.sa-meta { font-size: .85em; color: var(--body-text-color-subdued); }
.sa-meta a, .sa-list a { word-break: break-all; }
.sa-pending { color: var(--body-text-color-subdued); }
.sa-dots::before { content: "⏳ "; }
.sa-error { color: #b91c1c; background: #fef2f2; border: 1px solid #fecaca; border-radius: 6px;
  padding: .35em .6em; margin-top: .3em; font-size: .92em; }
.dark .sa-error { background: #3f1d1d; color: #fecaca; border-color: #7f1d1d; }
.sa-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: .7em .9em; margin: .4em 0;
  background: var(--background-fill-secondary); }
.sa-big { font-size: 1.25em; margin: .15em 0; }
.sa-big b { font-size: 1.3em; color: var(--color-accent); }
.sa-kicker { color: var(--body-text-color-subdued); font-size: .92em; }
.sa-small { font-size: .88em; color: var(--body-text-color-subdued); }
.sa-badge { display: inline-block; background: #fde68a; color: #78350f; border-radius: 4px; padding: 0 .45em;
  font-size: .85em; font-weight: 600; }
table.sa-table { width: 100%; border-collapse: collapse; margin: .3em 0 .6em 0; font-size: .93em; }
table.sa-table th, table.sa-table td { border: 1px solid var(--border-color-primary); padding: .3em .45em;
  text-align: left; vertical-align: top; }
table.sa-table th { background: var(--background-fill-secondary); }
table.sa-table td:last-child, table.sa-table th:last-child { text-align: right; white-space: nowrap; }
.sa-bars { margin: .3em 0 .6em 0; }
.sa-bar-row { display: grid; grid-template-columns: minmax(5em, 9em) 1fr auto; gap: .5em; align-items: center;
  margin: .25em 0; font-size: .92em; }
.sa-bar-track { background: var(--background-fill-secondary); border-radius: 4px; height: 14px; overflow: hidden;
  border: 1px solid var(--border-color-primary); }
.sa-bar-fill { background: var(--color-accent); height: 100%; }
.sa-bar-val { white-space: nowrap; font-variant-numeric: tabular-nums; }
.sa-stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(8.5em, 1fr)); gap: .5em; margin: .3em 0; }
.sa-stat { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: .45em .7em; }
.sa-stat span { display: block; font-size: .8em; color: var(--body-text-color-subdued); }
.sa-stat b { overflow-wrap: anywhere; }
.sa-hit-h { margin-bottom: .25em; }
.sa-rank { color: var(--body-text-color-subdued); }
.sa-score-chip { font-size: .8em; border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 0 .5em;
  white-space: nowrap; }
.sa-examples { flex-wrap: wrap !important; gap: .4em !important; }
.sa-examples button { flex: 0 1 auto !important; min-width: 0 !important; white-space: normal; }
.sa-indicator .wrap { gap: 6px !important; }
.sa-indicator .wrap label { padding: 3px 9px !important; font-size: .92em; }
.sa-doc { overflow-wrap: anywhere; }
.sa-doc table { display: block; overflow-x: auto; max-width: 100%; }
@media (max-width: 640px) {
  .sa-bar-row { grid-template-columns: minmax(4em, 6.5em) 1fr auto; }
  table.sa-table { font-size: .85em; }
  .sa-header h1 { font-size: 1.3em; }
  /* Five tabs (with 运营) fit a 360px phone only with narrower padding. */
  #tabs .tab-container button { padding-left: 8px; padding-right: 8px; }
}
"""
