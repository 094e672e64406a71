"""The retrieval answer path: parse once, decide the outcome, compose from answer units.

    text ─ parse_question ─ retrieve ─ check_scope ─┬─ chat / out_of_scope reply
                                                    └─ per part: retrieve ─ compose ─┬─ qa (cited)
                                                                                     └─ not_covered

`answer_question` is what `Assistant` calls for every question the calculators do not take.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .answer_config import AnswerConfig
from .compose import Composition, compose, form_match
from .followup import topic_words
from .question import Question, names_topic
from .replies import chat_reply, not_covered_reply
from .retrieval import IN_SCOPE, Evidence, HybridRetriever
from .scope import (
    ScopeVerdict,
    asks_practice_required,
    check_scope,
    is_anchored,
    is_request,
    names_our_part,
    out_of_scope_message,
)
from .types import Answer, Passage

__all__ = ["Outcome", "answer_question", "answer_turn", "decide", "has_own_topic", "with_topic"]

TOP_K = 5


@dataclass
class Outcome:
    """An answer and how it was reached (the composition is None for chat and refusals)."""

    answer: Answer
    question: Question
    composition: Composition | None = None
    retrieved: list[Passage] = field(default_factory=list)  # the top chunks retrieval found
    reason: str = ""  # why it is out of scope (ScopeVerdict.reason), when it is
    nearest: str = ""  # the label of the nearest labelled example question (in_scope, out_of_scope, chat)

    @property
    def firmly_out_of_scope(self) -> bool:
        """Out of scope whatever the conversation was about: a request to write, another scheme, setting up a
        business, legal advice, or a question naming a topic of its own that is nearer an out-of-scope
        example than any question form ("今天天气怎么样"; "能退吗" names nothing and leans on the turn before)."""
        names = any(len(w) >= 2 for w in self.question.focus)
        return self.answer.intent == "out_of_scope" and (
            self.reason in ("request", "other_scheme", "admin", "legal", "not_chinese") or (names and self.nearest == "out_of_scope"))

    @property
    def context(self) -> list[Passage]:
        """What an LLM step may read: the units the composer quoted, then the retrieved chunks of
        other sections (the narrow interface of issue 13's hook)."""
        used = self.composition.used if self.composition is not None else []
        quoted = {(p.doc_id, p.section) for p in used}
        return [*used, *(p for p in self.retrieved if (p.doc_id, p.section) not in quoted)]


def has_own_topic(q: Question) -> bool:
    """Whether the question names what it is about (`question.names_topic` over its focus, with
    the word statistics of the index that parsed it)."""
    return not q.asks_only and names_topic(q.focus, q.lexicon)


def with_topic(text: str, previous: Question) -> str:
    """`text` preceded by the focus of `previous` ("不去会怎么样" after "监督评审多久一次" →
    "监督评审 不去会怎么样")."""
    topic = topic_words(previous)
    return f"{topic} {text}" if topic else text


def _parts(q: Question, retriever: HybridRetriever) -> list[Question]:
    """The parts of a compound question, each with the topic of the one before when it has none."""
    if not q.parts:
        return [q]
    out: list[Question] = []
    for part in q.parts:
        if out and not has_own_topic(part):
            part = retriever.parse(with_topic(part.text, out[-1]), split=False)
        out.append(part)
    return out


def answer_question(q: Question, retriever: HybridRetriever, cfg: AnswerConfig, *, mode: str | None = None) -> Outcome:
    """Answer a parsed question from the corpus (the calculators have already declined it)."""
    if q.chat:  # a greeting or thanks needs no retrieval
        return Outcome(Answer(chat_reply(q.chat), abstained=True, intent="chat"), q)
    if not q.parts:
        evidence = retriever.retrieve(q, k=TOP_K, mode=mode, units=cfg.units)
        return _with_nearest(decide(evidence, [evidence], cfg), evidence)
    # A compound question is retrieved part by part only; the scope is judged on the part that
    # looks most like one of our questions (each retrieval embeds the text once more).
    evidences = [retriever.retrieve(p, k=TOP_K, mode=mode, units=cfg.units) for p in _parts(q, retriever)]
    best = max(evidences, key=lambda e: e.label_sim.get(IN_SCOPE, 0.0) - e.label_sim.get("out_of_scope", 0.0))
    # A question of several parts is not chat, whatever one part looks like ("你是谁？…给我讲个笑话").
    sims = {**best.label_sim, "chat": min(e.label_sim.get("chat", 0.0) for e in evidences)}
    whole = replace(best, question=q, passages=[p for e in evidences for p in e.passages][: 2 * TOP_K], label_sim=sims)
    return _with_nearest(decide(whole, evidences, cfg), whole)


def _with_nearest(outcome: Outcome, evidence: Evidence) -> Outcome:
    if evidence.label_sim:
        outcome.nearest = max(evidence.label_sim, key=lambda label: evidence.label_sim[label])
    return outcome


def answer_turn(asked: Question, resolved: Question | None, kept_text: str | None, retriever: HybridRetriever,
                cfg: AnswerConfig) -> Outcome:
    """One turn of a conversation, read in its context where that reading is the better one.

    Args:
        asked: the question as typed.
        resolved: its reading after follow-up resolution (topic kept, entity swapped), or None.
        kept_text: without a resolution, the question in the previous turn's topic, tried when the
            question alone is out of scope ("要管饭吗" after a question on on-site audits).
    """
    if resolved is not None and not is_request(asked):  # "帮我写一首诗" is no follow-up to anything
        outcome = answer_question(resolved, retriever, cfg)
        if outcome.answer.intent != "qa":
            # "今天天气怎么样" after any question is still out of scope, not a point not covered.
            alone = answer_question(asked, retriever, cfg)
            if alone.firmly_out_of_scope:
                return alone
        return outcome
    outcome = answer_question(asked, retriever, cfg)
    if outcome.answer.intent == "out_of_scope" and kept_text is not None and not outcome.firmly_out_of_scope:
        retry = answer_question(retriever.parse(kept_text), retriever, cfg)
        # In the conversation's topic, a question naming something the corpus knows ("现场那天要注意啥"
        # after "评审要准备什么") is ours even when that point is not covered; one naming nothing the
        # corpus knows ("今天天气怎么样") stays out of scope.
        if retry.answer.intent == "qa" or (retry.answer.intent == "not_covered" and has_own_topic(asked)):
            return retry
    return outcome


def decide(evidence: Evidence, parts: list[Evidence], cfg: AnswerConfig) -> Outcome:
    """The outcome for a question from what retrieval found, for the whole question (`evidence`)
    and for each of its parts; no index access, so a threshold can be tried on stored evidence."""
    q = evidence.question
    verdict = check_scope(evidence, cfg)
    if verdict.outcome == "chat":
        # Small talk about the assistant itself ("你几岁了") is answered with what it is.
        kind = q.chat or q.chat_aside or ("identity" if verdict.reason == "about_me" else "greeting")
        return Outcome(Answer(chat_reply(kind), abstained=True, intent="chat"), q)
    # The nearest example is weak evidence (e5's similarities crowd between 0.86 and 0.97): a
    # question that a section answers in the words of one of its question forms is answered, and
    # so is one a user's own document answers ("维修人员多久上门").
    if verdict.outcome == "out_of_scope" and verdict.reason != "nearest_example":
        return _refusal(verdict, q)
    composition = compose(q, parts, cfg)
    from_users = any(b.unit is not None and b.unit.kind == "user" for b in composition.blocks if b.lines)
    # Blocks whose question reads like one of their unit's question forms.
    in_forms = [b for b in composition.blocks
                if b.unit is not None and form_match(b.question, b.unit) >= cfg.form_sure_match]
    # "食品经营许可证怎么办": 食品 is in no form, so the question is not in the forms' words.
    in_forms_words = any(b.lines and not any(len(w) >= 2 for w in b.missing) for b in in_forms)
    if verdict.outcome == "out_of_scope" and not (from_users or in_forms_words):
        return _refusal(verdict, q, composition)
    # Our topic by its words: one of our concepts, or whether an after-sales practice is required.
    ours = is_anchored(q.norm) or asks_practice_required(q.norm) or names_our_part(q)
    if (
        any(b.lines for b in composition.blocks)
        and not from_users
        and not ours
        and evidence.label_sim.get(IN_SCOPE, 0.0) < cfg.unanchored_min_form
        and not in_forms
    ):
        # A unit holds its words, but the question names none of our concepts and is unlike every
        # question form, in meaning and in words ("怎么提高客户满意度"): general advice, not a
        # question about the certification.
        return _refusal(ScopeVerdict("out_of_scope", "low_relevance"), q, composition)
    if not any(b.lines for b in composition.blocks):
        missing = tuple(dict.fromkeys(w for b in composition.blocks for w in b.missing))
        nearby = [u for b in composition.blocks for u in b.nearby]
        if not ours and evidence.label_sim.get(IN_SCOPE, 0.0) < cfg.domain_min_form:
            # Nothing in the corpus holds it and it names none of our concepts: not our topic.
            return _refusal(ScopeVerdict("out_of_scope", "low_relevance"), q, composition)
        return Outcome(Answer(not_covered_reply(missing, nearby, q.text), abstained=True, intent="not_covered"), q, composition)
    # A part not covered is said in its place by the composer.
    return Outcome(composition.answer, q, composition, retrieved=list(evidence.passages))


def _refusal(verdict: ScopeVerdict, q: Question, composition: Composition | None = None) -> Outcome:
    return Outcome(Answer(out_of_scope_message(verdict), abstained=True, intent="out_of_scope"), q, composition,
                   reason=verdict.reason)
