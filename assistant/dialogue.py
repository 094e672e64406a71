"""The conversation's calculator side: routed fee and score questions become cited answers.

The parts live apart: `assistant.slots` reads what one question states, `assistant.routing`
decides where it goes and keeps the `Session`; this module turns a fee or score `Route` into an
`Answer` (through the render layer) and re-exports the names the CLI, UI and tests use. Nothing
here imports retrieval, jieba or a model: the calculator path stays fast.
"""

from __future__ import annotations

from .calculators import fees, scoring
from .errors import InputError
from .render import chat
from .routing import Route, Session, replay, route
from .slots import Slots, parse_slots
from .types import Answer

__all__ = ["Route", "Session", "Slots", "answer_calculation", "parse_slots", "replay", "route"]


# ---------------------------------------------------------------------------------------------
# Answers.


def _fee_answer(r: Route, question: str) -> Answer:
    try:
        quote = fees.quote_fee(r.slots.employees)
    except InputError as exc:
        return chat.headcount_refusal(r.slots.employees, str(exc))
    answer = chat.quote_answer(quote, item=r.slots.fee_item, estimated=r.slots.employees_approx)
    # "生成报价单": the quote is issued and saved in the register (assistant/quotes/chat.py).
    from .quotes.chat import issue_if_asked

    return issue_if_asked(question, quote, answer)


def _score_answer(r: Route) -> Answer:
    slots = r.slots
    special = (slots.special_deductions, slots.special_bonuses)
    try:
        if any(special) and r.base_score is None:
            # "95分，有一项特别扣分": the stated score is before its special items.
            rating = scoring.rate_with_special_items(
                slots.score, special_deductions=special[0], special_bonus=special[1], target=slots.target_level
            )
        else:
            rating = scoring.rate_score(slots.score, target=slots.target_level)
    except InputError as exc:
        return chat.invalid_answer(str(exc))
    if any(special) and r.base_score is None and slots.score is not None:
        return chat.rating_answer(
            rating, base_score=slots.score, delta=rating.score - slots.score, special=special, estimated=slots.score_approx
        )
    return chat.rating_answer(rating, base_score=r.base_score, delta=slots.score_delta, estimated=slots.score_approx,
                              earlier=r.base_is_earlier)


def answer_calculation(r: Route, *, question: str = "") -> Answer:
    """The cited Chinese answer for a `fee` or `score` route.

    Args:
        r: a route from `route` whose intent is `fee` or `score`.
        question: the question as asked; one that asks for a quote document ("生成报价单") gets the
            quote issued and saved in the register, its number in the answer.

    Returns:
        An `Answer` with [n] markers, citations to the table rows used (doc ids `data:fees` /
        `data:star_levels`) and the quote or rating as `data`. Figures outside the tables give an
        answer that says so (intent `fee`) or, for unusable input, intent `invalid`.

    Raises:
        ValueError: the route's intent is not `fee` or `score`.
    """
    if r.intent == "fee":
        return _fee_answer(r, question)
    if r.intent == "score":
        return _score_answer(r)
    raise ValueError(f"answer_calculation 只处理 fee/score 意图，收到 {r.intent!r}")
