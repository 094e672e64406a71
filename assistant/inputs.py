"""One validation layer for what people type into the calculators: numbers and short text.

The CLI, the app's tabs, its API endpoints and the chat all reach the calculators, and the
calculators read every number and name through these functions, so one rule holds everywhere:
a number is finite, within a sane range, and not longer than anyone types (a longer text is
refused before it is parsed); a name is one line of bounded length without broken characters.
Each function raises `InputError` with a Chinese message naming the value and what to enter.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from .errors import InputError
from .render.numbers import format_amount, format_number, format_score

__all__ = [
    "MAX_COUNT",
    "MAX_NAME_CHARS",
    "MAX_POINTS",
    "MAX_PRICE",
    "MAX_TYPED_CHARS",
    "blank",
    "count",
    "headcount",
    "money",
    "name",
    "percent_off",
    "points",
    "score",
    "shown",
]

# A typed number is never longer than this; "9" repeated 5,000 times is refused before reading.
MAX_TYPED_CHARS = 32
# 元 per unit (once, a year, a person-day): the table's rates are in the thousands, so this
# allows any negotiated price while keeping every total an exact, printable figure.
MAX_PRICE = 1_000_000
MAX_POINTS = 10_000  # one indicator's points on a score sheet
MAX_COUNT = 1_000  # 特别扣分项, indicators on a sheet
MAX_NAME_CHARS = 120  # a company name on a quote (the longest registered Chinese names are ~60)

_HEADCOUNT_HINT = "请输入正整数，例如 1200"
_INT_TEXT = re.compile(r"^[+-]?\d+$")
_DECIMAL_TEXT = re.compile(r"^[+-]?\d*\.\d+$")
_SHOWN_CHARS = 24


def blank(value: object) -> bool:
    """Nothing was typed: None or only spaces (an optional field left empty)."""
    return value is None or (isinstance(value, str) and not value.strip())


def shown(value: object) -> str:
    """A value as a message quotes it: short, printable, surrogates escaped."""
    if isinstance(value, bool) or value is None:
        text = repr(value)
    elif isinstance(value, int):
        # str() of an int over 4,300 digits raises; such a number is shown by its size.
        text = str(value) if value.bit_length() < 200 else f"（约{int(value.bit_length() * 0.30103) + 1}位的数）"
    elif isinstance(value, float) and math.isfinite(value):
        text = format_number(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        text = repr(value)
    if len(text) > _SHOWN_CHARS:
        text = f"{text[:_SHOWN_CHARS - 4]}…（共{len(text)}个字符）"
    # A line break, a control or direction character, or a broken byte is shown as its escape, so
    # the message stays one readable line.
    return "".join(
        ch if ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


def _typed(value: str, *, suffixes: tuple[str, ...] = ()) -> str:
    """Typed text as a number string: NFKC (full-width digits), no thousands separators or spaces."""
    text = unicodedata.normalize("NFKC", value).replace(",", "").replace(" ", "").strip()
    for suffix in suffixes:
        text = text.removesuffix(suffix)
    return text


def _decimal(value: object, *, suffixes: tuple[str, ...] = ()) -> Decimal | None:
    """A number or typed number as a Decimal (not checked for finiteness); None when unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(_typed(value, suffixes=suffixes))
        except InvalidOperation:
            return None
    return None


def _too_long(value: object) -> bool:
    return isinstance(value, str) and len(value.strip()) > MAX_TYPED_CHARS


def headcount(value: object) -> int:
    """A positive whole headcount from an int, an integral float or typed text ("1,200", "１２００", "1200人").

    Raises:
        InputError: not a number, not whole, not above zero, or longer than anyone types.
    """
    quoted = f"“{shown(value)}”" if isinstance(value, str) else f" {shown(value)}"
    if _too_long(value):
        raise InputError(f"员工人数{quoted}太长，{_HEADCOUNT_HINT}")
    number: int
    if isinstance(value, bool):
        raise InputError(f"无法识别员工人数{quoted}，{_HEADCOUNT_HINT}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(f"员工人数{quoted} 不是有效数字，{_HEADCOUNT_HINT}")
        if not value.is_integer():
            raise InputError(f"员工人数必须是整数（收到 {format_number(value)}），{_HEADCOUNT_HINT}")
        number = int(value)
    elif isinstance(value, str):
        text = _typed(value, suffixes=("人", "名"))
        if _DECIMAL_TEXT.match(text):
            raise InputError(f"员工人数必须是整数（收到 {shown(value)}），{_HEADCOUNT_HINT}")
        if not _INT_TEXT.match(text):
            raise InputError(f"无法识别员工人数{quoted}，{_HEADCOUNT_HINT}")
        number = int(text)
    else:
        raise InputError(f"无法识别员工人数{quoted}，{_HEADCOUNT_HINT}")
    if number <= 0:
        raise InputError(f"员工人数必须大于 0（收到 {shown(number)}），请输入企业的实际雇员人数")
    return number


def money(value: object, what: str) -> float:
    """A non-negative amount in 元 (number or typed text such as "2,500" or "2500元"), at most `MAX_PRICE`.

    Raises:
        InputError: not a finite non-negative number, above `MAX_PRICE`, or longer than anyone types.
    """
    number = None if _too_long(value) else _decimal(value, suffixes=("元",))
    if number is None or not number.is_finite() or number < 0:
        quoted = f"“{shown(value)}”" if isinstance(value, str) else shown(value)
        raise InputError(f"{what}应为非负数字（收到 {quoted}），例如 3000")
    if number > MAX_PRICE:
        raise InputError(f"{what} {shown(value)} 元超出合理范围（最高 {format_amount(MAX_PRICE)} 元），请检查输入")
    return float(number)


_PERCENT = re.compile(r"^(\d+(?:\.\d+)?)%$")
_ZHE = re.compile(r"^(\d+(?:\.\d+)?)折$")


def percent_off(value: object, what: str) -> float | None:
    """A discount typed as a share: "10%" -> 10, "9折" -> 10, "8.5折" or "85折" -> 15; None when
    `value` is not written as a share (then it is an amount).

    Raises:
        InputError: a share outside 0–100 %, a 折 outside 0–10, or longer than anyone types.
    """
    if not isinstance(value, str) or _too_long(value):
        return None
    text = _typed(value)
    percent = _PERCENT.match(text)
    if percent:
        number = Decimal(percent.group(1))
        if number > 100:
            raise InputError(f"{what}“{shown(value)}”超过 100%，请输入 0–100% 之间的折扣比例")
        return float(number)
    zhe = _ZHE.match(text)
    if zhe is None:
        return None
    number = Decimal(zhe.group(1))
    if 10 < number < 100 and number == number.to_integral_value():
        number /= 10  # 85折 is 8.5折
    if not 0 < number <= 10:
        raise InputError(f"{what}“{shown(value)}”不是有效的折扣，请写成如“9折”“8.5折”或“10%”")
    return float((10 - number) * 10)


def score(value: object, maximum: float, what: str = "评分") -> float:
    """A score from 0 to `maximum` (number or typed text such as "92", "89.5分", "８９.５").

    Raises:
        InputError: not a number, not finite, or outside 0–maximum.
    """
    limit = format_score(maximum)
    hint = f"请输入 0–{limit} 之间的数字"
    quoted = f"“{shown(value)}”" if isinstance(value, str) else f" {shown(value)}"
    if _too_long(value):
        raise InputError(f"{what}{quoted}太长，{hint}，例如 92")
    number = _decimal(value, suffixes=("分",))
    if number is None:
        raise InputError(f"无法识别{what}{quoted}，{hint}，例如 92")
    if not number.is_finite():
        raise InputError(f"{what}{quoted} 不是有效数字，{hint}")
    if number < 0 or number > Decimal(str(maximum)):
        got = format_score(float(number)) if not isinstance(value, str) and abs(number) < 10**15 else shown(value)
        raise InputError(f"{what}应在 0–{limit} 分之间（收到 {got}），请检查输入")
    return float(number)


def points(value: object, what: str, *, positive: bool = False) -> float:
    """Points on a score sheet: a finite number from 0 (above 0 when `positive`) to `MAX_POINTS`.

    Raises:
        InputError: not a number, negative (or zero when `positive`), or above `MAX_POINTS`.
    """
    quoted = f"“{shown(value)}”" if isinstance(value, str) else shown(value)
    number = None if _too_long(value) else _decimal(value)
    if number is None:
        raise InputError(f"{what}应为数字（收到 {quoted}）")
    if not number.is_finite() or number < 0:
        raise InputError(f"{what}应为非负数字（收到 {quoted}）")
    if positive and number == 0:
        raise InputError(f"{what}应大于 0")
    if number > MAX_POINTS:
        raise InputError(f"{what} {shown(value)} 超出合理范围（最高 {format_amount(MAX_POINTS)} 分），请检查输入")
    return float(number)


def count(value: object, what: str) -> int:
    """How many (特别扣分项…): None -> 0, a list -> its length, else a whole number from 0 to `MAX_COUNT`.

    Raises:
        InputError: not a whole non-negative number or a list, or more than `MAX_COUNT`.
    """
    if value is None:
        return 0
    if isinstance(value, list | tuple):
        number = len(value)
    elif isinstance(value, bool):
        number = int(value)
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and not _too_long(value) and _typed(value).isdigit():
        number = int(_typed(value))
    else:
        quoted = f"“{shown(value)}”" if isinstance(value, str) else shown(value)
        raise InputError(f"{what}应为非负整数或条目列表（收到 {quoted}）")
    if number < 0:
        raise InputError(f"{what}应为非负整数或条目列表（收到 {shown(number)}）")
    if number > MAX_COUNT:
        raise InputError(f"{what} {shown(number)} 超出合理范围（最多 {MAX_COUNT}），请检查输入")
    return number


_FOLD = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def name(value: object, what: str, *, max_chars: int = MAX_NAME_CHARS) -> str | None:
    """A name printed on a document: one line, spaces folded, at most `max_chars`; blank -> None.

    Raises:
        InputError: not text, holds broken characters (undecodable bytes), or is too long.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{what}应为文字（收到 {shown(value)}）")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise InputError(f"{what}含有无法识别的字符（可能是编码错误），请重新输入")
    text = _FOLD.sub(" ", value).strip()
    if len(text) > max_chars:
        raise InputError(f"{what}太长（{len(text)} 个字符，最多 {max_chars} 个），请缩短后再试")
    return text or None
