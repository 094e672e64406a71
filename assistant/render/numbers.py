"""Number formats: one function per kind of figure, used by every text form."""

from __future__ import annotations

__all__ = ["format_amount", "format_number", "format_score", "json_number"]


def format_number(value: float | None) -> str:
    """A count such as person-days: 1.5 -> '1.5', 16.0 -> '16', None -> '—'."""
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)


def format_amount(value: float | None) -> str:
    """Money with thousands separators: 53000 -> '53,000', 4500.5 -> '4,500.5', None -> '—'."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def format_score(value: float | None) -> str:
    """A score: 92.0 -> '92', 89.5 -> '89.5', 94.99 -> '94.99' (at most 2 decimals), None -> '—'."""
    if value is None:
        return "—"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def json_number(value: float | None) -> float | None:
    """Whole floats become ints so JSON shows 48000, not 48000.0."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
