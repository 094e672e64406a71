"""Score ratings: total score -> star level, score sheets, and the self-assessment checklist.

Thresholds, special deduction/bonus points and the indicator lists come from
corpus/data/star_levels.yaml and corpus/data/indicators.yaml; nothing here repeats their numbers.
The functions return typed results (`Rating`, `SheetResult`, `Assessment`) and write no text:
assistant/render makes every text form of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .. import inputs
from ..data import Level, Row, indicator_table, star_table
from ..errors import InputError
from ..render.numbers import format_score

__all__ = [
    "Assessment",
    "CategoryScore",
    "Level",
    "Rating",
    "SheetLine",
    "SheetResult",
    "enterprise_kinds",
    "levels",
    "rate_score",
    "rate_with_special_items",
    "score_sheet",
    "self_assess",
]

# Caveat rows (star_levels.yaml `caveats`) that qualify any star grade.
_STAR_CAVEATS = ("star_after_one_year", "star_block")


def levels() -> tuple[Level, ...]:
    """The grades, ascending by threshold.

    Raises:
        CorpusError: corpus/data/star_levels.yaml is malformed.
    """
    return star_table().levels


# ---------------------------------------------------------------------------------------------
# Rating a total.


@dataclass(frozen=True)
class SheetLine:
    """One indicator of a score sheet; `points` None and `applicable` False for 删减."""

    name: str
    max_points: float
    points: float | None
    applicable: bool = True


@dataclass(frozen=True)
class SheetResult:
    """The arithmetic of a score sheet: 实际得分 / 涉及项总分值 × max_score, then special items."""

    lines: tuple[SheetLine, ...]
    earned: float
    possible: float
    base_score: float
    special_deductions: int
    special_bonus: int
    adjustment: float
    deleted: tuple[str, ...]


@dataclass(frozen=True)
class Rating:
    """A score's grade, the gap to the next grade, and the table rows that qualify it.

    `notes` are the caveat rows that apply (a star grade's, a sheet's special items'); `rules` the
    scoring rules a sheet's arithmetic used. `star_blocked` is set when `special_deductions` reach
    the table's `star_block_deductions` on a star grade.
    """

    score: float
    level: Level
    next_level: Level | None
    gap: float | None
    star_blocked: bool = False
    special_deductions: int | None = None
    sheet: SheetResult | None = None
    target: Level | None = None  # a level the user asked about ("离五星还差多少")
    target_gap: float | None = None  # points still missing for `target`; None when reached
    notes: tuple[Row, ...] = ()
    rules: tuple[Row, ...] = ()


def _missing(score: float, level: Level) -> float:
    # In Decimal, so that 94.99 + 0.01 lands exactly on 95, not on 94.99999999.
    return float(Decimal(format_score(level.min)) - Decimal(format_score(score)))


def _grade(score: float) -> tuple[Level, Level | None]:
    grades = levels()
    exact = Decimal(format_score(score))
    index = max(i for i, lv in enumerate(grades) if exact >= Decimal(format_score(lv.min)) or i == 0)
    return grades[index], grades[index + 1] if index + 1 < len(grades) else None


def _find_level(name: str) -> Level:
    wanted = str(name).strip()
    for level in levels():
        if wanted in (level.key, level.name, level.label):
            return level
    known = "、".join(lv.label for lv in levels())
    raise InputError(f"未知的等级“{inputs.shown(wanted)}”，可选：{known}")


def _rate(
    score: float,
    *,
    special_deductions: int | None,
    sheet: SheetResult | None = None,
    target: Level | None = None,
    rules: tuple[Row, ...] = (),
) -> Rating:
    table = star_table()
    level, higher = _grade(score)
    grades = levels()
    pass_level = grades[1] if len(grades) > 1 else grades[0]
    is_star = level.min > pass_level.min
    notes = [row for row in table.caveats if is_star and row.key in _STAR_CAVEATS]
    if sheet is not None and (sheet.special_deductions or sheet.special_bonus):
        notes += [row for row in table.caveats if row.key == "deduction_timing"]
    return Rating(
        score=score,
        level=level,
        next_level=higher,
        gap=_missing(score, higher) if higher else None,
        star_blocked=is_star and special_deductions is not None and special_deductions >= table.star_block_deductions,
        special_deductions=special_deductions,
        sheet=sheet,
        target=target,
        target_gap=_missing(score, target) if target is not None and target.min > level.min else None,
        notes=tuple(notes),
        rules=rules,
    )


def rate_score(total: object, *, special_deductions: object = None, target: str | None = None) -> Rating:
    """The grade for a total score, with the gap to the next grade.

    Args:
        total: the score, 0 to max_score (100): a number or a numeric string such as "92" or "89.5分".
        special_deductions: number of 特别扣分项, if known; enough of them block a star rating
            (single-source rule, reported in the caveats).
        target: a level the user asks about (key, name or label: "five", "五星", "五星级"); the
            rating then also gives the points missing for it.

    Returns:
        A `Rating` naming the threshold rows and caveats it rests on.

    Raises:
        InputError: the score is not a number or lies outside 0–max_score, the deduction count is
            not a whole number from 0 to `inputs.MAX_COUNT`, or `target` names no level.
    """
    score = inputs.score(total, star_table().max_score)
    count = None if special_deductions is None else inputs.count(special_deductions, "特别扣分项数")
    goal = None if target is None else _find_level(target)
    return _rate(score, special_deductions=count, target=goal)


# ---------------------------------------------------------------------------------------------
# Score sheets.

_NAME_KEYS = ("name", "指标")
_MAX_KEYS = ("max", "分值")
_POINTS_KEYS = ("score", "points", "得分")


def _first(row: Mapping[str, Any], keys: Sequence[str]) -> Any:
    for key in keys:
        if key in row:
            return row[key]
    return None


def _sheet_line(row: object, i: int) -> SheetLine:
    if not isinstance(row, Mapping):
        raise InputError(f"评分表第{i}项应为包含 name、max、score 的对象（收到 {inputs.shown(row)}）")
    raw_name = _first(row, _NAME_KEYS)
    name = (None if raw_name is None else inputs.name(str(raw_name), f"评分表第{i}项的名称")) or f"第{i}项"
    applicable = row.get("applicable", True)
    if row.get("删减") is True or row.get("deleted") is True:
        applicable = False
    if not isinstance(applicable, bool):
        raise InputError(f"评分表“{name}”的 applicable 应为 true 或 false（收到 {inputs.shown(applicable)}）")
    max_raw = _first(row, _MAX_KEYS)
    if max_raw is None:
        raise InputError(f"评分表“{name}”缺少分值（max）")
    max_points = inputs.points(max_raw, f"评分表“{name}”的分值", positive=True)
    if not applicable:
        return SheetLine(name, max_points, None, False)
    points_raw = _first(row, _POINTS_KEYS)
    if points_raw is None:
        raise InputError(f"评分表“{name}”缺少得分（score）；不适用的指标请写 applicable: false")
    points = inputs.points(points_raw, f"评分表“{name}”的得分")
    if points > max_points:
        raise InputError(
            f"评分表“{name}”的得分 {format_score(points)} 超过该项分值 {format_score(max_points)}"
        )
    return SheetLine(name, max_points, points, True)


def score_sheet(sheet: Mapping[str, Any]) -> Rating:
    """Score a sheet of indicator points and grade it.

    Args:
        sheet: `{"items": [{"name", "max", "score"} | {"name", "max", "applicable": false}, ...],
            "special_deductions": count or list, "special_bonus": 0/1 or true/false}`.
            Items marked not applicable (删减) leave the total.

    Returns:
        A `Rating` whose `sheet` holds the arithmetic: score = 实际得分 / 涉及项总分值 × max_score,
        then − special_deduction_points per 特别扣分项 and + special_bonus_points for the bonus,
        kept within 0–max_score.

    Raises:
        InputError: the sheet is malformed, an item's points exceed its maximum, nothing applies,
            or more bonuses are claimed than allowed.
    """
    if not isinstance(sheet, Mapping):
        raise InputError("评分表应为对象，包含 items 列表（每项 name、max、score）")
    rows = sheet.get("items")
    if not isinstance(rows, list) or not rows:
        raise InputError("评分表缺少 items 列表（每项 name、max、score；不适用的写 applicable: false）")
    if len(rows) > inputs.MAX_COUNT:
        raise InputError(f"评分表有 {len(rows)} 项指标，最多 {inputs.MAX_COUNT} 项，请检查文件")
    table = star_table()
    lines = tuple(_sheet_line(row, i) for i, row in enumerate(rows, 1))
    names = [ln.name for ln in lines]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InputError(f"评分表中指标重复：{'、'.join(duplicates)}")
    applicable = [ln for ln in lines if ln.applicable]
    if not applicable:
        raise InputError("评分表中所有指标都被删减（不适用），没有涉及项，无法计算评分")
    earned = sum(ln.points or 0.0 for ln in applicable)
    possible = sum(ln.max_points for ln in applicable)
    base = earned / possible * table.max_score

    deductions, bonus, adjustment, special_rules = _special_items(sheet.get("special_deductions"), sheet.get("special_bonus"))
    final = min(max(base + adjustment, 0.0), table.max_score)
    result = SheetResult(
        lines=lines,
        earned=earned,
        possible=possible,
        base_score=base,
        special_deductions=deductions,
        special_bonus=bonus,
        adjustment=adjustment,
        deleted=tuple(ln.name for ln in lines if not ln.applicable),
    )
    deletion = table.row("rules", "deletion")
    rules = ((deletion,) if deletion is not None else ()) + special_rules
    return _rate(round(final, 2), special_deductions=deductions, sheet=result, rules=rules)


def _special_items(deductions: object, bonus: object) -> tuple[int, int, float, tuple[Row, ...]]:
    """The counts of 特别扣分项 and 特别加分项, the points they change a score by, and their rule rows.

    Raises:
        InputError: a count is not a whole number from 0 to `inputs.MAX_COUNT`, or more bonuses are
            claimed than allowed.
    """
    table = star_table()
    d = inputs.count(deductions, "特别扣分项数")
    b = inputs.count(bonus, "特别加分项数")
    if b > table.max_special_bonus:
        raise InputError(f"特别加分项最多 {table.max_special_bonus} 项（收到 {b} 项）")
    adjustment = b * table.special_bonus_points - d * table.special_deduction_points
    used = (["special_deduction"] if d else []) + (["special_bonus"] if b else [])
    return d, b, adjustment, tuple(row for key in used if (row := table.row("rules", key)) is not None)


def rate_with_special_items(
    total: object, *, special_deductions: object = 0, special_bonus: object = 0, target: str | None = None
) -> Rating:
    """The grade for a total scored before its special items ("95分，有一项特别扣分"): each
    特别扣分项 takes special_deduction_points off, a 特别加分项 adds special_bonus_points, kept
    within 0–max_score; the rule rows used are in `Rating.rules`.

    Raises:
        InputError: as `rate_score`, or a count is unusable (see `_special_items`).
    """
    table = star_table()
    score = inputs.score(total, table.max_score)
    deductions, _, adjustment, rules = _special_items(special_deductions, special_bonus)
    goal = None if target is None else _find_level(target)
    final = min(max(score + adjustment, 0.0), table.max_score)
    return _rate(round(final, 2), special_deductions=deductions, target=goal, rules=rules)


# ---------------------------------------------------------------------------------------------
# Self-assessment checklist.

_KIND_ALIASES = {
    "production": "production",
    "生产型": "production",
    "生产": "production",
    "生产型企业": "production",
    "sales_service": "sales_service",
    "sales-service": "sales_service",
    "销售服务型": "sales_service",
    "销售服务": "sales_service",
    "销售服务型企业": "sales_service",
}


@dataclass(frozen=True)
class CategoryScore:
    """One 单项 of the checklist: share of its applicable weight that the answers earn."""

    name: str
    percent: float | None
    earned: float
    possible: float
    answered: int
    total: int


@dataclass(frozen=True)
class Assessment:
    """A self-assessment estimate over an SB/T 10401 indicator list (not an official score)."""

    kind: str
    kind_name: str
    score: float
    level: Level
    categories: tuple[CategoryScore, ...]
    weakest: tuple[str, ...]
    unanswered: tuple[str, ...]
    not_applicable: tuple[str, ...]


def enterprise_kinds() -> dict[str, str]:
    """Indicator-set key -> Chinese name: {'production': '生产型', 'sales_service': '销售服务型'}."""
    return {key: node.name or key for key, node in indicator_table().kinds().items()}


def self_assess(kind: str, answers: Mapping[str, str]) -> Assessment:
    """Estimate a score from a 符合 / 部分符合 / 不符合 / 不适用 checklist over the indicator list.

    Args:
        kind: 'production' / '生产型' or 'sales_service' / '销售服务型'.
        answers: indicator name -> answer. Indicators left out count as unanswered and are left out
            of the estimate (and listed). Weights come from indicators.yaml (`weights`, default 1).

    Returns:
        An `Assessment`: overall percentage, the grade it would map to, per-category percentages,
        the weakest categories, the unanswered and not-applicable indicators.

    Raises:
        InputError: unknown kind, unknown indicator or answer, or no applicable answered indicator.
    """
    table = indicator_table()
    sets = table.kinds()
    key = _KIND_ALIASES.get(str(kind).strip().lower()) or _KIND_ALIASES.get(str(kind).strip())
    if key is None or key not in sets:
        raise InputError(
            f"未知的企业类型“{inputs.shown(kind)}”，可选：生产型（production）、销售服务型（sales_service）"
        )
    node = sets[key]
    scale = table.self_assessment
    weights = table.weights.get(key) or {}
    if not isinstance(answers, Mapping):
        raise InputError("自评答案应为“指标: 符合/部分符合/不符合/不适用”的对象")
    known = {ind for cat in node.categories for ind in cat.indicators}
    unknown = [name for name in answers if name not in known]
    if unknown:
        raise InputError(
            f"{node.name or key}清单中没有指标：{'、'.join(inputs.shown(n) for n in unknown)}；"
            f"可选指标：{'、'.join(sorted(known))}"
        )
    allowed = [*scale.answers, scale.not_applicable]
    results: list[CategoryScore] = []
    unanswered: list[str] = []
    skipped: list[str] = []
    for cat in node.categories:
        earned = possible = 0.0
        answered = 0
        for indicator in cat.indicators:
            answer = answers.get(indicator)
            if answer is None:
                unanswered.append(indicator)
                continue
            answer = str(answer).strip()
            if answer not in allowed:
                raise InputError(
                    f"指标“{indicator}”的答案“{inputs.shown(answer)}”无效，可选：{'、'.join(allowed)}"
                )
            answered += 1
            if answer == scale.not_applicable:
                skipped.append(indicator)
                continue
            weight = float(weights.get(indicator, 1))
            earned += scale.answers[answer] * weight
            possible += weight
        percent = earned / possible * 100 if possible else None
        results.append(CategoryScore(cat.name, percent, earned, possible, answered, len(cat.indicators)))
    possible_total = sum(c.possible for c in results)
    if not possible_total:
        raise InputError("没有可计算的指标：请至少对一项适用的指标回答 符合、部分符合 或 不符合")
    score = sum(c.earned for c in results) / possible_total * star_table().max_score
    scored = [c for c in results if c.percent is not None and c.percent < 100]
    lowest = min((c.percent or 0.0 for c in scored), default=None)
    weakest = tuple(c.name for c in scored if c.percent == lowest) if lowest is not None else ()
    return Assessment(
        kind=key,
        kind_name=node.name or key,
        score=score,
        level=_grade(score)[0],
        categories=tuple(results),
        weakest=weakest,
        unanswered=tuple(unanswered),
        not_applicable=tuple(skipped),
    )
