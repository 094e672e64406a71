"""Format readers for users' documents: PDF, Word, Excel, HTML and plain text to Markdown lines.

Each reader turns the bytes of one file into the Markdown body the chunker understands, keeping
the structure that helps an answer cite its place: a Word or HTML heading becomes a `##` section,
a PDF page becomes a section "第N页", an Excel sheet becomes a section whose rows each repeat the
header row ("型号：A100，保修期：3年。"), so a quoted row still says what its numbers are.

Readers raise `UnreadableError` with a Chinese reason (the caller adds the file name); they never
write anything. Zip containers (.docx, .xlsx) have their declared sizes checked before a parser
opens them, so a zip bomb is refused without being inflated.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["READERS", "Body", "UnreadableError", "decode_text", "inert"]

# A heading of the converted body; Word "Heading 1" and HTML <h1> become "##" because "#" is the
# document's title line (the file name).
_TOP_LEVEL = 2
_MAX_LEVEL = 4
# Declared sizes inside a .docx/.xlsx: far above any real office file, far below a bomb.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 200
MAX_ZIP_MEMBERS = 5000
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SENTENCE_END = tuple("。！？；：!?;:")


class UnreadableError(ValueError):
    """The file cannot be read as its type says; the message is the Chinese reason."""


@dataclass
class Body:
    """A converted document: Markdown lines plus notes for the user ("按 GBK 编码读取")."""

    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def heading(self, text: str, level: int = 1) -> None:
        text = _clean(text)
        if text:
            self.lines += ["", "#" * min(_MAX_LEVEL, level + _TOP_LEVEL - 1) + " " + text, ""]

    def text(self, text: str) -> None:
        for line in text.splitlines():
            line = _clean(line)
            if line:
                self.lines.append(_neutral(line))

    @property
    def chars(self) -> int:
        return sum(len(line) for line in self.lines)

    @property
    def has_text(self) -> bool:
        return any(line.strip() and not line.startswith("#") for line in self.lines)


def _clean(text: str) -> str:
    """One line: runs of white space (incl. no-break and full-width spaces) become one space."""
    return re.sub(r"[\s\u00a0\u3000]+", " ", text or "").strip()


def _neutral(line: str) -> str:
    """A converted line that cannot pass for a Markdown heading, nor for corpus markup."""
    if re.match(r"#{1,6}\s", line):
        return "＃" + line.lstrip("#")
    return inert(line)


def inert(line: str) -> str:
    """`line` unable to act as markup the corpus loader acts on (a `{{data:…}}` placeholder or a
    `<!-- 来源: … -->` section-source comment): user text is only ever text."""
    if line.lstrip().startswith("{{"):
        return line.replace("{{", "｛｛", 1)
    if line.lstrip().startswith("<!--"):
        return line.replace("<!--", "＜!--", 1)
    return line


def _row_line(header: list[str], row: list[str]) -> str:
    """A table row as one sentence that names its columns: "型号：A100，保修期：3年。"."""
    parts = []
    for i, value in enumerate(row):
        if not value:
            continue
        name = header[i] if i < len(header) and header[i] else f"第{i + 1}列"
        parts.append(f"{name}：{value}")
    return "，".join(parts).rstrip("。") + "。" if parts else ""


def _table(body: Body, rows: list[list[str]]) -> None:
    """Rows of cells (first row = header) as one line per data row."""
    rows = [r for r in ([_clean(c) for c in row] for row in rows) if any(r)]
    if not rows:
        return
    header, data = rows[0], rows[1:]
    if not data:
        body.text("、".join(c for c in header if c))
        return
    for row in data:
        body.text(_row_line(header, row))


# ---------------------------------------------------------------------------------------------
# Plain text and Markdown.


def decode_text(data: bytes) -> tuple[str, str | None]:
    """Text of `data` and a note when it was not UTF-8 (GBK files from Windows are common).

    Raises:
        UnreadableError: binary content, or an encoding that is neither UTF-8 nor GB18030/GBK.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "按 UTF-16 编码读取"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        raise UnreadableError("看起来不是文本文件（含有二进制内容）")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise UnreadableError("既不是 UTF-8 也不是 GBK 编码的文本，无法识别；请用记事本“另存为 UTF-8”后再添加") from None
    # GB18030 decodes almost any byte string; accept it only when the result reads as Chinese text.
    sample = text[:20000]
    readable = sum(1 for ch in sample if _CJK.match(ch) or ch.isprintable() or ch in "\r\n\t")
    if not _CJK.search(sample) or readable < 0.98 * len(sample):
        raise UnreadableError("既不是 UTF-8 也不是 GBK 编码的文本，无法识别；请用记事本“另存为 UTF-8”后再添加")
    return text, "按 GBK（GB18030）编码读取"


def _read_text(data: bytes) -> Body:
    text, note = decode_text(data)
    body = Body(notes=[note] if note else [])
    body.lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return body


# ---------------------------------------------------------------------------------------------
# PDF.


def _unwrap(lines: Iterable[str]) -> list[str]:
    """Join the lines a PDF wrapped mid-sentence; keep list items and short headings apart.

    A line continues the previous one when that one ends in a comma, or runs close to the page's
    longest line without ending its sentence (it was wrapped at the margin).
    """
    kept = [
        line for line in (_clean(raw) for raw in lines)
        if line and not re.fullmatch(r"[-–—\s]*\d+[-–—\s]*|第\s*\d+\s*页(共\s*\d+\s*页)?", line)
    ]  # blank lines and bare page numbers go
    full = max((len(line) for line in kept), default=0)
    out: list[str] = []
    for line in kept:
        starts_item = bool(re.match(r"([-•·●▪*]|\d+[.、)）]|[（(]?[一二三四五六七八九十]+[、.)）])\s*", line))
        previous = out[-1] if out else ""
        wrapped = previous.endswith(("，", "、", ",")) or (len(previous) >= 0.8 * full >= 12)
        if previous and not starts_item and wrapped and not previous.endswith(_SENTENCE_END):
            joiner = " " if previous[-1:].isascii() and line[:1].isascii() else ""
            out[-1] = previous + joiner + line
        else:
            out.append(line)
    return out


def _read_pdf(data: bytes) -> Body:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UnreadableError(f"不是有效的 PDF 文件，或文件已损坏（{exc.__class__.__name__}）") from None
    if encrypted:
        try:
            # A PDF locked only against editing opens with an empty user password.
            opened = bool(reader.decrypt(""))
        except Exception:
            opened = False
        if not opened:
            raise UnreadableError("是加密的 PDF，需要密码才能打开；请在 PDF 阅读器中去除密码（另存为不加密的 PDF）后再添加")
    body = Body()
    empty: list[int] = []
    try:
        pages = list(reader.pages)
    except Exception as exc:
        raise UnreadableError(f"PDF 页面结构已损坏，无法读取（{exc.__class__.__name__}）") from None
    for number, page in enumerate(pages, 1):
        try:
            text = page.extract_text() or ""
        except Exception:  # one damaged page should not lose the others
            text = ""
        lines = _unwrap(text.splitlines())
        if not lines:
            empty.append(number)
            continue
        body.heading(f"第{number}页")
        body.text("\n".join(lines))
    if not body.has_text:
        raise UnreadableError(
            "没有找到可提取的文字（可能是扫描件或图片生成的 PDF）；请先用 OCR 软件识别文字"
            "（例如导出为“可搜索的 PDF”）后再添加。未加入任何内容"
        )
    if empty:
        shown = "、".join(map(str, empty[:10])) + ("等" if len(empty) > 10 else "")
        body.notes.append(f"第 {shown} 页没有可提取的文字（可能是图片），已跳过")
    return body


# ---------------------------------------------------------------------------------------------
# Zip containers.


def _open_zip(data: bytes, required: str, kind: str) -> None:
    """Refuse what is not a .docx/.xlsx or would inflate beyond the limits, before any parser runs."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UnreadableError(f"不是有效的 {kind}文件（文件已损坏，或是改了扩展名的其他文件）") from None
    with archive:
        members = archive.infolist()
        names = {m.filename for m in members}
        if required not in names:
            raise UnreadableError(f"不是有效的 {kind}文件（缺少 {required}；可能是改了扩展名的其他文件）")
        declared = sum(m.file_size for m in members)
        packed = max(1, sum(m.compress_size for m in members))
        if len(members) > MAX_ZIP_MEMBERS or declared > MAX_UNZIPPED_BYTES or declared > MAX_ZIP_RATIO * packed:
            raise UnreadableError(
                f"解压后的大小异常（声明 {declared / 1e6:.0f} MB，压缩包仅 {packed / 1e6:.1f} MB），"
                "疑似压缩炸弹，已拒绝"
            )


# ---------------------------------------------------------------------------------------------
# Word.


def _docx_level(paragraph: Any) -> int | None:
    """Heading level of a Word paragraph: built-in heading styles or an outline level."""
    style = paragraph.style
    name = (getattr(style, "name", "") or "").strip().lower()
    if name in {"title", "标题"}:
        return 1
    match = re.fullmatch(r"(?:heading|标题)\s*(\d)", name)
    if match:
        return int(match.group(1))
    while style is not None:
        ppr = getattr(style.element, "pPr", None)
        outline = getattr(ppr, "outlineLvl", None) if ppr is not None else None
        if outline is not None and outline.val is not None and int(outline.val) < 9:
            return int(outline.val) + 1
        style = getattr(style, "base_style", None)
    ppr = paragraph._p.pPr
    outline = getattr(ppr, "outlineLvl", None) if ppr is not None else None
    if outline is not None and outline.val is not None and int(outline.val) < 9:
        return int(outline.val) + 1
    return None


def _read_docx(data: bytes) -> Body:
    _open_zip(data, "word/document.xml", "Word（.docx）")
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        blocks = list(document.iter_inner_content())
    except Exception as exc:
        raise UnreadableError(f"不是有效的 Word（.docx）文件，或文件已损坏（{exc.__class__.__name__}）") from None
    body = Body()
    for block in blocks:
        if isinstance(block, Table):
            rows = [[cell.text for cell in row.cells] for row in block.rows]
            _table(body, [_dedupe_merged(r) for r in rows])
            continue
        text = block.text
        level = _docx_level(block)
        if level is not None:
            body.heading(text, level)
        elif (getattr(block.style, "name", "") or "").lower().startswith("list"):
            body.text("- " + _clean(text) if _clean(text) else "")
        else:
            body.text(text)
    if not body.has_text:
        raise UnreadableError("没有文字内容")
    return body


def _dedupe_merged(cells: list[str]) -> list[str]:
    """python-docx repeats a merged cell's text in every grid cell it spans; keep it once."""
    out: list[str] = []
    for i, text in enumerate(cells):
        out.append("" if i and text == cells[i - 1] else text)
    return out


# ---------------------------------------------------------------------------------------------
# Excel.


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text.replace("T", " ")
    return str(value)


def _read_xlsx(data: bytes, *, max_chars: int) -> Body:
    _open_zip(data, "xl/workbook.xml", "Excel（.xlsx）")
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise UnreadableError(f"不是有效的 Excel（.xlsx）文件，或文件已损坏（{exc.__class__.__name__}）") from None
    body = Body()
    try:
        for sheet in workbook.worksheets:
            rows: list[list[str]] = []
            size = 0
            for values in sheet.iter_rows(values_only=True):
                row = [_cell(v) for v in values]
                size += sum(len(c) for c in row)
                if size > max_chars:
                    raise UnreadableError(f"内容超过 {max_chars} 字的上限")
                rows.append(row)
            if any(any(c.strip() for c in r) for r in rows):
                body.heading(f"工作表：{sheet.title}")
                _table(body, rows)
    except UnreadableError:
        raise
    except Exception as exc:
        raise UnreadableError(f"Excel 内容已损坏，无法读取（{exc.__class__.__name__}）") from None
    finally:
        workbook.close()
    if not body.has_text:
        raise UnreadableError("没有数据（所有工作表都是空的）")
    return body


# ---------------------------------------------------------------------------------------------
# HTML.

_SKIP_TAGS = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object", "button", "form", "select"}
_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "blockquote", "pre",
    "ul", "ol", "dl", "dt", "dd", "figure", "figcaption", "address", "hr", "br", "body", "html", "details", "summary",
}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.I)


def _html_text(data: bytes) -> str:
    declared = _CHARSET.search(data[:4096])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    text, _ = decode_text(data)
    return text


def _read_html(data: bytes) -> Body:
    from lxml import etree
    from lxml import html as lxml_html

    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", _html_text(data))
    if not text.strip():
        raise UnreadableError("没有文字内容")
    try:
        root = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise UnreadableError(f"无法解析的 HTML（{exc.__class__.__name__}）") from None
    body = Body()
    _walk_html(root, body, [])
    if not body.has_text:
        raise UnreadableError("没有文字内容")
    return body


def _walk_html(element: Any, body: Body, line: list[str]) -> None:
    """Depth-first: inline text gathers into `line`; a block, heading, list item or table ends it."""

    def flush() -> None:
        if line:
            body.text("".join(line))
            line.clear()

    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        tag = tag.lower()
        if not tag or tag in _SKIP_TAGS:
            pass
        elif re.fullmatch(r"h[1-6]", tag):
            flush()
            body.heading(child.text_content(), int(tag[1]))
        elif tag == "table":
            flush()
            _table(body, _html_rows(child))
        elif tag == "li":
            flush()
            item: list[str] = []
            nested: list[Any] = []
            _inline(child, item, nested)
            if _clean("".join(item)):
                body.text("- " + _clean("".join(item)))
            for sublist in nested:
                _walk_html(sublist, body, [])
        elif tag in _BLOCK_TAGS:
            flush()
            if child.text:
                line.append(child.text)
            _walk_html(child, body, line)
            flush()
        else:
            if child.text:
                line.append(child.text)
            _walk_html(child, body, line)
        if child.tail:
            line.append(child.tail)
    if element.tag in _BLOCK_TAGS or element.getparent() is None:
        flush()


def _inline(element: Any, out: list[str], nested: list[Any]) -> None:
    """A list item's own text into `out`; lists nested in it into `nested` (their items follow)."""
    if element.text:
        out.append(element.text)
    for child in element:
        tag = (child.tag if isinstance(child.tag, str) else "").lower()
        if tag in {"ul", "ol"}:
            nested.append(child)
        elif tag and tag not in _SKIP_TAGS:
            _inline(child, out, nested)
        if child.tail:
            out.append(child.tail)


def _html_rows(table: Any) -> list[list[str]]:
    rows = []
    for tr in table.iter("tr"):
        cells = [cell.text_content() for cell in tr if isinstance(cell.tag, str) and cell.tag.lower() in {"td", "th"}]
        if cells:
            rows.append(cells)
    return rows


# ---------------------------------------------------------------------------------------------


# suffix -> reader(data, *, max_chars) -> Body
READERS: dict[str, Callable[..., Body]] = {
    ".md": lambda data, **_: _read_text(data),
    ".txt": lambda data, **_: _read_text(data),
    ".pdf": lambda data, **_: _read_pdf(data),
    ".docx": lambda data, **_: _read_docx(data),
    ".xlsx": lambda data, max_chars, **_: _read_xlsx(data, max_chars=max_chars),
    ".html": lambda data, **_: _read_html(data),
    ".htm": lambda data, **_: _read_html(data),
}
