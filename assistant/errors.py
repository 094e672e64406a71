"""Errors named for their condition. Messages are Chinese: users read them as they are."""

from __future__ import annotations

__all__ = ["AssistantError", "CorpusError", "IndexDamagedError", "IndexMissingError", "InputError"]


class AssistantError(Exception):
    """Base class; the CLI and UI turn these into a one-line message, never a traceback."""


class CorpusError(AssistantError):
    """A corpus document or data table is malformed (the message names the file and field)."""


class IndexMissingError(AssistantError):
    """No usable index under $ASSISTANT_HOME."""


class IndexDamagedError(AssistantError):
    """A build failed its integrity check (the message names the files and what is wrong)."""


class InputError(AssistantError, ValueError):
    """User input that cannot be used (bad headcount, score out of range...). CLI exit code 2."""
