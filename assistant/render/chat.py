"""Chat answers for the calculators: Chinese prose whose every figure carries the [n] of a cited row.

`dialogue.answer_calculation` routes a fee or score question here with the calculator's result;
each function returns a complete `Answer` (text, citations, intent, the JSON form as `data`).
"""

from __future__ import annotations

from ..calculators.fees import Quote, person_day_bands
from ..calculators.scoring import Rating, levels
from ..citations import Citations
from ..data import by_key
from ..types import Answer
from .basis import (
    band_passage,
    coverage_passage,
    level_passage,
    quote_basis,
    rating_basis,
    rating_calculation,
)
from .jsondata import quote_data, rating_data
from .phrases import (
    band_edge_note,
    blocked_sentence,
    estimated_band,
    estimated_headcount,
    gap_phrase,
    recert_missing,
    top_level_phrase,
)
from .rows import charged
from .style import PROSE

__all__ = ["headcount_refusal", "invalid_answer", "quote_answer", "rating_answer"]

_DISCLAIMER = "差旅、食宿费用另计；收费表为试行标准，各认证机构实际收费可能不同，以机构报价为准。"


def _cited(sentence: str, mark: str) -> str:
    """'…为四星级。' + '[1]' -> '…为四星级[1]。'."""
    return sentence.rstrip("。") + mark + "。"


def invalid_answer(message: str) -> Answer:
    """Input the calculator cannot use: the message, abstained, intent `invalid`."""
    return Answer(answer=f"{message}。", intent="invalid", abstained=True, notice=message)


def quote_answer(quote: Quote, *, item: str | None = None, estimated: bool = False) -> Answer:
    """The fee answer: band and person-days, then the first year, later years and re-certification,
    or only the fee item asked about (`application`, `registration`, `annual`, `audit`).

    `estimated`: the headcount was an estimate ("五百来号人"), so the answer says which band it
    assumed ("按约500人估算，属于收费表426–625人档") and when the figures would differ."""
    band = quote.band
    days, yuan = PROSE.days, PROSE.yuan
    cites = Citations()
    row, items, calc = quote_basis(quote)
    c_row = cites.mark(row)
    # An estimate ("一千一百来人") says its band below instead; an exact edge headcount says why here.
    edge = _edge_sentence(quote, cites, c_row) if item in (None, "audit") and not estimated else ""
    c_items = cites.mark(items)
    audit = quote.item("audit")
    years = quote.years
    later = years[1] if len(years) > 1 else None
    recert_days = days(band.recert) if band.recert is not None else "人日数收费表中缺失"

    def onsite(value: float | None) -> str:
        return f"（其中现场{days(value)}）" if value is not None else ""

    subject = f"{estimated_headcount(quote.employees)}，" if estimated else f"{quote.employees}人的企业"
    # A doubt the table's row carries (a figure restored from a garbled source) is said with it.
    doubt = f"\n{_cited(band.note, c_row)}" if band.note else ""
    head = (
        f"{subject}属于收费表{band.label}档：初审{days(band.initial)}"
        f"（策划及文件评审{days(band.initial_planning)}、现场评审{days(band.initial_onsite)}），"
        f"每年监督评审{days(band.surveillance)}{onsite(band.surveillance_onsite)}，"
        f"复评{recert_days}{onsite(band.recert_onsite) if band.recert is not None else ''}{c_row}。{edge}{doubt}"
    )
    c_calc = cites.mark(calc)
    audit_text = f"评审费{days(audit.quantity)}×{PROSE.price(audit.unit_price, '人日')}={yuan(audit.amount)}"
    lines: list[str] = []
    if item is None:
        fixed = "、".join(f"{x.name}{yuan(x.amount)}" for x in quote.items if x.key != "audit")
        lines += [head, f"首年费用合计{yuan(quote.first_year_total)}：{fixed}{c_items}，{audit_text}{c_calc}。"]
        if later is not None:
            parts = "加".join(f"{x.name}{yuan(x.amount)}" for x in later.items)
            span = "、".join(str(y.year) for y in years[1:])
            lines.append(
                f"第{span}年每年{parts}，共{yuan(later.total)}；{len(years)}年合计{yuan(quote.cycle_total)}{c_calc}。"
            )
        lines.append(_recert_sentence(quote, c_row, c_calc))
    elif item == "audit":
        lines += [head, f"初审{audit_text}{c_items}{c_calc}。"]
        if later is not None:
            s_audit = later.items[0]
            lines.append(f"之后每年监督评审{days(s_audit.quantity)}，评审费{yuan(s_audit.amount)}{c_calc}。")
        lines.append(_recert_sentence(quote, c_row, c_calc))
        lines.append(f"连同其他费用，首年合计{yuan(quote.first_year_total)}{c_calc}。")
    else:
        line = quote.item(item)
        fee = by_key(quote.fee_items, item)
        recurring = "（首年和之后每个监督年都要缴）" if fee.per == "year" else ""
        lines.append(f"{line.name}为{PROSE.price(line.unit_price, line.unit)}，{charged(fee)}{recurring}{c_items}。")
        basis, verb = (f"按约{quote.employees}人", "估算") if estimated else (f"按{quote.employees}人", "计")
        lines.append(f"{basis}（{band.label}档）{verb}，首年费用合计{yuan(quote.first_year_total)}{c_calc}。")
    if estimated:
        lines.append(f"{estimated_band(band)}{c_row}。")
    lines.append(_DISCLAIMER)
    return Answer(answer="\n".join(lines), citations=cites.citations, intent="fee", data=quote_data(quote))


def _edge_sentence(quote: Quote, cites: Citations, c_row: str) -> str:
    """A headcount on a band's edge: which band and why, citing this row and the one across the
    edge (or what the table covers, past its last band); '' inside a band. Starts a new line."""
    note = band_edge_note(quote, PROSE)
    if note is None or quote.edge is None:
        return ""
    across = quote.edge.neighbour
    other = band_passage(across, quote.title) if across is not None else coverage_passage()
    return "\n" + _cited(note, c_row + cites.mark(other))


def _recert_sentence(quote: Quote, c_row: str, c_calc: str) -> str:
    recert = quote.recert
    if recert.total is None:
        return f"{recert_missing(quote.band)}{c_row}。"
    line = recert.items[0]
    return (
        f"证书到期前复评{PROSE.days(line.quantity)}，评审费{PROSE.yuan(line.amount)}{c_calc}；"
        "复评时是否再收申请费和审定与注册费，收费表未说明。"
    )


def headcount_refusal(employees: float | None, message: str) -> Answer:
    """A headcount the table cannot price: above the table, an answer citing what the table covers
    (intent `fee`); unusable (zero, negative, fractional), an `invalid_answer`."""
    above = isinstance(employees, int | float) and employees > person_day_bands()[-1].max
    if not above:
        return invalid_answer(message)
    cites = Citations()
    text = f"{message}{cites.mark(coverage_passage())}。请向认证机构说明企业规模，申请单独核定人日数和报价。"
    return Answer(answer=text, citations=cites.citations, intent="fee", notice=message)


def rating_answer(
    rating: Rating,
    *,
    base_score: float | None = None,
    delta: float | None = None,
    special: tuple[int, int] | None = None,
    estimated: bool = False,
    earlier: bool = True,
) -> Answer:
    """The score answer: the grade with its threshold row, the gap to the next grade (and to a level
    asked about), the caveats; after "再多2分", the arithmetic from the earlier score first.

    `special`: (特别扣分项, 特别加分项) counts that turned `base_score` into the rating's score
    ("95分，有一项特别扣分" → 94分); `estimated`: the score was an estimate ("九十来分"); `earlier`:
    `base_score` is from an earlier turn, not stated with the change ("得了96，再扣2分")."""
    cites = Citations()
    shown = PROSE.points(rating.score)
    calc = rating_calculation(rating, base_score=base_score, delta=delta)
    lines: list[str] = []
    if base_score is not None and delta is not None and special is not None:
        items = "、".join(f"{name}{n}项" for name, n in zip(("特别扣分", "特别加分"), special, strict=True) if n)
        rules = "".join(cites.mark(p) for p in rating_basis(rating) if p.section.startswith("评分规则"))
        # The arithmetic in words too ("共扣2分"), not only in the cited calculation.
        net = f"，共{'扣' if delta < 0 else '加'}{PROSE.points(abs(delta))}" if delta else "，加减相抵"
        lines.append(f"{PROSE.points(base_score)}再计{items}{net}，按{shown}评定{rules}{cites.mark(calc)}。")
    elif base_score is not None and delta is not None:
        change = f"再多{PROSE.points(delta)}" if delta >= 0 else f"少{PROSE.points(-delta)}"
        base = f"在上次的{PROSE.points(base_score)}基础上" if earlier else PROSE.points(base_score)
        lines.append(f"{base}{change}，是{shown}{cites.mark(calc)}。")
    level_p = level_passage(rating.level)
    verb = "" if rating.level.key == levels()[0].key else "对应"
    about = f"按约{shown}估算，" if estimated else ""
    lines.append(f"{about}{shown}{verb}{rating.level.label}：{_cited(level_p.text, cites.mark(level_p))}")
    nxt = rating.next_level
    if nxt is not None and rating.gap is not None:
        lines.append(f"{gap_phrase(nxt, rating.gap)}{cites.mark(level_passage(nxt))}{cites.mark(calc)}。")
    else:
        lines.append(f"{top_level_phrase(rating.level)}。")
    target = rating.target
    if target is not None and target.key not in (rating.level.key, nxt.key if nxt else None):
        target_p = level_passage(target)
        if rating.target_gap is not None:
            lines.append(f"{gap_phrase(target, rating.target_gap)}{cites.mark(target_p)}{cites.mark(calc)}。")
        else:
            lines.append(f"{shown}已达到{target.label}的分数线（{PROSE.points(target.min)}）{cites.mark(target_p)}。")
    notes = [p for p in rating_basis(rating) if p.section.startswith("说明")]
    lines += [f"注意：{_cited(p.text, cites.mark(p))}" for p in notes]
    if rating.star_blocked:
        lines.append(f"注意：{blocked_sentence(rating, whose='')}")
    return Answer(answer="\n".join(lines), citations=cites.citations, intent="score", data=rating_data(rating))
