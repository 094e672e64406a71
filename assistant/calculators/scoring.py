"""Score ratings: total score -> star level, score sheets, and the self-assessment checklist.

Thresholds, special deduction/bonus points and the indicator lists come from
corpus/data/star_levels.yaml and corpus/data/indicators.yaml; nothing here repeats their numbers.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ..data import load_table, source_label
from ..errors import CorpusError, InputError
from ..types import Passage

__all__ = [
    "Assessment",
    "CategoryScore",
    "Level",
    "Rating",
    "SheetLine",
    "SheetResult",
    "enterprise_kinds",
    "format_score",
    "level_passage",
    "levels",
    "rate_score",
    "score_sheet",
    "self_assess",
]

DOC_ID = "data:star_levels"
_TABLE = "star_levels"


def format_score(value: float | None) -> str:
    """92.0 -> '92', 89.5 -> '89.5', 94.99 -> '94.99' (at most 2 decimals)."""
    if value is None:
        return "—"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# ---------------------------------------------------------------------------------------------
# The table.


@dataclass(frozen=True)
class Level:
    """One grade: its key, Chinese name, lowest score (inclusive) and source label."""

    key: str
    name: str
    min: float
    source: str

    @property
    def label(self) -> str:
        """'四星级' for star levels, the name itself otherwise."""
        return f"{self.name}级" if self.name.endswith("星") else self.name


@dataclass(frozen=True)
class _Row:
    key: str
    name: str
    text: str
    source: str


def _table() -> dict[str, Any]:
    return load_table(_TABLE)


def _number(table: Mapping[str, Any], key: str) -> float:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CorpusError(f"star_levels.yaml: 字段 {key} 应为数字，实际为 {value!r}")
    return float(value)


def levels() -> tuple[Level, ...]:
    """The grades, ascending by threshold.

    Raises:
        CorpusError: star_levels.yaml has no levels or a level lacks key/name/min.
    """
    table = _table()
    try:
        out = [
            Level(str(row["key"]), str(row["name"]), float(row["min"]), source_label(table, row.get("source")))
            for row in table.get("levels") or []
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise CorpusError(f"star_levels.yaml levels: 条目缺少 key/name/min（{exc}）") from exc
    if not out:
        raise CorpusError("star_levels.yaml: levels 为空")
    return tuple(sorted(out, key=lambda lv: lv.min))


def _format_context() -> dict[str, str]:
    """Numbers the rule sentences may name: {max_score}, {pass_min}, {star_block_deductions}..."""
    table = _table()
    context = {
        key: format_score(float(value))
        for key, value in table.items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    }
    context.update({f"{lv.key}_min": format_score(lv.min) for lv in levels()})
    return context


def _rows(section: str) -> dict[str, _Row]:
    table = _table()
    context = _format_context()
    rows: dict[str, _Row] = {}
    for row in table.get(section) or []:
        try:
            key, name, text = str(row["key"]), str(row.get("name") or row["key"]), str(row["text"])
            text = text.format(**context)
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise CorpusError(f"star_levels.yaml {section}: 条目 {row!r} 有误（{exc}）") from exc
        rows[key] = _Row(key, name, text, source_label(table, row.get("source")))
    return rows


def _passage(section: str, text: str, source: str) -> Passage:
    return Passage(
        chunk_id=f"{DOC_ID}#{section}",
        doc_id=DOC_ID,
        title=str(_table().get("title") or ""),
        section=section,
        text=text,
        source=source,
        origin="table",
    )


def level_passage(level: Level) -> Passage:
    """The threshold row of `level` as a citable passage (doc id `data:star_levels`)."""
    grades = levels()
    index = [lv.key for lv in grades].index(level.key)
    return _level_passage(level, grades[index + 1] if index + 1 < len(grades) else None)


def _level_passage(level: Level, higher: Level | None) -> Passage:
    if level.min <= 0 and higher is not None:
        text = f"总分低于{format_score(higher.min)}分为{level.name}。"
        section = f"星级对照表 {level.name} <{format_score(higher.min)}分"
    else:
        text = f"总分达到{format_score(level.min)}分（含{format_score(level.min)}分）以上为{level.label}。"
        section = f"星级对照表 {level.label} ≥{format_score(level.min)}分"
    return _passage(section, text, level.source)


def _row_passage(row: _Row, prefix: str) -> Passage:
    return _passage(f"{prefix} {row.name}", row.text, row.source)


# ---------------------------------------------------------------------------------------------
# Input checking.


def _parse_score(value: object, what: str = "评分") -> float:
    max_score = _number(_table(), "max_score")
    limit = format_score(max_score)
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        shown = format_score(float(value))
    else:
        shown = str(value).strip() if isinstance(value, str) else repr(value)
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise InputError(f"无法识别{what} {shown}，请输入 0–{limit} 之间的数字，例如 92")
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().removesuffix("分")
        try:
            value = Decimal(text)
        except InvalidOperation as exc:
            raise InputError(f"无法识别{what}“{shown}”，请输入 0–{limit} 之间的数字，例如 92") from exc
    number = float(value)
    if not math.isfinite(number):
        raise InputError(f"{what} {shown} 不是有效数字，请输入 0–{limit} 之间的数字")
    if number < 0 or number > max_score:
        raise InputError(f"{what}应在 0–{limit} 分之间（收到 {shown}），请检查输入")
    return number


def _parse_count(value: object, what: str) -> int:
    if value is None:
        return 0
    if isinstance(value, list | tuple):
        return len(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value < 0:
        raise InputError(f"{what}应为非负整数或条目列表（收到 {value!r}）")
    return value


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
    """The arithmetic of a score sheet: 实际得分 / 涉及项总分值 × 100, then special items."""

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
    """A score's grade, the gap to the next grade and the caveats that apply."""

    score: float
    level: Level
    next_level: Level | None
    gap: float | None
    caveats: tuple[str, ...]
    star_blocked: bool = False
    sheet: SheetResult | None = None
    basis: tuple[Passage, ...] = field(default_factory=tuple)
    target: Level | None = None  # a level the user asked about ("离五星还差多少")
    target_gap: float | None = None  # points still missing for `target`; None when reached

    def to_dict(self) -> dict[str, Any]:
        """The `assistant score --json` object and `Answer.data` for score answers."""
        out: dict[str, Any] = {
            "score": round(self.score, 2),
            "level": {"key": self.level.key, "name": self.level.name, "label": self.level.label},
            "next_level": (
                None
                if self.next_level is None
                else {"key": self.next_level.key, "name": self.next_level.name, "min": self.next_level.min}
            ),
            "gap": None if self.gap is None else round(self.gap, 2),
            "target": None if self.target is None else {"key": self.target.key, "name": self.target.name,
                                                        "min": self.target.min},
            "target_gap": None if self.target_gap is None else round(self.target_gap, 2),
            "star_blocked": self.star_blocked,
            "caveats": list(self.caveats),
            "basis": [{"section": p.section, "text": p.text, "source": p.source} for p in self.basis],
        }
        if self.sheet is not None:
            s = self.sheet
            out["sheet"] = {
                "earned": round(s.earned, 4),
                "possible": round(s.possible, 4),
                "base_score": round(s.base_score, 2),
                "special_deductions": s.special_deductions,
                "special_bonus": s.special_bonus,
                "adjustment": s.adjustment,
                "deleted": list(s.deleted),
                "lines": [
                    {"name": ln.name, "max": ln.max_points, "points": ln.points, "applicable": ln.applicable}
                    for ln in s.lines
                ],
            }
        return out


def _grade(score: float) -> tuple[Level, Level | None, float | None, Passage, Passage | None]:
    grades = levels()
    # Compare in Decimal so that 94.99 + 0.01 lands exactly on 95, not on 94.99999999.
    exact = Decimal(format_score(score))
    index = max(i for i, lv in enumerate(grades) if exact >= Decimal(format_score(lv.min)) or i == 0)
    level = grades[index]
    higher = grades[index + 1] if index + 1 < len(grades) else None
    gap = float(Decimal(format_score(higher.min)) - exact) if higher else None
    passage = _level_passage(level, higher)
    next_passage = _level_passage(higher, grades[index + 2] if index + 2 < len(grades) else None) if higher else None
    return level, higher, gap, passage, next_passage


def _find_level(name: str) -> Level:
    wanted = str(name).strip()
    for level in levels():
        if wanted in (level.key, level.name, level.label):
            return level
    known = "、".join(lv.label for lv in levels())
    raise InputError(f"未知的等级“{wanted}”，可选：{known}")


def _rate(
    score: float, *, special_deductions: int | None, sheet: SheetResult | None, target: Level | None = None
) -> Rating:
    table = _table()
    level, higher, gap, passage, next_passage = _grade(score)
    grades = levels()
    pass_level = grades[1] if len(grades) > 1 else grades[0]
    caveat_rows = _rows("caveats")
    caveats: list[str] = []
    basis = [passage] + ([next_passage] if next_passage else [])
    target_gap = None
    if target is not None and target.min > level.min:
        target_gap = float(Decimal(format_score(target.min)) - Decimal(format_score(score)))
    if target is not None and target.key not in (level.key, higher.key if higher else None):
        basis.append(level_passage(target))
    is_star = level.min > pass_level.min
    block = int(_number(table, "star_block_deductions"))
    blocked = is_star and special_deductions is not None and special_deductions >= block
    if is_star:
        for key in ("star_after_one_year", "star_block"):
            if key in caveat_rows:
                caveats.append(caveat_rows[key].text)
                basis.append(_row_passage(caveat_rows[key], "说明"))
    if blocked:
        caveats.insert(
            0,
            f"本评分表有{special_deductions}项特别扣分，达到{block}项：按上述单一来源的规则，"
            f"不评定星级，只能按{pass_level.label}处理。",
        )
    if sheet is not None and (sheet.special_deductions or sheet.special_bonus) and "deduction_timing" in caveat_rows:
        caveats.append(caveat_rows["deduction_timing"].text)
    return Rating(
        score=score,
        level=level,
        next_level=higher,
        gap=gap,
        caveats=tuple(caveats),
        star_blocked=blocked,
        sheet=sheet,
        basis=tuple(basis),
        target=target,
        target_gap=target_gap,
    )


def rate_score(total: object, *, special_deductions: int | None = None, target: str | None = None) -> Rating:
    """The grade for a total score, with the gap to the next grade.

    Args:
        total: the score, 0 to max_score (100): a number or a numeric string such as "92" or "89.5分".
        special_deductions: number of 特别扣分项, if known; enough of them block a star rating
            (single-source rule, reported in the caveats).
        target: a level the user asks about (key, name or label: "five", "五星", "五星级"); the
            rating then also gives the points missing for it.

    Returns:
        A `Rating` citing the threshold rows it used.

    Raises:
        InputError: the score is not a number or lies outside 0–max_score, or `target` names no level.
    """
    score = _parse_score(total)
    count = None if special_deductions is None else _parse_count(special_deductions, "特别扣分项数")
    goal = None if target is None else _find_level(target)
    return _rate(score, special_deductions=count, sheet=None, target=goal)


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
        raise InputError(f"评分表第{i}项应为包含 name、max、score 的对象（收到 {row!r}）")
    name = str(_first(row, _NAME_KEYS) or f"第{i}项").strip()
    applicable = row.get("applicable", True)
    if row.get("删减") is True or row.get("deleted") is True:
        applicable = False
    if not isinstance(applicable, bool):
        raise InputError(f"评分表“{name}”的 applicable 应为 true 或 false（收到 {applicable!r}）")
    max_raw = _first(row, _MAX_KEYS)
    if max_raw is None:
        raise InputError(f"评分表“{name}”缺少分值（max）")
    max_points = _parse_positive(max_raw, f"评分表“{name}”的分值")
    if not applicable:
        return SheetLine(name, max_points, None, False)
    points_raw = _first(row, _POINTS_KEYS)
    if points_raw is None:
        raise InputError(f"评分表“{name}”缺少得分（score）；不适用的指标请写 applicable: false")
    points = _parse_nonnegative(points_raw, f"评分表“{name}”的得分")
    if points > max_points:
        raise InputError(
            f"评分表“{name}”的得分 {format_score(points)} 超过该项分值 {format_score(max_points)}"
        )
    return SheetLine(name, max_points, points, True)


def _parse_nonnegative(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InputError(f"{what}应为数字（收到 {value!r}）")
    try:
        number = float(unicodedata.normalize("NFKC", value) if isinstance(value, str) else value)
    except ValueError as exc:
        raise InputError(f"{what}应为数字（收到“{value}”）") from exc
    if not math.isfinite(number) or number < 0:
        raise InputError(f"{what}应为非负数字（收到 {value!r}）")
    return number


def _parse_positive(value: object, what: str) -> float:
    number = _parse_nonnegative(value, what)
    if number == 0:
        raise InputError(f"{what}应大于 0")
    return number


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
    table = _table()
    max_score = _number(table, "max_score")
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
    base = earned / possible * max_score

    deductions = _parse_count(sheet.get("special_deductions"), "特别扣分项数")
    bonus = _parse_count(sheet.get("special_bonus"), "特别加分项数")
    max_bonus = int(_number(table, "max_special_bonus"))
    if bonus > max_bonus:
        raise InputError(f"特别加分项最多 {max_bonus} 项（收到 {bonus} 项）")
    adjustment = bonus * _number(table, "special_bonus_points") - deductions * _number(
        table, "special_deduction_points"
    )
    final = min(max(base + adjustment, 0.0), max_score)
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
    rating = _rate(round(final, 2), special_deductions=deductions, sheet=result)
    rules = _rows("rules")
    extra = [_row_passage(rules["deletion"], "评分规则")] if "deletion" in rules else []
    if deductions and "special_deduction" in rules:
        extra.append(_row_passage(rules["special_deduction"], "评分规则"))
    if bonus and "special_bonus" in rules:
        extra.append(_row_passage(rules["special_bonus"], "评分规则"))
    return Rating(
        score=rating.score,
        level=rating.level,
        next_level=rating.next_level,
        gap=rating.gap,
        caveats=rating.caveats,
        star_blocked=rating.star_blocked,
        sheet=result,
        basis=(*rating.basis[:2], *extra, *rating.basis[2:]),
    )


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
    caveats: tuple[str, ...]
    label: str = "估算"

    def chart(self) -> list[dict[str, Any]]:
        """Per-category percentages for a bar chart: [{"category", "percent"}], None = all 不适用."""
        return [
            {"category": c.name, "percent": None if c.percent is None else round(c.percent, 1)}
            for c in self.categories
        ]

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON and UIs."""
        return {
            "label": self.label,
            "kind": self.kind,
            "kind_name": self.kind_name,
            "score": round(self.score, 2),
            "level": {"key": self.level.key, "name": self.level.name, "label": self.level.label},
            "categories": self.chart(),
            "weakest": list(self.weakest),
            "unanswered": list(self.unanswered),
            "not_applicable": list(self.not_applicable),
            "caveats": list(self.caveats),
        }


def enterprise_kinds() -> dict[str, str]:
    """Indicator-set key -> Chinese name: {'production': '生产型', 'sales_service': '销售服务型'}."""
    sets = load_table("indicators").get("sbt10401") or {}
    return {key: str(node.get("name") or key) for key, node in sets.items() if isinstance(node, Mapping)}


def self_assess(kind: str, answers: Mapping[str, str]) -> Assessment:
    """Estimate a score from a 符合 / 部分符合 / 不符合 / 不适用 checklist over the indicator list.

    Args:
        kind: 'production' / '生产型' or 'sales_service' / '销售服务型'.
        answers: indicator name -> answer. Indicators left out count as unanswered and are left out
            of the estimate (and listed). Weights come from indicators.yaml (`weights`, default 1).

    Returns:
        An `Assessment` labelled 估算: overall percentage, the grade it would map to, per-category
        percentages, the weakest categories, and caveats.

    Raises:
        InputError: unknown kind, unknown indicator or answer, or no applicable answered indicator.
    """
    key = _KIND_ALIASES.get(str(kind).strip().lower()) or _KIND_ALIASES.get(str(kind).strip())
    table = load_table("indicators")
    sets = table.get("sbt10401") or {}
    if key is None or key not in sets:
        raise InputError(f"未知的企业类型“{kind}”，可选：生产型（production）、销售服务型（sales_service）")
    node = sets[key]
    config = table.get("self_assessment") or {}
    values = {str(k): float(v) for k, v in (config.get("answers") or {}).items()}
    not_applicable = str(config.get("not_applicable") or "不适用")
    weights = (table.get("weights") or {}).get(key) or {}
    if not isinstance(answers, Mapping):
        raise InputError("自评答案应为“指标: 符合/部分符合/不符合/不适用”的对象")
    categories = node.get("categories") or []
    known = {str(ind) for cat in categories for ind in cat.get("indicators") or []}
    unknown = [name for name in answers if name not in known]
    if unknown:
        raise InputError(
            f"{node.get('name', key)}清单中没有指标：{'、'.join(unknown)}；可选指标：{'、'.join(sorted(known))}"
        )
    allowed = [*values, not_applicable]
    results: list[CategoryScore] = []
    unanswered: list[str] = []
    skipped: list[str] = []
    for cat in categories:
        earned = possible = 0.0
        answered = 0
        for indicator in cat.get("indicators") or []:
            answer = answers.get(indicator)
            if answer is None:
                unanswered.append(indicator)
                continue
            answer = str(answer).strip()
            if answer not in allowed:
                raise InputError(f"指标“{indicator}”的答案“{answer}”无效，可选：{'、'.join(allowed)}")
            answered += 1
            if answer == not_applicable:
                skipped.append(indicator)
                continue
            weight = float(weights.get(indicator, 1))
            earned += values[answer] * weight
            possible += weight
        percent = earned / possible * 100 if possible else None
        results.append(CategoryScore(str(cat["name"]), percent, earned, possible, answered, len(cat["indicators"])))
    possible_total = sum(c.possible for c in results)
    if not possible_total:
        raise InputError("没有可计算的指标：请至少对一项适用的指标回答 符合、部分符合 或 不符合")
    score = sum(c.earned for c in results) / possible_total * _number(_table(), "max_score")
    scored = [c for c in results if c.percent is not None and c.percent < 100]
    lowest = min((c.percent or 0.0 for c in scored), default=None)
    weakest = tuple(c.name for c in scored if c.percent == lowest) if lowest is not None else ()
    level = _grade(score)[0]
    caveats = [
        "这是按指标等权重（或数据表中配置的权重）估算的自评结果，不是认证机构的正式评分。",
        "自评清单来自 SB/T 10401-2006（旧行业标准）的指标；现行 GB/T 27922-2011 的指标结构和分值不同，来源未公开各指标分值。",
    ]
    if unanswered:
        caveats.append(f"有{len(unanswered)}项指标未作答，未计入估算：{'、'.join(unanswered)}。")
    return Assessment(
        kind=key,
        kind_name=str(node.get("name") or key),
        score=score,
        level=level,
        categories=tuple(results),
        weakest=weakest,
        unanswered=tuple(unanswered),
        not_applicable=tuple(skipped),
        caveats=tuple(caveats),
    )
