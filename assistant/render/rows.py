"""Sentences for the rows of the data tables: one function per kind of row.

The corpus renders its `{{data:...}}` tables with these, and a quote's or rating's citations quote
the same sentences, so a document and a calculator answer can never state different figures.
This module sits below the corpus and the calculators: it imports only the typed tables.
"""

from __future__ import annotations

from ..data import Band, FeeItem, IndicatorSet, Level, fee_table, indicator_table, star_table
from .numbers import format_number
from .style import PROSE

__all__ = [
    "band_sentence",
    "category_lines",
    "charged",
    "fee_item_line",
    "fee_items_sentence",
    "higher_level",
    "level_sentence",
    "table_lines",
    "thresholds_phrase",
]

_CHARGED = {"once": "一次性收取", "year": "每年收取", "person_day": "按人日计收"}
_LISTED_UNIT = {"once": "元", "year": "元/年", "person_day": "元/人日"}


def band_sentence(band: Band) -> str:
    """The row as one sentence with every figure it holds; a figure the source lacks is said to be missing."""

    def days(label: str, value: float | None) -> str:
        return f"{label}人日数来源缺失" if value is None else f"{label}{PROSE.days(value)}"

    text = (
        f"雇员人数{band.label}：{days('初审', band.initial)}（{days('策划及文件评审', band.initial_planning)}，"
        f"{days('现场评审', band.initial_onsite)}），{days('监督评审', band.surveillance)}"
        f"（{days('现场', band.surveillance_onsite)}），{days('复评', band.recert)}（{days('现场', band.recert_onsite)}）。"
    )
    return text + (band.note or "")


def fee_items_sentence(items: tuple[FeeItem, ...]) -> str:
    """'申请费1,000元/次；…；评审费3,000元/人日。': the fee items as one citable sentence."""
    return "；".join(f"{item.name}{PROSE.price(item.amount, item.unit)}" for item in items) + "。"


def charged(item: FeeItem) -> str:
    """'一次性收取', '每年收取' or '按人日计收'."""
    return _CHARGED[item.per]


def fee_item_line(item: FeeItem) -> str:
    """'- 评审费：3000元/人日，按人日计收（来源：…）。': one line of the fee document's item list."""
    return (
        f"- {item.name}：{format_number(item.amount)}{_LISTED_UNIT[item.per]}，{charged(item)}"
        f"（来源：{item.source}）。"
    )


def higher_level(level: Level) -> Level | None:
    """The grade above `level`, if any."""
    levels = star_table().levels
    index = [lv.key for lv in levels].index(level.key)
    return levels[index + 1] if index + 1 < len(levels) else None


def level_sentence(level: Level) -> str:
    """'总分达到90分（含90分）以上为四星级。'; the lowest grade: '总分低于70分为未达标。'."""
    higher = higher_level(level)
    if level.min <= 0 and higher is not None:
        return f"总分低于{PROSE.points(higher.min)}为{level.name}。"
    return f"总分达到{PROSE.points(level.min)}（含{PROSE.points(level.min)}）以上为{level.label}。"


def thresholds_phrase() -> str:
    """'达标级 ≥70分、三星级 ≥80分、四星级 ≥90分、五星级 ≥95分': the grades above the lowest."""
    return "、".join(f"{lv.label} ≥{PROSE.points(lv.min)}" for lv in star_table().levels[1:])


def category_lines(node: IndicatorSet) -> list[str]:
    """One line per 单项: its code or position, name, indicators and their count."""
    prefix = f"{node.name}企业的" if node.name else "一级指标"
    lines = []
    for i, cat in enumerate(node.categories, 1):
        code = f"{cat.code} " if cat.code else f"第{i}个单项"
        lines.append(f"- {prefix}{code}“{cat.name}”包括{'、'.join(cat.indicators)}，共{len(cat.indicators)}项指标。")
    return lines


def table_lines(key: str) -> list[str]:
    """The lines a corpus placeholder `{{data:<key>}}` stands for.

    Args:
        key: `fees.items`, `fees.person_days`, `star_levels`, or `indicators.<list>` such as
            `indicators.gbt27922` and `indicators.sbt10401.production`.

    Raises:
        KeyError: no table or list has that key.
        CorpusError: the table is malformed.
    """
    if key == "fees.items":
        return [fee_item_line(item) for item in fee_table().items]
    if key == "fees.person_days":
        return [f"- {band_sentence(band)}" for band in fee_table().person_days]
    if key == "star_levels":
        return [f"- {level_sentence(level)}" for level in star_table().levels]
    if key.startswith("indicators."):
        return category_lines(indicator_table().indicator_set(key.removeprefix("indicators.")))
    raise KeyError(key)

