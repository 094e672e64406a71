"""The on-disk index layout under $ASSISTANT_HOME/index, shared by the builder and the retriever.

    index/CURRENT            name of the live build folder (replaced atomically)
    index/build-<stamp>/     manifest.json, chunks.jsonl, idf.json, bm25/, chroma/
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from assistant.config import home

__all__ = ["COLLECTION", "chroma_client", "current_build", "index_root", "read_manifest", "set_current"]

COLLECTION = "chunks"


def index_root() -> Path:
    root = home() / "index"
    root.mkdir(parents=True, exist_ok=True)
    return root


def current_build() -> Path | None:
    """The live build folder, or None when there is none (or the pointer is dangling)."""
    pointer = index_root() / "CURRENT"
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    path = index_root() / name
    return path if name and path.is_dir() else None


def set_current(build_dir: Path) -> None:
    """Point CURRENT at `build_dir`: write a temp file, then rename over the old pointer (atomic)."""
    tmp = index_root() / "CURRENT.tmp"
    tmp.write_text(build_dir.name, encoding="utf-8")
    os.replace(tmp, index_root() / "CURRENT")


def read_manifest(build_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    return data


def chroma_client(path: Path) -> Any:
    """A persistent Chroma client with telemetry off (the machine may have no network)."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings

    return chromadb.PersistentClient(path=str(path), settings=Settings(anonymized_telemetry=False))
