"""Compound questions that mix a calculation with a question for the corpus ("我们300人，申请需要
满足什么条件？费用多少？"): the calculator answers its part, retrieval the others, and the answer
keeps both, each part under its own heading and every citation numbered once."""

from __future__ import annotations

from dataclasses import replace

from .citations import shift_markers
from .question import split_parts
from .routing import is_fee_question, is_score_question, names_other_topic
from .types import Answer

__all__ = ["join_parts", "other_parts"]


def other_parts(text: str) -> list[str]:
    """The parts of a compound question that ask about something other than a cost or a grade
    (conditions, materials, process, duration, bodies); empty for a simple question."""
    parts = split_parts(text)
    if len(parts) < 2:
        return []
    return [p for p in parts if names_other_topic(p) and not is_fee_question(p) and not is_score_question(p)]


def join_parts(text: str, calculated: Answer, answered: Answer, others: list[str]) -> Answer:
    """The calculator's answer and the corpus's answer to the `others` parts of `text`, in the order
    the question asks them, each under its part; the later answer's [n] markers move past the
    earlier one's citations. The calculator's intent and data are kept."""
    parts = split_parts(text)
    asked = "".join(p for p in parts if p not in others)
    blocks = [(asked, calculated), ("；".join(p.strip("，,。 ") for p in others), answered)]
    if parts.index(others[0]) < next(i for i, p in enumerate(parts) if p not in others):
        blocks.reverse()
    (head1, first), (head2, second) = blocks
    offset = len(first.citations)
    citations = [*first.citations, *(replace(c, n=c.n + offset) for c in second.citations)]
    body = f"①{head1.strip('，,。 ')}\n{first.answer}\n\n②{head2.strip('，,。 ')}\n{shift_markers(second.answer, offset)}"
    return replace(calculated, answer=body, citations=citations)
