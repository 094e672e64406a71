"""Compose an answer from retrieved passages without an LLM.

The answer is made of sentences quoted from the passages: the best-matching sentence first, then
up to a few supporting ones. Each carries the [n] of the passage it was taken from, and the
citation quotes exactly those sentences, so every claim is supported by its citation by construction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .retrieval import QueryAnalysis
from .textproc import normalize, split_sentences
from .types import Answer, Citation, Passage

__all__ = ["compose_answer"]

MAX_SUPPORT = 4
SUPPORT_RATIO = 0.45
# Sentences that report a disagreement between sources travel with the claim they qualify.
_CONFLICT = re.compile(r"多数来源|也有来源|另有来源|另一种说法|说法不一|不一致|存在分歧|有的来源|部分来源|也有.*称|冲突")
_BULLET = re.compile(r"^[-*•]\s*|^\d+[.、)]\s*")


@dataclass
class _Candidate:
    passage_index: int
    order: int
    text: str
    score: float


# (what the question asks for, what a sentence that answers it contains). A sentence of the
# expected shape gets a bonus: "几年" wants a duration, "多少钱" an amount, "什么时候" a date.
_ANSWER_TYPES = [
    (re.compile(r"几年|多久|多长时间|几个月|多少天|期限|周期|有效期"), re.compile(r"\d+(个)?(年|月|周|天|工作日)")),
    (re.compile(r"多少钱|费用|收费|价格|银子|多少元|花费|报价|交多少|几块|费是多少"), re.compile(r"\d+元")),
    (re.compile(r"多少分|几分|分数线|分数|得分"), re.compile(r"\d+分")),
    (re.compile(r"什么时候|何时|哪天|哪年|日期|哪一年"), re.compile(r"\d{4}年(\d+月)?")),
    (re.compile(r"几个|几项|多少项|多少个|几类|几步|几种|几大|哪几"), re.compile(r"\d+(个|项|类|步|种|大|家)")),
    (re.compile(r"谁|哪个部门|哪家|什么机构|哪些机构|哪里"), re.compile(r"委员会|机构|中心|部|委|局|协会|联合会")),
    (re.compile(r"区别|不同|差别|一回事|关系|对比"), re.compile(r"而|不是|属于|区别|不同|只|侧重")),
    (re.compile(r"哪些|哪几|什么资料|什么材料|包括什么|包含|有什么"), re.compile(r"、.*、")),
    (re.compile(r"什么是|是什么|什么叫|指什么|是指|啥是"), re.compile(r"^.{0,25}(是|指|即|属于)")),
]
TYPE_BONUS = 0.25
POINTER_PENALTY = 0.1
PASSAGE_WEIGHT = 0.3
RANK_WEIGHT = 0.06
SECTION_WEIGHT = 0.3
# Pointers to other parts of the corpus answer nothing by themselves.
_POINTER = re.compile(r"详见|见.{0,12}(说明|文档|一节|部分)")


def _score(sentence: str, analysis: QueryAnalysis, wanted: list[re.Pattern[str]]) -> float:
    norm = normalize(sentence)
    score = analysis.matched_weight(sentence)
    if any(p.search(norm) for p in wanted):
        score += TYPE_BONUS
    if _POINTER.search(sentence):
        score -= POINTER_PENALTY
    return score


def compose_answer(analysis: QueryAnalysis, question: str) -> Answer:
    """Answer text with [n] markers and the citations they point to."""
    asked = normalize(question)
    wanted = [shape for ask, shape in _ANSWER_TYPES if ask.search(asked)]
    candidates: list[_Candidate] = []
    for pi, passage in enumerate(analysis.passages):
        # A sentence inherits some of its passage's standing: how much of the question the whole
        # passage covers (a lexical fact, whichever retriever ranked it) and, less, its rank.
        # Its heading counts too (FAQ headings are questions); both are the same for every
        # sentence of the passage, so they are scored once here.
        prior = (
            PASSAGE_WEIGHT * analysis.matched_weight(f"{passage.section}{passage.text}")
            + SECTION_WEIGHT * analysis.matched_weight(passage.section)
            + RANK_WEIGHT / (pi + 1)
        )
        for order, sentence in enumerate(split_sentences(passage.text)):
            score = _score(sentence, analysis, wanted) + prior
            candidates.append(_Candidate(pi, order, sentence, score))
    if not candidates:
        return Answer("", abstained=True, intent="out_of_scope")
    candidates.sort(key=lambda c: -c.score)
    lead = candidates[0]
    chosen = [lead]
    chosen += _conflict_neighbours(lead, candidates)
    for cand in candidates[1:]:
        if len(chosen) >= 1 + MAX_SUPPORT or cand.score < SUPPORT_RATIO * lead.score:
            break
        if all(_distinct(cand.text, c.text) for c in chosen):
            chosen.append(cand)
            chosen += [c for c in _conflict_neighbours(cand, candidates) if c not in chosen]
    return _render(chosen, analysis.passages)


def _conflict_neighbours(anchor: _Candidate, candidates: list[_Candidate]) -> list[_Candidate]:
    return [
        c for c in candidates
        if c.passage_index == anchor.passage_index and c is not anchor
        and abs(c.order - anchor.order) <= 2 and _CONFLICT.search(c.text)
    ]


NEAR_DUPLICATE = 0.5


def _distinct(a: str, b: str) -> bool:
    """False when one sentence contains the other or they share most character pairs (the FAQ
    and the topic documents often say the same thing in slightly different words)."""
    na, nb = normalize(a), normalize(b)
    if na in nb or nb in na:
        return False
    pa = {na[i : i + 2] for i in range(len(na) - 1)}
    pb = {nb[i : i + 2] for i in range(len(nb) - 1)}
    return len(pa & pb) / (len(pa | pb) or 1) < NEAR_DUPLICATE


def _render(chosen: list[_Candidate], passages: list[Passage]) -> Answer:
    numbers: dict[int, int] = {}
    quoted: dict[int, list[_Candidate]] = {}
    for cand in chosen:
        numbers.setdefault(cand.passage_index, len(numbers) + 1)
        quoted.setdefault(cand.passage_index, []).append(cand)
    lines = []
    for i, cand in enumerate(chosen):
        text = _BULLET.sub("", cand.text)
        marker = f"[{numbers[cand.passage_index]}]"
        lines.append(f"{text}{marker}" if i == 0 else f"- {text}{marker}")
    if len(lines) > 1:
        lines.insert(1, "\n相关要点：")
    citations = [
        Citation.from_passage(
            n, passages[pi], "\n".join(c.text for c in sorted(quoted[pi], key=lambda c: c.order))
        )
        for pi, n in sorted(numbers.items(), key=lambda x: x[1])
    ]
    return Answer("\n".join(lines), citations, abstained=False, intent="qa")
