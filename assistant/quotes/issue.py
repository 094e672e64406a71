"""What issuing adds to a calculated quote: its number, dates, the customer's contact and the seller."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["Issue", "Seller"]


@dataclass(frozen=True)
class Seller:
    """Who issues the quote (the seller block printed on it); any part may be missing."""

    company: str | None = None
    person: str | None = None
    phone: str | None = None
    email: str | None = None

    def __bool__(self) -> bool:
        return any((self.company, self.person, self.phone, self.email))


@dataclass(frozen=True)
class Issue:
    """A quote's issue: number and date, how long it is valid, the customer's contact, the seller."""

    number: str
    issued: date
    valid_until: date | None = None
    contact: str | None = None
    seller: Seller | None = None
