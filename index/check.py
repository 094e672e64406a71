"""Integrity check of one build folder: every file it holds, validated against its manifest.

The manifest records a SHA-1 digest of each file the builder wrote (chunk list, IDF table, BM25
token cache and the bm25s files), so a file cut short, overwritten or deleted is caught without
parsing it. The Chroma store cannot be hashed (Chroma rewrites its own files when a process opens
them), so it is opened and must hold exactly one vector per chunk and answer a probe query.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .store import close_client, open_collection, read_manifest

__all__ = ["DAMAGED", "MANIFEST_FIELDS", "Problem", "check_build", "chroma_problem", "damage_message", "file_digests",
           "manifest_problem"]

# How a damaged build is named to the user; `assistant index status` looks for this prefix.
DAMAGED = "索引已损坏"

# Top-level files whose digests the manifest must carry; bm25/ contributes one entry per file.
# The last three are the answer units and their embedded question forms (index/units.py).
_HASHED = ("chunks.jsonl", "idf.json", "tokens.json", "units.jsonl", "forms.jsonl", "forms.npy")


def _is_str_map(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


MANIFEST_FIELDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "version": (lambda v: isinstance(v, int) and not isinstance(v, bool), "整数"),
    "embed_spec": (lambda v: isinstance(v, str) and bool(v), "非空字符串"),
    "embedder": (lambda v: isinstance(v, str) and bool(v), "非空字符串"),
    "tokenizer": (lambda v: isinstance(v, str) and bool(v), "非空字符串"),
    "built_at": (lambda v: isinstance(v, str), "字符串"),
    "documents": (_is_str_map, "文档 id → 内容哈希"),
    "titles": (_is_str_map, "文档 id → 标题"),
    "chunks": (lambda v: _is_count(v) and v > 0, "正整数"),
    "embedded": (_is_count, "非负整数"),
    "reused": (_is_count, "非负整数"),
    "dim": (lambda v: _is_count(v) and v > 0, "正整数"),
    "files": (lambda v: _is_str_map(v) and all(n in v for n in _HASHED) and any(k.startswith("bm25/") for k in v),
              "文件名 → SHA-1（含 " + "、".join(_HASHED) + " 和 bm25/ 下的文件）"),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a build: the file or folder (`part`) and what is wrong with it."""

    part: str
    detail: str

    def __str__(self) -> str:
        return f"{self.part}：{self.detail}"


def file_digests(build: Path) -> dict[str, str]:
    """Relative path -> SHA-1 of every hashed file of a build (what the manifest's `files` holds)."""
    paths = [build / name for name in _HASHED] + sorted((build / "bm25").glob("*"))
    return {p.relative_to(build).as_posix(): _sha1(p) for p in paths if p.is_file()}


def _sha1(path: Path) -> str:
    digest = hashlib.sha1()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_problem(build: Path) -> tuple[dict[str, Any] | None, Problem | None]:
    """The manifest if it is readable and complete, else the problem with it."""
    try:
        manifest = read_manifest(build)
    except FileNotFoundError:
        return None, Problem("manifest.json", "文件缺失")
    except (OSError, ValueError) as exc:
        return None, Problem("manifest.json", f"无法读取（{exc.__class__.__name__}：{exc}）")
    for name, (valid, expected) in MANIFEST_FIELDS.items():
        if name not in manifest:
            return None, Problem("manifest.json", f"缺少字段 {name}")
        if not valid(manifest[name]):
            return None, Problem("manifest.json", f"字段 {name} 的值 {str(manifest[name])[:60]!r} 不合法，应为{expected}")
    return manifest, None


def _file_problems(build: Path, expected: dict[str, str]) -> list[Problem]:
    problems = []
    for name, digest in sorted(expected.items()):
        path = build / name
        part = name.split("/")[0]
        if not path.is_file():
            problems.append(Problem(part, f"{name} 文件缺失"))
        elif _sha1(path) != digest:
            problems.append(Problem(part, f"{name} 内容与清单记录不符（被截断、改写或损坏）"))
    return problems


def damage_message(problems: list[Problem]) -> str:
    """The build's problems in one Chinese line, after the `DAMAGED` prefix."""
    return DAMAGED + "（" + "；".join(map(str, problems)) + "）"


def chroma_problem(build: Path, *, chunks: int, dim: int, collection: Any = None) -> Problem | None:
    """What is wrong with a build's Chroma store (None if it opens, holds `chunks` vectors and
    answers a probe query of `dim` dimensions); `collection`, when given, is the store already
    open and is checked instead of opening the folder again."""
    client = None
    try:
        if collection is None:
            client, collection, count = open_collection(build / "chroma")
        else:
            count = collection.count()
        if count != chunks:
            return Problem("chroma", f"向量库有 {count} 条向量，应为 {chunks} 条")
        probe = [1.0] + [0.0] * (dim - 1)
        hits = collection.query(query_embeddings=[probe], n_results=1, include=["distances"])
        if not hits["ids"] or len(hits["ids"][0]) != 1:
            return Problem("chroma", "向量库不返回检索结果")
    except Exception as exc:  # Chroma raises its own types for a missing table, a bad file, a bad segment
        return Problem("chroma", f"向量库无法打开或查询（{exc.__class__.__name__}：{str(exc)[:160]}）")
    finally:
        if client is not None:
            close_client(client)
    return None


def check_build(build: Path, *, chroma: bool = True, collection: Any = None) -> list[Problem]:
    """Everything wrong with `build` (an empty list when it is intact).

    Args:
        build: a build folder (live or freshly written).
        chroma: also open the Chroma store (the only check that is not a file read).
        collection: the build's Chroma collection when a caller has it open already.
    """
    manifest, problem = manifest_problem(build)
    if manifest is None:
        return [problem] if problem else []
    problems = _file_problems(build, manifest["files"])
    if chroma:
        problem = chroma_problem(build, chunks=manifest["chunks"], dim=manifest["dim"], collection=collection)
        if problem is not None:
            problems.append(problem)
    return problems
