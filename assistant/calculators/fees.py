"""Fee quotes from the person-day table and fee items in corpus/data/fees.yaml.

`quote_fee` is a pure function of the data table and its input: the same headcount gives the same
quote. It returns a typed `Quote` and writes no text: the chat answer, the terminal, Markdown, PDF,
HTML and JSON forms of a quote are made from it by assistant/render.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from .. import inputs
from ..data import Band, FeeItem, by_key, fee_table
from ..errors import InputError
from ..render.numbers import format_amount

__all__ = [
    "CONSULTING",
    "DISCOUNT",
    "TRAVEL",
    "USER_SOURCE",
    "Band",
    "BandEdge",
    "LineItem",
    "Override",
    "Quote",
    "YearCost",
    "fee_items",
    "find_band",
    "money_sum",
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


# What a line a user added (travel, consulting, discount) cites instead of a table row.
USER_SOURCE = "报价人填写，不在收费表内"


@dataclass(frozen=True)
class LineItem:
    """One priced line: unit price × quantity. `origin` "user" marks a line the fee table does not
    hold (travel estimate, consulting fee, discount), which every form labels as such."""

    key: str
    name: str
    unit_price: float
    quantity: float
    unit: str
    amount: float
    source: str
    origin: Literal["table", "user"] = "table"


@dataclass(frozen=True)
class YearCost:
    """What one year of the certificate cycle, or the re-certification, costs; total None = unknown."""

    year: int
    stage: Literal["initial", "surveillance", "recert"]
    items: tuple[LineItem, ...]
    total: float | None


@dataclass(frozen=True)
class BandEdge:
    """The headcount is a band's first (`lower`) or last (`upper`) headcount; `neighbour` is the band
    across that edge, None above the table's last band."""

    side: Literal["lower", "upper"]
    neighbour: Band | None


def _edge(count: int, band: Band) -> BandEdge | None:
    bands = person_day_bands()
    index = bands.index(band)
    if count == band.min and index > 0:
        return BandEdge("lower", bands[index - 1])
    if count == band.max:
        return BandEdge("upper", bands[index + 1] if index + 1 < len(bands) else None)
    return None


@dataclass(frozen=True)
class Override:
    """A price the user set in place of the table's for one fee item."""

    item: FeeItem
    amount: float


@dataclass(frozen=True)
class Quote:
    """A fee quote for one headcount: band, person-days, line items, first-year and cycle totals.

    `fee_items`, `assumptions`, `sources`, `title` and `issuer` are the table's, as the quote was
    priced from them; `overrides` lists the prices the user changed. `extras` are the first-year
    lines a user added (origin "user"); `first_year_total` and the years include them, and
    `discount_percent` is set when the discount among them was given as a percentage. `edge` says
    that the headcount sits on a band's edge, with the band across it.
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
    extras: tuple[LineItem, ...] = ()
    discount_percent: float | None = None
    edge: BandEdge | None = None

    @property
    def table_total(self) -> float:
        """The first year's fee-table lines alone (收费表费用小计)."""
        return money_sum(self.items)

    def item(self, key: str) -> LineItem:
        """The first-year line item `key` (application, registration, annual, audit).

        Raises:
            KeyError: no such item.
        """
        return by_key(self.items, key)


_CENT = Decimal("0.01")


def _cents(value: Decimal) -> float:
    return float(value.quantize(_CENT, rounding=ROUND_HALF_UP))


def _times(price: float, quantity: float) -> float:
    """price × quantity to the fen (half up): 2,999.99 元 × 5.5 人日 is 16,499.95 元 in every form."""
    return _cents(Decimal(repr(price)) * Decimal(repr(quantity)))


def _line(item: FeeItem, quantity: float, price: float) -> LineItem:
    return LineItem(
        key=item.key,
        name=item.name,
        unit_price=price,
        quantity=quantity,
        unit=item.unit,
        amount=_times(price, quantity),
        source=item.source,
    )


def money_sum(lines: Iterable[LineItem]) -> float:
    """The lines' amounts added in decimal, so 0.1 + 0.2 元 is 0.3 元 in every form."""
    return float(sum((Decimal(repr(line.amount)) for line in lines), Decimal(0)))


def _user_line(key: str, name: str, price: float, quantity: float, unit: str) -> LineItem:
    return LineItem(key, name, price, quantity, unit, _times(price, quantity), USER_SOURCE, origin="user")


# ---------------------------------------------------------------------------------------------
# Lines the user adds. Travel recurs with every on-site audit; the consulting fee and the discount
# belong to the first year (docs/DECISIONS.md).

TRAVEL = "差旅食宿估算"
CONSULTING = "咨询服务费"
DISCOUNT = "首年优惠"


@dataclass(frozen=True)
class _Travel:
    per_visit: float | None
    per_day: float | None

    def line(self, onsite: float | None, stage: str, band: Band) -> LineItem | None:
        if self.per_visit is not None:
            return _user_line("travel", TRAVEL, self.per_visit, 1, "次")
        if self.per_day is None:
            return None
        if onsite is None:
            raise InputError(
                f"收费表 {band.label} 档缺少{stage}现场人日数，无法按人日估算差旅；请改填每次现场评审的差旅金额"
            )
        return _user_line("travel", TRAVEL, self.per_day, onsite, "人日")


def _travel(per_visit: object, per_day: object) -> _Travel:
    visit = None if inputs.blank(per_visit) else inputs.money(per_visit, "差旅费（每次现场评审）")
    day = None if inputs.blank(per_day) else inputs.money(per_day, "差旅费单价（元/现场人日）")
    if visit is not None and day is not None:
        raise InputError("差旅费请只填一种：每次现场评审的金额，或每现场人日的单价")
    return _Travel(visit, day)


def _discount(value: object, base: float) -> tuple[LineItem | None, float | None]:
    """The discount line (negative) and its percentage when given as one ("10%", "9折")."""
    if inputs.blank(value):
        return None, None
    percent = inputs.percent_off(value, "首年优惠")
    if percent is not None:
        amount = _cents(Decimal(repr(base)) * Decimal(repr(percent)) / 100)
        name = f"{DISCOUNT} {inputs.shown(percent)}%"
    else:
        amount = inputs.money(value, "首年优惠金额")
        name = DISCOUNT
    if amount > base:
        raise InputError(
            f"首年优惠 {format_amount(amount)} 元超过可优惠的首年费用 {format_amount(base)} 元"
            "（收费表费用与咨询费，不含差旅），请检查优惠金额"
        )
    if amount == 0:
        return None, None
    return _user_line("discount", name, -amount, 1, "次"), percent


def quote_fee(
    employees: object,
    *,
    rate: object = None,
    company: object = None,
    items: Mapping[str, object] | None = None,
    travel: object = None,
    travel_rate: object = None,
    consulting: object = None,
    discount: object = None,
) -> Quote:
    """Quote the certification fees for a company of `employees` people.

    Args:
        employees: headcount: a positive whole number (int, integral float, or "1200" / "1,200").
        rate: 评审费 per person-day in 元, replacing the table's rate (number or typed text).
        company: customer name printed on the quote (one line, at most 120 characters).
        items: amount overrides by item key (application, registration, annual, audit).
        travel: estimated travel and lodging per on-site audit, in 元 (each year, and the
            re-certification).
        travel_rate: or travel per on-site person-day, in 元, times each audit's on-site days
            from the table.
        consulting: a consulting fee in 元, first year only.
        discount: a first-year discount: an amount in 元, or a percentage ("10%", "9折") of the
            first year's fee-table lines plus the consulting fee.

    Returns:
        The `Quote`: band, person-days, first-year line items and total, the cycle years,
        the re-certification audit, and the table's assumptions and sources.

    Raises:
        InputError: the headcount is not a positive whole number or lies above the table's last
            band; an amount is not a number from 0 to `inputs.MAX_PRICE` or names an unknown
            item; travel is given both ways, or per person-day where the table lacks the on-site
            days; the discount exceeds what it applies to; the company name is too long or holds
            broken characters.
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

    trip = _travel(travel, travel_rate)
    fee = None if inputs.blank(consulting) else inputs.money(consulting, "咨询服务费")

    audit = catalogue["audit"]
    annual = _line(catalogue["annual"], 1, amounts["annual"])
    first_year = (
        _line(catalogue["application"], 1, amounts["application"]),
        _line(catalogue["registration"], 1, amounts["registration"]),
        annual,
        _line(audit, band.initial, amounts["audit"]),
    )
    consulting_line = _user_line("consulting", CONSULTING, fee, 1, "次") if fee else None
    discount_line, percent = _discount(discount, money_sum([*first_year, *filter(None, [consulting_line])]))
    extras = tuple(
        line
        for line in (trip.line(band.initial_onsite, "初审", band), consulting_line, discount_line)
        if line is not None
    )
    first = (*first_year, *extras)
    years = [YearCost(1, "initial", first, money_sum(first))]
    surveillance = (
        _line(audit, band.surveillance, amounts["audit"]),
        annual,
        *filter(None, [trip.line(band.surveillance_onsite, "监督评审", band)]),
    )
    years += [
        YearCost(year, "surveillance", surveillance, money_sum(surveillance))
        for year in range(2, table.cycle_years + 1)
    ]
    if band.recert is None:
        recert = YearCost(table.cycle_years + 1, "recert", (), None)
    else:
        recert_lines = (
            _line(audit, band.recert, amounts["audit"]),
            *filter(None, [trip.line(band.recert_onsite, "复评", band)]),
        )
        recert = YearCost(table.cycle_years + 1, "recert", recert_lines, money_sum(recert_lines))
    return Quote(
        employees=count,
        band=band,
        rate=amounts["audit"],
        items=first_year,
        first_year_total=years[0].total or 0.0,
        years=tuple(years),
        cycle_total=float(sum((Decimal(repr(y.total or 0.0)) for y in years), Decimal(0))),
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
        extras=extras,
        discount_percent=percent,
        edge=_edge(count, band),
    )
