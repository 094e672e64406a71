"""Chinese intent and slot detection, per-session conversation state, calculator answers.

`route` decides whether a question is for the fee calculator, the score calculator or retrieval
("qa"), fills what the question leaves out from the session ("那2000人呢？" after a fee question),
and records the turn in the session. `answer_calculation` turns a fee or score route into a cited
`Answer`. Nothing here imports retrieval, jieba or a model: the calculator path stays fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from .calculators import fees, scoring
from .errors import InputError
from .render import chat
from .render.numbers import format_score
from .textproc import NUMBER, is_approximate, normalize, read_numbers, to_number
from .types import Answer

__all__ = ["Route", "Session", "Slots", "answer_calculation", "parse_slots", "replay", "route"]


# ---------------------------------------------------------------------------------------------
# State.


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


@dataclass(frozen=True)
class Slots:
    """What one question states (or, in a `Route`, what it means once the session fills the gaps)."""

    employees: int | float | None = None
    score: float | None = None
    score_delta: float | None = None
    number: float | None = None  # a bare number whose meaning depends on context ("那2000呢？")
    enterprise_type: str | None = None
    fee_item: str | None = None
    target_level: str | None = None  # a star_levels key the question names: "离五星还差多少" -> five
    employees_approx: bool = False  # the headcount is an estimate: 五百来号人, 约600名员工, 十几个人
    score_approx: bool = False  # the score is an estimate: 九十来分, 大概85分
    special_deductions: int = 0  # 特别扣分项 the question says it has ("有一项特别扣分")
    special_bonuses: int = 0  # 特别加分项 it says it has


@dataclass(frozen=True)
class Route:
    """Where a question goes: intent `fee`, `score` or `qa`, the resolved slots and question."""

    intent: str
    slots: Slots
    resolved_question: str
    base_score: float | None = None  # the earlier score a delta ("再多2分") was applied to


def _prepare(text: str) -> str:
    """Figures as digits (textproc's one number reader), then `normalize` (no spaces, lower case)."""
    return normalize(read_numbers(text))


# ---------------------------------------------------------------------------------------------
# Slot patterns (on prepared text: digits, no spaces, lower case).

_NUM = f"({NUMBER})"
# A sign is kept (so "-100人" is refused, not read as 100) unless it joins a range such as 1176-1550.
_SIGNED = f"((?:(?<!\\d)[-−]|负)?{NUMBER})"
_HEDGES = r"(?:有|是|为|约|大约|大概|大致|差不多|将近|接近|估计|共|共有|在|:)*"
_HEADCOUNT = (
    # 1200人, 500来号人, 一千二百多名员工, ≈15个人
    re.compile(_SIGNED + r"(?:多|余|来)?号?(?:(?:个|位|名)?(?:员工|雇员|职工|人(?![日次天]))|名)"),
    re.compile(r"(?:员工|雇员|职工|人数|人员|规模)(?:总数|数量|人数|数)?" + _HEDGES + _SIGNED),
    re.compile(r"(?<![\d./a-z-])(≈?\d+)(?:多|余|来)?(?:的)?(?:公司|企业|单位|工厂)"),
    # "公司大概一千二": a bare figure right after the company; routing keeps it only for a fee question.
    re.compile(r"(?:公司|企业|单位|工厂|我司|我们)" + _HEDGES + _SIGNED + r"(?![\d.]|[分星级年月天日个项元%号条届次家颗回])"),
)
_DELTA_UP = re.compile(r"(?:再|又)?(?:多了|高了|多|加|高|提高|提升|增加|涨)" + _NUM + r"分")
_DELTA_DOWN = re.compile(r"(?:再|又)?(?:少了|低了|少|低|减少|减|降低|降|扣)" + _NUM + r"分")
_SCORE_UNIT = re.compile(r"(?<![\d.])" + _SIGNED + r"(?:多|来)?分(?![钟之期制项])")
_SCORE_WORD = re.compile(r"(?:得分|评分|分数|打分|总分|得了|拿了|考了|成绩|打了)(?:是|为|有|:|个)?" + _SIGNED)
_BARE = re.compile(r"(?<![\d./a-z-])" + _NUM + r"(?![\d.])(?![星级年月天日个项元%人名位号条届次家颗回])")
# A bare number reads as a score only with two or three digits or a decimal point ("89.5能评几星"),
# so that 一回事 ("1回事") or a year never becomes one.
_SCORE_LIKE = re.compile(r"≈?(?:\d{2,3}(?:\.\d+)?|\d\.\d+)")
# "不到70分", "70分以上": a range in a rule question, not the user's score.
_COMPARATIVE_BEFORE = ("不到", "低于", "少于", "不足", "不满", "超过", "高于", "大于", "小于", "至少", "满")
_COMPARATIVE_AFTER = ("以下", "以上", "以内", "之下", "之上")

_TYPES = (
    ("销售服务型", ("销售服务型", "销售服务类", "销售型", "销售企业", "经销", "零售", "贸易公司")),
    ("生产型", ("生产型", "生产企业", "生产类", "制造", "工厂", "厂家")),
)
_FEE_ITEMS = (
    ("registration", ("审定与注册费", "审定费", "注册费", "证书费")),
    ("application", ("申请费",)),
    ("annual", ("年金", "年费", "标志使用费")),
    ("audit", ("评审费", "审核费", "审查费", "人日费")),
)
_FEE_CUES = ("费", "钱", "价格", "价钱", "报价", "要价", "成本", "预算", "花多少", "花销", "开销", "人日", "贵")
_RULE_CUES = ("只要", "就够", "就行")  # "五星级只要85分就够了吧？" asks about the rule, not a score
_SCORE_CUES = ("星", "等级", "级别", "达标", "评级", "档次", "几级", "什么级", "算什么", "差几分", "还差", "评上")
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


def _first_number(patterns: tuple[re.Pattern[str], ...], text: str) -> tuple[int | float | None, bool]:
    """The first figure any pattern finds, and whether it is an estimate."""
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return to_number(match.group(1)), is_approximate(text, match.start(1), match.end(1))
    return None, False


def _contains(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


def parse_slots(text: str) -> Slots:
    """The slots a question states by itself: headcount, score or score change, type, fee item.

    Args:
        text: the question, in any mix of Chinese numerals, full-width and Arabic digits.

    Returns:
        `Slots`; a number is a headcount with a person unit (1200人, 一千二百名员工, 1.2千人,
        员工有1200个), a score with 分 or a score word (92分, 九十二分, 评分89.5) or, with a star/level
        word, bare (89.5能评几星); 再多2分 is a delta of +2; other bare numbers go to `number`.
    """
    t = _prepare(text)
    employees, employees_approx = _first_number(_HEADCOUNT, t)
    delta: float | None = None
    rest = t
    for pattern, sign in ((_DELTA_UP, 1), (_DELTA_DOWN, -1)):
        match = pattern.search(rest)
        if match:
            delta = sign * float(match.group(1))
            rest = rest[: match.start()] + "," + rest[match.end() :]
            break
    score_value, score_approx, ranged = _score_number(rest)
    number: float | None = None
    if employees is None and score_value is None and not ranged:
        bare = _BARE.search(rest)
        if bare:
            value = float(to_number(bare.group(1)))
            if _contains(t, _SCORE_CUES) and _SCORE_LIKE.fullmatch(bare.group(1)):
                score_value, score_approx = value, is_approximate(rest, bare.start(1), bare.end(1))
            else:
                number = value
    enterprise_type = next((name for name, words in _TYPES if _contains(t, words)), None)
    fee_item = next((key for key, words in _FEE_ITEMS if _contains(t, words)), None)
    return Slots(
        employees=employees,
        score=None if score_value is None else float(score_value),
        score_delta=delta,
        number=number,
        enterprise_type=enterprise_type,
        fee_item=fee_item,
        target_level=_target_level(t),
        employees_approx=employees is not None and employees_approx,
        score_approx=score_value is not None and score_approx,
        special_deductions=_special_count(t, "扣分"),
        special_bonuses=_special_count(t, "加分"),
    )


def _score_number(text: str) -> tuple[int | float | None, bool, bool]:
    """The first score stated with 分 or a score word, whether it is an estimate, and whether a
    range (不到70分, 70分以上) was seen.

    A range belongs to a rule question, so it is neither the user's score nor a bare number.
    """
    ranged = False
    for pattern in (_SCORE_UNIT, _SCORE_WORD):
        for match in pattern.finditer(text):
            before, after = text[: match.start()], text[match.end() :]
            if before.endswith(_COMPARATIVE_BEFORE) or after.startswith(_COMPARATIVE_AFTER):
                ranged = True
                continue
            return to_number(match.group(1)), is_approximate(text, match.start(1), match.end(1)), ranged
    return None, False, ranged


_SPECIAL = re.compile(r"(?:(\d+)(?:项|个|条|处))?(?:的)?特别(扣分|加分)(?:项)?(?:(\d+)(?:项|个|条|处))?")
_NONE_BEFORE = ("没有", "没", "无", "不含", "不算")


def _special_count(t: str, kind: str) -> int:
    """How many 特别扣分项 / 特别加分项 (kind 扣分 / 加分) the (prepared) text says the company has:
    "有1项特别扣分" -> 1, "特别扣分2项" -> 2, "有特别扣分" -> 1, "没有特别扣分" -> 0."""
    for match in _SPECIAL.finditer(t):
        if match.group(2) != kind or t[: match.start()].endswith(_NONE_BEFORE):
            continue
        count = match.group(1) or match.group(3)
        return int(count) if count else 1
    return 0


def _target_level(t: str) -> str | None:
    """The highest grade the (prepared) text names: 五星/5颗星 -> five, 达标 -> pass."""
    text = t.replace("颗星", "星")
    for level in reversed(scoring.levels()[1:]):
        if normalize(level.name) in text:
            return level.key
    return None


# ---------------------------------------------------------------------------------------------
# Routing.


def _is_followup(t: str) -> bool:
    return bool(_FOLLOWUP_START.search(t) or _FOLLOWUP_END.search(t))


def _topic(t: str) -> str | None:
    return next((name for name, words in _TOPICS if _contains(t, words)), None)


def _fee_question(employees: int | float, item: str | None) -> str:
    name = fees.fee_items().get(item, "认证费用") if item else "认证费用"
    return f"{_fmt(employees)}人的企业{name}是多少？"


def _score_question(score: float) -> str:
    return f"{format_score(score)}分能评几星？"


def _fmt(value: int | float) -> str:
    return format_score(float(value))


def _rewrite_qa(question: str, slots: Slots, session: Session) -> str:
    """A stand-alone question for retrieval from an elliptical follow-up."""
    previous = session.last_resolved
    if not previous:
        return question
    if slots.enterprise_type:
        for name, words in _TYPES:
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
    t = _prepare(question)
    slots = parse_slots(question)
    followup = _is_followup(t)
    after_fee = session.last_intent == "fee"
    after_score = session.last_intent == "score"
    fee_cue = _contains(t, _FEE_CUES) or slots.fee_item is not None
    score_cue = _contains(t, _SCORE_CUES)
    other_topic = _contains(t, _OTHER_TOPIC_CUES)
    rule_question = _contains(t, _RULE_CUES)

    employees = slots.employees
    if employees is None and slots.number is not None and followup and after_fee:
        employees = slots.number  # "那2000呢？" right after a quote
    score = slots.score
    if score is None and slots.number is not None and followup and after_score:
        score = slots.number

    base_score: float | None = None
    if slots.score_delta is not None and session.score is not None and not fee_cue and not rule_question:
        base_score = session.score
        score = float(Decimal(str(session.score)) + Decimal(str(slots.score_delta)))
    elif not (score is not None and not fee_cue and not rule_question and (score_cue or not other_topic)):
        score = None
    if employees is None and fee_cue:
        employees = session.employees
    elif employees is not None and not fee_cue and not (
        followup and (after_fee or session.last_intent is None) and not other_topic
    ):
        employees = None

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
        resolved_slots = replace(slots, employees=employees, fee_item=item)
        resolved = _fee_question(employees, item)
        session.employees, session.fee_item = employees, item
    else:
        intent = "qa"
        resolved_slots = slots
        resolved = _rewrite_qa(question, slots, session) if followup else question
        if slots.employees is not None:
            session.employees = slots.employees
        if slots.score is not None:
            session.score = slots.score
    if slots.enterprise_type:
        session.enterprise_type = slots.enterprise_type
    topic = _topic(t)
    session.topic = topic or (session.topic if followup else None)
    session.last_intent = intent
    session.last_resolved = resolved
    session.questions.append(question)
    return Route(intent, resolved_slots, resolved, base_score)


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


# ---------------------------------------------------------------------------------------------
# Answers.


def _fee_answer(r: Route) -> Answer:
    try:
        quote = fees.quote_fee(r.slots.employees)
    except InputError as exc:
        return chat.headcount_refusal(r.slots.employees, str(exc))
    return chat.quote_answer(quote, item=r.slots.fee_item)


def _score_answer(r: Route) -> Answer:
    try:
        rating = scoring.rate_score(r.slots.score, target=r.slots.target_level)
    except InputError as exc:
        return chat.invalid_answer(str(exc))
    return chat.rating_answer(rating, base_score=r.base_score, delta=r.slots.score_delta)


def answer_calculation(r: Route) -> Answer:
    """The cited Chinese answer for a `fee` or `score` route.

    Args:
        r: a route from `route` whose intent is `fee` or `score`.

    Returns:
        An `Answer` with [n] markers, citations to the table rows used (doc ids `data:fees` /
        `data:star_levels`) and the quote or rating as `data`. Figures outside the tables give an
        answer that says so (intent `fee`) or, for unusable input, intent `invalid`.

    Raises:
        ValueError: the route's intent is not `fee` or `score`.
    """
    if r.intent == "fee":
        return _fee_answer(r)
    if r.intent == "score":
        return _score_answer(r)
    raise ValueError(f"answer_calculation 只处理 fee/score 意图，收到 {r.intent!r}")
