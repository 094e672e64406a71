"""The shared SQLite database: per-component migrations, WAL, concurrent openers and writers."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from assistant.db import DatabaseError, connect, db_path, schema_version, transaction

STEPS = [
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);",
    "ALTER TABLE notes ADD COLUMN author TEXT; CREATE INDEX notes_author ON notes(author);",
]


def test_database_lives_under_home(_isolated_home: Path) -> None:
    conn = connect("notes", STEPS)
    assert db_path() == _isolated_home / "assistant.db"
    assert db_path().exists()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_steps_run_once_and_new_steps_only() -> None:
    conn = connect("notes", STEPS[:1])
    assert schema_version(conn, "notes") == 1
    conn.execute("INSERT INTO notes (body) VALUES ('a')")
    conn.close()
    conn = connect("notes", STEPS)  # the second step is new: it runs, the first does not again
    assert schema_version(conn, "notes") == 2
    conn.execute("INSERT INTO notes (body, author) VALUES ('b', 'x')")
    assert [r["body"] for r in conn.execute("SELECT body FROM notes ORDER BY id")] == ["a", "b"]
    conn.close()
    assert schema_version(connect("notes", STEPS), "notes") == 2


def test_components_are_versioned_separately() -> None:
    conn = connect("notes", STEPS)
    other = connect("tags", ["CREATE TABLE tags (name TEXT PRIMARY KEY);"])
    assert schema_version(conn, "notes") == 2
    assert schema_version(other, "tags") == 1


def test_python_step_migrates_data() -> None:
    def fill(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE notes SET author = 'unknown' WHERE author IS NULL")

    conn = connect("notes", STEPS[:1])
    conn.execute("INSERT INTO notes (body) VALUES ('a')")
    conn = connect("notes", [*STEPS, fill])
    assert conn.execute("SELECT author FROM notes").fetchone()[0] == "unknown"


def test_failed_step_leaves_schema_unchanged() -> None:
    connect("notes", STEPS[:1]).close()
    with pytest.raises(DatabaseError, match="无法打开或升级"):
        connect("notes", [STEPS[0], "ALTER TABLE missing ADD COLUMN x TEXT;"])
    conn = connect("notes", STEPS[:1])
    assert schema_version(conn, "notes") == 1


def test_database_newer_than_code_is_refused() -> None:
    connect("notes", STEPS).close()
    with pytest.raises(DatabaseError, match="请升级程序"):
        connect("notes", STEPS[:1])


def test_garbage_file_is_a_clear_error(_isolated_home: Path) -> None:
    _isolated_home.mkdir(parents=True, exist_ok=True)
    (_isolated_home / "assistant.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DatabaseError, match=r"assistant\.db"):
        connect("notes", STEPS)


def test_transaction_rolls_back() -> None:
    conn = connect("notes", STEPS)
    with pytest.raises(RuntimeError), transaction(conn):
        conn.execute("INSERT INTO notes (body) VALUES ('lost')")
        raise RuntimeError("boom")
    assert conn.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 0


def _writer(path: str, worker: int, count: int) -> None:
    conn = connect("notes", STEPS, path=Path(path))
    for i in range(count):
        with transaction(conn):
            # read-then-write, the pattern a quote counter uses: IMMEDIATE serialises it
            (n,) = conn.execute("SELECT COUNT(*) FROM notes").fetchone()
            conn.execute("INSERT INTO notes (id, body) VALUES (?, ?)", (n + 1, f"{worker}-{i}"))


def test_concurrent_processes_migrate_and_write(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(path), w, 25)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    conn = connect("notes", STEPS, path=path)
    ids = [r[0] for r in conn.execute("SELECT id FROM notes ORDER BY id")]
    assert ids == list(range(1, 101))  # no lost update, no duplicate key
    assert schema_version(conn, "notes") == 2



def test_connect_waits_for_a_lock_held_while_the_file_is_new(tmp_path: Path) -> None:
    # A process that has just created the file holds its lock before the file is in WAL mode;
    # SQLite then refuses the switch to WAL at once ("database is locked") instead of waiting
    # for the busy timeout. connect() must wait, as it waits for any writer.
    path = tmp_path / "fresh.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("CREATE TABLE other (x)")
    threading.Timer(0.3, lambda: holder.execute("COMMIT")).start()
    started = time.monotonic()
    conn = connect("notes", STEPS, path=path)
    assert time.monotonic() - started >= 0.25
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
