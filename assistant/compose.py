"""Compose an answer from answer units (corpus sections) without an LLM.

For each part of a question the best-fitting unit is chosen: how close the question is to one of
its question forms, how much of the question's weight the unit holds, how well its chunks ranked.
A question that asks for a list (an enumeration, a process, conditions) gets the unit's whole
list, numbered, every item cited; any other question gets the unit's best sentence and a few
supporting points. Every line is a sentence quoted from the unit its [n] points to, and the
citation quotes exactly those sentences, so every claim is supported by its citation by
construction. When no unit holds the point asked about (the question's focus), the part is *not
covered*: the caller says so instead of quoting something nearby. Without units (the retrieval
baselines) the best sentences of the retrieved chunks are used, as before answer units existed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .answer_config import AnswerConfig
from .citations import Citations
from .question import Question, counted_noun, is_everyday, match_word, states_figure
from .replies import not_covered_reply
from .retrieval import Evidence, UnitHit
from .textproc import normalize
from .types import Answer, Passage, Unit

__all__ = ["Block", "Composition", "compose", "other_standard", "rank_units", "unit_fit"]

# Sentences that report a disagreement between sources travel with the claim they qualify.
_CONFLICT = re.compile(r"多数来源|也有来源|另有来源|另一种说法|说法不一|不一致|存在分歧|有的来源|部分来源|也有.*称|冲突")
_BULLET = re.compile(r"^[-*•]\s*|^\d+[.、)]\s*")
_CONTINUES = re.compile(r"^(?:也有|另有|还有|另外|此外|但|不过|而|同时)"
                        # ... and one referring back to what was listed before it ("出现上述任何一种情形…").
                        r"|^[^，。]{0,4}(?:上述|以上|前述|上面这些)")
# Pointers to other parts of the corpus answer nothing by themselves.
_POINTER = re.compile(r"详见|见.{0,12}(说明|文档|一节|部分)")

# What a sentence that answers each kind of question contains (on normalised text).
_SHAPES: dict[str, re.Pattern[str]] = {
    "how_long": re.compile(r"\d+(\.\d+)?(个)?(年|月|周|天|工作日|小时)|半年|每年"),
    "how_much": re.compile(r"\d+(\.\d+)?(多|余)?(元|万|块)|免费|不收费|另计|人日"),
    "when": re.compile(r"\d{4}年|\d+月\d+日|\d+(个)?(年|月|周|天|工作日)|每年|到期前|之日|\d+点|\d+:\d+"),
    "how_many": re.compile(r"\d+(\.\d+)?(多|余|来)?(个|项|类|步|种|大|家|次|名|位|条|级|星|阶段|部分|人日|分|成)|\d+/\d+|\d+(\.\d+)?%"),
    "who": re.compile(r"委员会|机构|中心|部|委|局|协会|联合会|公司"),
    "comparison": re.compile(r"而|不是|属于|区别|不同|只|侧重|相比|差异"),
    "enumeration": re.compile(r"、.*、|包括|分为"),
    "definition": re.compile(r"^.{0,30}(是|指|即|属于)"),
    "conflict": re.compile(r"多数来源|也有来源|另有来源|有网页|也有网页|有的说|有网络文章|说法不一|不一致|冲突|只见于"),
}
# Kinds whose answer is a figure: a unit without one cannot answer them.
_NUMERIC = ("how_long", "how_much", "when")


def _shape_bonus(norm: str, q: Question) -> float:
    """1 for a sentence of the shape the question's main ask wants, 0.5 for another ask's shape."""
    if q.type in _SHAPES and _SHAPES[q.type].search(norm):
        return 1.0
    return 0.5 if any(_SHAPES[k].search(norm) for k in q.asks[1:] if k in _SHAPES) else 0.0


@dataclass
class Block:
    """The answer to one part of a question."""

    question: Question
    lines: list[tuple[str, Passage]] = field(default_factory=list)  # (quoted sentence, its passage)
    listed: bool = False  # the lines after the first are a numbered list
    unit: Unit | None = None
    covered: bool = True
    missing: tuple[str, ...] = ()  # focus words the chosen unit (or, not covered, the best one) lacks
    nearby: list[Unit] = field(default_factory=list)  # what the materials cover near the question


@dataclass
class Composition:
    """The composed answer and what it was made from (issue 13's hook reads `used`)."""

    answer: Answer
    blocks: list[Block]
    used: list[Passage]  # the units/passages quoted, in citation order

    @property
    def covered(self) -> bool:
        return all(b.covered for b in self.blocks)

    @property
    def items(self) -> list[tuple[str, Passage]]:
        """The items of the last list answered (ordinal follow-ups point into it)."""
        for block in reversed(self.blocks):
            if block.listed and block.unit is not None:
                items = {block.unit.sentences[j] for j in block.unit.items}
                picked = [(t, p) for t, p in block.lines if t in items] if items else block.lines[1:]
                if picked:
                    return picked
        # No list was answered, but a sentence may enumerate one ("15个二级指标是：组织架构、人员配置、…"):
        # "倒数第三个" points into it.
        for block in reversed(self.blocks):
            for text, passage in block.lines:
                inline = inline_items(text)
                if inline:
                    return [(item, passage) for item in inline]
        return []


# An enumeration written inline after a colon, its items joined by 、 (three or more short ones).
_INLINE_LIST = re.compile(r"[：:]([^：:。；;，,]{1,16}(?:、[^：:。；;，,]{1,16}){2,})[。；;]?(?:\[\d+\])?$")


def inline_items(sentence: str) -> list[str]:
    """The items of an enumeration a sentence writes inline ("…是：A、B、C。"), or none."""
    match = _INLINE_LIST.search(sentence.strip())
    return match.group(1).split("、") if match else []


# ---------------------------------------------------------------------------------------------
# Choosing the unit.


def _rescale(value: float, low: float, high: float) -> float:
    return min(1.0, max(0.0, (value - low) / (high - low))) if high > low else 0.0


def _unit_text(unit: Unit) -> str:
    return unit.norm_heading + "｜" + "".join(unit.norm_sentences)


def _unit_shape(unit: Unit, q: Question) -> bool:
    """Whether the unit holds the kind of answer asked for: a figure for a question whose main
    ask is a figure (a cost, a duration, a date, a count)."""
    kind = q.type
    if kind not in _NUMERIC and kind != "how_many":
        return True
    if kind == "how_many":
        noun = counted_noun(q)
        if len(unit.items) >= 2 and (not noun or noun in unit.norm_heading):
            return True
        if noun:
            # A count of the very thing asked about ("几个评审员" needs "N名评审员", not "3个人日").
            forms = "|".join(re.escape(f) for f in q.lexicon.forms(noun)) or re.escape(noun)
            # "22个服务认证领域": a few modifiers may stand between the count and the noun.
            counted = re.compile(
                rf"\d+(?:\.\d+)?(?:多|余|来)?(?:个|项|名|位|家|条|类|种|步|次|级|颗|大)?(?:[^\d,，。;；、]{{0,6}}?)(?:{forms})")
            return any(counted.search(s) for s in unit.norm_sentences)
    return any(_SHAPES[kind].search(s) for s in unit.norm_sentences)


def _is_list(unit: Unit) -> bool:
    """A unit that is a list: items or steps, or sentences that each enumerate things."""
    return len(unit.items) >= 3 or sum(bool(_SHAPES["enumeration"].search(s)) for s in unit.norm_sentences) >= 3


def _harmonic(a: float, b: float) -> float:
    return 2 * a * b / (a + b) if a + b else 0.0


def form_match(q: Question, unit: Unit) -> float:
    """How closely the question's words match one of the unit's question forms (or its heading):
    the best harmonic mean of the share of the question found in the form and of the form found
    in the question."""
    return max(
        (_harmonic(q.matched_weight(norm), q.covers(words)) for norm, words in zip(unit.form_norms, unit.form_words,
                                                                                  strict=True)),
        default=0.0,
    )


# The two standards: a question that names one is not answered from a section about the other only.
_STANDARDS = (
    re.compile(r"27922|国标|国家标准"),
    re.compile(r"10401|行标|行业标准"),
)


def _standards(norm: str) -> tuple[bool, ...]:
    return tuple(bool(p.search(norm)) for p in _STANDARDS)


def other_standard(q: Question, unit: Unit) -> bool:
    """Whether the question names one standard and the unit speaks of the other one only ("SB/T
    10401的指标" is not answered by a section about GB/T 27922's indicators)."""
    asked = _standards(q.norm)
    if sum(asked) != 1:
        return False
    held = _standards(_unit_text(unit))
    return any(held) and not any(a and h for a, h in zip(asked, held, strict=True))


def _names_target(q: Question, unit: Unit) -> bool:
    """Whether a list unit's heading names the thing an enumeration asks for ("要准备哪些资料" and a
    section headed "…申请材料", not one headed "…准备工作")."""
    heading = unit.form_norms[0] if unit.form_norms else ""
    return q.wants_list and any(match_word(t, q.groups[t], heading) == 1.0 for t in q.targets)


# A heading about sources disagreeing ("27项指标属于哪个标准：来源之间的分歧"): the unit a question
# asking which claim holds wants.
_DISAGREEMENT = re.compile(r"分歧|差异|不一|出入|矛盾|说法|疑点|存疑")


def unit_score(q: Question, hit: UnitHit, cfg: AnswerConfig) -> float:
    """How well a unit fits the question (higher is better)."""
    unit = hit.unit
    shape = _unit_shape(unit, q) and (_is_list(unit) if q.wants_list else True)
    return (
        cfg.unit_form_weight * _rescale(hit.form_sim, cfg.form_floor, cfg.form_ceiling)
        + cfg.unit_lexical_weight * q.matched_weight(_unit_text(unit))
        + cfg.unit_form_match_weight * form_match(q, unit)
        + cfg.unit_rank_weight * (1.0 / hit.chunk_rank if hit.chunk_rank else 0.0)
        + cfg.unit_shape_weight * shape
        + cfg.unit_target_weight * _names_target(q, unit)
        - cfg.other_standard_penalty * other_standard(q, unit)
        + cfg.unit_figure_weight * (bool(q.figures) and states_figure(_unit_text(unit), q.figures))
        + cfg.unit_conflict_weight * ("conflict" in q.asks and bool(_DISAGREEMENT.search(unit.section)))
    )


# Units fully scored per question part; the rest are ranked out by the cheaper signals first.
FULLY_SCORED = 40


def _quick_score(q: Question, hit: UnitHit, cfg: AnswerConfig) -> float:
    return (
        cfg.unit_form_weight * _rescale(hit.form_sim, cfg.form_floor, cfg.form_ceiling)
        + cfg.unit_lexical_weight * q.matched_weight(_unit_text(hit.unit))
        + cfg.unit_rank_weight * (1.0 / hit.chunk_rank if hit.chunk_rank else 0.0)
    )


def rank_units(q: Question, evidence: Evidence, cfg: AnswerConfig) -> list[tuple[float, UnitHit]]:
    """Candidate units, best first: the best `FULLY_SCORED` by the cheap signals, scored in full."""
    hits = evidence.units
    if len(hits) > FULLY_SCORED:
        hits = sorted(hits, key=lambda h: -_quick_score(q, h, cfg))[:FULLY_SCORED]
    scored = [(unit_score(q, hit, cfg), hit) for hit in hits]
    return sorted(scored, key=lambda x: -x[0])


def _focus(q: Question) -> tuple[str, ...]:
    return q.focus


def unit_fit(q: Question, hit: UnitHit, cfg: AnswerConfig) -> tuple[bool, tuple[str, ...]]:
    """(whether the unit holds the point asked about, the focus words it lacks).

    It does when it holds most of the weight of the question's focus words and, for a question
    asking for a figure, a sentence with one; or when the question is a near paraphrase of one of
    its question forms.
    """
    focus = _focus(q)
    matched_form = form_match(q, hit.unit)
    # The section says it answers this question, in these words: its own reading of the question
    # outranks a guess at the shape of the answer ("现场评审要几天" is answered in 人日, not 天).
    verbatim = hit.form_sim >= cfg.form_verbatim and matched_form >= 1.0
    if not focus:
        return verbatim or _unit_shape(hit.unit, q), ()
    text = _unit_text(hit.unit)
    missing = q.missing(text, words=focus)
    if verbatim:
        return True, missing
    if not _unit_shape(hit.unit, q):
        return False, missing
    share = q.matched_weight(text, words=focus, points=True)
    if hit.form_sim >= cfg.form_certain or (
        hit.form_sim >= cfg.form_sure and matched_form >= cfg.form_sure_match and share >= cfg.form_sure_share
    ):
        return True, missing
    # A missing word the corpus never uses names something it may not cover at all (暴雨, 原始记录):
    # unless the question reads like one of the section's own, it needs more of its weight held.
    # A user's document has no question forms: the form-based guards below would refuse it always.
    forms = hit.unit.kind != "user"
    strange = any(_strange(q, w) for w in missing)
    if share < cfg.support_min or (
        forms and strange and hit.form_sim < cfg.strange_form_sim and share < cfg.strange_support_min
    ):
        return False, missing
    if forms and hit.form_sim < cfg.form_floor and matched_form == 0.0:
        # Its words are there, but the section answers nothing like this question, in meaning or in
        # the words of its forms ("证书有没有英文版" and a sentence citing an 英文网页).
        return False, missing
    return not _point_missing(q, focus, missing, cfg), missing


def _strange(q: Question, word: str) -> bool:
    """Whether `word` is a word of two characters or more that the corpus never uses (nor a synonym)."""
    return len(word) >= 2 and not q.lexicon.knows(q.groups.get(word, (word,)))


def _point_missing(q: Question, focus: tuple[str, ...], missing: tuple[str, ...], cfg: AnswerConfig) -> bool:
    """Whether the heaviest focus word, the likeliest point, is one the unit lacks ("撤销" in
    "证书被撤销后多久能重新申请": a section on renewal answers a neighbouring question). Only a word
    the corpus uses elsewhere (an unknown one may be the asker's own wording for what the unit
    says), not a figure (1年) and not a word of everyday language (开始, 同时)."""
    heaviest = max(focus, key=lambda w: q.weights.get(w, 0.0))
    total = sum(q.weights.get(w, 0.0) for w in focus)
    return (
        heaviest in missing
        and len(heaviest) >= 2
        and not heaviest[0].isdigit()
        and q.lexicon.knows(q.groups[heaviest])
        and not is_everyday(heaviest)
        and q.weights.get(heaviest, 0.0) >= cfg.point_share * total
    )


# ---------------------------------------------------------------------------------------------
# Sentences.


def _sentence_score(q: Question, norm: str, cfg: AnswerConfig) -> float:
    matched = q.matched_weight(norm)
    # A disagreement counts only in a sentence about the question: a range of fees is no answer to
    # "申请材料到底几项，怎么不同网站数目不一样". Other shapes (委员会 for 由谁决定) do stand alone.
    shaped = matched or q.type != "conflict"
    score = matched + (cfg.type_bonus * _shape_bonus(norm, q) if shaped else 0.0)
    if _POINTER.search(norm):
        score -= cfg.pointer_penalty
    if q.figures and states_figure(norm, q.figures):
        # "评审费网上有说两千的，到底多少": the sentence with 2000 in it confirms or qualifies the claim.
        score += cfg.figure_bonus
    return score


def _distinct(a: str, b: str, *, near: float = 0.5) -> bool:
    """False when one sentence contains the other or they share most character pairs (the FAQ
    and the topic documents often say the same thing in slightly different words)."""
    na, nb = normalize(a), normalize(b)
    if na in nb or nb in na:
        return False
    pa = {na[i : i + 2] for i in range(len(na) - 1)}
    pb = {nb[i : i + 2] for i in range(len(nb) - 1)}
    return len(pa & pb) / (len(pa | pb) or 1) < near


@dataclass
class _Candidate:
    passage: Passage
    order: int
    text: str
    score: float
    group: int  # sentences of one passage/unit share a group (conflict neighbours stay within it)


def _pick(candidates: list[_Candidate], cfg: AnswerConfig) -> list[_Candidate]:
    """The lead sentence, its conflict neighbours and up to `max_support` supporting points."""
    if not candidates:
        return []
    candidates = sorted(candidates, key=lambda c: -c.score)
    # A sentence that goes on from the one before ("也有来源称需要6个月以上") reports the other side
    # of a claim: it does not open an answer while a sentence that stands alone scores near it.
    lead = next((c for c in candidates if not _CONTINUES.match(c.text) and c.score >= cfg.support_ratio * candidates[0].score),
                candidates[0])
    candidates = [lead, *(c for c in candidates if c is not lead)]
    chosen = [lead, *_conflict_neighbours(lead, candidates)]
    for cand in candidates[1:]:
        if len(chosen) >= 1 + cfg.max_support or cand.score < cfg.support_ratio * lead.score:
            break
        if all(_distinct(cand.text, c.text) for c in chosen):
            chosen.append(cand)
            chosen += [c for c in _conflict_neighbours(cand, candidates) if c not in chosen]
    return [lead, *_claims_in_order(chosen[1:])]


def _claims_in_order(points: list[_Candidate]) -> list[_Candidate]:
    """The points, each sentence that goes on from another ("也有来源称…") after the claim it goes on
    from when both are picked, as the unit says them: the majority view, then the other."""
    out: list[_Candidate] = []
    for point in points:
        if point in out:
            continue
        if _CONTINUES.match(point.text):
            out += sorted((c for c in points if c not in out and c.group == point.group and c.order < point.order
                           and point.order - c.order <= 2 and _CONFLICT.search(c.text)), key=lambda c: c.order)
        out.append(point)
    return out


def _conflict_neighbours(anchor: _Candidate, candidates: list[_Candidate]) -> list[_Candidate]:
    return [
        c for c in candidates
        if c.group == anchor.group and c is not anchor and abs(c.order - anchor.order) <= 2 and _CONFLICT.search(c.text)
    ]


def _unit_sentences(q: Question, units: list[tuple[float, UnitHit]], cfg: AnswerConfig) -> list[_Candidate]:
    best = units[0][0] or 1.0
    out = []
    for group, (score, hit) in enumerate(units):
        passage = hit.unit.passage()
        prior = 0.5 * score / best
        for order, (text, norm) in enumerate(zip(hit.unit.sentences, hit.unit.norm_sentences, strict=True)):
            # A section's first sentence is its lead: written to state the answer in one line.
            lead = cfg.lead_bonus if order == 0 else 0.0
            out.append(_Candidate(passage, order, text, _sentence_score(q, norm, cfg) + prior + lead, group))
    return out


def _chunk_sentences(q: Question, evidence: Evidence, cfg: AnswerConfig) -> list[_Candidate]:
    from .textproc import split_sentences

    out = []
    for pi, passage in enumerate(evidence.passages):
        # A sentence inherits some of its passage's standing: how much of the question the whole
        # passage covers and, less, its rank; its heading counts too (FAQ headings are questions).
        prior = (
            cfg.passage_weight * q.matched_weight(f"{passage.norm_section}{passage.norm}")
            + cfg.section_weight * q.matched_weight(passage.norm_section)
            + cfg.rank_weight / (pi + 1)
        )
        for order, sentence in enumerate(split_sentences(passage.text)):
            out.append(_Candidate(passage, order, sentence, _sentence_score(q, normalize(sentence), cfg) + prior, pi))
    return out


def _list_lines(unit: Unit, cfg: AnswerConfig) -> list[str]:
    """The unit as a list: its lead sentence, then every item (a sentence between two items
    continues the item before it), then a note that qualifies the list, if any."""
    if not unit.items:
        return list(unit.sentences[: cfg.max_list_items + 1])
    first, last = unit.items[0], unit.items[-1]
    lines = list(unit.sentences[:first][:1])
    lines += list(unit.sentences[first : last + 1][: cfg.max_list_items])
    lines += [s for s in unit.sentences[last + 1 :] if _CONFLICT.search(s)][:2]
    return lines


# ---------------------------------------------------------------------------------------------


def _block(q: Question, evidence: Evidence, cfg: AnswerConfig) -> Block:
    if not cfg.units or not evidence.units:
        chosen = _pick(_chunk_sentences(q, evidence, cfg), cfg)
        return Block(q, [(c.text, c.passage) for c in chosen])
    ranked = rank_units(q, evidence, cfg)
    top = ranked[0][0]
    # The choice, the gaps of a question not covered and the second unit all read a candidate's
    # fit: judge each candidate once.
    fits: dict[str, tuple[bool, tuple[str, ...]]] = {}

    def fit(hit: UnitHit) -> tuple[bool, tuple[str, ...]]:
        if hit.unit.unit_id not in fits:
            fits[hit.unit.unit_id] = unit_fit(q, hit, cfg)
        return fits[hit.unit.unit_id]

    fitting = None
    # What the best-ranked unit holds (the subject the question is about) and lacks (the point).
    lacked = set(fit(ranked[0][1])[1])
    subject = {w for w in q.focus if w not in lacked}
    for score, hit in ranked[:5]:
        if score < 0.6 * top:
            break
        ok, missing = fit(hit)
        held = {w for w in q.focus if w not in missing}
        # A lower unit that holds the point the best one lacked but not its subject answers a
        # neighbouring question: the point is a chance word there (科学 in 制定科学的服务制度 for
        # "管理师要求本科学历吗", 提前 in a section on renewal for "监督评审能不能提前做").
        swapped = bool(subject - held and lacked & held)
        if ok and not swapped:
            fitting = (score, hit)
            break
    if fitting is None:
        # Name what none of the nearby units holds (评审 is in some of them, 老板 in none); the
        # best unit's gaps when each word is in one of them.
        gaps = [fit(h)[1] for _, h in ranked[:3]]
        missing = tuple(w for w in gaps[0] if all(w in g for g in gaps)) or gaps[0]
        # A word the corpus uses everywhere (评审) is no gap to name beside one it never uses (在场):
        # the nearby units lack it by chance.
        missing = tuple(w for w in missing if _strange(q, w)) or missing
        return Block(q, covered=False, missing=missing, nearby=[h.unit for _, h in ranked[:3]])
    score, hit = fitting
    unit = hit.unit
    if q.wants_list and (unit.items or len(unit.sentences) > 1):
        return _whole_list(q, unit, cfg, missing)
    # A second unit adds points only when it too holds the point asked about (a unit on fees scores
    # close to one on materials for "申请材料到底几项…" on the question's shape, not its subject).
    close = [(s, h) for s, h in ranked[1:4]
             if h is not hit and s >= cfg.second_unit_ratio * score and fit(h)[0]]
    units = [fitting, *close[:1]]
    candidates = _unit_sentences(q, units, cfg)
    chosen = _pick(candidates, cfg)
    if _items_tie_past_the_cut(unit, candidates, chosen):
        # "德国独资公司有资格申请吗" matches every condition alike: the first four of six would be an
        # arbitrary cut, and the one that decides may be among those left out. The whole list is the answer.
        # Points the second unit adds follow the list ("营业执照才下来一个月，够格申请不": 满3个月).
        return _whole_list(q, unit, cfg, missing, after=[(c.text, c.passage) for c in chosen if c.group != 0])
    return Block(q, [(c.text, c.passage) for c in chosen], unit=unit, missing=missing)


def _whole_list(q: Question, unit: Unit, cfg: AnswerConfig, missing: tuple[str, ...],
                after: list[tuple[str, Passage]] | None = None) -> Block:
    """The unit as a list (`_list_lines`), each line quoting it, then `after`: points of other units."""
    passage = unit.passage()
    lines = [(s, passage) for s in _list_lines(unit, cfg)] + (after or [])
    return Block(q, lines, listed=len(lines) > 1, unit=unit, missing=missing)


def _items_tie_past_the_cut(unit: Unit, candidates: list[_Candidate], chosen: list[_Candidate]) -> bool:
    """Whether the points picked from a list unit are items that score no better than an item left
    out: the question asks about the list as a whole, not about one item of it."""
    if not unit.items:
        return False
    items = {unit.sentences[j] for j in unit.items}
    own = [c for c in candidates if c.group == 0 and c.text in items]
    picked = [c for c in chosen if c.group == 0 and c.text in items]
    left = [c for c in own if c not in chosen]
    if len(picked) < 2 or not left:
        return False
    return max(c.score for c in left) >= min(c.score for c in picked) - 1e-9


def compose(question: Question, evidences: list[Evidence], cfg: AnswerConfig) -> Composition:
    """Answer `question` (one evidence per part; a simple question has one part).

    Returns:
        The composition; `covered` is False when some part's point is in no unit, and the
        caller then answers `not_covered` instead of this text.
    """
    blocks = [_block(ev.question, ev, cfg) for ev in evidences]
    answer, used = _render(blocks, question)
    return Composition(answer, blocks, used)


def _render(blocks: list[Block], question: Question) -> tuple[Answer, list[Passage]]:
    cites = Citations()
    sections: list[str] = []
    # Every part is numbered once any part is answered, so a part the materials do not cover is
    # said in its place rather than after the others.
    numbered = len(blocks) > 1 and any(b.lines for b in blocks)
    seen: set[str] = set()
    for n, block in enumerate(blocks, 1):
        lines = [(t, p) for t, p in block.lines if t not in seen]
        seen.update(t for t, _ in lines)
        # The part as the user wrote it, not as read with the topic of the part before.
        asked = question.parts[n - 1].text if len(question.parts) == len(blocks) else block.question.text
        heading = f"{_circled(n)}{asked.strip('，,。 ')}"
        if not lines:
            if numbered:
                # A part left out without a word would look answered, or forgotten.
                said = not_covered_reply(block.missing, [], asked).split("\n")[0] if not block.covered else _ANSWERED_ABOVE
                sections.append(f"{heading}\n{said}")
            continue
        out = [heading] if numbered else []
        out += _list_text(block, lines, cites) if block.listed else _sentence_text(lines, cites, numbered)
        sections.append("\n".join(out))
    answer = Answer("\n\n".join(sections), cites.citations, abstained=False, intent="qa")
    passages = {(p.doc_id, p.section): p for b in blocks for _, p in b.lines}
    return answer, [passages[(c.doc_id, c.section)] for c in answer.citations]


# Said for a part whose sentences were all quoted for an earlier part.
_ANSWERED_ABOVE = "资料中与这一问相关的说明已在上文列出，此外没有更多内容。"


def _circled(n: int) -> str:
    return "①②③④⑤⑥⑦⑧⑨"[n - 1] if n <= 9 else f"{n}."


def _sentence_text(lines: list[tuple[str, Passage]], cites: Citations, compound: bool) -> list[str]:
    out = []
    for i, (text, passage) in enumerate(lines):
        body, mark = _BULLET.sub("", text), cites.quote(passage, text)
        if i == 0:
            out.append(f"{body}{mark}")
            continue
        if i == 1 and not compound:
            out.append("\n相关要点：")
        out.append(f"- {body}{mark}")
    return out


def _list_text(block: Block, lines: list[tuple[str, Passage]], cites: Citations) -> list[str]:
    """A lead sentence first, then one bulleted line per item; a sentence that continues or
    qualifies an item is indented under it. Items are not renumbered: the corpus numbers its own
    ("…第3项是…"), and a number the answer added would be a figure no source states."""
    items = {block.unit.sentences[j] for j in block.unit.items} if block.unit else set()
    out: list[str] = []
    started = False
    home = (lines[0][1].doc_id, lines[0][1].section) if lines else None
    apart = False
    for text, passage in lines:
        body, mark = _BULLET.sub("", text), cites.quote(passage, text)
        if started and (passage.doc_id, passage.section) != home:
            # Points another unit adds after the list stand apart from its items.
            if not apart:
                out.append("\n另见：")
                apart = True
            out.append(f"- {body}{mark}")
        elif text in items or (not items and out):
            started = True
            out.append(f"- {body}{mark}")
        elif not started:
            out.append(f"{body}{mark}")
        else:
            out.append(f"  {body}{mark}")
    return out
