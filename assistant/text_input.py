"""The text people send (a question, the earlier questions of a conversation), checked at every edge
(CLI, batch lines, the web UI, the HTTP API) before any work is done with it.

A question is at most `MAX_QUESTION_CHARS` characters: longer text is refused, not cut, so that a
flood of huge questions costs the server nothing and cannot delay anyone else's short one. Text
must be encodable as UTF-8 (a lone UTF-16 surrogate, e.g. JSON "\\ud800" or undecodable bytes on a
command line, is refused with a message instead of failing later when the answer is written).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .core import MAX_HISTORY_TURNS, MAX_QUESTION_CHARS
from .errors import InputError

__all__ = ["MAX_HISTORY_TURNS", "MAX_QUESTION_CHARS", "history_questions", "question_text"]
_EXAMPLE = "例如：“证书有效期是几年？”"


def _kind(value: Any) -> str:
    names = {str: "文本", int: "整数", float: "数字", bool: "布尔值", list: "列表", dict: "对象", type(None): "空值"}
    return names.get(type(value), type(value).__name__)


def _check_encodable(text: str, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"{what}含有无法识别的字符（第 {exc.start + 1} 个字符不是合法的 Unicode 字符，常见于非 UTF-8 编码的文本或"
            "孤立的 UTF-16 代理项）。请确认文本是 UTF-8 编码后重试"
        ) from None


def question_text(value: Any, *, what: str = "问题", allow_empty: bool = False) -> str:
    """`value` as a question: stripped text of at most `MAX_QUESTION_CHARS` characters.

    Args:
        value: what arrived (any type: it comes from JSON or a form).
        what: how the messages name the field.
        allow_empty: return "" for empty text instead of refusing it (the API answers it with
            a prompt to ask something).

    Raises:
        InputError: not text, empty, too long, or not encodable as UTF-8 (Chinese message).
    """
    if not isinstance(value, str):
        raise InputError(f"{what}应为文本，收到的是{_kind(value)}")
    # The length check comes first and costs nothing: a 100,000-character text is refused at once.
    if len(value) > MAX_QUESTION_CHARS and len(value.strip()) > MAX_QUESTION_CHARS:
        raise InputError(
            f"{what}过长：{len(value.strip())} 个字，最多 {MAX_QUESTION_CHARS} 个字。请只保留要问的内容后重试"
        )
    _check_encodable(value, what)
    text = value.strip()
    if not text and not allow_empty:
        raise InputError(f"{what}为空，请输入您的问题，{_EXAMPLE}")
    return text


def _turn(item: Any) -> tuple[bool, Any]:
    """(is a user turn, its text) for one history entry; the text is None when the entry has no
    usable shape."""
    if isinstance(item, str):
        return True, item
    if isinstance(item, Mapping):
        if item.get("role") != "user":
            return False, None  # the assistant's replies carry nothing a follow-up needs
        content = item.get("content")
        if isinstance(content, list):
            parts = [p.get("text") if isinstance(p, Mapping) else p for p in content]
            content = "".join(p for p in parts if isinstance(p, str)) if all(isinstance(p, str) for p in parts) else None
        return True, content if isinstance(content, str) else None
    if isinstance(item, list | tuple) and len(item) == 2 and isinstance(item[0], str) \
            and (item[1] is None or isinstance(item[1], str)):
        return True, item[0]  # a [user, assistant] pair
    return True, None


def history_questions(value: Any) -> list[str]:
    """The earlier questions of a conversation, oldest first, from a `history` field.

    Accepted: None, or a list (at most `MAX_HISTORY_TURNS` entries) of strings; for chat clients
    also messages `{"role": "user", "content": "…"}` (other roles are skipped) and `[user,
    assistant]` pairs. Each question follows `question_text`'s rules; empty ones are dropped.

    Raises:
        InputError: anything else, naming the entry and what it should be (Chinese message).
    """
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(
            f"history 应为字符串列表（此前的提问，按时间先后），例如 [\"1200人的企业认证费用是多少？\"]；"
            f"收到的是{_kind(value)}"
        )
    if len(value) > MAX_HISTORY_TURNS:
        raise InputError(f"history 最多 {MAX_HISTORY_TURNS} 条（只需最近的提问），收到 {len(value)} 条")
    out = []
    for n, item in enumerate(value, 1):
        is_user, text = _turn(item)
        if not is_user:
            continue
        if text is None:
            raise InputError(f"history 第 {n} 条应为字符串（一次提问），收到的是{_kind(item)}")
        question = question_text(text, what=f"history 第 {n} 条", allow_empty=True)
        if question:
            out.append(question)
    return out
