"""Split documents along headings and Chinese sentence boundaries."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from typing import Any

from assistant.corpus import QUESTION_FORMS, SECTION_SOURCES, Document, question_forms, section_source_numbers
from assistant.question import matchable
from assistant.textproc import split_sentences

__all__ = ["Chunk", "Section", "sections", "split_document", "unit_id"]

_HEADING = re.compile(r"^(#{1,4})\s+(.+?)\s*#*\s*$")
MAX_CHARS = 220


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    doc_id: str
    title: str
    section: str
    text: str
    source: str
    kind: str
    unit_id: str = ""  # the answer unit (index/units.py) this chunk belongs to: one per section
    # Normalised once here, so that matching a question against passages never normalises them again.
    norm: str = ""
    norm_section: str = ""

    @property
    def embed_text(self) -> str:
        """What gets embedded and indexed: the heading path gives short passages their topic."""
        return f"{self.title}｜{self.section}\n{self.text}"

    @property
    def content_hash(self) -> str:
        return hashlib.sha1(self.embed_text.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Section:
    """One `##`/`###` section of a document (text before the first heading belongs to the title)."""

    heading: str
    source: str
    lines: list[str]
    forms: tuple[str, ...] = ()  # the questions it answers (`<!-- 问法: … -->`)
    standalone: bool = True  # False for `<!-- 问法: 无 -->`: a pointer that answers nothing alone


def sections(doc: Document) -> list[Section]:
    """The document's sections that hold text, in order.

    A section cites the sources its `<!-- 来源: … -->` line names, or else all of the document's.
    """
    found = [Section(doc.title, doc.source_text, [])]
    for line in doc.body.splitlines():
        match = _HEADING.match(line)
        marker = SECTION_SOURCES.match(line.strip())
        forms = QUESTION_FORMS.match(line.strip())
        if match:
            level = len(match.group(1))
            if level == 1 and not found[-1].lines and len(found) == 1:
                continue  # a leading "# Title" repeats the front-matter title
            found.append(Section(match.group(2).strip(), doc.source_text, []))
        elif marker:
            found[-1].source = doc.sources_text(section_source_numbers(marker.group(1)))
        elif forms:
            found[-1].forms = question_forms(forms.group(1))
            found[-1].standalone = bool(found[-1].forms)
        else:
            found[-1].lines.append(line)
    return [s for s in found if any(x.strip() for x in s.lines)]


def split_document(doc: Document, *, max_chars: int = MAX_CHARS) -> list[Chunk]:
    """Chunks of at most `max_chars` characters, cut only between sentences and never across sections."""
    chunks: list[Chunk] = []
    for n, section in enumerate(sections(doc)):
        buffer: list[str] = []
        size = 0
        for sentence in split_sentences("\n".join(section.lines)):
            if buffer and size + len(sentence) > max_chars:
                chunks.append(_chunk(doc, section, n, buffer, len(chunks)))
                buffer, size = [], 0
            buffer.append(sentence)
            size += len(sentence)
        if buffer:
            chunks.append(_chunk(doc, section, n, buffer, len(chunks)))
    return chunks


def unit_id(doc_id: str, section_number: int) -> str:
    """The id of a document's n-th section as an answer unit (shared by chunks and units)."""
    return f"{doc_id}§{section_number}"


def _chunk(doc: Document, section: Section, n: int, sentences: list[str], i: int) -> Chunk:
    return Chunk(
        chunk_id=f"{doc.id}#{i}",
        doc_id=doc.id,
        title=doc.title,
        section=section.heading,
        text="\n".join(sentences),
        source=section.source,
        kind=doc.kind,
        unit_id=unit_id(doc.id, n),
        norm=matchable("\n".join(sentences)),
        norm_section=matchable(section.heading),
    )
