"""Fee quotes from the person-day table and fee items in corpus/data/fees.yaml.

`quote_fee` is a pure function of the data table and its input: the same headcount gives the same
quote. It returns a typed `Quote` and writes no text: the chat answer, the terminal, Markdown, PDF,
HTML and JSON forms of a quote are made from it by assistant/render.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from .. import inputs
from ..data import Band, FeeItem, by_key, fee_table
from ..errors import InputError

__all__ = [
    "Band",
    "LineItem",
    "Override",
    "Quote",
    "YearCost",
    "fee_items",
    "find_band",
    "person_day_bands",
    "quote_fee",
]


def person_day_bands() -> tuple[Band, ...]:
    """The person-day table, ascending and contiguous from 1 person.

    Raises:
        CorpusError: corpus/data/fees.yaml is malformed.
    """
    return fee_table().person_days


def fee_items() -> dict[str, str]:
    """Fee item key -> Chinese name, in table order (申请费, 审定与注册费…, 年金…, 评审费)."""
    return {item.key: item.name for item in fee_table().items}


def find_band(employees: object) -> Band:
    """The person-day band holding `employees`.

    Args:
        employees: headcount (int, integral float or digit string such as "1200" or "1,200").

    Returns:
        The table row whose min–max range contains the headcount.

    Raises:
        InputError: the headcount is not a positive whole number or lies above the last band.
    """
    return _band_for(inputs.headcount(employees))


def _band_for(count: int) -> Band:
    bands = person_day_bands()
    for band in bands:
        if band.min <= count <= band.max:
            return band
    raise InputError(
        f"员工人数 {inputs.shown(count)} 超出收费表范围（最高 {bands[-1].max} 人），需由认证机构单独核定人日数和费用，"
        "收费表无法给出报价"
    )


# ---------------------------------------------------------------------------------------------
# The quote.


@dataclass(frozen=True)
class LineItem:
    """One priced line: unit price × quantity."""

    key: str
    name: str
    unit_price: float
    quantity: float
    unit: str
    amount: float
    source: str


@dataclass(frozen=True)
class YearCost:
    """What one year of the certificate cycle, or the re-certification, costs; total None = unknown."""

    year: int
    stage: Literal["initial", "surveillance", "recert"]
    items: tuple[LineItem, ...]
    total: float | None


@dataclass(frozen=True)
class Override:
    """A price the user set in place of the table's for one fee item."""

    item: FeeItem
    amount: float


@dataclass(frozen=True)
class Quote:
    """A fee quote for one headcount: band, person-days, line items, first-year and cycle totals.

    `fee_items`, `assumptions`, `sources`, `title` and `issuer` are the table's, as the quote was
    priced from them; `overrides` lists the prices the user changed.
    """

    employees: int
    band: Band
    rate: float
    items: tuple[LineItem, ...]
    first_year_total: float
    years: tuple[YearCost, ...]
    cycle_total: float
    recert: YearCost
    overrides: tuple[Override, ...]
    fee_items: tuple[FeeItem, ...]
    assumptions: tuple[str, ...]
    sources: tuple[str, ...]
    title: str
    issuer: str
    company: str | None = None

    def item(self, key: str) -> LineItem:
        """The first-year line item `key` (application, registration, annual, audit).

        Raises:
            KeyError: no such item.
        """
        return by_key(self.items, key)


def _line(item: FeeItem, quantity: float, price: float) -> LineItem:
    return LineItem(
        key=item.key,
        name=item.name,
        unit_price=price,
        quantity=quantity,
        unit=item.unit,
        amount=price * quantity,
        source=item.source,
    )


def quote_fee(
    employees: object,
    *,
    rate: object = None,
    company: object = None,
    items: Mapping[str, object] | None = None,
) -> Quote:
    """Quote the certification fees for a company of `employees` people.

    Args:
        employees: headcount: a positive whole number (int, integral float, or "1200" / "1,200").
        rate: 评审费 per person-day in 元, replacing the table's rate (number or typed text).
        company: customer name printed on the quote (one line, at most 120 characters).
        items: amount overrides by item key (application, registration, annual, audit).

    Returns:
        The `Quote`: band, person-days, first-year line items and total, the cycle years,
        the re-certification audit, and the table's assumptions and sources.

    Raises:
        InputError: the headcount is not a positive whole number or lies above the table's last
            band; an amount is not a number from 0 to `inputs.MAX_PRICE` or names an unknown
            item; the company name is too long or holds broken characters.
        CorpusError: corpus/data/fees.yaml is malformed.
    """
    count = inputs.headcount(employees)
    band = _band_for(count)
    table = fee_table()
    catalogue = {item.key: item for item in table.items}
    amounts = {key: item.amount for key, item in catalogue.items()}
    for key, value in (items or {}).items():
        if key not in catalogue:
            known = "、".join(f"{k}（{v.name}）" for k, v in catalogue.items())
            raise InputError(f"未知的收费项目“{inputs.shown(key)}”，可选：{known}")
        amounts[key] = inputs.money(value, catalogue[key].name)
    if rate is not None:
        amounts["audit"] = inputs.money(rate, "每人日评审费")
    customer = inputs.name(company, "公司名称")

    audit = catalogue["audit"]
    annual = _line(catalogue["annual"], 1, amounts["annual"])
    first_year = (
        _line(catalogue["application"], 1, amounts["application"]),
        _line(catalogue["registration"], 1, amounts["registration"]),
        annual,
        _line(audit, band.initial, amounts["audit"]),
    )
    first_total = sum(line.amount for line in first_year)
    years = [YearCost(1, "initial", first_year, first_total)]
    surveillance = (_line(audit, band.surveillance, amounts["audit"]), annual)
    surveillance_total = sum(line.amount for line in surveillance)
    years += [
        YearCost(year, "surveillance", surveillance, surveillance_total) for year in range(2, table.cycle_years + 1)
    ]
    if band.recert is None:
        recert = YearCost(table.cycle_years + 1, "recert", (), None)
    else:
        recert_line = _line(audit, band.recert, amounts["audit"])
        recert = YearCost(table.cycle_years + 1, "recert", (recert_line,), recert_line.amount)
    return Quote(
        employees=count,
        band=band,
        rate=amounts["audit"],
        items=first_year,
        first_year_total=first_total,
        years=tuple(years),
        cycle_total=sum(y.total or 0.0 for y in years),
        recert=recert,
        overrides=tuple(
            Override(item, amounts[key]) for key, item in catalogue.items() if amounts[key] != item.amount
        ),
        fee_items=table.items,
        assumptions=tuple(assumption.text for assumption in table.assumptions),
        # Every source of the table: the schedule itself, the page confirming a row, and the pages
        # behind the assumptions (travel billed at cost, fees negotiable since 2014).
        sources=tuple(source.label for source in table.sources.values()),
        title=table.title,
        issuer=table.issuer,
        company=customer,
    )
