"""What a quote or a rating rests on, as citable passages: the table rows it used and its arithmetic.

Chat answers cite these, the JSON forms list them as `basis`, the terminal and the app show them as
依据. The doc ids `data:fees` and `data:star_levels` let the evaluation check every figure of an
answer against a cited passage.
"""

from __future__ import annotations

from ..calculators.fees import LineItem, Quote
from ..calculators.scoring import Rating
from ..data import Band, Level, Row, by_key, fee_table, star_table
from ..types import Passage
from .numbers import format_score
from .phrases import gap_phrase, line_name
from .rows import band_sentence, fee_items_sentence, higher_level, level_sentence
from .style import PROSE

__all__ = [
    "FEES_DOC",
    "STARS_DOC",
    "band_passage",
    "coverage_passage",
    "level_passage",
    "quote_basis",
    "rating_basis",
    "rating_calculation",
]

FEES_DOC = "data:fees"
STARS_DOC = "data:star_levels"


def _passage(doc_id: str, title: str, section: str, text: str, source: str) -> Passage:
    return Passage(
        chunk_id=f"{doc_id}#{section}", doc_id=doc_id, title=title, section=section, text=text, source=source,
        origin="table",
    )


# ---------------------------------------------------------------------------------------------
# Quotes.


def _sum_text(lines: tuple[LineItem, ...]) -> str:
    parts = []
    for line in lines:
        if line.unit == "人日":
            parts.append(
                f"{line_name(line)}{PROSE.days(line.quantity)}×{PROSE.price(line.unit_price, '人日')}"
                f"（{PROSE.yuan(line.amount)}）"
            )
        else:
            parts.append(f"{line_name(line)}{PROSE.yuan(line.amount)}")
    return " + ".join(parts)


def _calculation_text(quote: Quote) -> str:
    """The quote's arithmetic as one sentence: first year, later years, cycle total, re-certification."""
    first, *later = quote.years
    text = (
        f"{quote.employees}人（{quote.band.label}档）：首年 = {_sum_text(first.items)} = {PROSE.yuan(first.total)}"
    )
    if later:
        span = "、".join(str(y.year) for y in later)
        text += f"；第{span}年每年 = {_sum_text(later[0].items)} = {PROSE.yuan(later[0].total)}"
    text += f"；{len(quote.years)}年合计{PROSE.yuan(quote.cycle_total)}"
    if quote.recert.total is None:
        text += "；复评人日数收费表中缺失，复评费用无法计算"
    else:
        line = quote.recert.items[0]
        text += (
            f"；复评评审费 = {PROSE.days(line.quantity)}×{PROSE.price(line.unit_price, '人日')}"
            f" = {PROSE.yuan(quote.recert.total)}"
        )
    return text + "。"


def band_passage(band: Band, title: str) -> Passage:
    """One row of the person-day table (`title` is the table's)."""
    return _passage(FEES_DOC, title, f"人日数对照表 {band.label}", band_sentence(band), band.source)


def quote_basis(quote: Quote) -> tuple[Passage, Passage, Passage]:
    """The band's row, the fee items, and the quote's arithmetic (so that every figure of an answer
    can be found in a cited text)."""
    audit = by_key(quote.fee_items, "audit")
    return (
        band_passage(quote.band, quote.title),
        _passage(FEES_DOC, quote.title, "收费项目", fee_items_sentence(quote.fee_items), audit.source),
        _passage(FEES_DOC, quote.title, f"报价计算 {quote.employees}人", _calculation_text(quote), audit.source),
    )


def coverage_passage() -> Passage:
    """Which headcounts the person-day table covers (cited when a headcount lies above it)."""
    table = fee_table()
    first, last = table.person_days[0], table.person_days[-1]
    return _passage(
        FEES_DOC,
        table.title,
        "人日数对照表 适用范围",
        f"人日数对照表覆盖雇员人数{first.min}–{last.max}人，最后一档为{last.label}；"
        f"超过{last.max}人的企业不在收费表范围内，需由认证机构单独核定人日数和费用。",
        last.source,
    )


# ---------------------------------------------------------------------------------------------
# Ratings.


def _star_passage(section: str, text: str, source: str) -> Passage:
    return _passage(STARS_DOC, star_table().title, section, text, source)


def level_passage(level: Level) -> Passage:
    """The threshold row of `level` (doc id `data:star_levels`)."""
    higher = higher_level(level)
    if level.min <= 0 and higher is not None:
        section = f"星级对照表 {level.name} <{PROSE.points(higher.min)}"
    else:
        section = f"星级对照表 {level.label} ≥{PROSE.points(level.min)}"
    return _star_passage(section, level_sentence(level), level.source)


def _row_passage(row: Row, prefix: str) -> Passage:
    return _star_passage(f"{prefix} {row.name}", row.text, row.source)


def rating_basis(rating: Rating) -> tuple[Passage, ...]:
    """The grade's row and the next grade's, the scoring rules a sheet used, the row of a level the
    user asked about, then the caveat rows (sections '说明 …')."""
    passages = [level_passage(rating.level)]
    if rating.next_level is not None:
        passages.append(level_passage(rating.next_level))
    passages += [_row_passage(row, "评分规则") for row in rating.rules]
    target = rating.target
    if target is not None and target.key not in (rating.level.key, getattr(rating.next_level, "key", None)):
        passages.append(level_passage(target))
    passages += [_row_passage(row, "说明") for row in rating.notes]
    return tuple(passages)


def rating_calculation(rating: Rating, *, base_score: float | None = None, delta: float | None = None) -> Passage:
    """The arithmetic of a rating (an earlier score plus a change, the grade, the gaps) as a citable sentence."""
    fmt = format_score
    parts = []
    if base_score is not None and delta is not None:
        sign = "+" if delta >= 0 else "−"
        parts.append(f"{fmt(base_score)} {sign} {fmt(abs(delta))} = {PROSE.points(rating.score)}")
    if rating.level.min > 0:
        parts.append(f"{PROSE.points(rating.score)} ≥ {PROSE.points(rating.level.min)}，为{rating.level.label}")
    gaps = [(rating.next_level, rating.gap)]
    if rating.target is not None and rating.target != rating.next_level:
        gaps.append((rating.target, rating.target_gap))
    for level, gap in gaps:
        if level is not None and gap is not None:
            parts.append(f"{gap_phrase(level, gap)}（{fmt(level.min)} − {fmt(rating.score)}）")
    section = f"评分计算 {PROSE.points(rating.score)}"
    return _star_passage(section, "；".join(parts) + "。", rating.level.source)

