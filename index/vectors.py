"""Embeddings already computed, kept outside any build: `$ASSISTANT_HOME/index/vectors.db`.

Every batch the builder embeds is saved here (committed batch by batch) before the build goes on,
so an interrupted build (Ctrl-C, kill -9, a crash) loses at most the batch in flight: the next build
finds the rest here. A damaged live build is rebuilt from here too, without embedding again.

Rows are keyed by embedder id and the chunk's content hash (SHA-1 of the text that was embedded),
so a vector is only ever reused for the same text and the same model. Only builders use the file,
under the build lock; after a successful build it keeps the vectors of that build only.
"""

from __future__ import annotations

import logging
import math
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from assistant.db import DatabaseError, connect, transaction

__all__ = ["VectorCache"]

log = logging.getLogger("assistant.index")
_MIGRATIONS = [
    """
    CREATE TABLE vectors (
        embedder TEXT NOT NULL,
        hash TEXT NOT NULL,
        dim INTEGER NOT NULL,
        vec BLOB NOT NULL,
        PRIMARY KEY (embedder, hash)
    ) WITHOUT ROWID;
    """
]
_BATCH = 500  # SQLite's default limit on bound parameters is 999


class VectorCache:
    """Saved embeddings of one embedder. A cache that cannot be read is emptied, never trusted."""

    def __init__(self, path: Path, embedder_id: str, dim: int) -> None:
        self.path = path
        self.embedder_id = embedder_id
        self.dim = dim
        self._conn: sqlite3.Connection | None = self._open()

    def _open(self) -> sqlite3.Connection | None:
        for attempt in (1, 2):
            try:
                conn = connect("vectors", _MIGRATIONS, path=self.path)
                conn.execute("SELECT 1 FROM vectors LIMIT 1").fetchall()
                return conn
            except (DatabaseError, sqlite3.DatabaseError) as exc:
                if attempt == 2:
                    log.warning("[索引] 向量缓存 %s 无法使用（%s），本次不用缓存", self.path, exc)
                    return None
                log.warning("[索引] 向量缓存 %s 已损坏（%s），已清空重建", self.path, exc)
                self._remove_files()
        return None

    def _remove_files(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _failed(self, exc: Exception) -> None:
        log.warning("[索引] 向量缓存 %s 读写失败（%s），已删除", self.path, exc)
        self.close()
        self._remove_files()

    def get(self, hashes: Iterable[str]) -> dict[str, list[float]]:
        """hash -> vector for the `hashes` saved with this embedder (rows that do not decode to a
        finite vector of the right size are skipped)."""
        wanted = sorted(set(hashes))
        if self._conn is None or not wanted:
            return {}
        out: dict[str, list[float]] = {}
        try:
            for start in range(0, len(wanted), _BATCH):
                part = wanted[start : start + _BATCH]
                rows = self._conn.execute(
                    f"SELECT hash, dim, vec FROM vectors WHERE embedder = ? AND hash IN ({','.join('?' * len(part))})",
                    (self.embedder_id, *part),
                ).fetchall()
                for row in rows:
                    vector = _decode(row["vec"], row["dim"], self.dim)
                    if vector is not None:
                        out[row["hash"]] = vector
        except sqlite3.DatabaseError as exc:
            self._failed(exc)
            return {}
        return out

    def put(self, vectors: Mapping[str, Sequence[float]]) -> None:
        """Save `hash -> vector` (one transaction: a crash keeps all of it or none)."""
        if self._conn is None or not vectors:
            return
        rows = [(self.embedder_id, h, self.dim, np.asarray(v, dtype="<f4").tobytes()) for h, v in vectors.items()]
        try:
            with transaction(self._conn):
                self._conn.executemany("INSERT OR REPLACE INTO vectors (embedder, hash, dim, vec) VALUES (?, ?, ?, ?)",
                                       rows)
        except sqlite3.DatabaseError as exc:
            self._failed(exc)

    def known(self) -> set[str]:
        if self._conn is None:
            return set()
        try:
            return {r[0] for r in self._conn.execute("SELECT hash FROM vectors WHERE embedder = ?", (self.embedder_id,))}
        except sqlite3.DatabaseError as exc:
            self._failed(exc)
            return set()

    def keep_only(self, hashes: set[str]) -> None:
        """Forget every vector but this embedder's for `hashes` (the build just made)."""
        if self._conn is None:
            return
        try:
            with transaction(self._conn):
                self._conn.execute("CREATE TEMP TABLE IF NOT EXISTS keep (hash TEXT PRIMARY KEY)")
                self._conn.execute("DELETE FROM keep")
                self._conn.executemany("INSERT OR IGNORE INTO keep VALUES (?)", [(h,) for h in hashes])
                self._conn.execute("DELETE FROM vectors WHERE embedder != ? OR hash NOT IN (SELECT hash FROM keep)",
                                   (self.embedder_id,))
        except sqlite3.DatabaseError as exc:
            self._failed(exc)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _decode(blob: bytes, dim: int, expected: int) -> list[float] | None:
    if dim != expected or len(blob) != 4 * expected:
        return None
    vector = np.frombuffer(blob, dtype="<f4")
    values = vector.tolist()
    return values if all(map(math.isfinite, values)) else None
