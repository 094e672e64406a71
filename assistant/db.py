"""The project's one SQLite database under `$ASSISTANT_HOME`: quotes, feedback, question log.

Every record store shares one file so an operator backs up one thing. Each store (a *component*,
e.g. ``quotes`` or ``feedback``) owns its tables and an ordered list of migration steps; the
database remembers how many steps of each component it has applied, so components evolve
independently and a new step runs exactly once, whichever process opens the database first.

Connections use WAL (readers never block the writer) and a busy timeout (concurrent writers wait
instead of failing with "database is locked").
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from .config import home
from .errors import AssistantError

__all__ = ["DB_NAME", "DatabaseError", "Migration", "connect", "db_path", "schema_version", "transaction"]

DB_NAME = "assistant.db"
BUSY_TIMEOUT_S = 30.0

# A step is SQL (run as a script) or a function given the open connection, for data migrations.
Migration = str | Callable[[sqlite3.Connection], None]


class DatabaseError(AssistantError):
    """The database cannot be opened or migrated (the message says which file and why)."""


def db_path() -> Path:
    """`$ASSISTANT_HOME/assistant.db`."""
    return home() / DB_NAME


def connect(component: str, migrations: Sequence[Migration], *, path: Path | None = None) -> sqlite3.Connection:
    """Open the database and bring `component`'s tables up to date.

    Args:
        component: the store's name, e.g. ``"quotes"``; its steps are counted separately.
        migrations: the component's steps, oldest first. Never edit or reorder a released step:
            add a new one.
        path: the database file (default `db_path()`).

    Returns:
        A connection in autocommit mode (use `transaction` for multi-statement writes), rows as
        `sqlite3.Row`.

    Raises:
        DatabaseError: the file is not a database, or the database is newer than this code.
    """
    target = path or db_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        _enable_wal(conn)
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        _migrate(conn, component, migrations)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"数据库 {target} 无法打开或升级（{exc}）。请检查该文件，或把它移走后重试。") from exc
    return conn


def _enable_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL, waiting like the busy timeout does.

    Switching a new file to WAL needs an exclusive lock, and SQLite answers "database is locked"
    at once instead of calling the busy handler when another process holds one: several processes
    opening a fresh database together (the first quotes of a day) would fail without this wait.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    delay = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.1)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """`BEGIN IMMEDIATE … COMMIT`, rolled back on any exception.

    IMMEDIATE takes the write lock at the start, so two writers that both read-then-write (e.g.
    "next quote number") are serialised instead of one failing at commit.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def schema_version(conn: sqlite3.Connection, component: str) -> int:
    """How many of `component`'s migration steps this database has applied."""
    row = conn.execute("SELECT version FROM schema_version WHERE component = ?", (component,)).fetchone()
    return int(row[0]) if row else 0


def _migrate(conn: sqlite3.Connection, component: str, migrations: Sequence[Migration]) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL)")
    if schema_version(conn, component) == len(migrations):
        return  # the common case: nothing to do, no write lock taken
    with transaction(conn):
        # Read again under the write lock: another process may have migrated meanwhile.
        done = schema_version(conn, component)
        if done > len(migrations):
            raise sqlite3.DatabaseError(
                f"{component} 的数据结构版本 {done} 比本程序支持的 {len(migrations)} 新，请升级程序"
            )
        for step in migrations[done:]:
            if callable(step):
                step(conn)
            else:
                # executescript() would COMMIT the open transaction; run statement by statement.
                for statement in _statements(step):
                    conn.execute(statement)
        conn.execute(
            "INSERT INTO schema_version (component, version) VALUES (?, ?) "
            "ON CONFLICT(component) DO UPDATE SET version = excluded.version",
            (component, len(migrations)),
        )


def _statements(script: str) -> list[str]:
    """Split a migration script into whole statements (a ';' inside a string literal does not end
    one: sqlite3.complete_statement knows SQL quoting)."""
    out: list[str] = []
    buffer = ""
    for part in script.split(";"):
        buffer += part + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \t\r\n;"):
                out.append(buffer.strip())
            buffer = ""
    return out
