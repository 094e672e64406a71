"""The data tables under corpus/data: read once, checked once, shared by the corpus and the calculators.

`fee_table()`, `star_table()` and `indicator_table()` parse their YAML file into typed, frozen
models on first use and keep them; a malformed row is a `CorpusError` naming the file, the row and
the field. Every row's `source` holds its sources as citations print them ("title url", several
joined with "；"): the YAML gives a key into the file's `sources` map, or a list of keys when several
sources support the row; each key is checked and resolved here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .config import corpus_dir
from .errors import CorpusError
from .render.numbers import format_score

__all__ = [
    "Assumption",
    "Band",
    "Category",
    "FeeItem",
    "FeeTable",
    "IndicatorSet",
    "IndicatorTable",
    "Level",
    "Row",
    "Sbt10401",
    "SelfAssessmentScale",
    "Source",
    "StarTable",
    "by_key",
    "fee_table",
    "indicator_table",
    "load_table",
    "source_keys",
    "star_table",
]


# libyaml's safe loader when PyYAML was built with it: same result, a tenth of the time (the quote
# command's cold start reads two tables).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def load_table(name: str) -> dict[str, Any]:
    """The parsed `corpus/data/<name>.yaml` as plain YAML data (the typed accessors build on it).

    Raises:
        CorpusError: the file is missing or is not a YAML mapping.
    """
    path = corpus_dir() / "data" / f"{name}.yaml"
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except FileNotFoundError as exc:
        raise CorpusError(f"数据表 {path} 不存在") from exc
    except yaml.YAMLError as exc:
        raise CorpusError(f"数据表 {path} 不是合法的 YAML：{exc}") from exc
    if not isinstance(data, dict):
        raise CorpusError(f"数据表 {path} 的顶层应为映射（key: value）")
    return data


def source_keys(source: str | list[str] | None) -> list[str]:
    """A raw row's `source` as a list of keys: a row that several sources support lists them all."""
    if source is None:
        return []
    return [str(k) for k in source] if isinstance(source, list) else [str(source)]


# ---------------------------------------------------------------------------------------------
# Models. Strict: a number written as text, or a yes/no where a number belongs, is an error, not
# a silent conversion; rows refuse unknown fields, so a misspelt field name cannot pass unnoticed.


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, frozen=True, allow_inf_nan=False, defer_build=True)


# Between validation and resolution a row's source keys travel joined by this (keys never hold it).
_KEYS = ","


class _RowModel(_Model):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _one_source_string(cls, data: Any) -> Any:
        # `source: [a, b]` is carried as "a,b" until the loader checks each key and puts the labels in.
        if isinstance(data, Mapping) and isinstance(data.get("source"), list):
            return {**data, "source": _KEYS.join(str(key) for key in data["source"])}
        return data


class Source(_RowModel):
    title: str
    url: str | None = None
    confidence: str | None = None

    @property
    def label(self) -> str:
        """'title url', as a citation names its source."""
        return " ".join(part for part in (self.title, self.url or "") if part).strip()


class FeeItem(_RowModel):
    """A fee item: its amount in 元, charged once, per year or per person-day."""

    key: str
    name: str
    amount: float = Field(ge=0)
    per: Literal["once", "year", "person_day"]
    stage: str
    source: str

    @property
    def unit(self) -> str:
        """'次', '年' or '人日': what the amount is charged per."""
        return _UNITS[self.per]


_UNITS = {"once": "次", "year": "年", "person_day": "人日"}
_Keyed = TypeVar("_Keyed")


def by_key(rows: Iterable[_Keyed], key: str) -> _Keyed:
    """The row whose `key` is `key` (fee items, line items, levels).

    Raises:
        KeyError: no such row.
    """
    for row in rows:
        if getattr(row, "key", None) == key:
            return row
    raise KeyError(key)


class Assumption(_RowModel):
    """A sentence every quote assumes, with the sources behind it."""

    text: str
    source: str


class Band(_RowModel):
    """One row of the person-day table: a headcount band and its person-days (None = not in source)."""

    min: int = Field(ge=1)
    max: int
    initial: float = Field(ge=0)
    initial_planning: float | None = Field(ge=0)
    initial_onsite: float | None = Field(ge=0)
    surveillance: float = Field(ge=0)
    surveillance_onsite: float | None = Field(ge=0)
    recert: float | None = Field(ge=0)
    recert_onsite: float | None = Field(ge=0)
    source: str
    note: str | None = None

    @property
    def label(self) -> str:
        """'1176–1550人'."""
        return f"{self.min}–{self.max}人"


class FeeTable(_Model):
    title: str
    issuer: str
    licence: str | None = None
    cycle_years: int = Field(default=3, ge=1)
    sources: dict[str, Source]
    items: tuple[FeeItem, ...] = Field(min_length=1, strict=False)
    person_days: tuple[Band, ...] = Field(min_length=1, strict=False)
    assumptions: tuple[Assumption, ...] = Field(default=(), strict=False)

    @model_validator(mode="after")
    def _check(self) -> FeeTable:
        keys = [item.key for item in self.items]
        for key in ("application", "registration", "annual", "audit"):
            if key not in keys:
                raise ValueError(f"items 缺少收费项目 {key}")
        expected = 1
        for i, band in enumerate(self.person_days, 1):
            if band.min != expected or band.max < band.min:
                raise ValueError(
                    f"person_days 第{i}行：区间 {band.min}–{band.max} 应从 {expected} 开始且不倒置"
                )
            expected = band.max + 1
        return self

        return self


class Level(_RowModel):
    """One grade: its key, Chinese name and lowest score (inclusive)."""

    key: str
    name: str
    min: float = Field(ge=0)
    source: str

    @property
    def label(self) -> str:
        """'四星级' for star levels, the name itself otherwise."""
        return f"{self.name}级" if self.name.endswith("星") else self.name


class Row(_RowModel):
    """A rule or caveat sentence; `{max_score}`-style names in it are filled from the table's numbers."""

    key: str
    name: str
    text: str
    source: str

    @model_validator(mode="before")
    @classmethod
    def _default_name(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and not data.get("name") and "key" in data:
            return {**data, "name": data["key"]}
        return data


class StarTable(_Model):
    title: str = ""
    max_score: float = Field(gt=0)
    levels: tuple[Level, ...] = Field(min_length=1, strict=False)
    special_deduction_points: float = Field(ge=0)
    special_bonus_points: float = Field(ge=0)
    max_special_bonus: int = Field(ge=0)
    star_block_deductions: int = Field(ge=1)
    rules: tuple[Row, ...] = Field(default=(), strict=False)
    caveats: tuple[Row, ...] = Field(default=(), strict=False)
    sources: dict[str, Source]

    @model_validator(mode="after")
    def _check(self) -> StarTable:
        keys = [level.key for level in self.levels]
        if len(set(keys)) != len(keys):
            raise ValueError(f"levels 中有重复的 key：{keys}")
        ordered = tuple(sorted(self.levels, key=lambda lv: lv.min))
        for level in ordered:
            if level.min > self.max_score:
                raise ValueError(f"levels {level.key}：min {level.min} 超过 max_score {self.max_score}")
        object.__setattr__(self, "levels", ordered)
        return self

    def row(self, section: Literal["rules", "caveats"], key: str) -> Row | None:
        """The rule or caveat `key`, if the table has it."""
        return next((row for row in getattr(self, section) if row.key == key), None)


class Category(_RowModel):
    """One 单项 of an indicator list and its indicators."""

    code: str | None = None
    name: str
    indicators: tuple[str, ...] = Field(min_length=1, strict=False)
    source: str | None = None


class IndicatorSet(_RowModel):
    """An indicator list: GB/T 27922's three 一级指标, or one SB/T 10401 enterprise kind."""

    name: str = ""
    standard: str | None = None
    source: str | None = None
    note: str | None = None
    categories: tuple[Category, ...] = Field(min_length=1, strict=False)


class SelfAssessmentScale(_RowModel):
    """How a checklist answer counts: share of the indicator's weight; `not_applicable` leaves it out."""

    answers: dict[str, float] = Field(min_length=1)
    not_applicable: str = "不适用"
    source: str | None = None


class Sbt10401(_RowModel):
    """SB/T 10401-2006's lists, one per enterprise kind."""

    standard: str | None = None
    production: IndicatorSet
    sales_service: IndicatorSet


class IndicatorTable(_Model):
    gbt27922: IndicatorSet
    sbt10401: Sbt10401
    weights: dict[str, dict[str, float]] = Field(default_factory=dict)
    self_assessment: SelfAssessmentScale
    sources: dict[str, Source]

    def kinds(self) -> dict[str, IndicatorSet]:
        """The SB/T 10401 lists by enterprise kind key (production, sales_service)."""
        return {"production": self.sbt10401.production, "sales_service": self.sbt10401.sales_service}

    def indicator_set(self, path: str) -> IndicatorSet:
        """'gbt27922' or 'sbt10401.production' -> that list.

        Raises:
            KeyError: no list at `path`.
        """
        if path == "gbt27922":
            return self.gbt27922
        head, _, kind = path.partition(".")
        node = self.kinds().get(kind) if head == "sbt10401" else None
        if node is None:
            raise KeyError(path)
        return node


# ---------------------------------------------------------------------------------------------
# Loading.

_M = TypeVar("_M", bound=BaseModel)
_ROW_NAMES = ("key", "name", "code")


@cache
def fee_table() -> FeeTable:
    """corpus/data/fees.yaml: fee items, the person-day table (contiguous from 1 person), assumptions.

    Raises:
        CorpusError: the file or a row is malformed (the message names the file, row and field).
    """
    return _parse(FeeTable, "fees", ("items", "person_days", "assumptions"))


@cache
def star_table() -> StarTable:
    """corpus/data/star_levels.yaml: grades ascending by threshold, scoring rules and caveats.

    Raises:
        CorpusError: the file or a row is malformed (the message names the file, row and field).
    """
    table = _parse(StarTable, "star_levels", ("levels", "rules", "caveats"))
    context = {
        name: format_score(float(value))
        for name, value in load_table("star_levels").items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    }
    context.update({f"{level.key}_min": format_score(level.min) for level in table.levels})
    filled: dict[str, tuple[Row, ...]] = {}
    for section in ("rules", "caveats"):
        rows = []
        for i, row in enumerate(getattr(table, section), 1):
            try:
                rows.append(row.model_copy(update={"text": row.text.format(**context)}))
            except (KeyError, IndexError, ValueError) as exc:
                raise CorpusError(
                    f"数据表 corpus/data/star_levels.yaml {section} 第{i}行（key: {row.key}）字段 text：占位符 {exc} 不是表中的数字字段"
                ) from exc
        filled[section] = tuple(rows)
    return table.model_copy(update=filled)


@cache
def indicator_table() -> IndicatorTable:
    """corpus/data/indicators.yaml: GB/T 27922 and SB/T 10401 indicator lists, checklist scale, weights.

    Raises:
        CorpusError: the file or a row is malformed (the message names the file, row and field).
    """
    table = _parse(IndicatorTable, "indicators", ())
    sets = {"gbt27922": table.gbt27922, **table.kinds()}
    for name, node in sets.items():
        for where, source in [(name, node.source), *((f"{name} 单项“{c.name}”", c.source) for c in node.categories)]:
            _labels(source, table.sources, f"数据表 corpus/data/indicators.yaml {where}")
    return table


def _parse(model: type[_M], name: str, row_sections: Sequence[str]) -> _M:
    """Validate `<name>.yaml` into `model`, then resolve each row's source keys into their labels."""
    raw = load_table(name)
    try:
        table = model.model_validate(raw)
    except ValidationError as exc:
        raise CorpusError(_describe(f"corpus/data/{name}.yaml", raw, exc)) from exc
    sources: Mapping[str, Source] = getattr(table, "sources", {})
    resolved: dict[str, tuple[Any, ...]] = {}
    for section in row_sections:
        rows = []
        for i, row in enumerate(getattr(table, section), 1):
            where = f"数据表 corpus/data/{name}.yaml {section} 第{i}行{_row_name(row.model_dump())}"
            rows.append(row.model_copy(update={"source": _labels(row.source, sources, where)}))
        resolved[section] = tuple(rows)
    return table.model_copy(update=resolved) if resolved else table


def _labels(keys: str | None, sources: Mapping[str, Source], where: str) -> str:
    """'title url；title url' for a row's source keys (as carried: joined by `_KEYS`).

    Raises:
        CorpusError: a key is not in the file's `sources`.
    """
    if keys is None:
        return ""
    labels = []
    for key in keys.split(_KEYS):
        if key not in sources:
            known = "、".join(sources) or "（无）"
            raise CorpusError(f"{where}字段 source：{key!r} 不在 sources 中（可选：{known}）")
        labels.append(sources[key].label)
    return "；".join(labels)


_PROBLEMS = {
    "missing": "缺少此字段",
    "extra_forbidden": "不是已知字段（拼写错误？）",
    "float_type": "应为数字",
    "finite_number": "应为有限的数字",
    "int_type": "应为整数",
    "string_type": "应为文字",
    "dict_type": "应为映射（key: value）",
    "model_type": "应为映射（key: value）",
    "tuple_type": "应为列表",
    "list_type": "应为列表",
    "too_short": "不能为空",
}


def _describe(file: str, raw: Mapping[str, Any], exc: ValidationError) -> str:
    """The first validation error as one Chinese line: file, row, field, what is wrong, what was given."""
    err = exc.errors(include_url=False)[0]
    where = ""
    node: Any = raw
    for part in err["loc"]:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
            where += f" 第{part + 1}行{_row_name(node)}"
            continue
        where += f"字段 {part}" if where.endswith(("行", "）")) else f" {part}"
        node = node.get(part) if isinstance(node, Mapping) else None
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "value_error":
        problem = str(ctx.get("error", err["msg"]))
    elif kind == "literal_error":
        problem = f"应为 {ctx.get('expected')} 之一"
    elif kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        shown = format_score(float(bound)) if isinstance(bound, int | float) else bound
        problem = f"应 {'≥' if kind == 'greater_than_equal' else '>'} {shown}"
    else:
        problem = _PROBLEMS.get(kind, err["msg"])
    given = err.get("input")
    # Quote what the row holds when it is a single value; a whole table would drown the message.
    quoted = f"（收到 {given!r}）" if kind != "missing" and isinstance(given, str | int | float | bool | None | list) \
        and len(repr(given)) < 80 else ""
    return f"数据表 {file}{where}：{problem}{quoted}"


def _row_name(row: object) -> str:
    """'（key: audit）' or '（1–10人）': how a reader finds the row in the file."""
    if not isinstance(row, Mapping):
        return ""
    if "min" in row and "max" in row and "key" not in row:
        return f"（{row['min']}–{row['max']}人）"
    for field in _ROW_NAMES:
        if row.get(field):
            return f"（{field}: {row[field]}）"
    return ""
