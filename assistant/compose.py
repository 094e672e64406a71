"""Compose an answer from retrieved passages without an LLM.

The answer is made of sentences quoted from the passages: the best-matching sentence first, then
up to a few supporting ones. Each carries the [n] of the passage it was taken from, and the
citation quotes exactly those sentences, so every claim is supported by its citation by construction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .retrieval import QueryAnalysis
from .textproc import normalize, split_sentences, tokenize
from .types import Answer, Citation, Passage

__all__ = ["compose_answer"]

MAX_SUPPORT = 3
SUPPORT_RATIO = 0.5
# Sentences that report a disagreement between sources travel with the claim they qualify.
_CONFLICT = re.compile(r"也有来源|另有来源|另一种说法|说法不一|不一致|存在分歧|有的来源|部分来源|也有.*称|冲突")
_BULLET = re.compile(r"^[-*•]\s*|^\d+[.、)]\s*")


@dataclass
class _Candidate:
    passage_index: int
    order: int
    text: str
    score: float


def _score(sentence: str, query: set[str], idf: dict[str, float], total: float) -> float:
    words = set(tokenize(sentence))
    norm = normalize(sentence)
    hit = sum(idf.get(t, 0.0) for t in query if t in words or (len(t) > 1 and t in norm))
    return hit / total if total else 0.0


def compose_answer(analysis: QueryAnalysis, idf: dict[str, float]) -> Answer:
    """Answer text with [n] markers and the citations they point to."""
    query = set(analysis.expanded)
    # Expanded synonyms help find sentences but should not outweigh what the user typed.
    total = sum(idf.get(t, 0.0) for t in set(analysis.tokens)) or 1.0
    candidates: list[_Candidate] = []
    for pi, passage in enumerate(analysis.passages):
        prior = 0.12 / (pi + 1)  # retrieval rank still matters when word overlap ties
        for order, sentence in enumerate(split_sentences(passage.text)):
            candidates.append(_Candidate(pi, order, sentence, _score(sentence, query, idf, total) + prior))
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


def _distinct(a: str, b: str) -> bool:
    na, nb = normalize(a), normalize(b)
    return na not in nb and nb not in na


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
