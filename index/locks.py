"""Inter-process locks on the index folder (POSIX `flock`, released by the kernel if a process dies).

- `build_lock()`: one writer at a time. A second build waits (saying so once) until the first has
  swapped its index in, then starts from that index.
- `access_lock()`: held briefly around every step that touches a *live* build's files: opening its
  Chroma store (Chroma rewrites its SQLite file and vector segment when a process opens them, so
  two processes opening at once, or a builder copying the store meanwhile, could tear them),
  copying it for an incremental build, and deleting old builds. Never held while answering.

Lock order is build, then access; readers take only access, so no two processes can deadlock.
"""

from __future__ import annotations

import fcntl
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .store import index_root

__all__ = ["access_lock", "build_lock"]

# flock excludes open files, not threads: two threads of one process opening the lock file each
# get their own descriptor and exclude each other too, which is what we want. The thread lock
# below only keeps one process from queueing many descriptors on the same file.
_THREAD_LOCKS: dict[str, threading.Lock] = {}
_GUARD = threading.Lock()


def _thread_lock(path: Path) -> threading.Lock:
    with _GUARD:
        return _THREAD_LOCKS.setdefault(str(path), threading.Lock())


@contextmanager
def _flock(path: Path, *, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    with _thread_lock(path), path.open("a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                fh.seek(0)
                on_wait(fh.read().strip())
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            fh.seek(0)
            fh.truncate()
            fh.write(str(os.getpid()))
            fh.flush()
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _say_waiting(holder: str) -> None:
    who = f"（进程 {holder}）" if holder.isdigit() else ""
    sys.stderr.write(f"[索引] 另一个索引构建正在进行{who}，等待其完成…\n")
    sys.stderr.flush()


@contextmanager
def build_lock(*, on_wait: Callable[[str], None] | None = _say_waiting) -> Iterator[None]:
    """Hold the index's writer lock; `on_wait(holder_pid)` is called once if another build has it."""
    with _flock(index_root() / "build.lock", on_wait=on_wait):
        yield


@contextmanager
def access_lock() -> Iterator[None]:
    """Hold the short lock for opening, copying or deleting a live build's files."""
    with _flock(index_root() / "access.lock"):
        yield
