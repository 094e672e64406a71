"""Slot parsing: what one question states by itself (headcount, score, score change, enterprise
type, fee item, target level, special deduction/bonus items), read from its text alone.

Numbers are read by `textproc.read_numbers` (the project's one numeral reader); this module only
knows which figure is which: a headcount has a person unit, a score 分 or a score word. Nothing
here imports jieba, retrieval or a model, so the calculator path stays fast.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from .calculators import scoring
from .textproc import NUMBER, is_approximate, normalize, read_numbers, to_number

__all__ = ["ENTERPRISE_TYPES", "SCORE_CUES", "Slots", "contains", "parse_slots", "prepare"]


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


@lru_cache(maxsize=256)
def prepare(text: str) -> str:
    """The form slots and routing read: figures as digits (`textproc.read_numbers`), then
    `normalize` (simplified, no spaces, lower case). Cached: routing reads a question several times."""
    return normalize(read_numbers(text))


def contains(text: str, words: tuple[str, ...]) -> bool:
    """Whether any of `words` occurs in `text`."""
    return any(word in text for word in words)


# ---------------------------------------------------------------------------------------------
# Patterns (on prepared text: digits, no spaces, lower case).

_NUM = f"({NUMBER})"
# A sign is kept (so "-100人" is refused, not read as 100) unless it joins a range such as 1176-1550.
_SIGNED = f"((?:(?<!\\d)[-−]|负)?{NUMBER})"
_HEDGES = r"(?:有|是|为|约|大约|大概|大致|差不多|将近|接近|估计|共|共有|在|:)*"
_HEADCOUNT = (
    # 1200人, 500来号人, 一千二百多名员工, ≈15个人; not a rate per person and day (一个人一天 = 人日).
    # 一万出头点的员工: 一点/点儿 after the hedge says "a little over".
    # 一万五的员工: 的 may stand between the figure and the staff.
    re.compile(_SIGNED + r"(?:多|余|来|(?:出头|左右|上下)(?:[1一]?点儿?)?)?的?号?(?:(?:个|位|名)?(?:员工|雇员|职工|人(?![日次天]|每?1?天|每日))|名)"),
    re.compile(r"(?:员工|雇员|职工|人数|人员|规模)(?:总数|数量|人数|数)?" + _HEDGES + _SIGNED),
    # 300多的公司, 二十出头的小团队: a figure and a word for the whole staff.
    re.compile(r"(?<![\d./a-z-])(≈?\d+)(?:多|余|来|出头|左右|上下)?(?:个)?(?:的)?(?:小|大)?(?:公司|企业|单位|工厂|团队|工作室|厂子|规模|体量)"),
    # 五十出头的小厂: 厂 alone only after 的/小/大, so that 两个厂 counts plants, not people.
    re.compile(r"(?<![\d./a-z-])(≈?\d+)(?:多|余|来|出头|左右|上下)?(?:的|的?[小大])厂"),
)
# "公司大概一千二": a bare figure right after the company; routing keeps it only for a fee question.
_BARE_HEADCOUNT = re.compile(
    r"(?:公司|企业|单位|工厂|我司|我们)" + _HEDGES + _SIGNED + r"(?![\d.]|[分星级年月天日个项元%号条届次家颗回])")
# ... also with the verb of scoring between ("多考三分", "少得了2分").
_EARNED = r"(?:考|得|拿|挣|赚)?了?"
_DELTA_UP = re.compile(r"(?:再|又)?(?:多了|高了|多|加|高|提高|提升|增加|涨)" + _EARNED + _NUM + r"分")
_DELTA_DOWN = re.compile(r"(?:再|又)?(?:少了|低了|少|低|减少|减|降低|降|扣)" + _EARNED + _NUM + r"分")
_SCORE_UNIT = re.compile(r"(?<![\d.])" + _SIGNED + r"(?:多|来)?分(?![钟之期制项])")
# 拿了五星 names a grade, not a score of 5: a figure before 星 / 级 is a level. 打分出来九十三点五: the
# result as it came out.
_SCORE_WORD = re.compile(r"(?:得分|评分|分数|打分|总分|得了|拿了|考了|成绩|打了)(?:出来|下来)?(?:是|为|有|:|个)?" + _SIGNED + r"(?![\d.]|颗?[星级])")
_BARE = re.compile(r"(?<![\d./a-z-])" + _NUM + r"(?![\d.])(?![星级年月天日个项元%人名位号条届次家颗回])")
# A bare number reads as a score only with two or three digits or a decimal point ("89.5能评几星"),
# so that 一回事 ("1回事") or a year never becomes one.
_SCORE_LIKE = re.compile(r"≈?(?:\d{2,3}(?:\.\d+)?|\d\.\d+)")
# "差一分到九十", "还差两分就90分": a score short of a mark by a few points.
_SHORT_OF = re.compile(r"差(\d+(?:\.\d+)?)分(?:(?:就|才)(?:到|够|上|满)?|到|够|上|满)(\d{2,3}(?:\.\d+)?)(?![\d.])")
# "不到70分", "70分以上": a range in a rule question, not the user's score.
_COMPARATIVE_BEFORE = ("不到", "低于", "少于", "不足", "不满", "超过", "高于", "大于", "小于", "至少", "满")
_COMPARATIVE_AFTER = ("以下", "以上", "以内", "之下", "之上")

# Words that ask for a grade; with one, a bare two- or three-digit figure is a score ("89.5能评几星").
SCORE_CUES = ("星", "等级", "级别", "达标", "评级", "档次", "几级", "什么级", "算什么", "算啥", "差几分", "还差", "评上",
              "缺几分", "还缺",
              # Whether a score passes ("七十整算过了没"): the pass line is a grade too.
              "算过", "过了没", "过没过", "过不过", "能过吗", "能不能过")

# "八十九点五算哪档": a band is a grade for a figure a score can be; 150算哪档 may ask a headcount band.
_BAND_CUES = ("哪档", "几档", "哪一档", "什么档", "啥档")

ENTERPRISE_TYPES = (
    ("销售服务型", ("销售服务型", "销售服务类", "销售型", "销售企业", "经销", "零售", "贸易公司")),
    ("生产型", ("生产型", "生产企业", "生产类", "制造", "工厂", "厂家")),
)
_FEE_ITEMS = (
    ("registration", ("审定与注册费", "审定费", "注册费", "证书费")),
    ("application", ("申请费",)),
    ("annual", ("年金", "年费", "标志使用费")),
    ("audit", ("评审费", "审核费", "审查费", "人日费")),
)


_STAGE_YEAR = re.compile(r"(?:首|每|头|当|明|后|第\d+|前\d+)年(?=费)")


def _first_number(patterns: tuple[re.Pattern[str], ...], text: str) -> tuple[int | float | None, bool]:
    """The first figure any pattern finds, and whether it is an estimate."""
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return to_number(match.group(1)), is_approximate(text, match.start(1), match.end(1))
    return None, False


@lru_cache(maxsize=256)
def parse_slots(text: str) -> Slots:
    """The slots a question states by itself: headcount, score or score change, type, fee item.

    Args:
        text: the question, in any mix of Chinese numerals, full-width and Arabic digits.

    Returns:
        `Slots`; a number is a headcount with a person unit (1200人, 一千二百名员工, 1.2千人,
        员工有1200个), a score with 分 or a score word (92分, 九十二分, 评分89.5) or, with a star/level
        word, bare (89.5能评几星); 再多2分 is a delta of +2; other bare numbers go to `number`.
    """
    t = prepare(text)
    employees, employees_approx = _first_number(_HEADCOUNT, t)
    if employees is None:
        # "我们88还差几分": a bare figure after 我们 is a score when the question asks for a grade.
        bare_count, bare_approx = _first_number((_BARE_HEADCOUNT,), t)
        if bare_count is not None and not (contains(t, SCORE_CUES) and 0 <= bare_count <= 100):
            employees, employees_approx = bare_count, bare_approx
    if employees_approx and isinstance(employees, float):
        # 四十七八个人 reads as ≈47.5: a range of whole people, estimated by its upper end.
        employees = math.ceil(employees)
    delta: float | None = None
    rest = t
    for pattern, sign in ((_DELTA_UP, 1), (_DELTA_DOWN, -1)):
        match = pattern.search(rest)
        if match:
            delta = sign * float(match.group(1))
            rest = rest[: match.start()] + "," + rest[match.end() :]
            break
    score_value, score_approx, ranged = _score_number(rest)
    short = _SHORT_OF.search(rest)
    if short:
        # "差一分到九十": the score is the mark less the points missing.
        score_value, score_approx, ranged = float(Decimal(short.group(2)) - Decimal(short.group(1))), False, False
    number: float | None = None
    if employees is None and score_value is None and not ranged:
        bare = _BARE.search(rest)
        if bare:
            value = float(to_number(bare.group(1)))
            graded = contains(t, SCORE_CUES) or (contains(t, _BAND_CUES) and 0 <= value <= 100)
            if graded and _SCORE_LIKE.fullmatch(bare.group(1)):
                score_value, score_approx = value, is_approximate(rest, bare.start(1), bare.end(1))
            else:
                number = value
    enterprise_type = next((name for name, words in ENTERPRISE_TYPES if contains(t, words)), None)
    # "首年费用" / "每年费用" name a stage's costs, not the 年费 item.
    items_text = _STAGE_YEAR.sub("", t)
    named_items = [key for key, words in _FEE_ITEMS if contains(items_text, words)]
    # "评审费加年金多少" asks for a sum of items, which the whole quote states year by year.
    fee_item = named_items[0] if len(named_items) == 1 else None
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


# ... also said as the act ("被特别扣了两项", "特别加了1项"), the count after the verb.
_SPECIAL = re.compile(r"(?:(\d+)(?:项|个|条|处))?(?:的)?特别(扣|加)(?:分)?(?:项)?(?:(?:扣|加)?了|掉了?)?(?:(\d+)(?:项|个|条|处))?")
_NONE_BEFORE = ("没有", "没", "无", "不含", "不算")


def _special_count(t: str, kind: str) -> int:
    """How many 特别扣分项 / 特别加分项 (kind 扣分 / 加分) the (prepared) text says the company has:
    "有1项特别扣分" -> 1, "特别扣分2项" -> 2, "有特别扣分" -> 1, "没有特别扣分" -> 0."""
    for match in _SPECIAL.finditer(t):
        if match.group(2) != kind[0] or t[: match.start()].endswith(_NONE_BEFORE):
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
