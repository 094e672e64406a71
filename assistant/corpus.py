"""Corpus documents: load, validate front matter, render data-backed tables into the text."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .config import corpus_dir, home
from .errors import CorpusError
from .render.rows import table_lines

__all__ = [
    "KINDS",
    "NO_FORMS",
    "QUESTION_FORMS",
    "SECTION_SOURCES",
    "Document",
    "load_corpus",
    "load_document",
    "load_user_documents",
    "parse_document",
    "question_forms",
    "render_placeholders",
    "section_source_numbers",
    "split_front_matter",
    "user_docs_dir",
]

log = logging.getLogger("assistant.corpus")

KINDS = frozenset(
    {"standard", "procedure", "fees", "eligibility", "materials", "timeline", "scoring", "related", "faq", "user"}
)
_CONFIDENCE = frozenset({"多源", "单源", "冲突", "推断", "用户"})
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
_PLACEHOLDER = re.compile(r"^\{\{data:([a-z0-9_.]+)\}\}\s*$", re.M)
# Put under a heading, names which front-matter sources support that section: <!-- 来源: 1, 3 -->
SECTION_SOURCES = re.compile(r"^<!--\s*来源[:：]\s*([\d,，\s]+?)\s*-->\s*$", re.M)
# Put under a heading (after its source line), the questions the section answers, in users' words:
# <!-- 问法: 证书能用几年｜证书管多久 -->. `<!-- 问法: 无 -->` marks a section that answers nothing
# by itself (a pointer to another section). docs/DESIGN.md "Corpus documents" defines the syntax.
QUESTION_FORMS = re.compile(r"^<!--\s*问法[:：]\s*(.*?)\s*-->\s*$", re.M)
NO_FORMS = "无"
_FORM_SPLIT = re.compile(r"[｜|]")
_FORM_CHARS = (2, 60)
_HEADING_LINE = re.compile(r"^#{1,4}\s+\S")


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    kind: str
    sources: tuple[dict[str, Any], ...]
    confidence: str
    body: str
    path: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def source_text(self) -> str:
        """The original references as one line: 'title url; title url'."""
        return self.sources_text()

    def sources_text(self, numbers: list[int] | None = None) -> str:
        """'title url; title url' for the given 1-based source numbers (all sources when None)."""
        chosen = [self.sources[n - 1] for n in numbers] if numbers else list(self.sources)
        return "；".join(" ".join(str(s.get(k) or "") for k in ("title", "url")).strip() for s in chosen)

    @property
    def content_hash(self) -> str:
        payload = "\n".join([self.id, self.title, self.kind, self.source_text, self.body])
        return hashlib.sha1(payload.encode("utf-8")).hexdigest()


def user_docs_dir() -> Path:
    """Where `assistant index add` copies users' own documents."""
    return home() / "docs"


def load_corpus(*, extra_dirs: Iterable[Path] = ()) -> list[Document]:
    """The shipped corpus plus users' documents, sorted by id.

    Raises:
        CorpusError: a file's front matter is broken (the message names the file and field),
            or two documents share an id.
    """
    docs: dict[str, Document] = {}
    for path in sorted(corpus_dir().glob("*.md")):
        doc = load_document(path)
        if doc.id in docs:
            raise CorpusError(f"{path}: id {doc.id!r} 与 {docs[doc.id].path} 重复")
        docs[doc.id] = doc
    for folder in (user_docs_dir(), *extra_dirs):
        for doc in load_user_documents(folder, known=docs):
            docs[doc.id] = doc
    return [docs[k] for k in sorted(docs)]


def load_user_documents(folder: Path, *, known: dict[str, Document] | None = None) -> list[Document]:
    """The users' documents of `folder` that load; each one that does not is skipped with a warning
    naming it, so one bad file cannot stop the index or the app. Symbolic links are never followed."""
    known = dict(known or {})
    out: list[Document] = []
    if not folder.is_dir():
        return out
    for path in sorted(p for p in folder.iterdir() if p.suffix in {".md", ".txt"}):
        if path.is_symlink() or not path.is_file():
            log.warning("跳过用户文档 %s：是符号链接或不是普通文件", path.name)
            continue
        try:
            doc = load_document(path)
        except (CorpusError, OSError, UnicodeDecodeError) as exc:
            log.warning("跳过用户文档 %s：%s", path.name, str(exc).replace(str(path), path.name))
            continue
        if doc.id in known:
            log.warning("跳过用户文档 %s：id %r 与 %s 重复", path.name, doc.id, Path(known[doc.id].path).name)
            continue
        known[doc.id] = doc
        out.append(doc)
    return out


def load_document(path: Path) -> Document:
    """One document. Files without front matter (users' .txt/.md) get a derived id and title."""
    return parse_document(path.read_text(encoding="utf-8"), path)


def parse_document(text: str, path: Path) -> Document:
    """The document whose text is `text`; `path` names it in messages and sets the derived id.

    Raises:
        CorpusError: the front matter is broken (the message names `path` and the field).
    """
    text = text.replace("\r\n", "\n")
    match = _FRONT.match(text)
    if not match:
        return _user_document(path, text)
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise CorpusError(f"{path}: front matter 不是合法的 YAML（{exc.__class__.__name__}）") from exc
    if not isinstance(meta, dict):
        raise CorpusError(f"{path}: front matter 应为 key: value 映射")
    body = render_placeholders(text[match.end() :], path)
    sources = _sources(meta, path)
    for found in SECTION_SOURCES.finditer(body):
        numbers = section_source_numbers(found.group(1))
        if not numbers or max(numbers) > len(sources) or min(numbers) < 1:
            raise CorpusError(f"{path}: 小节来源标注 {found.group(0)!r} 超出 sources 的范围 1–{len(sources)}")
    _check_question_forms(body, path)
    return Document(
        id=_field(meta, "id", path, check=lambda v: bool(_ID.match(v)), hint="小写字母、数字和连字符"),
        title=_field(meta, "title", path),
        kind=_field(meta, "kind", path, check=lambda v: v in KINDS, hint="/".join(sorted(KINDS))),
        sources=sources,
        confidence=_field(meta, "confidence", path, check=lambda v: v in _CONFIDENCE, hint="/".join(_CONFIDENCE)),
        body=body,
        path=str(path),
    )


def split_front_matter(text: str) -> tuple[str | None, str]:
    """(the YAML between the leading `---` lines or None, the body after them)."""
    text = text.replace("\r\n", "\n")
    match = _FRONT.match(text)
    return (match.group(1), text[match.end() :]) if match else (None, text)


def question_forms(text: str) -> tuple[str, ...]:
    """The forms of a `<!-- 问法: … -->` line's inside ('a｜b｜c'); () for `无`."""
    forms = tuple(f.strip() for f in _FORM_SPLIT.split(text) if f.strip())
    return () if forms == (NO_FORMS,) else forms


def _check_question_forms(body: str, path: Path) -> None:
    """Each 问法 line sits right under a heading (or its 来源 line), once per section, with forms
    of sensible length that no other section of the document repeats.

    Raises:
        CorpusError: naming the file, the line and what to change.
    """
    seen: dict[str, int] = {}
    previous = ""  # the last non-blank line before the current one
    section_has_forms = False
    for number, line in enumerate(body.splitlines(), 1):
        text = line.strip()
        if _HEADING_LINE.match(text):
            section_has_forms = False
        match = QUESTION_FORMS.match(text)
        if match:
            where = f"{path}: 第{number}行的问法标注"
            if not (_HEADING_LINE.match(previous) or SECTION_SOURCES.match(previous)):
                raise CorpusError(f"{where}应紧跟在小节标题（或其来源标注）之下")
            if section_has_forms:
                raise CorpusError(f"{where}重复：每个小节只写一行问法，多个问法用“｜”分隔")
            section_has_forms = True
            raw = [f.strip() for f in _FORM_SPLIT.split(match.group(1))]
            if not any(raw):
                raise CorpusError(f"{where}为空：写出这一节回答的问题，用“｜”分隔；不单独作答的小节写“无”")
            if NO_FORMS in raw and len([f for f in raw if f]) > 1:
                raise CorpusError(f"{where}把“无”和其他问法写在一起：不单独作答的小节只写“无”")
            for form in question_forms(match.group(1)):
                low, high = _FORM_CHARS
                if not low <= len(form) <= high:
                    raise CorpusError(f"{where}中的 {form!r} 有{len(form)}个字，应为{low}到{high}个字")
                if form in seen:
                    raise CorpusError(f"{where}中的 {form!r} 与第{seen[form]}行重复：同一问法只归一个小节")
                seen[form] = number
        if text:
            previous = text


def section_source_numbers(text: str) -> list[int]:
    """[1, 3] from the '1, 3' of a section-source comment."""
    return [int(n) for n in re.split(r"[,，\s]+", text.strip()) if n]


def _field(meta: dict[str, Any], name: str, path: Path, *, check: Callable[[str], bool] | None = None,
           hint: str = "") -> str:
    value = meta.get(name)
    if not isinstance(value, str) or not value.strip():
        raise CorpusError(f"{path}: front matter 缺少字段 {name!r}（应为非空字符串）")
    value = value.strip()
    if check is not None and not check(value):
        raise CorpusError(f"{path}: 字段 {name!r} 的值 {value!r} 不合法，应为 {hint}")
    return value


def _sources(meta: dict[str, Any], path: Path) -> tuple[dict[str, Any], ...]:
    sources = meta.get("sources")
    if not isinstance(sources, list) or not sources:
        raise CorpusError(f"{path}: front matter 缺少字段 'sources'（至少一条，含 title 和 url）")
    for i, item in enumerate(sources):
        if not isinstance(item, dict) or not item.get("title"):
            raise CorpusError(f"{path}: 字段 'sources' 第 {i + 1} 条缺少 title")
    return tuple(sources)


def _user_document(path: Path, text: str) -> Document:
    heading = re.search(r"^#\s+(.+)$", text, re.M)
    stem = re.sub(r"[^a-z0-9-]+", "-", path.stem.lower()).strip("-")
    digest = hashlib.sha1(path.name.encode("utf-8")).hexdigest()[:8]
    return Document(
        id=f"user-{stem or 'doc'}-{digest}",
        title=heading.group(1).strip() if heading else path.stem,
        kind="user",
        sources=({"title": f"用户文档 {path.name}", "url": None},),
        confidence="用户",
        body=text,
        path=str(path),
    )


# ---------------------------------------------------------------------------------------------
# Data-backed sections. Each table is rendered as one self-contained sentence per row (by
# assistant/render/rows.py, the sentences a calculator answer cites), so the answer composer can
# quote a row exactly and the calculators' figures appear verbatim.


def render_placeholders(body: str, path: Path | str = "") -> str:
    """Replace `{{data:...}}` lines with sentences rendered from corpus/data.

    Raises:
        CorpusError: the placeholder names no table, or the table is malformed.
    """

    def repl(match: re.Match[str]) -> str:
        key = match.group(1)
        try:
            return "\n".join(table_lines(key))
        except KeyError as exc:
            raise CorpusError(f"{path}: 未知的数据占位符 {{{{data:{key}}}}}") from exc

    return _PLACEHOLDER.sub(repl, body)
