"""Compound questions that mix a calculation with a question for the corpus ("我们300人，申请需要
满足什么条件？费用多少？"): the calculator answers its part, retrieval the others, and the answer
keeps both, each part under its own heading and every citation numbered once."""

from __future__ import annotations

from dataclasses import replace

from .citations import shift_citations
from .question import is_question
from .routing import is_fee_question, is_followup, is_score_question, names_other_topic
from .slots import Slots, parse_slots
from .types import Answer

__all__ = ["join_parts", "other_parts"]


def other_parts(parts: list[str]) -> list[str]:
    """The parts of a compound question (`question.split_parts`) that ask about something other than
    a cost or a grade (conditions, materials, process, duration, bodies); empty for a simple one."""
    if len(parts) < 2:
        return []
    return [p for p in parts if not is_fee_question(p) and not is_score_question(p) and (names_other_topic(p) or _asks_apart(p))]


def _asks_apart(part: str) -> bool:
    """Whether a part asks a question of its own that no calculation reads ("证书管几年？" beside a
    quote): it states no headcount, score or company type and leans on nothing before it (第二年呢,
    那复评呢 ask the quote again)."""
    return is_question(part) and parse_slots(part) == Slots() and not is_followup(part)


def join_parts(parts: list[str], calculated: Answer, answered: Answer, others: list[str]) -> Answer:
    """The calculator's answer and the corpus's answer to the `others` of the question's `parts`, in
    the order the question asks them, each under its part; the later answer's [n] markers move past
    the earlier one's citations. The calculator's intent and data are kept."""
    asked = "".join(p for p in parts if p not in others)
    blocks = [(asked, calculated), ("；".join(p.strip("，,。 ") for p in others), answered)]
    if parts.index(others[0]) < next(i for i, p in enumerate(parts) if p not in others):
        blocks.reverse()
    (head1, first), (head2, second) = blocks
    body2, cited2 = shift_citations(second.answer, second.citations, len(first.citations))
    body = f"①{head1.strip('，,。 ')}\n{first.answer}\n\n②{head2.strip('，,。 ')}\n{body2}"
    return replace(calculated, answer=body, citations=[*first.citations, *cited2])
