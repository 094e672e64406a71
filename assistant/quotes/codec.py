"""A quote as stored JSON and back: everything the documents are made from, nothing recomputed.

The register keeps this form, so a saved quote re-renders as it was issued even after the fee
table changes (new rates, a corrected band): the bands, fee items, assumptions and sources it was
priced from travel with it. `FORMAT` is written into every record; a later change to `Quote`
adds a decoder for the old format instead of rewriting stored quotes.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ..calculators.fees import BandEdge, LineItem, Override, Quote, YearCost
from ..data import Band, FeeItem
from ..errors import AssistantError

__all__ = ["FORMAT", "StoredQuoteError", "decode", "encode"]

FORMAT = 1


class StoredQuoteError(AssistantError):
    """A stored quote cannot be read back (written by a newer version, or damaged)."""


def _year(year: YearCost) -> dict[str, Any]:
    return {"year": year.year, "stage": year.stage, "items": [asdict(i) for i in year.items], "total": year.total}


def encode(quote: Quote) -> dict[str, Any]:
    """The quote as JSON-ready data (floats round-trip exactly through JSON)."""
    edge = quote.edge
    return {
        "format": FORMAT,
        "employees": quote.employees,
        "band": quote.band.model_dump(),
        "rate": quote.rate,
        "items": [asdict(i) for i in quote.items],
        "first_year_total": quote.first_year_total,
        "years": [_year(y) for y in quote.years],
        "cycle_total": quote.cycle_total,
        "recert": _year(quote.recert),
        "overrides": [{"item": o.item.model_dump(), "amount": o.amount} for o in quote.overrides],
        "fee_items": [f.model_dump() for f in quote.fee_items],
        "assumptions": list(quote.assumptions),
        "sources": list(quote.sources),
        "title": quote.title,
        "issuer": quote.issuer,
        "company": quote.company,
        "extras": [asdict(i) for i in quote.extras],
        "discount_percent": quote.discount_percent,
        "edge": None if edge is None else {
            "side": edge.side,
            "neighbour": None if edge.neighbour is None else edge.neighbour.model_dump(),
        },
    }


def _lines(rows: list[dict[str, Any]]) -> tuple[LineItem, ...]:
    return tuple(LineItem(**row) for row in rows)


def _decode_year(row: dict[str, Any]) -> YearCost:
    return YearCost(row["year"], row["stage"], _lines(row["items"]), row["total"])


def decode(data: dict[str, Any]) -> Quote:
    """The `Quote` that `encode` stored.

    Raises:
        StoredQuoteError: the data is of an unknown format or damaged.
    """
    if data.get("format") != FORMAT:
        raise StoredQuoteError(f"报价记录的格式版本 {data.get('format')!r} 不是本程序能读的 {FORMAT}，请升级程序")
    try:
        edge = data["edge"]
        return Quote(
            employees=data["employees"],
            band=Band.model_validate(data["band"]),
            rate=data["rate"],
            items=_lines(data["items"]),
            first_year_total=data["first_year_total"],
            years=tuple(_decode_year(y) for y in data["years"]),
            cycle_total=data["cycle_total"],
            recert=_decode_year(data["recert"]),
            overrides=tuple(
                Override(FeeItem.model_validate(o["item"]), o["amount"]) for o in data["overrides"]
            ),
            fee_items=tuple(FeeItem.model_validate(f) for f in data["fee_items"]),
            assumptions=tuple(data["assumptions"]),
            sources=tuple(data["sources"]),
            title=data["title"],
            issuer=data["issuer"],
            company=data["company"],
            extras=_lines(data["extras"]),
            discount_percent=data["discount_percent"],
            edge=None if edge is None else BandEdge(
                edge["side"], None if edge["neighbour"] is None else Band.model_validate(edge["neighbour"])
            ),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise StoredQuoteError(f"报价记录已损坏，无法读取（{exc.__class__.__name__}: {exc}）") from exc
