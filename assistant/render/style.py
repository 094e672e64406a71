"""How a text form writes a figure with its unit and treats text: one `Style` per form.

A phrase is written once as a sequence of pieces; the style escapes each piece for its format
(nothing for prose and the terminal, entities for HTML) and marks the pieces wrapped in `Strong`.
A figure and its unit come from the style's methods (`yuan`, `price`, `days`, `points`…), which put
its `gap` between them: chat answers and corpus sentences write "16人日", tables and documents
"16 人日". `md_escape` makes what a user typed inert in a Markdown line.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from .numbers import format_amount, format_number, format_score

__all__ = [
    "HTML",
    "PROSE",
    "TEXT",
    "Strong",
    "Style",
    "esc",
    "md_escape",
]


def _same(text: str) -> str:
    return text


def esc(value: object) -> str:
    """Text made safe for HTML (quotes too, since some text lands in attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


# Everything Markdown could read as markup inside a line: emphasis, code, links, raw HTML,
# entities, table cells, strike-through. Line-start markup (#, -, 1.) cannot arise because
# line breaks are folded into spaces first.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~])")
_LINE_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029\x0b\x0c\x85]+\s*")


def md_escape(text: str) -> str:
    """User text made inert inside a Markdown line: one line, every markup character escaped."""
    return _MD_SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", text))


@dataclass(frozen=True)
class Strong:
    """A piece of a phrase to emphasise (the total, the points still missing)."""

    text: str


@dataclass(frozen=True)
class Style:
    """A text form: the gap between a figure and its unit, how text is escaped and emphasised."""

    gap: str
    escape: Callable[[str], str] = _same
    strong: Callable[[str], str] = _same

    def __call__(self, *pieces: str | Strong) -> str:
        """The pieces joined, each escaped; `Strong` pieces emphasised."""
        return "".join(
            self.strong(self.escape(p.text)) if isinstance(p, Strong) else self.escape(p) for p in pieces
        )

    def yuan(self, value: float | None) -> str:
        """53000 -> '53,000元' / '53,000 元'."""
        return f"{format_amount(value)}{self.gap}元"

    def price(self, value: float | None, unit: str) -> str:
        """3000, '人日' -> '3,000元/人日' / '3,000 元/人日'."""
        return f"{format_amount(value)}{self.gap}元/{unit}"

    def quantity(self, value: float | None, unit: str) -> str:
        """16, '人日' -> '16人日' / '16 人日'."""
        return f"{format_number(value)}{self.gap}{unit}"

    def days(self, value: float | None) -> str:
        """Person-days: 5.5 -> '5.5人日' / '5.5 人日'."""
        return self.quantity(value, "人日")

    def points(self, value: float | None) -> str:
        """A score: 89.5 -> '89.5分' / '89.5 分'."""
        return f"{format_score(value)}{self.gap}分"


PROSE = Style(gap="")  # chat answers, cited arithmetic, corpus sentences
TEXT = Style(gap=" ")  # the terminal, and table cells before a file format escapes them
HTML = Style(gap=" ", escape=esc, strong=lambda s: f"<b>{s}</b>")
