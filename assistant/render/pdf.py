"""The quote as a PDF (the app's PDF download, `assistant quote --format pdf`).

Chinese is set in reportlab's built-in CID font STSong-Light, which the viewer supplies, so the
file needs no font on disk. That font has no glyph for some characters people type or we print
("•", "·" as in 某某·科技): those are set in Helvetica, and a character neither font has becomes "?",
so no page ever shows an empty box.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from ..calculators.fees import Quote
from ..errors import InputError
from .document import FOOTER, ITEM_HEADINGS, TITLE, YEAR_HEADINGS, item_cells, quote_document, year_cells
from .numbers import format_amount

__all__ = ["quote_pdf"]

_CJK_FONT = "STSong-Light"
_LATIN_FONT = "Helvetica"
_BULLET = "•"
# Characters Python's GBK codec encodes but STSong-Light's encoding (UniGB-UCS2-H, as shipped in
# poppler-data) maps to no glyph: the middle dot, a few pinyin letters, compatibility ideographs
# and vertical punctuation forms. Every other GBK character has a glyph.
_GBK_WITHOUT_GLYPH = frozenset(
    "\u00b7\u0144\u0148\u0251\u0261\uf979\uf995\uf9e7\uf9f1\ufa0c\ufe31"
    + "".join(chr(c) for c in range(0xFE33, 0xFE45))
)


def _in_cjk_font(ch: str) -> bool:
    if " " <= ch <= "~":
        return True
    if ch in _GBK_WITHOUT_GLYPH or not ch.isprintable():
        return False
    try:
        ch.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def _in_latin_font(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return ch.isprintable()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def pdf_markup(text: str) -> str:
    """Text as reportlab paragraph markup: escaped, with each character in a font that has it."""
    out: list[str] = []
    latin: list[str] = []
    for ch in text:
        if not _in_cjk_font(ch) and _in_latin_font(ch):
            latin.append(ch)
            continue
        if latin:
            out.append(f'<font name="{_LATIN_FONT}">{_escape("".join(latin))}</font>')
            latin = []
        out.append(_escape(ch) if _in_cjk_font(ch) else "?")
    if latin:
        out.append(f'<font name="{_LATIN_FONT}">{_escape("".join(latin))}</font>')
    return "".join(out)


def quote_pdf(quote: Quote, path: str | Path, *, number: str | None = None, issued: date | None = None) -> Path:
    """Write the quote as a PDF.

    Args:
        quote: the quote to render.
        path: output file; its folder must exist.
        number: quote number; default `quote_number(quote, issued)`.
        issued: issue date; default today.

    Returns:
        The path written.

    Raises:
        InputError: the file cannot be written.
    """
    # reportlab is imported here so that `assistant quote` without --format pdf stays fast.
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if _CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_CJK_FONT))
    body = ParagraphStyle("body", fontName=_CJK_FONT, fontSize=9.5, leading=14, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=12)
    bullet = ParagraphStyle(
        "bullet", parent=small, leftIndent=4 * mm, bulletIndent=0, bulletFontName=_LATIN_FONT, bulletFontSize=8.5
    )
    h1 = ParagraphStyle("h1", parent=body, fontSize=17, leading=24, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=body, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4)

    def cell(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(pdf_markup(text), style)

    def point(text: str) -> Paragraph:
        return Paragraph(pdf_markup(text), bullet, bulletText=_BULLET)

    def table(rows: list[list[str]], widths: list[float], shaded_last: int = 0) -> Table:
        t = Table([[cell(c) for c in row] for row in rows], colWidths=widths, repeatRows=1)
        style = [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
        for i in range(shaded_last):
            style.append(("BACKGROUND", (0, -1 - i), (-1, -1 - i), colors.HexColor("#f6f6f6")))
        t.setStyle(TableStyle(style))
        return t

    doc = quote_document(quote, number=number, issued=issued)
    cycle = doc.cycle_years
    story: list[Any] = [cell(TITLE, h1)]
    story.append(table([[f.label, f.value] for f in doc.fields], [28 * mm, 142 * mm]))
    story.append(cell("首年费用明细", h2))
    rows = [list(ITEM_HEADINGS), *(item_cells(line) for line in quote.items)]
    rows.append(["首年合计", "", "", format_amount(quote.first_year_total)])
    story.append(table(rows, [62 * mm, 40 * mm, 30 * mm, 38 * mm], shaded_last=1))
    story.append(cell(f"{cycle}年费用概览", h2))
    rows = [list(YEAR_HEADINGS), *(year_cells(year) for year in quote.years)]
    rows.append([f"{cycle}年合计", "", format_amount(quote.cycle_total)])
    rows.append(year_cells(quote.recert))
    story.append(table(rows, [40 * mm, 92 * mm, 38 * mm]))
    story += [cell(note, small) for note in doc.notes]
    story.append(cell("说明与假设", h2))
    story += [point(text) for text in doc.assumptions]
    story.append(cell("数据来源", h2))
    story += [point(label) for label in quote.sources]
    story += [Spacer(1, 6 * mm), cell(FOOTER, small)]

    out = Path(path)
    try:
        SimpleDocTemplate(
            str(out),
            pagesize=A4,
            leftMargin=20 * mm,
            rightMargin=20 * mm,
            topMargin=18 * mm,
            bottomMargin=18 * mm,
            title=TITLE,
            author=quote.issuer,
        ).build(story)
    except OSError as exc:
        raise InputError(f"无法写入报价单文件 {out}：{exc.strerror or exc}") from exc
    return out
