"""Routing: which path answers a question (fee calculator, score calculator or retrieval), what an
elliptical follow-up means in its conversation, and the per-conversation state.

Each decision is a named predicate over the question text (`is_fee_question`, `is_score_question`,
`is_followup`, `is_rule_question`, `names_grade_context`, `names_other_topic`, `topic_of`); `route` combines them with
the question's slots (`assistant.slots`) and the `Session`. Nothing here imports retrieval, jieba
or a model: the calculator path stays fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from .calculators import fees
from .render.numbers import format_score
from .slots import ENTERPRISE_TYPES, SCORE_CUES, Slots, contains, parse_slots, prepare

__all__ = [
    "Route",
    "Session",
    "is_fee_question",
    "is_followup",
    "is_rule_question",
    "is_score_question",
    "names_fee_stage",
    "names_grade_context",
    "names_other_topic",
    "replay",
    "route",
    "topic_of",
]


@dataclass
class Session:
    """What one conversation has established so far. Each conversation owns its own instance."""

    employees: int | float | None = None
    score: float | None = None
    enterprise_type: str | None = None  # 生产型 | 销售服务型
    fee_item: str | None = None  # a fees.yaml item key: application | registration | annual | audit
    target_level: str | None = None  # star_levels key the user aims at
    last_intent: str | None = None
    topic: str | None = None
    questions: list[str] = field(default_factory=list)
    last_resolved: str | None = None
    employees_approx: bool = False  # the headcount in `employees` was an estimate (五百来号人)
    answers: Any = None  # followup.AnswerMemory: what the retrieval answers established (set by core)


@dataclass(frozen=True)
class Route:
    """Where a question goes: intent `fee`, `score` or `qa`, the resolved slots and question."""

    intent: str
    slots: Slots
    resolved_question: str
    base_score: float | None = None  # the score a delta ("再多2分") was applied to
    base_is_earlier: bool = True  # ... from an earlier turn, not stated with the delta ("得了96，再扣2分")


# ---------------------------------------------------------------------------------------------
# Predicates. Each reads the question (prepared once and cached by `slots.prepare`).

_FEE_CUES = ("费", "钱", "价格", "价钱", "报价", "要价", "成本", "预算", "花多少", "花销", "开销", "人日", "贵")
# "首年多少，复评多少": a fee stage with 多少 asks for an amount even without 费 or 钱.
_STAGES = (r"首年|头1?年|第[1-9]年|次年|来年|下1?年|隔年|复评|监督评审|监督(?:的)?那?年度?|年审|每年|明年|后年"
           r"|[1-9]年(?:下来|里|内|期间|周期)"
           # "三年总共多少": the years summed up, with no word for the period.
           r"|[1-9]年(?=(?:的钱|的费用)?(?:总共|1共|合计|总计|加起来|算下来))")
# The prepared question has its numerals as digits: 一共 arrives as 1共.
# 多少 asking for an amount of money, not of points, people, days or items.
_AMOUNT = r"多少(?![分人天个年次项条])"
_FEE_STAGE = re.compile(rf"(?:{_STAGES})(?:还|都)?(?:1共|总共|合计|总)?(?:要|得|需要|大概|大约)?(?:交|花|给|付|掏|出)?{_AMOUNT}")
# A stage of the three-year cycle: right after a quote, "第二年呢" / "那复评呢" asks what that stage costs.
# Parts of the first audit count too: the quote splits its person-days into them.
_STAGE = re.compile(rf"{_STAGES}|换证|现场|文件评审|策划")
# "连着后面两年一起算，总共多少" right after a quote: the total of the quote's cycle.
_TOTAL_ASK = re.compile(rf"(?:总共|1共|合计|总计|加起来|加一块|一起算)[^，。？?]{{0,4}}{_AMOUNT}")
# "八十多号人，评审得来几天": with a headcount, how many days an audit takes is read off the
# person-day table (the days on site follow from its person-days), as "要几个人日" is.
_AUDIT_DAYS = re.compile(r"(?:审|现场)[^，。？?]{0,6}(?:几天|多少天|几个工作日|多少个?工作日)")
# "换证那次要几个": a count with no noun of its own, counting what the last answer counted.
_BARE_COUNT = re.compile(r"(?:几个|多少个?)(?:呢|啊|呀)?[?？。!！]*$")
# A question that only asks for a grade, with no figure and no topic of its own.
_BARE_GRADE = re.compile(r"^(?:那|那么)?(?:我们|我们的|这)?(?:能|可以|算|是|评|得|拿)?(?:评|得)?(?:几|什么|啥|哪个|哪)(?:星|星级|级|级别|等级)(?:啊|呀|呢|吗)?[？?。!！]*$")
# A score given without a grade word is still ours when it is the company's result in an audit (得了,
# 考了, 总分, 我们 …) or asked about (咋样, 哪档, 能过): "驾照扣了12分怎么办" is another field's score.
_GRADE_CONTEXT = re.compile(r"得了|拿了|考了|打了|评了|拿到|达到|得分|评分|分数|总分|成绩|评审|我们|我司|咱们|公司|企业|档|级|证|评"
                            r"|咋样|怎么样|如何|够不够|够吗|行不行|能过|算|白干"
                            # ... or the figure is all the message says ("88分", "九十二分").
                            r"|^≈?\d+(?:\.\d+)?分?[?？。!！]*$")
# "还差几分", "还缺多少分": the distance to a grade, from a score already given.
_GAP = re.compile(r"(?:差|缺)(?:几|多少)分?|还(?:差|缺)")
_RULE_CUES = ("只要", "就够", "就行")  # "五星级只要85分就够了吧？" asks about the rule, not a score
# "1200人要16个人日这个数靠谱不", "176到275人那档的人日数准不准": whether a figure of the table holds
# is asked of the sources, not of the calculator.
_RELIABILITY_CUES = ("靠谱", "准不准", "准吗", "可信", "可靠", "出处", "来源", "报价吗")
_OTHER_TOPIC_CUES = ("申请吗", "能申请", "可以申请", "条件", "材料", "资料", "流程", "步骤", "多久", "周期", "机构")
_FOLLOWUP_START = re.compile(r"^(?:那么|那如果|那要是|那|如果|要是|假如|假设|换成|改成|这其中|那其中|其中|里面|再)")
_FOLLOWUP_END = re.compile(r"(?:呢|的话)[?？!！。.~～]*$")
_TOPICS = (
    ("评价指标", ("指标", "单项", "评价内容", "考核内容")),
    ("申请材料", ("材料", "资料")),
    ("认证流程", ("流程", "步骤", "程序", "怎么办", "如何办")),
    ("申请条件", ("条件", "资格", "能申请", "可以申请")),
    ("认证费用", ("费", "钱", "报价", "价格")),
    ("认证周期", ("多久", "周期", "多长时间")),
    ("星级评分", ("星", "评分", "分数")),
    ("认证机构", ("机构", "发证")),
)


def is_followup(question: str) -> bool:
    """Whether the question leans on the previous turn: "那2000人呢？", "如果是生产型的话"."""
    t = prepare(question)
    return bool(_FOLLOWUP_START.search(t) or _FOLLOWUP_END.search(t))


def is_fee_question(question: str) -> bool:
    """Whether it asks for a cost: a money word (费, 钱, 报价 …), a fee item (申请费, 年金 …) or a
    fee stage with 多少 ("首年多少", "复评多少")."""
    t = prepare(question)
    return contains(t, _FEE_CUES) or bool(_FEE_STAGE.search(t)) or parse_slots(question).fee_item is not None


def names_fee_stage(question: str) -> bool:
    """Whether it names a stage of the certificate's cycle (首年, 第二年, 复评, 监督评审 …)."""
    return bool(_STAGE.search(prepare(question)))


def is_score_question(question: str) -> bool:
    """Whether it asks for a grade: 星, 等级, 达标, 几级, 还差 …"""
    return contains(prepare(question), SCORE_CUES)


def is_rule_question(question: str) -> bool:
    """Whether a figure in it is part of a rule or a claim being checked ("五星级只要85分就够了吧？",
    "1200人要16个人日这个数靠谱不"), not the user's own score or headcount."""
    return contains(prepare(question), _RULE_CUES + _RELIABILITY_CUES)


def names_grade_context(question: str) -> bool:
    """Whether a score without a grade word is the company's audit result or asked about (得了,
    总分, 我们, 哪档, 咋样), or is all the message says ("88分"); "驾照扣了12分" is not."""
    return bool(_GRADE_CONTEXT.search(prepare(question)))


def names_other_topic(question: str) -> bool:
    """Whether it asks about something other than cost or grade (conditions, materials, process,
    duration, bodies), so that a figure in it is context, not a calculator input."""
    return contains(prepare(question), _OTHER_TOPIC_CUES)


def topic_of(question: str) -> str | None:
    """The retrieval topic the question names (申请材料, 认证流程 …), if any."""
    t = prepare(question)
    return next((name for name, words in _TOPICS if contains(t, words)), None)


# ---------------------------------------------------------------------------------------------
# Routing.


def _fmt(value: int | float) -> str:
    return format_score(float(value))


def _fee_question(employees: int | float, item: str | None) -> str:
    name = fees.fee_items().get(item, "认证费用") if item else "认证费用"
    return f"{_fmt(employees)}人的企业{name}是多少？"


def _score_question(score: float) -> str:
    return f"{format_score(score)}分能评几星？"


def _rewrite_qa(question: str, slots: Slots, session: Session) -> str:
    """A stand-alone question for retrieval from an elliptical follow-up."""
    previous = session.last_resolved
    if not previous:
        return question
    if slots.enterprise_type:
        for name, words in ENTERPRISE_TYPES:
            if name != slots.enterprise_type:
                for word in words:
                    if word in previous:
                        return previous.replace(word, slots.enterprise_type)
        return f"{slots.enterprise_type}企业：{previous}"
    if slots.employees is not None:
        replaced, count = re.subn(r"\d+(?=\s*(?:人|名|个员工|位员工))", _fmt(slots.employees), previous)
        return replaced if count else f"{_fmt(slots.employees)}人的企业：{previous}"
    return f"{question.rstrip('？?')}（接上文：{previous}）"


def route(question: str, session: Session) -> Route:
    """Decide the intent of `question`, resolve it against `session`, and record the turn.

    Args:
        question: the user's question.
        session: this conversation's state; updated in place (slots, last intent, topic, history).

    Returns:
        `Route(intent, slots, resolved_question)`: intent `fee` or `score` when the question asks
        for a cost or a grade and the figures are known (from the question or the session),
        otherwise `qa` with a stand-alone `resolved_question` for retrieval.
    """
    slots = parse_slots(question)
    followup = is_followup(question)
    after_fee = session.last_intent == "fee"
    after_score = session.last_intent == "score"
    # "第二年呢" right after a quote asks what that stage costs: the quote lists every stage.
    fee_cue = is_fee_question(question) or (
        after_fee and names_fee_stage(question) and (followup or bool(_BARE_COUNT.search(prepare(question))))
    ) or (after_fee and bool(_TOTAL_ASK.search(prepare(question)))) or (
        # "生产型的呢" right after a quote: the same quote for that kind of company.
        after_fee and followup and slots.enterprise_type is not None and not names_other_topic(question)) or (
        slots.employees is not None and bool(_AUDIT_DAYS.search(prepare(question))))
    score_cue = is_score_question(question)
    other_topic = names_other_topic(question)
    rule_question = is_rule_question(question)

    employees, employees_approx = slots.employees, slots.employees_approx
    if employees is None and slots.number is not None and followup and after_fee:
        employees = slots.number  # "那2000呢？" right after a quote
    score = slots.score
    if score is None and slots.number is not None and followup and after_score:
        score = slots.number
    if score is None and slots.number is None and session.score is not None and _BARE_GRADE.match(prepare(question)):
        score = session.score  # "我们92分" then "几星": the grade of the score already given
    if score is None and slots.number is None and after_score and session.score is not None and _GAP.search(prepare(question)):
        score = session.score  # "88分是几星" then "要上四星还差几分": the gap from the score already given
    if score is None and after_score and session.score is not None and (slots.special_bonuses or slots.special_deductions):
        score = session.score  # "88分能评几星" then "再拿一个特别加分项呢": the same score, with the item

    base_score: float | None = None
    # "得了96，再被扣2分": a change applies to the score stated with it, else to the last one.
    own = slots.score is not None and score == slots.score
    if slots.score_delta is not None and (own or session.score is not None) and not fee_cue and not rule_question:
        base_score = score if own and score is not None else session.score
        score = float(Decimal(str(base_score)) + Decimal(str(slots.score_delta)))
    elif not (score is not None and not fee_cue and not rule_question and (score_cue or not other_topic)
              and (score_cue or (followup and after_score) or names_grade_context(question))):
        score = None
    if employees is None and fee_cue:
        employees, employees_approx = session.employees, session.employees_approx
    elif employees is not None and not fee_cue and not (
        # "那要是500人呢" after a fee question the sources answered ("申请要多少钱"): the headcount
        # asks for that company's quote, as it does right after a quote.
        followup and (after_fee or session.last_intent is None or session.topic == "认证费用") and not other_topic
    ):
        employees = None
    if rule_question:
        employees = None  # "1200人要16个人日这个数靠谱不" checks the table's claim: the sources answer it

    if score is not None:
        intent = "score"
        target = slots.target_level
        if target is None and followup and after_score:
            target = session.target_level
        resolved_slots = replace(slots, score=score, target_level=target)
        resolved = _score_question(score)
        session.score, session.target_level = score, target
    elif employees is not None:
        intent = "fee"
        item = slots.fee_item
        if item is None and followup and after_fee:
            item = session.fee_item
        resolved_slots = replace(slots, employees=employees, employees_approx=employees_approx, fee_item=item)
        resolved = _fee_question(employees, item)
        session.employees, session.employees_approx, session.fee_item = employees, employees_approx, item
    else:
        intent = "qa"
        resolved_slots = slots
        resolved = _rewrite_qa(question, slots, session) if followup else question
        if slots.employees is not None:
            session.employees, session.employees_approx = slots.employees, slots.employees_approx
        if slots.score is not None:
            session.score = slots.score
    if slots.enterprise_type:
        session.enterprise_type = slots.enterprise_type
    session.topic = topic_of(question) or (session.topic if followup else None)
    session.last_intent = intent
    session.last_resolved = resolved
    session.questions.append(question)
    return Route(intent, resolved_slots, resolved, base_score, base_is_earlier=not own)


def replay(history: list[str]) -> Session:
    """Rebuild a session from earlier questions (the batch `history` field), oldest first.

    Args:
        history: the earlier questions of the conversation.

    Returns:
        The `Session` as it stands after routing each question in turn.
    """
    session = Session()
    for question in history:
        route(question, session)
    return session
