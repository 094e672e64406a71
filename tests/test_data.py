"""The data tables: parsed once into typed models; a broken row is an error naming file, row and field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant import data
from assistant.calculators.fees import quote_fee
from assistant.calculators.scoring import rate_score, self_assess
from assistant.errors import CorpusError

_CACHED = (data.load_table, data.fee_table, data.star_table, data.indicator_table)


def _clear() -> None:
    for fn in _CACHED:
        fn.cache_clear()


@pytest.fixture
def tables(data_tables: Path) -> Callable[[str, Callable[[Any], None]], None]:
    """`edit("fees", change)` rewrites fees.yaml of a copy of corpus/data that the tables are read from."""

    def edit(name: str, change: Callable[[Any], None]) -> None:
        path = data_tables / f"{name}.yaml"
        table = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(table)
        path.write_text(yaml.safe_dump(table, allow_unicode=True), encoding="utf-8")

    return edit


def test_tables_are_parsed_once_however_often_they_are_used() -> None:
    _clear()
    for n in (8, 1200, 10700):
        quote_fee(n)
    for score in (50, 92, 95):
        rate_score(score)
    self_assess("生产型", {"服务理念": "符合"})
    assert data.fee_table.cache_info().misses == 1
    assert data.star_table.cache_info().misses == 1
    assert data.indicator_table.cache_info().misses == 1


def test_rows_carry_their_source_label_and_typed_values() -> None:
    band = data.fee_table().person_days[12]
    assert (band.min, band.max, band.initial, band.label) == (1176, 1550, 16.0, "1176–1550人")
    # This band lists three sources; a citation names each as "title url", joined with "；".
    first, *others = band.source.split("；")
    assert first == "商品售后服务评价体系认证收费标准及人日数对照表(试行) http://m.facezit.com/shtml/view-5745014.html"
    assert len(others) == 2 and others[0].endswith("zs_14670.html")
    assumption = data.fee_table().assumptions[0]
    assert assumption.text.startswith("差旅") and assumption.source.count("；") == 1
    levels = data.star_table().levels
    assert [lv.min for lv in levels] == sorted(lv.min for lv in levels)
    # Rule sentences name the table's own numbers, filled in once at load.
    deletion = data.star_table().row("rules", "deletion")
    assert deletion is not None and "× 100" in deletion.text and "{" not in deletion.text


def _set(path: tuple[Any, ...], value: Any) -> Callable[[Any], None]:
    def change(table: Any) -> None:
        node = table
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return change


def _drop(path: tuple[Any, ...]) -> Callable[[Any], None]:
    def change(table: Any) -> None:
        node = table
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return change


BROKEN = [
    pytest.param(
        "fees", _set(("person_days", 2, "initial"), "六"), data.fee_table,
        ["fees.yaml", "person_days 第3行（26–45人）", "字段 initial", "应为数字", "'六'"], id="text-for-number",
    ),
    pytest.param(
        "fees", _set(("person_days", 0, "surveillance"), None), data.fee_table,
        ["fees.yaml", "person_days 第1行（1–10人）", "字段 surveillance", "应为数字"], id="null-where-required",
    ),
    pytest.param(
        "fees", _set(("items", 3, "amout"), 3000), data.fee_table,
        ["fees.yaml", "items 第4行（key: audit）", "字段 amout", "不是已知字段"], id="misspelt-field",
    ),
    pytest.param(
        "fees", _set(("items", 0, "per"), "month"), data.fee_table,
        ["fees.yaml", "items 第1行（key: application）", "字段 per", "month"], id="unknown-unit",
    ),
    pytest.param(
        "fees", _set(("items", 2, "amount"), -2000), data.fee_table,
        ["fees.yaml", "items 第3行（key: annual）", "字段 amount", "应 ≥ 0"], id="negative-amount",
    ),
    pytest.param(
        "fees", _set(("person_days", 4, "min"), 70), data.fee_table,
        ["fees.yaml", "person_days 第5行", "66"], id="gap-between-bands",
    ),
    pytest.param(
        "fees", _set(("person_days", 1, "source"), "nowhere"), data.fee_table,
        ["fees.yaml", "person_days 第2行（11–25人）", "source", "'nowhere'", "facezit"], id="unknown-source",
    ),
    pytest.param(
        "fees", _set(("person_days", 12, "source"), ["facezit", "nowhere"]), data.fee_table,
        ["fees.yaml", "person_days 第13行（1176–1550人）", "source", "'nowhere'"], id="unknown-source-in-list",
    ),
    pytest.param(
        "fees", _set(("assumptions", 0), "差旅另计。"), data.fee_table,
        ["fees.yaml", "assumptions 第1行", "应为映射"], id="assumption-without-source",
    ),
    pytest.param(
        "fees", _drop(("items", 3)), data.fee_table, ["fees.yaml", "缺少收费项目 audit"], id="missing-item",
    ),
    pytest.param(
        "star_levels", _set(("levels", 1, "min"), "七十"), data.star_table,
        ["star_levels.yaml", "levels 第2行（key: pass）", "字段 min", "应为数字"], id="threshold-as-text",
    ),
    pytest.param(
        "star_levels", _set(("rules", 0, "text"), "满分为{maximum}分"), data.star_table,
        ["star_levels.yaml", "rules 第1行（key: deletion）", "text", "maximum"], id="unknown-placeholder",
    ),
    pytest.param(
        "star_levels", _drop(("max_score",)), data.star_table,
        ["star_levels.yaml", "max_score", "缺少此字段"], id="missing-field",
    ),
    pytest.param(
        "indicators", _set(("sbt10401", "production", "categories", 1, "indicators"), []), data.indicator_table,
        ["indicators.yaml", "categories 第2行（name: 服务制度）", "字段 indicators", "不能为空"], id="empty-list",
    ),
]


@pytest.mark.parametrize(("name", "change", "load", "fragments"), BROKEN)
def test_a_broken_row_names_file_row_and_field(
    tables: Callable[[str, Callable[[Any], None]], None],
    name: str,
    change: Callable[[Any], None],
    load: Callable[[], Any],
    fragments: list[str],
) -> None:
    tables(name, change)
    with pytest.raises(CorpusError) as info:
        load()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert "\n" not in message and "pydantic" not in message
