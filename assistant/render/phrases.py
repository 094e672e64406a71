"""Sentences about a quote or a rating that several text forms share, each written once.

A phrase that takes a `Style` returns its text in that style's form (escaped for HTML, spaced for
tables), so "距四星级（90分）还差3分" and "距四星级（90 分）还差 <b>3</b> 分" come from the same code.
The others return plain text for the caller to escape.
"""

from __future__ import annotations

from ..calculators.fees import TRAVEL, LineItem, Override, Quote, YearCost
from ..calculators.scoring import Assessment, CategoryScore, Rating
from ..data import Band, Level, star_table
from ..types import Passage
from .numbers import format_number, format_score
from .style import PROSE, TEXT, Strong, Style

__all__ = [
    "ESTIMATE",
    "USER_LINE",
    "assessment_caveats",
    "band_edge_note",
    "basis_line",
    "blocked_sentence",
    "category_share",
    "estimated_band",
    "estimated_headcount",
    "extras_note",
    "gap_phrase",
    "line_name",
    "override_sentence",
    "person_days_summary",
    "quote_assumptions",
    "rating_caveats",
    "recert_missing",
    "recert_note",
    "top_level_phrase",
    "weakest_phrase",
    "year_label",
]

ESTIMATE = "估算"  # the label every self-assessment result carries
USER_LINE = "非收费表项目"  # the label every line a user added to a quote carries


# ---------------------------------------------------------------------------------------------
# Quotes.


def year_label(year: YearCost) -> str:
    """'第1年（初次认证）', '第2年（监督评审）', '复评（证书到期前）'."""
    if year.stage == "initial":
        return f"第{year.year}年（初次认证）"
    if year.stage == "surveillance":
        return f"第{year.year}年（监督评审）"
    return "复评（证书到期前）"


def line_name(line: LineItem) -> str:
    """'评审费'; a line the user added: '差旅食宿估算（非收费表项目）'."""
    return f"{line.name}（{USER_LINE}）" if line.origin == "user" else line.name


def extras_note(quote: Quote) -> str | None:
    """What the user-added lines are and which years they count in (None when there are none)."""
    if not quote.extras:
        return None
    parts = [f"标“{USER_LINE}”的行由报价人填写，不是收费表的收费项目"]
    travel = next((line for line in quote.extras if line.key == "travel"), None)
    if travel is not None:
        how = "按各次评审的现场人日数 × 单价估算" if travel.unit == "人日" else "按每次现场评审估算"
        parts.append(f"差旅{how}，监督评审年和复评同样计入")
    once = "和".join(line.name.split(" ")[0] for line in quote.extras if line.key in ("consulting", "discount"))
    if once:
        parts.append(f"{once}只计入首年")
    return "；".join(parts) + "。"


def band_edge_note(quote: Quote, style: Style = TEXT) -> str | None:
    """Which band a headcount on a band's edge falls in, and why (no note inside a band)."""
    edge = quote.edge
    if edge is None:
        return None
    n, band, g = quote.employees, quote.band, style.gap
    if edge.side == "lower" and edge.neighbour is not None:
        below = edge.neighbour
        return style(
            f"{n}{g}人恰为{g}{band.label}{g}档的下限。收费表各档人数含两端，上一档{g}{below.label}{g}到{g}"
            f"{below.max}{g}人为止，所以按{g}{band.label}{g}档计（初审{g}{style.days(band.initial)}，"
            f"上一档为{g}{style.days(below.initial)}）。"
        )
    if edge.neighbour is None:
        return style(
            f"{n}{g}人恰为收费表最后一档{g}{band.label}{g}的上限，仍按本档计；超过{g}{n}{g}人的企业不在"
            "收费表范围内，需由认证机构单独核定人日数和费用。"
        )
    above = edge.neighbour
    return style(
        f"{n}{g}人恰为{g}{band.label}{g}档的上限。收费表各档人数含两端，所以仍按本档计；"
        f"多{g}1{g}人（{n + 1}{g}人）即进入{g}{above.label}{g}档，初审{g}{style.days(above.initial)}。"
    )


def recert_missing(band: Band, style: Style = PROSE) -> str:
    """The band's re-certification person-days are cut off in the source (no full stop)."""
    return style(f"收费表{style.gap}{band.label}{style.gap}档的复评人日数原文缺失，无法计算复评费用，请向认证机构确认")


def recert_note(quote: Quote) -> str | None:
    """The note a quote document carries when its re-certification cannot be priced."""
    return None if quote.recert.total is not None else recert_missing(quote.band, TEXT) + "。"


def estimated_headcount(employees: int) -> str:
    """How an answer names a headcount the user only estimated: '按约500人估算'."""
    return f"按约{employees}人估算"


def estimated_band(band: Band) -> str:
    """The sentence an estimated headcount's answer adds: which band it assumed, and when the
    figures would differ (no full stop)."""
    return f"人数是估计的：{band.label}都属于这一档，实际人数不在这个范围内时，人日数和费用会不同"


def person_days_summary(band: Band, style: Style = TEXT) -> str:
    """'初审 16 人日（策划及文件评审 2，现场评审 14）；监督评审 5.5 人日/年；复评 10 人日'."""
    g = style.gap
    recert = style.days(band.recert) if band.recert is not None else "（来源缺失）"
    return style(
        f"初审{g}{style.days(band.initial)}（策划及文件评审{g}{format_number(band.initial_planning)}，"
        f"现场评审{g}{format_number(band.initial_onsite)}）；监督评审{g}{style.days(band.surveillance)}/年；复评{g}{recert}"
    )


def override_sentence(override: Override) -> str:
    """'评审费按指定的 2,500 元/人日计算（收费表为 3,000 元/人日）。'."""
    item = override.item
    return f"{item.name}按指定的 {TEXT.price(override.amount, item.unit)}计算（收费表为 {TEXT.price(item.amount, item.unit)}）。"


def quote_assumptions(quote: Quote) -> tuple[str, ...]:
    """What the quote assumes: the prices the user changed first, then what a travel estimate is,
    then the table's assumptions."""
    travel = (
        (f"本报价另列的{TRAVEL}是报价人的估算（{USER_LINE}），仅供预算参考，实际仍按发生额由申请方承担。",)
        if any(line.key == "travel" for line in quote.extras)
        else ()
    )
    return (*(override_sentence(o) for o in reversed(quote.overrides)), *travel, *quote.assumptions)


# ---------------------------------------------------------------------------------------------
# Ratings.


def gap_phrase(level: Level, gap: float, style: Style = PROSE) -> str:
    """'距四星级（90分）还差3分' (no full stop); the missing points are emphasised where the form can."""
    return style(
        f"距{level.label}（{style.points(level.min)}）还差{style.gap}", Strong(format_score(gap)), f"{style.gap}分"
    )


def top_level_phrase(level: Level, style: Style = PROSE) -> str:
    """'五星级是最高等级' (no full stop)."""
    return style(f"{level.label}是最高等级")


def basis_line(passage: Passage) -> str:
    """'星级对照表 四星级 ≥90分：总分达到90分…（来源：…）': one row a result rests on, as a list item."""
    return f"{passage.section}：{passage.text}（来源：{passage.source}）"


def blocked_sentence(rating: Rating, *, whose: str = "本评分表") -> str:
    """A star grade the special deductions block (single-source rule), with its full stop."""
    table = star_table()
    pass_level = table.levels[1] if len(table.levels) > 1 else table.levels[0]
    return (
        f"{whose}有{rating.special_deductions}项特别扣分，达到{table.star_block_deductions}项：按上述单一来源的规则，"
        f"不评定星级，只能按{pass_level.label}处理。"
    )


def rating_caveats(rating: Rating) -> tuple[str, ...]:
    """What qualifies the grade: a blocked star first, then the caveat rows that apply."""
    blocked = (blocked_sentence(rating),) if rating.star_blocked else ()
    return (*blocked, *(row.text for row in rating.notes))


def assessment_caveats(assessment: Assessment) -> tuple[str, ...]:
    """Why a checklist result is only an estimate, and which indicators it left out."""
    caveats = [
        "这是按指标等权重（或数据表中配置的权重）估算的自评结果，不是认证机构的正式评分。",
        "自评清单来自 SB/T 10401-2006（旧行业标准）的指标；现行 GB/T 27922-2011 的指标结构和分值不同，来源未公开各指标分值。",
    ]
    if assessment.unanswered:
        caveats.append(f"有{len(assessment.unanswered)}项指标未作答，未计入估算：{'、'.join(assessment.unanswered)}。")
    return tuple(caveats)


def category_share(category: CategoryScore) -> str:
    """'87.5%', or '全部不适用或未作答' when nothing in the category counts."""
    if category.percent is None:
        return "全部不适用或未作答"
    return f"{format_score(round(category.percent, 1))}%"


def weakest_phrase(assessment: Assessment) -> str:
    """The weakest categories, or that every category scored full marks."""
    return "、".join(assessment.weakest) or "无（各单项均满分）"
