"""The on-disk index layout under $ASSISTANT_HOME/index, shared by the builder and the retriever.

    index/CURRENT            name of the live build folder (replaced atomically)
    index/build-<stamp>/     manifest.json, chunks.jsonl, idf.json, bm25/, chroma/

With ASSISTANT_CHROMA_URL set, the vectors live on a Chroma server instead: build-<stamp>/chroma/
then holds only `server.json`, and the build's collection on the server is named
`shouhou-<home id>-<stamp>`, so a new build never touches the collection the live one reads and
the pointer swap stays atomic. `chroma_client` is the one place a client is made; callers use the
collection name `COLLECTION` either way.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from assistant.config import home
from assistant.errors import AssistantError

__all__ = [
    "COLLECTION",
    "ChromaServerError",
    "check_store",
    "chroma_client",
    "close_client",
    "current_build",
    "index_root",
    "open_collection",
    "read_manifest",
    "read_pointer",
    "remove_unused_collections",
    "server_url",
    "set_current",
    "store_mismatch",
]

COLLECTION = "chunks"


def index_root() -> Path:
    root = home() / "index"
    root.mkdir(parents=True, exist_ok=True)
    return root


def read_pointer() -> str:
    """The live build's folder name as CURRENT says ("" when there is none). One small read: a
    running app calls this before every question to notice a newer build."""
    try:
        return (index_root() / "CURRENT").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def current_build() -> Path | None:
    """The live build folder, or None when there is none (or the pointer is dangling)."""
    name = read_pointer()
    path = index_root() / name
    return path if name and path.is_dir() else None


def set_current(build_dir: Path) -> None:
    """Point CURRENT at `build_dir`: write a temp file, then rename over the old pointer (atomic)."""
    tmp = index_root() / "CURRENT.tmp"
    tmp.write_text(build_dir.name, encoding="utf-8")
    os.replace(tmp, index_root() / "CURRENT")


def read_manifest(build_dir: Path) -> dict[str, Any]:
    """The build's manifest as a dict.

    Raises:
        OSError: the file cannot be read.
        ValueError: it is not UTF-8 JSON holding an object (e.g. `[1,2,3]`).
    """
    data = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"manifest.json 应为 JSON 对象，实为 {type(data).__name__}")
    return data


def chroma_client(path: Path) -> Any:
    """The Chroma client for a build's `chroma` folder: the embedded store in that folder, or with
    ASSISTANT_CHROMA_URL the build's collection on the server. Telemetry off (no network here).

    Raises:
        ChromaServerError: ASSISTANT_CHROMA_URL is set but malformed or unreachable.
    """
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    if server_url():
        return _BuildScopedClient(_http_client(), path)
    import chromadb
    from chromadb.config import Settings

    return chromadb.PersistentClient(path=str(path), settings=Settings(anonymized_telemetry=False))


# ---------------------------------------------------------------------------------------------
# Chroma as a server (ASSISTANT_CHROMA_URL)


class ChromaServerError(AssistantError):
    """ASSISTANT_CHROMA_URL is malformed or the server cannot be reached (the message says which)."""


def server_url() -> str | None:
    """ASSISTANT_CHROMA_URL without a trailing slash, or None for the embedded store."""
    url = (os.environ.get("ASSISTANT_CHROMA_URL") or "").strip().rstrip("/")
    return url or None


def _http_client() -> Any:
    from urllib.parse import urlsplit

    import chromadb
    from chromadb.config import Settings

    url = server_url() or ""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path not in {"", "/"}:
        raise ChromaServerError(
            f"ASSISTANT_CHROMA_URL 应为 http://主机:端口 形式（当前为“{url}”），例如 http://127.0.0.1:8000"
        )
    token = (os.environ.get("ASSISTANT_CHROMA_TOKEN") or "").strip()
    # Chroma 1.x's server has no auth of its own; a proxy in front of it checks this header.
    headers = {"Authorization": f"Bearer {token}"} if token else None
    try:
        client = chromadb.HttpClient(
            host=parts.hostname, port=parts.port or (443 if parts.scheme == "https" else 8000),
            ssl=parts.scheme == "https", headers=headers, settings=Settings(anonymized_telemetry=False),
        )
        client.heartbeat()
    except Exception as exc:
        raise ChromaServerError(
            f"无法连接 Chroma 服务器 {url}（{type(exc).__name__}: {str(exc)[:200]}）。请确认已用 "
            "chroma run --host … --port … 启动服务器且地址、端口无误；若设置了 ASSISTANT_CHROMA_TOKEN，"
            "请确认代理接受该令牌；不用服务器时请取消 ASSISTANT_CHROMA_URL。"
        ) from exc
    return client


def _home_id() -> str:
    """A random id kept in the home, so that homes sharing one Chroma server never share or
    delete each other's collections (replicas share the home, hence the id)."""
    path = index_root() / "home-id"
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        import uuid

        tmp = path.with_suffix(".tmp")
        tmp.write_text(uuid.uuid4().hex[:12], encoding="utf-8")
        try:
            os.link(tmp, path)  # first writer wins; a concurrent one reads the winner's id
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
        return path.read_text(encoding="utf-8").strip()


def _collection_prefix() -> str:
    return f"shouhou-{_home_id()}-"


def _collection_name(chroma_dir: Path) -> str:
    # tmp-<stamp> becomes build-<stamp> by a rename: the stamp names the collection.
    stamp = chroma_dir.parent.name.split("-", 1)[-1]
    return f"{_collection_prefix()}{stamp}"


class _BuildScopedClient:
    """A server client that maps `COLLECTION` to the collection of one build folder."""

    def __init__(self, client: Any, chroma_dir: Path) -> None:
        self._client = client
        self._dir = chroma_dir
        self.name = _collection_name(chroma_dir)

    def get_collection(self, name: str, **kwargs: Any) -> Any:
        return self._client.get_collection(self._map(name), **kwargs)

    def get_or_create_collection(self, name: str, **kwargs: Any) -> Any:
        collection = self._client.get_or_create_collection(self._map(name), **kwargs)
        self._dir.mkdir(parents=True, exist_ok=True)
        marker = {"url": server_url(), "collection": self.name}
        (self._dir / "server.json").write_text(json.dumps(marker, ensure_ascii=False), encoding="utf-8")
        return collection

    def delete_collection(self, name: str) -> None:
        self._client.delete_collection(self._map(name))

    def close(self) -> None:
        """Nothing to release: the HTTP client holds no files."""

    def _map(self, name: str) -> str:
        if name != COLLECTION:
            raise ValueError(f"unknown collection {name!r}; the index uses {COLLECTION!r}")
        return self.name


def store_mismatch(build_dir: Path) -> str | None:
    """Why a build's vectors are not where the configuration says (Chinese, for the rebuild log
    line), or None: an embedded build under ASSISTANT_CHROMA_URL, a server build without it, or a
    build on another server."""
    marker = build_dir / "chroma" / "server.json"
    url = server_url()
    try:
        built_on = json.loads(marker.read_text(encoding="utf-8")).get("url") if marker.exists() else None
    except (OSError, ValueError):
        return "Chroma 服务器记录损坏"
    if built_on == url:
        return None
    if url is None:
        return f"索引的向量在 Chroma 服务器 {built_on} 上，而现在未设置 ASSISTANT_CHROMA_URL"
    return f"向量存储已改为 Chroma 服务器 {url}" + (f"（原为 {built_on}）" if built_on else "（原为本地存储）")


def check_store() -> None:
    """Raise `ChromaServerError` now when ASSISTANT_CHROMA_URL is set but unusable (start-up)."""
    if server_url():
        _http_client()


def remove_unused_collections() -> list[str]:
    """Delete this home's server collections whose build folder is gone; their names."""
    if not server_url():
        return []
    client = _http_client()
    prefix = _collection_prefix()
    builds = {p.name.split("-", 1)[-1] for p in index_root().iterdir() if p.is_dir()}
    removed = []
    for collection in client.list_collections():
        name = getattr(collection, "name", collection)
        if name.startswith(prefix) and name[len(prefix):] not in builds:
            client.delete_collection(name)
            removed.append(name)
    return removed
def close_client(client: Any) -> None:
    """Release a client from `chroma_client` (Chroma keeps one shared system per folder until its
    last client closes; a long-running app that switches builds must not keep every old one)."""
    # A store whose folder was already removed has nothing left to release.
    with contextlib.suppress(Exception):
        client.close()


def open_collection(chroma_dir: Path) -> tuple[Any, Any, int]:
    """Open a build's collection: (client, collection, item count).

    The embedded Chroma writes to its folder when a process opens the store and first loads its
    vectors, so this happens under the index's access lock (index/locks.py) and loads them at once
    (`count`); after that, queries only read. Close the client with `close_client` when done.

    Raises:
        FileNotFoundError: the folder or its database file is missing (Chroma would create an
            empty store instead).
        ChromaServerError: ASSISTANT_CHROMA_URL is set but the server cannot be reached.
        Exception: whatever Chroma raises for a damaged store.
    """
    from .locks import access_lock

    if server_url():  # the server owns its files: nothing local to guard
        return _open(chroma_dir)
    if not (chroma_dir / "chroma.sqlite3").is_file():
        raise FileNotFoundError(f"{chroma_dir / 'chroma.sqlite3'} 不存在")
    with access_lock():
        return _open(chroma_dir)


def _open(chroma_dir: Path) -> tuple[Any, Any, int]:
    client = chroma_client(chroma_dir)
    try:
        collection = client.get_collection(COLLECTION)
        count = int(collection.count())
    except BaseException:
        close_client(client)
        raise
    return client, collection, count
