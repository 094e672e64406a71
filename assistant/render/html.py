"""HTML fragments for the app: quotes, ratings, checklist estimates, and the pieces they are built of.

Every piece of user or corpus text goes through `esc` before it is placed in markup, so text such
as `<script>` is shown as text wherever it comes from; only the markup written here is live. The
functions are pure: a typed result in, an HTML string out, checkable without a browser.
assistant/ui_render.py builds the chat and knowledge-base views from the same pieces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..calculators.fees import Quote
from ..calculators.scoring import Assessment, Rating
from .basis import rating_basis
from .document import ITEM_HEADINGS, YEAR_HEADINGS, cycle_rows, first_year_rows
from .numbers import format_score
from .phrases import (
    assessment_caveats,
    band_edge_note,
    basis_line,
    category_share,
    extras_note,
    gap_phrase,
    person_days_summary,
    quote_assumptions,
    rating_caveats,
    recert_note,
    top_level_phrase,
    weakest_phrase,
    year_label,
)
from .style import HTML, esc

__all__ = [
    "assessment_html",
    "bars",
    "bullet_list",
    "esc",
    "lines",
    "linked",
    "quote_html",
    "rating_html",
    "table",
]

_URL = re.compile(r"https?://[^\s<>\"'，。；）)]+")


def lines(text: str) -> str:
    """Escaped text with line breaks kept; everything stays on one source line.

    The chat renders messages as Markdown, where a blank line would end the raw-HTML block and
    let the rest be re-parsed as Markdown; `<br>` keeps the message one HTML block.
    """
    return "<br>".join(esc(line) for line in text.split("\n"))


def linked(text: str) -> str:
    """Escaped text whose http(s) URLs become links that open in a new tab."""
    out: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        out.append(esc(text[last : match.start()]))
        url = esc(match.group(0))
        out.append(f'<a href="{url}" target="_blank" rel="noopener noreferrer">{url}</a>')
        last = match.end()
    out.append(esc(text[last:]))
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Charts: plain HTML bars, so they need no plotting library, no font for Chinese labels, and
# shrink to any screen width.


def bars(rows: Sequence[tuple[str, float | None, str]], *, scale: float | None = None) -> str:
    """Horizontal bars: (label, value, shown value); None values get an empty track."""
    top = scale or max((v for _, v, _ in rows if v is not None), default=0.0) or 1.0
    out = ['<div class="sa-bars">']
    for label, value, shown in rows:
        width = 0.0 if value is None else max(0.0, min(100.0, value / top * 100))
        out.append(
            f'<div class="sa-bar-row"><div class="sa-bar-label">{esc(label)}</div>'
            f'<div class="sa-bar-track"><div class="sa-bar-fill" style="width:{width:.1f}%"></div></div>'
            f'<div class="sa-bar-val">{esc(shown)}</div></div>'
        )
    out.append("</div>")
    return "".join(out)


def table(head: Sequence[str], rows: Iterable[Sequence[str]], *, foot: Sequence[str] | None = None) -> str:
    """A table; `head` is text (escaped here), `rows` and `foot` are cells already in HTML."""
    cells = "".join(f"<th>{esc(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    tail = "<tfoot><tr>" + "".join(f"<td>{c}</td>" for c in foot) + "</tr></tfoot>" if foot else ""
    return f'<table class="sa-table"><thead><tr>{cells}</tr></thead><tbody>{body}</tbody>{tail}</table>'


def bullet_list(items: Iterable[str], *, with_links: bool = False) -> str:
    """A bulleted list of text items (their URLs as links when `with_links`); empty -> ''."""
    shown = [(linked(i) if with_links else esc(i)) for i in items]
    return "<ul class=\"sa-list\">" + "".join(f"<li>{i}</li>" for i in shown) + "</ul>" if shown else ""


# ---------------------------------------------------------------------------------------------
# Quotes.


def quote_html(quote: Quote) -> str:
    """Band, person-days, itemised first year, the cycle view with a bar chart, assumptions, sources."""
    band = quote.band
    company = f"{esc(quote.company)} · " if quote.company else ""
    head = (
        f'<div class="sa-card sa-quote-head"><div class="sa-kicker">{company}{esc(HTML.quantity(quote.employees, "人"))}'
        f" · 收费表档次 {esc(band.label)}</div>"
        f'<div class="sa-big"><span>首年合计</span> <b class="sa-total">{esc(HTML.yuan(quote.first_year_total))}</b></div>'
        f'<div class="sa-kicker">评审人日：{person_days_summary(band, HTML)}</div></div>'
    )
    *item_rows, item_total = first_year_rows(quote)
    items = table(
        ITEM_HEADINGS,
        ([f"<b>{esc(c)}</b>" if row.kind == "subtotal" else esc(c) for c in row.cells] for row in item_rows),
        foot=[f"<b>{esc(c)}</b>" if c else "" for c in item_total.cells],
    )
    cycle = len(quote.years)
    chart = bars([(year_label(y), y.total, HTML.yuan(y.total)) for y in quote.years])
    *year_rows, cycle_total, _recert = cycle_rows(quote)
    years = table(
        YEAR_HEADINGS,
        ([esc(c) for c in row.cells] for row in year_rows),
        foot=[f"<b>{esc(c)}</b>" if c else "" for c in cycle_total.cells],
    )
    recert = quote.recert
    recert_value = HTML.yuan(recert.total) if recert.total is not None else recert_note(quote)
    notes = "".join(
        f'<p class="sa-small">注：{esc(n)}</p>'
        for n in (band_edge_note(quote), extras_note(quote), band.note)
        if n
    )
    return (
        f"{head}<h4>首年费用明细</h4>{items}"
        f"<h4>{cycle}年费用概览</h4>{chart}{years}"
        f'<p class="sa-small">{esc(year_label(recert))}：{esc(recert_value)}（不计入{cycle}年合计）</p>'
        f"{notes}<h4>说明与假设</h4>{bullet_list(quote_assumptions(quote))}"
        f"<h4>数据来源</h4>{bullet_list(quote.sources, with_links=True)}"
    )


# ---------------------------------------------------------------------------------------------
# Ratings.


def _level_card(rating: Rating, *, estimate: bool) -> str:
    badge = '<span class="sa-badge">估算</span> ' if estimate else ""
    nxt = rating.next_level
    gap = gap_phrase(nxt, rating.gap, HTML) if nxt is not None and rating.gap is not None else None
    return (
        f'<div class="sa-card sa-level sa-level-{esc(rating.level.key)}">{badge}<div class="sa-big"><span>得分</span> '
        f'<b class="sa-score">{esc(format_score(rating.score))}</b> <span>分</span> → '
        f'<b class="sa-level-name">{esc(rating.level.label)}</b></div>'
        f'<div class="sa-kicker">{gap or top_level_phrase(rating.level, HTML)}。</div></div>'
    )


def rating_html(rating: Rating) -> str:
    """A total score's grade, the gap to the next grade, the caveats and the rows it rests on."""
    caveats = rating_caveats(rating)
    basis = [basis_line(p) for p in rating_basis(rating)]
    return (
        _level_card(rating, estimate=False)
        + (f"<h4>注意事项</h4>{bullet_list(caveats)}" if caveats else "")
        + (f"<h4>依据</h4>{bullet_list(basis, with_links=True)}" if basis else "")
    )


def assessment_html(assessment: Assessment, rating: Rating) -> str:
    """A checklist estimate: score and level, per-category bars, weakest categories, caveats.

    Args:
        assessment: the checklist estimate.
        rating: the rating of its score (it carries the gap and the rating caveats).
    """
    chart = bars([(cat.name, cat.percent, category_share(cat)) for cat in assessment.categories], scale=100.0)
    caveats = list(dict.fromkeys([*assessment_caveats(assessment), *rating_caveats(rating)]))
    return (
        f'<p class="sa-small">以下为按{esc(assessment.kind_name)}企业指标清单的<b>自评估算</b>，不是认证机构的正式评分。</p>'
        + _level_card(rating, estimate=True)
        + f"<h4>各单项得分率</h4>{chart}"
        + f'<p><b>最薄弱的单项：</b><span class="sa-weakest">{esc(weakest_phrase(assessment))}</span></p>'
        + f"<h4>注意事项</h4>{bullet_list(caveats)}"
    )
