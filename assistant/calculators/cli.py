"""`assistant quote` and `assistant score` (filled in by the calculators work)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the calculator subcommands to the main parser."""
