"""The result types every path shares: retrieval, calculators, composition, CLI and UI."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Answer", "Citation", "Passage"]


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
    origin: str = "hybrid"  # bm25 | dense | hybrid | table


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
