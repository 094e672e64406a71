"""The quote as a PDF (the app's PDF download, `assistant quote --format pdf`).

Chinese is set in reportlab's built-in CID font STSong-Light, which the viewer supplies, so the
file needs no font on disk. That font has no glyph for some characters people type or we print
("•", "·" as in 某某·科技): those are set in Helvetica, and a character neither font has becomes "?",
so no page ever shows an empty box.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .document import FOOTER, ITEM_HEADINGS, TITLE, YEAR_HEADINGS, QuoteDocument, cycle_rows, first_year_rows

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


def quote_pdf(doc: QuoteDocument, path: str | Path) -> Path:
    """Write the quote document as a PDF.

    The file's creation date is the quote's issue date and reportlab's invariant mode keeps its
    ID stable, so the same document gives the same file whenever it is issued again.

    Args:
        doc: the quote document.
        path: output file; its folder must exist.

    Returns:
        The path written.

    Raises:
        OSError: the file cannot be written (callers go through `assistant.quotes.files`, which
            writes atomically and says so in Chinese).
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

    def table(rows: Sequence[Sequence[str]], widths: list[float], shaded: Sequence[int] = ()) -> Table:
        t = Table([[cell(c) for c in row] for row in rows], colWidths=widths, repeatRows=1)
        style = [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
        style += [("BACKGROUND", (0, i), (-1, i), colors.HexColor("#f6f6f6")) for i in shaded]
        t.setStyle(TableStyle(style))
        return t

    quote = doc.quote
    story: list[Any] = [cell(TITLE, h1)]
    story.append(table([[f.label, f.value] for f in doc.fields], [28 * mm, 142 * mm]))
    story.append(cell("首年费用明细", h2))
    items = first_year_rows(quote)
    story.append(
        table(
            [ITEM_HEADINGS, *(row.cells for row in items)],
            [62 * mm, 40 * mm, 30 * mm, 38 * mm],
            shaded=[i for i, row in enumerate(items, 1) if row.kind != "line"],
        )
    )
    story.append(cell(f"{doc.cycle_years}年费用概览", h2))
    story.append(table([YEAR_HEADINGS, *(row.cells for row in cycle_rows(quote))], [40 * mm, 92 * mm, 38 * mm]))
    story += [cell(note, small) for note in doc.notes]
    story.append(cell("说明与假设", h2))
    story += [point(text) for text in doc.assumptions]
    story.append(cell("数据来源", h2))
    story += [point(label) for label in quote.sources]
    story += [Spacer(1, 6 * mm), cell(FOOTER, small)]

    stamp = f"D:{doc.issued:%Y%m%d}000000"

    def dated(canvas: Any, _doc: Any) -> None:
        canvas.setDateFormatter(lambda *_: stamp)

    out = Path(path)
    SimpleDocTemplate(
        str(out),
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=TITLE,
        author=quote.issuer,
        subject=doc.number,
        creator="售后服务认证助手",
        invariant=True,
    ).build(story, onFirstPage=dated, onLaterPages=dated)
    return out
