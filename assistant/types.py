"""The result types every path shares: retrieval, calculators, composition, CLI and UI."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Answer", "Citation", "Passage", "Unit"]


@dataclass(frozen=True)
class Passage:
    """One retrieved piece of text, whatever retriever (or table) produced it."""

    chunk_id: str
    doc_id: str
    title: str
    section: str
    text: str
    source: str
    score: float = 0.0
    rank: int = 0
    origin: str = "hybrid"  # bm25 | dense | hybrid | table | unit
    # The text and section normalised at index time (empty for passages made at answer time).
    norm: str = field(default="", repr=False, compare=False)
    norm_section: str = field(default="", repr=False, compare=False)
    unit_id: str = field(default="", repr=False, compare=False)


@dataclass(frozen=True)
class Unit:
    """A corpus section as one answer: its heading, the questions it answers (`forms`), its
    sentences, and which of them are list items or steps. Built at index time (index/units.py)."""

    unit_id: str
    doc_id: str
    title: str
    section: str
    source: str
    sentences: tuple[str, ...]
    forms: tuple[str, ...] = ()
    items: tuple[int, ...] = ()  # indices into `sentences`, in list order
    standalone: bool = True  # False: a pointer section that answers nothing by itself
    kind: str = ""
    # Normalised at index time (textproc.normalize), so matching never normalises corpus text again.
    norm_sentences: tuple[str, ...] = ()
    norm_heading: str = ""  # heading and forms
    # The heading and each question form, normalised, and their content words (segmented once here).
    form_norms: tuple[str, ...] = ()
    form_words: tuple[tuple[str, ...], ...] = ()

    def passage(self, text: str | None = None) -> Passage:
        """The unit as a citable passage, quoting `text` (default: all of it)."""
        body = text if text is not None else "\n".join(self.sentences)
        return Passage(self.unit_id, self.doc_id, self.title, self.section, body, self.source, origin="unit",
                       unit_id=self.unit_id)


@dataclass(frozen=True)
class Citation:
    n: int
    doc_id: str
    title: str
    section: str
    text: str
    source: str

    @classmethod
    def from_passage(cls, n: int, passage: Passage, text: str | None = None) -> Citation:
        """Cite `passage`, quoting `text` (the supporting sentences) when given."""
        return cls(n, passage.doc_id, passage.title, passage.section, text or passage.text, passage.source)


@dataclass
class Answer:
    answer: str
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    intent: str = "qa"
    latency_ms: float = 0.0
    notice: str | None = None
    # Calculator results (Quote / Rating as plain dicts) for UIs that render tables.
    data: dict[str, Any] | None = None
    # Names this answer for feedback (`/feedback` takes it back with a verdict); "answer_id" in
    # the dict, since a batch line's own "id" is already there.
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def to_dict(self) -> dict[str, Any]:
        """The `assistant ask --json` object."""
        out: dict[str, Any] = {
            "answer_id": self.id,
            "answer": self.answer,
            "citations": [asdict(c) for c in self.citations],
            "abstained": self.abstained,
            "intent": self.intent,
            "latency_ms": round(self.latency_ms, 2),
        }
        if self.notice:
            out["notice"] = self.notice
        if self.data is not None:
            out["data"] = self.data
        return out
