"""The JSON forms: `assistant quote|score --json`, the `/quote` and `/score` API, `Answer.data`.

These dict shapes are a contract (README, tests/test_ui_api.py): extend them, never rename. Whole
numbers are ints (48000, not 48000.0); `dumps` refuses NaN and infinity, so a bug can never print
invalid JSON.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from ..calculators.fees import LineItem, Quote, YearCost
from ..calculators.scoring import Assessment, Rating
from ..data import Level
from ..quotes.issue import Issue
from .basis import quote_basis, rating_basis
from .numbers import json_number
from .phrases import (
    ESTIMATE,
    assessment_caveats,
    band_edge_note,
    quote_assumptions,
    rating_caveats,
    recert_note,
    year_label,
)

__all__ = ["assessment_chart", "assessment_data", "dumps", "issued_quote_data", "quote_data", "rating_data"]


def dumps(data: Any, *, indent: int | None = None) -> str:
    """JSON text with Chinese as is.

    Raises:
        ValueError: a value is NaN or infinite (never valid JSON).
    """
    return json.dumps(data, ensure_ascii=False, allow_nan=False, indent=indent)


def _basis(passages: tuple[Any, ...]) -> list[dict[str, str]]:
    return [{"section": p.section, "text": p.text, "source": p.source} for p in passages]


def _line(line: LineItem) -> dict[str, Any]:
    return {k: json_number(v) if isinstance(v, float) else v for k, v in asdict(line).items()}


def _year(year: YearCost, quote: Quote) -> dict[str, Any]:
    return {
        "year": year.year,
        "label": year_label(year),
        "items": [_line(item) for item in year.items],
        "total": json_number(year.total),
        "note": recert_note(quote) if year.stage == "recert" else None,
    }


def quote_data(quote: Quote) -> dict[str, Any]:
    """The quote as a JSON object: band, person-days, items, years, totals, assumptions, sources, basis."""
    band: dict[str, Any] = {k: json_number(v) for k, v in quote.band.model_dump().items()}
    band["label"] = quote.band.label
    return {
        "employees": quote.employees,
        "company": quote.company,
        "band": band,
        "person_days": {
            "initial": json_number(quote.band.initial),
            "surveillance": json_number(quote.band.surveillance),
            "recert": json_number(quote.band.recert),
        },
        "rate": json_number(quote.rate),
        "items": [_line(item) for item in quote.items],
        "extras": [_line(item) for item in quote.extras],
        "table_total": json_number(quote.table_total),
        "first_year_total": json_number(quote.first_year_total),
        "years": [_year(year, quote) for year in quote.years],
        "cycle_total": json_number(quote.cycle_total),
        "recert": _year(quote.recert, quote),
        "band_note": band_edge_note(quote),
        "assumptions": list(quote_assumptions(quote)),
        "sources": list(quote.sources),
        "title": quote.title,
        "issuer": quote.issuer,
        "basis": _basis(quote_basis(quote)),
    }


def issued_quote_data(quote: Quote, issue: Issue) -> dict[str, Any]:
    """A saved quote: `quote_data` plus its number, issue and validity dates, contact and seller."""
    seller = issue.seller
    return {
        "number": issue.number,
        "issued": issue.issued.isoformat(),
        "valid_until": issue.valid_until.isoformat() if issue.valid_until else None,
        "contact": issue.contact,
        "seller": asdict(seller) if seller else None,
        **quote_data(quote),
    }


def _level(level: Level | None, *fields: str) -> dict[str, Any] | None:
    if level is None:
        return None
    return {field: getattr(level, field) for field in fields}


def rating_data(rating: Rating) -> dict[str, Any]:
    """The rating as a JSON object: score, level, next level and gap, target, caveats, basis, sheet."""
    out: dict[str, Any] = {
        "score": round(rating.score, 2),
        "level": _level(rating.level, "key", "name", "label"),
        "next_level": _level(rating.next_level, "key", "name", "min"),
        "gap": None if rating.gap is None else round(rating.gap, 2),
        "target": _level(rating.target, "key", "name", "min"),
        "target_gap": None if rating.target_gap is None else round(rating.target_gap, 2),
        "star_blocked": rating.star_blocked,
        "caveats": list(rating_caveats(rating)),
        "basis": _basis(rating_basis(rating)),
    }
    if rating.sheet is not None:
        s = rating.sheet
        out["sheet"] = {
            "earned": round(s.earned, 4),
            "possible": round(s.possible, 4),
            "base_score": round(s.base_score, 2),
            "special_deductions": s.special_deductions,
            "special_bonus": s.special_bonus,
            "adjustment": s.adjustment,
            "deleted": list(s.deleted),
            "lines": [
                {"name": ln.name, "max": ln.max_points, "points": ln.points, "applicable": ln.applicable}
                for ln in s.lines
            ],
        }
    return out


def assessment_chart(assessment: Assessment) -> list[dict[str, Any]]:
    """Per-category percentages for a bar chart: [{"category", "percent"}], None = nothing counted."""
    return [
        {"category": c.name, "percent": None if c.percent is None else round(c.percent, 1)}
        for c in assessment.categories
    ]


def assessment_data(assessment: Assessment) -> dict[str, Any]:
    """The checklist estimate as a JSON object."""
    return {
        "label": ESTIMATE,
        "kind": assessment.kind,
        "kind_name": assessment.kind_name,
        "score": round(assessment.score, 2),
        "level": _level(assessment.level, "key", "name", "label"),
        "categories": assessment_chart(assessment),
        "weakest": list(assessment.weakest),
        "unanswered": list(assessment.unanswered),
        "not_applicable": list(assessment.not_applicable),
        "caveats": list(assessment_caveats(assessment)),
    }
