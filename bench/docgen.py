"""Office files made on the fly for the upload tests and the ingest benchmark (nothing binary is
committed): text PDFs with reportlab, Word files with python-docx, Excel files with openpyxl."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path

__all__ = ["make_docx", "make_image_pdf", "make_pdf", "make_xlsx", "make_zip_bomb"]

_FONT = "STSong-Light"  # reportlab's built-in CID font: Chinese text that pypdf can extract


def make_pdf(path: Path, pages: Sequence[Sequence[str]], *, user_password: str | None = None,
             owner_password: str | None = None) -> Path:
    """A text PDF, one list of lines per page; encrypted when a password is given."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
    encrypt = None
    if user_password is not None or owner_password is not None:
        encrypt = StandardEncryption(user_password or "", ownerPassword=owner_password or "owner", strength=128)
    pdf = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    _, height = A4
    for lines in pages:
        pdf.setFont(_FONT, 11)
        y = height - 60
        for line in lines:
            pdf.drawString(56, y, line)
            y -= 18
        pdf.showPage()
    pdf.save()
    return path


def make_image_pdf(path: Path, pages: int = 2) -> Path:
    """A PDF with drawings and no text layer, as a scanner makes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    for i in range(pages):
        for row in range(40):
            pdf.rect(56 + (row * 7 + i) % 300, 80 + row * 17, 120, 9, fill=1)
        pdf.showPage()
    pdf.save()
    return path


def make_docx(path: Path, blocks: Sequence[tuple[str, object]]) -> Path:
    """A Word file from (kind, content) blocks: ("title", text), ("h1"/"h2"/"h3", text),
    ("p", text), ("li", text), ("table", [[cell, ...], ...]) with the header row first."""
    import docx

    document = docx.Document()
    for kind, content in blocks:
        if kind == "title":
            document.add_heading(str(content), 0)
        elif kind in {"h1", "h2", "h3"}:
            document.add_heading(str(content), int(kind[1]))
        elif kind == "li":
            document.add_paragraph(str(content), style="List Bullet")
        elif kind == "table":
            rows = list(content)  # type: ignore[call-overload]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = str(cell)
        else:
            document.add_paragraph(str(content))
    document.save(str(path))
    return path


def make_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[object]]]) -> Path:
    """An Excel file: sheet name -> rows (header row first)."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    workbook.save(str(path))
    return path


def make_zip_bomb(path: Path, member: str, *, megabytes: int = 300) -> Path:
    """A small zip whose `member` inflates to `megabytes` MB of zeros (named .docx/.xlsx by the caller)."""
    block = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(member, "w", force_zip64=True) as fh:
            for _ in range(megabytes):
                fh.write(block)
    return path
