"""Terminal text for `assistant score` and `assistant quote` (the quote itself prints as Markdown)."""

from __future__ import annotations

from pathlib import Path

from ..calculators.fees import Quote
from ..calculators.scoring import Assessment, Rating
from ..data import star_table
from .basis import rating_basis
from .numbers import format_score
from .phrases import (
    ESTIMATE,
    assessment_caveats,
    basis_line,
    category_share,
    gap_phrase,
    rating_caveats,
    top_level_phrase,
    weakest_phrase,
)
from .style import TEXT

__all__ = ["assessment_text", "quote_written", "rating_text"]


def rating_text(rating: Rating) -> str:
    """A sheet's arithmetic (if any), the score, grade, gap, caveats and the rows it rests on."""
    fmt = format_score
    lines = []
    sheet = rating.sheet
    if sheet is not None:
        lines.append(
            f"实际得分 {fmt(sheet.earned)} ÷ 涉及项总分值 {fmt(sheet.possible)} × {fmt(star_table().max_score)}"
            f" = {TEXT.points(sheet.base_score)}"
        )
        if sheet.deleted:
            lines.append(f"删减（不适用，不计入）：{'、'.join(sheet.deleted)}")
        if sheet.special_deductions or sheet.special_bonus:
            lines.append(
                f"特别扣分 {sheet.special_deductions} 项、特别加分 {sheet.special_bonus} 项，"
                f"合计 {'+' if sheet.adjustment >= 0 else ''}{TEXT.points(sheet.adjustment)}"
            )
    lines.append(f"评分：{TEXT.points(rating.score)}")
    lines.append(f"等级：{rating.level.label}")
    if rating.next_level is not None and rating.gap is not None:
        lines.append(gap_phrase(rating.next_level, rating.gap, TEXT))
    else:
        lines.append(top_level_phrase(rating.level, TEXT))
    lines += [f"说明：{text}" for text in rating_caveats(rating)]
    lines.append("依据：")
    lines += [f"- {basis_line(p)}" for p in rating_basis(rating)]
    return "\n".join(lines)


def assessment_text(assessment: Assessment) -> str:
    """The checklist estimate: score and grade, each category's share, the weakest, the caveats."""
    lines = [
        f"【{ESTIMATE}】{assessment.kind_name}企业自评：{TEXT.points(assessment.score)}，约相当于{assessment.level.label}",
        "各单项符合程度：",
    ]
    lines += [f"- {cat.name}：{category_share(cat)}" for cat in assessment.categories]
    lines.append(f"最薄弱的单项：{weakest_phrase(assessment)}")
    lines += [f"说明：{text}" for text in assessment_caveats(assessment)]
    return "\n".join(lines)


def quote_written(path: Path, quote: Quote, number: str) -> str:
    """'已写出报价单 SH-20261130-0001：q.pdf（首年合计 53,000 元）'."""
    return f"已写出报价单 {number}：{path}（首年合计 {TEXT.yuan(quote.first_year_total)}）"
