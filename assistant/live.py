"""The retriever of the live build, switched to a newer build while the process keeps running.

Before each question `use()` reads the index pointer (one small file read, see
`index.store.read_pointer`); when it names a build other than the loaded one, that build is loaded
and checked, then swapped in. The question that notices pays for the load; other questions
meanwhile go on with the old retriever. A retriever is closed (its Chroma client released) only
when no question is using it any more, so a question in flight finishes on the build it started
with. A new build that fails to load or to pass its check is not switched to (and not retried
until the pointer moves again): the old one keeps answering.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["LiveIndex", "load_checked"]

log = logging.getLogger("assistant")


class LiveIndex:
    """Hands out the current retriever; see the module docstring."""

    def __init__(self, build: Path, retriever: Any, load: Callable[[Path], Any]) -> None:
        """
        Args:
            build: the build folder `retriever` was loaded from.
            retriever: a loaded retriever with `close()` (e.g. `HybridRetriever`).
            load: loads and checks a build folder into a retriever; raises if it cannot.
        """
        self.build = build
        self._retriever = retriever
        self._load = load
        self._users: dict[int, int] = {id(retriever): 0}
        self._retired: list[Any] = []
        self._refused = ""
        self._state = threading.Lock()
        self._reloading = threading.Lock()

    @property
    def retriever(self) -> Any:
        """The current retriever (after switching to a newer build if there is one)."""
        self.refresh()
        return self._retriever

    @contextmanager
    def use(self) -> Iterator[Any]:
        """The current retriever, kept open until the block ends."""
        self.refresh()
        with self._state:
            retriever = self._retriever
            self._users[id(retriever)] = self._users.get(id(retriever), 0) + 1
        try:
            yield retriever
        finally:
            with self._state:
                self._users[id(retriever)] -= 1
                self._close_idle()

    def refresh(self) -> None:
        """Switch to the build the pointer names, if it is newer and passes its check."""
        from index.store import index_root, read_pointer

        name = read_pointer()
        if not name or name == self.build.name or name == self._refused:
            return
        # One thread loads; the others answer from the current build meanwhile.
        if not self._reloading.acquire(blocking=False):
            return
        try:
            if read_pointer() != name:
                return
            build = index_root() / name
            try:
                retriever = self._load(build)
            except Exception as exc:
                self._refused = name
                log.warning("新索引 %s 无法使用（%s），不切换，继续使用 %s", name, exc, self.build.name)
                return
            with self._state:
                self._retired.append(self._retriever)
                self._retriever, self.build = retriever, build
                self._users.setdefault(id(retriever), 0)
                self._close_idle()
            log.info("switched to index %s", name)
        finally:
            self._reloading.release()

    def _close_idle(self) -> None:
        """Close retired retrievers no question uses any more (called with `_state` held)."""
        for old in [r for r in self._retired if self._users.get(id(r), 0) == 0]:
            self._retired.remove(old)
            self._users.pop(id(old), None)
            old.close()


def load_checked(build: Path, open_build: Callable[[Path], Any]) -> Any:
    """`open_build(build)`, then the build's integrity check (with the store already open, the
    check queries the retriever's collection instead of opening the folder a second time).

    Raises:
        IndexDamagedError: the check found problems (also when they kept the build from opening;
            the retriever is closed again).
    """
    from index.check import check_build, damage_message

    from .errors import IndexDamagedError

    try:
        retriever = open_build(build)
    except Exception:
        problems = check_build(build)
        if problems:  # say what is wrong with the build rather than how opening it failed
            raise IndexDamagedError(damage_message(problems)) from None
        raise
    problems = check_build(build, collection=retriever.collection)
    if problems:
        retriever.close()
        raise IndexDamagedError(damage_message(problems))
    return retriever
