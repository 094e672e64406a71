"""Split documents along headings and Chinese sentence boundaries."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from typing import Any

from assistant.corpus import SECTION_SOURCES, Document, section_source_numbers
from assistant.textproc import split_sentences

__all__ = ["Chunk", "split_document"]

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

    @property
    def embed_text(self) -> str:
        """What gets embedded and indexed: the heading path gives short passages their topic."""
        return f"{self.title}｜{self.section}\n{self.text}"

    @property
    def content_hash(self) -> str:
        return hashlib.sha1(self.embed_text.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _sections(doc: Document) -> list[tuple[str, str, list[str]]]:
    """(heading, source text, lines); text before the first heading belongs to the title.

    A section cites the sources its `<!-- 来源: … -->` line names, or else all of the document's.
    """
    sections: list[tuple[str, str, list[str]]] = [(doc.title, doc.source_text, [])]
    for line in doc.body.splitlines():
        match = _HEADING.match(line)
        marker = SECTION_SOURCES.match(line.strip())
        if match:
            level = len(match.group(1))
            if level == 1 and not sections[-1][2] and len(sections) == 1:
                continue  # a leading "# Title" repeats the front-matter title
            sections.append((match.group(2).strip(), doc.source_text, []))
        elif marker:
            heading, _, lines = sections[-1]
            sections[-1] = (heading, doc.sources_text(section_source_numbers(marker.group(1))), lines)
        else:
            sections[-1][2].append(line)
    return [s for s in sections if any(x.strip() for x in s[2])]


def split_document(doc: Document, *, max_chars: int = MAX_CHARS) -> list[Chunk]:
    """Chunks of at most `max_chars` characters, cut only between sentences and never across sections."""
    chunks: list[Chunk] = []
    for heading, source, lines in _sections(doc):
        buffer: list[str] = []
        size = 0
        for sentence in split_sentences("\n".join(lines)):
            if buffer and size + len(sentence) > max_chars:
                chunks.append(_chunk(doc, heading, source, buffer, len(chunks)))
                buffer, size = [], 0
            buffer.append(sentence)
            size += len(sentence)
        if buffer:
            chunks.append(_chunk(doc, heading, source, buffer, len(chunks)))
    return chunks


def _chunk(doc: Document, heading: str, source: str, sentences: list[str], i: int) -> Chunk:
    return Chunk(
        chunk_id=f"{doc.id}#{i}",
        doc_id=doc.id,
        title=doc.title,
        section=heading,
        text="\n".join(sentences),
        source=source,
        kind=doc.kind,
    )
