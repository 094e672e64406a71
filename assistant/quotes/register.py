"""The quote register: every issued quote, numbered and saved in `$ASSISTANT_HOME/assistant.db`.

Numbers are `SH-YYYYMMDD-NNNN`: the issue date and a sequence that starts at 0001 each day and
has no gaps. The next sequence number is read and the row inserted in one `BEGIN IMMEDIATE`
transaction, so several processes issuing at once (the app, a CLI batch, a colleague's CLI) are
serialised by SQLite's write lock and can neither take the same number nor skip one; a failed
insert rolls back and leaves no gap.

A record holds the searchable columns (number, dates, customer, contact, headcount, band, totals,
seller, where it was issued) and the whole quote as JSON (`codec`), from which every document is
rendered again exactly as issued.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from .. import inputs
from ..calculators.fees import Quote
from ..db import connect, transaction
from ..errors import InputError
from . import codec
from .issue import Issue, Seller
from .settings import QuoteSettings, quote_settings

__all__ = [
    "COMPONENT",
    "MIGRATIONS",
    "PREFIX",
    "Channel",
    "QuoteNotFoundError",
    "Register",
    "SavedQuote",
    "Summary",
    "open_register",
    "parse_day",
]

COMPONENT = "quotes"
PREFIX = "SH"
Channel = Literal["cli", "ui", "chat", "batch"]

MIGRATIONS: list[str] = [
    """
    CREATE TABLE quotes (
        number TEXT PRIMARY KEY,
        day TEXT NOT NULL,                -- issue date, ISO (YYYY-MM-DD)
        seq INTEGER NOT NULL,             -- 1, 2, 3 … within the day
        created_at TEXT NOT NULL,         -- local time of issue, ISO, for ordering
        valid_until TEXT NOT NULL,
        company TEXT,
        contact TEXT,
        employees INTEGER NOT NULL,
        band TEXT NOT NULL,
        first_year_total REAL NOT NULL,
        cycle_total REAL NOT NULL,
        seller TEXT,                      -- JSON {company, person, phone, email} or NULL
        channel TEXT NOT NULL,            -- cli | ui | chat | batch
        quote TEXT NOT NULL,              -- the whole quote, assistant/quotes/codec.py
        UNIQUE (day, seq)
    );
    CREATE INDEX quotes_created ON quotes (created_at);
    CREATE INDEX quotes_company ON quotes (company);
    """,
]


class QuoteNotFoundError(InputError):
    """No saved quote has the number asked for."""


@dataclass(frozen=True)
class Summary:
    """One line of the register's list."""

    number: str
    issued: date
    company: str | None
    contact: str | None
    employees: int
    band: str
    total: float
    cycle_total: float
    valid_until: date
    channel: str

    def to_dict(self) -> dict[str, Any]:
        """The `assistant quote list --json` object."""
        from ..render.numbers import json_number

        return {
            "number": self.number,
            "company": self.company,
            "contact": self.contact,
            "employees": self.employees,
            "band": self.band,
            "total": json_number(self.total),
            "cycle_total": json_number(self.cycle_total),
            "issued": self.issued.isoformat(),
            "valid_until": self.valid_until.isoformat(),
            "channel": self.channel,
        }


@dataclass(frozen=True)
class SavedQuote:
    """A quote as the register holds it: its issue and the quote itself."""

    issue: Issue
    quote: Quote
    channel: str


def parse_day(text: str, what: str = "日期") -> date:
    """'2026-11-30' (or 2026/11/30, 20261130) as a date.

    Raises:
        InputError: not such a date.
    """
    cleaned = text.strip().replace("/", "-").replace(".", "-")
    if cleaned.isdigit() and len(cleaned) == 8:
        cleaned = f"{cleaned[:4]}-{cleaned[4:6]}-{cleaned[6:]}"
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        raise InputError(f"{what}“{inputs.shown(text)}”不是有效日期，请写成 2026-11-30 这样的格式") from None


def _normal_number(number: str) -> str:
    return number.strip().upper()


class Register:
    """The open register; use `open_register()` to get one and close it when done."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def close(self) -> None:
        self.conn.close()

    def issue(
        self,
        quote: Quote,
        *,
        channel: Channel,
        contact: object = None,
        valid_days: object = None,
        settings: QuoteSettings | None = None,
        today: date | None = None,
    ) -> SavedQuote:
        """Number and save `quote` as issued today.

        Args:
            quote: the calculated quote.
            channel: where it was issued (cli, ui, chat, batch).
            contact: the customer's contact person (one line, at most 120 characters).
            valid_days: days the quote stays valid; default from the settings (30).
            settings: seller and default validity; default `quote_settings()`.
            today: the issue date; default today.

        Returns:
            The saved quote with its number.

        Raises:
            InputError: the contact or validity is unusable.
            SettingsError: settings.yaml or a settings variable is malformed.
        """
        from .settings import valid_days as check_days

        person = inputs.name(contact, "客户联系人")
        config = settings or quote_settings()
        days = config.valid_days if valid_days in (None, "") else check_days(valid_days)
        day = today or date.today()
        until = day + timedelta(days=days)
        seller = config.seller
        stored = json.dumps(codec.encode(quote), ensure_ascii=False)
        seller_json = json.dumps(asdict(seller), ensure_ascii=False) if seller else None
        with transaction(self.conn):
            (seq,) = self.conn.execute(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM quotes WHERE day = ?", (day.isoformat(),)
            ).fetchone()
            number = f"{PREFIX}-{day:%Y%m%d}-{seq:04d}"
            self.conn.execute(
                "INSERT INTO quotes (number, day, seq, created_at, valid_until, company, contact, employees, band, "
                "first_year_total, cycle_total, seller, channel, quote) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    number, day.isoformat(), seq, datetime.now().isoformat(timespec="microseconds"),
                    until.isoformat(), quote.company, person, quote.employees, quote.band.label,
                    quote.first_year_total, quote.cycle_total, seller_json, channel, stored,
                ),
            )
        return SavedQuote(Issue(number, day, until, person, seller), quote, channel)

    def get(self, number: str) -> SavedQuote:
        """The saved quote `number` (case and surrounding spaces ignored).

        Raises:
            QuoteNotFoundError: no such number.
            StoredQuoteError: the record cannot be read back.
        """
        key = _normal_number(number)
        row = self.conn.execute("SELECT * FROM quotes WHERE number = ?", (key,)).fetchone()
        if row is None:
            raise QuoteNotFoundError(
                f"找不到报价单 {inputs.shown(number)}；用 assistant quote list 查看已保存的报价单号"
            )
        seller = Seller(**json.loads(row["seller"])) if row["seller"] else None
        issue = Issue(
            row["number"], date.fromisoformat(row["day"]), date.fromisoformat(row["valid_until"]), row["contact"], seller
        )
        return SavedQuote(issue, codec.decode(json.loads(row["quote"])), row["channel"])

    def list(
        self, *, company: str | None = None, search: str | None = None, since: date | None = None, limit: int | None = None
    ) -> list[Summary]:
        """Saved quotes, newest first.

        Args:
            company: only customers whose name contains this (case-insensitive for Latin letters).
            search: only quotes whose number, customer or contact contains this.
            since: only quotes issued on or after this day.
            limit: at most this many.
        """
        where, params = [], []
        if company and company.strip():
            where.append("company LIKE ? ESCAPE '\\'")
            params.append(_like(company))
        if search and search.strip():
            where.append("(number LIKE ? ESCAPE '\\' OR company LIKE ? ESCAPE '\\' OR contact LIKE ? ESCAPE '\\')")
            params += [_like(search)] * 3
        if since is not None:
            where.append("day >= ?")
            params.append(since.isoformat())
        sql = (
            "SELECT number, day, company, contact, employees, band, first_year_total, cycle_total, valid_until, channel "
            "FROM quotes" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY created_at DESC, number DESC"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [
            Summary(
                r["number"], date.fromisoformat(r["day"]), r["company"], r["contact"], r["employees"], r["band"],
                r["first_year_total"], r["cycle_total"], date.fromisoformat(r["valid_until"]), r["channel"],
            )
            for r in self.conn.execute(sql, params)
        ]


def _like(text: str) -> str:
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@contextmanager
def open_register() -> Iterator[Register]:
    """The register in `$ASSISTANT_HOME/assistant.db`, migrated, closed on exit.

    Raises:
        DatabaseError: the database cannot be opened or migrated.
    """
    register = Register(connect(COMPONENT, MIGRATIONS))
    try:
        yield register
    finally:
        register.close()
