"""Quote files on disk: the format from a name, and writes that are never left half-done.

Every file is written to a temporary name in the target folder and renamed over the target only
when complete (`os.replace` is atomic on one file system), so a crash, a full disk or a bad value
halfway leaves either the old file or none, never a truncated PDF or workbook.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from ..errors import InputError
from ..render.document import QuoteDocument

__all__ = ["FORMATS", "Format", "format_for", "write_atomically", "write_quote"]

Format = Literal["pdf", "md", "xlsx"]
FORMATS: tuple[Format, ...] = ("pdf", "md", "xlsx")
_SUFFIXES: dict[str, Format] = {".pdf": "pdf", ".md": "md", ".markdown": "md", ".xlsx": "xlsx"}


def format_for(path: Path | None, given: str | None) -> Format:
    """`given` when set, else the format the file name's suffix names (pdf without a path).

    Raises:
        InputError: neither says pdf, md or xlsx.
    """
    for kind in FORMATS:
        if given == kind:
            return kind
    if given:
        raise InputError(f"不支持的格式 {given}，可选：{'、'.join(FORMATS)}")
    if path is None:
        return "pdf"
    named = _SUFFIXES.get(path.suffix.lower())
    if named is None:
        raise InputError(f"无法从文件名 {path.name} 判断格式，请加 --format pdf、--format md 或 --format xlsx")
    return named


def write_atomically(path: Path, write: Callable[[Path], object]) -> Path:
    """Call `write(tmp)` on a temporary file beside `path`, then rename it to `path`.

    Raises:
        InputError: the folder does not exist or the file cannot be written (Chinese message).
    """
    if not path.parent.is_dir():
        raise InputError(f"目录 {path.parent} 不存在，请先创建或换一个路径")
    fd, name = tempfile.mkstemp(prefix=f".{path.stem[:40]}.", suffix=f"{path.suffix}.part", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise InputError(f"无法写入文件 {path}：{exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_quote(doc: QuoteDocument, path: Path, kind: Format) -> Path:
    """Write the quote document as `kind` (pdf, md or xlsx) to `path`, atomically.

    Raises:
        InputError: the folder does not exist or the file cannot be written.
    """

    def write(tmp: Path) -> None:
        if kind == "pdf":
            from ..render.pdf import quote_pdf

            quote_pdf(doc, tmp)
        elif kind == "xlsx":
            from ..render.xlsx import quote_xlsx

            quote_xlsx(doc, tmp)
        else:
            from ..render.markdown import quote_markdown

            tmp.write_text(quote_markdown(doc), encoding="utf-8")

    return write_atomically(path, write)
