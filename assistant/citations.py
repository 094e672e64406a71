"""The [n] numberer every cited answer uses: calculator answers now, the retrieval composer later.

A passage gets its number the first time it is cited; citing it again gives the same number.
Passages are the same passage when their `chunk_id` is (the calculators' table passages are keyed
by `doc_id#section`). The citation quotes the sentences recorded with `quote`, or, when none were,
the whole passage.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .types import Citation, Passage

__all__ = ["Citations", "shift_citations"]

_MARKER = re.compile(r"\[(\d+)\]")


def shift_citations(text: str, citations: list[Citation], by: int) -> tuple[str, list[Citation]]:
    """`text` and its `citations` renumbered n → n + `by`, to follow `by` citations placed before them."""
    return (_MARKER.sub(lambda m: f"[{int(m.group(1)) + by}]", text),
            [replace(c, n=c.n + by) for c in citations])


class Citations:
    """Numbers passages in the order they are first cited."""

    def __init__(self) -> None:
        self._passages: dict[str, Passage] = {}
        self._quotes: dict[str, list[str]] = {}

    def number(self, passage: Passage) -> int:
        """The passage's number, giving it the next one if it has none yet."""
        self._passages.setdefault(passage.chunk_id, passage)
        return list(self._passages).index(passage.chunk_id) + 1

    def mark(self, passage: Passage) -> str:
        """'[n]' for the passage."""
        return f"[{self.number(passage)}]"

    def quote(self, passage: Passage, sentence: str) -> str:
        """Record that `sentence` is quoted from the passage (its citation then shows the quoted
        sentences, one a line, in the order recorded); returns its '[n]'."""
        marker = self.mark(passage)
        quotes = self._quotes.setdefault(passage.chunk_id, [])
        if sentence not in quotes:
            quotes.append(sentence)
        return marker

    @property
    def citations(self) -> list[Citation]:
        """The citations, numbered 1, 2, … in order of first citation."""
        return [
            Citation.from_passage(n, passage, "\n".join(self._quotes.get(key, [])) or None)
            for n, (key, passage) in enumerate(self._passages.items(), 1)
        ]
