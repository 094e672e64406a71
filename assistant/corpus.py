"""Corpus documents: load, validate front matter, render data-backed tables into the text."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .config import corpus_dir, home
from .errors import CorpusError
from .render.rows import table_lines

__all__ = ["KINDS", "SECTION_SOURCES", "Document", "load_corpus", "load_document", "render_placeholders", "section_source_numbers", "user_docs_dir"]

KINDS = frozenset(
    {"standard", "procedure", "fees", "eligibility", "materials", "timeline", "scoring", "related", "faq", "user"}
)
_CONFIDENCE = frozenset({"多源", "单源", "冲突", "推断", "用户"})
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
_PLACEHOLDER = re.compile(r"^\{\{data:([a-z0-9_.]+)\}\}\s*$", re.M)
# Put under a heading, names which front-matter sources support that section: <!-- 来源: 1, 3 -->
SECTION_SOURCES = re.compile(r"^<!--\s*来源[:：]\s*([\d,，\s]+?)\s*-->\s*$", re.M)


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
    paths = sorted(corpus_dir().glob("*.md"))
    for folder in (user_docs_dir(), *extra_dirs):
        if folder.is_dir():
            paths += sorted(p for p in folder.iterdir() if p.suffix in {".md", ".txt"})
    docs: dict[str, Document] = {}
    for path in paths:
        doc = load_document(path)
        if doc.id in docs:
            raise CorpusError(f"{path}: id {doc.id!r} 与 {docs[doc.id].path} 重复")
        docs[doc.id] = doc
    return [docs[k] for k in sorted(docs)]


def load_document(path: Path) -> Document:
    """One document. Files without front matter (users' .txt/.md) get a derived id and title."""
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
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
    return Document(
        id=_field(meta, "id", path, check=lambda v: bool(_ID.match(v)), hint="小写字母、数字和连字符"),
        title=_field(meta, "title", path),
        kind=_field(meta, "kind", path, check=lambda v: v in KINDS, hint="/".join(sorted(KINDS))),
        sources=sources,
        confidence=_field(meta, "confidence", path, check=lambda v: v in _CONFIDENCE, hint="/".join(_CONFIDENCE)),
        body=body,
        path=str(path),
    )


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
