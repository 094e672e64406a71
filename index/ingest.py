"""Users' own documents: validate, convert, preview, add, list and remove.

A file is read and checked completely before anything is written (`read_file`): its name, type,
size, encoding, structure and text. It is then converted into the form the corpus loader reads,
a Markdown document with front matter, and stored as

    $ASSISTANT_HOME/docs/<id>.md          what the index sees (front matter names the file)
    $ASSISTANT_HOME/docs/originals/<name> the file as the user gave it, for re-download

so the index build only ever sees validated documents. Answers cite a user document by its file
name (the document title and source) and by its heading or PDF page (the section).

Every refusal is an `IngestError` whose Chinese message names the file and says what to do.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from assistant.config import corpus_dir
from assistant.corpus import Document, load_user_documents, parse_document, split_front_matter, user_docs_dir
from assistant.errors import CorpusError, InputError

from .chunking import Chunk, split_document
from .readers import READERS, UnreadableError, inert

__all__ = [
    "SUFFIXES",
    "AddReport",
    "IngestError",
    "Ingested",
    "Limits",
    "UserDocument",
    "add_files",
    "collect_files",
    "commit",
    "list_documents",
    "read_file",
    "remove_documents",
    "stage_files",
]

SUFFIXES = tuple(READERS)
_SHOWN_SUFFIXES = ".md .txt .pdf .docx .xlsx .html"
DEFAULT_MAX_FILE_MB = 20.0
# ~1,500 chunks: a few minutes of embedding on a laptop CPU. 5 MB of text made 9,730 chunks and
# took 14 minutes, with the app unable to answer from the new file meanwhile.
DEFAULT_MAX_DOC_CHARS = 300_000
MAX_NAME_CHARS = 120
_BAD_NAME_CHARS = re.compile(r'[/\\<>:"|?*\x00-\x1f\x7f]')
_ORIGINALS = "originals"


class IngestError(InputError):
    """A user's file that cannot be added (the message names it and says what to do)."""


@dataclass(frozen=True)
class Limits:
    """Size limits for one document: the file and the text it holds."""

    max_mb: float = DEFAULT_MAX_FILE_MB
    max_chars: int = DEFAULT_MAX_DOC_CHARS

    @property
    def max_bytes(self) -> int:
        return int(self.max_mb * 1024 * 1024)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Limits:
        """`ASSISTANT_MAX_FILE_MB` (default 20) and `ASSISTANT_MAX_DOC_CHARS` (default 300000).

        Raises:
            InputError: a variable is not a positive number.
        """
        env = dict(os.environ) if env is None else env
        megabytes = _positive(env, "ASSISTANT_MAX_FILE_MB", DEFAULT_MAX_FILE_MB)
        chars = _positive(env, "ASSISTANT_MAX_DOC_CHARS", DEFAULT_MAX_DOC_CHARS)
        return cls(megabytes, int(chars))


def _positive(env: dict[str, str], name: str, default: float) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < 1e7:
        raise InputError(f"环境变量 {name}={raw!r} 不是有效的正数；请改为例如 {name}={default:g}，或删除它使用默认值")
    return value


@dataclass(frozen=True)
class Ingested:
    """One validated, converted file, not yet stored."""

    name: str
    format: str
    document: Document
    markdown: str
    source: Path
    sha256: str
    size: int
    notes: tuple[str, ...] = ()

    def chunks(self) -> list[Chunk]:
        """The chunks the index will make of it (the preview shows these)."""
        return split_document(self.document)


@dataclass(frozen=True)
class UserDocument:
    """A stored user document, as `list_documents` reports it."""

    name: str
    doc_id: str
    format: str
    path: Path
    original: Path | None
    added: str
    size: int
    sha256: str
    error: str | None = None
    document: Document | None = field(default=None, repr=False, compare=False)  # None: it fails to load

    # Chunking a large document takes tens of milliseconds: only listings that show the counts pay.
    @cached_property
    def _chunks(self) -> list[Chunk]:
        return split_document(self.document) if self.document is not None else []

    @property
    def chunks(self) -> int:
        return len(self._chunks)

    @property
    def sections(self) -> int:
        return len({c.section for c in self._chunks})


@dataclass
class AddReport:
    """What `add_files` did: documents added (new or replaced) and files refused, with reasons."""

    added: list[Ingested] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (file as the user named it, message)


def _shown(name: str) -> str:
    """A file name as a message may show it: control characters made visible."""
    return re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m.group(0)):02x}", name)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 100 * 1024 else f"{n / 1024:.0f} KB"


def check_name(name: str) -> str:
    """The file name to store `name` under, or IngestError when it is unusable.

    Path separators, `..`, control characters and the characters Windows forbids are refused
    rather than silently rewritten, so the name in a citation is the name the user gave.
    """
    bad = sorted(set(_BAD_NAME_CHARS.findall(name)))
    if bad or name in {"", ".", ".."} or name.startswith("."):
        what = "、".join(_shown(c) for c in bad) if bad else "以“.”开头或为空"
        raise IngestError(
            f"文件名“{_shown(name)}”不可用（{what}）；请改名后再添加：文件名不能含 / \\ < > : \" | ? * 和控制字符，也不能以“.”开头"
        )
    if len(name) > MAX_NAME_CHARS:
        raise IngestError(f"文件名“{name[:40]}…”太长（{len(name)} 个字符，上限 {MAX_NAME_CHARS}）；请改短后再添加")
    suffix = Path(name).suffix.lower()
    if suffix not in READERS:
        hint = "；旧版 .doc/.xls 请先用 Office 另存为 .docx/.xlsx" if suffix in {".doc", ".xls", ".wps", ".et"} else ""
        raise IngestError(f"{name}：不支持“{suffix or '无扩展名'}”类型的文件（支持 {_SHOWN_SUFFIXES}）{hint}")
    return name


def doc_id_for(name: str) -> str:
    """The document id of a user file: stable per file name, so re-adding a name replaces it."""
    stem = re.sub(r"[^a-z0-9-]+", "-", Path(name).stem.lower()).strip("-")[:40].strip("-")
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    return f"user-{stem or 'doc'}-{digest}"


def read_file(path: Path, *, name: str | None = None, limits: Limits | None = None) -> Ingested:
    """Validate `path` and convert it; nothing is written.

    Args:
        path: the file to read (for uploads, the server's temporary copy).
        name: the file name the user knows it by (default `path.name`); citations show it.
        limits: size limits (default `Limits.from_env()`).

    Raises:
        IngestError: the name, type, size, encoding or content is unusable; the message names the
            file and says what to do.
    """
    limits = limits or Limits.from_env()
    name = check_name(name if name is not None else path.name)
    if path.is_symlink():
        raise IngestError(f"{name} 是符号链接，不会被跟随；请直接添加它指向的文件")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(f"无法读取 {name}：{exc.strerror or exc}") from None
    if not path.is_file():
        raise IngestError(f"{name} 不是普通文件")
    if size == 0:
        raise IngestError(f"{name} 是空文件（0 字节），未添加；请检查文件是否保存完整")
    if size > limits.max_bytes:
        raise IngestError(
            f"{name} 有 {_size(size)}，超过单个文件 {limits.max_mb:g} MB 的上限；"
            "请拆分成几个较小的文件，或由管理员调大 ASSISTANT_MAX_FILE_MB"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"无法读取 {name}：{exc.strerror or exc}") from None
    suffix = Path(name).suffix.lower()
    try:
        body = READERS[suffix](data, max_chars=limits.max_chars)
    except UnreadableError as exc:
        raise IngestError(f"{name}：{exc}") from None
    document, markdown = _convert(name, suffix, data, "\n".join(body.lines))
    chars = len(document.body)
    if chars > limits.max_chars:
        raise IngestError(
            f"{name} 含约 {chars} 字，超过单个文档 {limits.max_chars} 字的上限（向量化要很久）；"
            "请拆分成几个较小的文件，或由管理员调大 ASSISTANT_MAX_DOC_CHARS"
        )
    if not split_document(document):
        raise IngestError(f"{name} 中没有可检索的文字内容，未添加")
    return Ingested(
        name=name,
        format=suffix.lstrip("."),
        document=document,
        markdown=markdown,
        source=path,
        sha256=hashlib.sha256(data).hexdigest(),
        size=size,
        notes=tuple(body.notes),
    )


def _convert(name: str, suffix: str, data: bytes, text: str) -> tuple[Document, str]:
    """The stored Markdown of a file and the Document the corpus loader will make of it."""
    bookkeeping = {
        "file": name,
        "format": suffix.lstrip("."),
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "added": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    raw_meta, body = split_front_matter(text) if suffix == ".md" else (None, text)
    if raw_meta is not None:
        # The user wrote front matter of their own: it must load, and it keeps its id and sources.
        try:
            own = parse_document(text, Path(name))
        except CorpusError as exc:
            raise IngestError(f"{exc}；请修正文件开头 --- 之间的内容（YAML）后再添加") from None
        if own.id in _shipped_ids():
            raise IngestError(f"{name} 的 id“{own.id}”与内置资料重复；请在文件开头把 id 改成别的名字后再添加")
        meta = {**yaml.safe_load(raw_meta), **bookkeeping}
    else:
        meta = {
            "id": doc_id_for(name),
            "title": name,
            "kind": "user",
            "confidence": "用户",
            "sources": [{"title": f"用户文档 {name}", "url": None}],
            **bookkeeping,
        }
        body = "\n".join(inert(line) for line in body.split("\n"))
    markdown = "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + body.lstrip("\n")
    try:
        document = parse_document(markdown, Path(name))
    except CorpusError as exc:
        raise IngestError(f"{exc}；请修正后再添加") from None
    return document, markdown


def _shipped_ids() -> set[str]:
    return {p.stem for p in corpus_dir().glob("*.md")}


# ---------------------------------------------------------------------------------------------
# Files and folders.


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """The files to read from `paths` (folders walked), and the ones refused while walking.

    A folder's symbolic links are skipped, not followed; files of an unsupported type in a folder
    are skipped quietly (a folder holds all sorts); two files of the same name anywhere in the
    walk are both refused, since one would silently replace the other.
    """
    files: list[Path] = []
    refused: list[tuple[str, str]] = []
    for path in paths:
        if path.is_symlink():
            refused.append((str(path), f"{path.name} 是符号链接，不会被跟随；请直接添加它指向的文件"))
        elif path.is_dir():
            found, skipped = _walk(path)
            refused += skipped
            if not found and not skipped:
                refused.append((str(path), f"文件夹 {path} 中没有可添加的文件（支持 {_SHOWN_SUFFIXES}）"))
            files += found
        elif path.exists():
            files.append(path)
        else:
            refused.append((str(path), f"文件不存在：{path}"))
    counts = Counter(f.name for f in files)
    clashes = {n for n, c in counts.items() if c > 1}
    for name in sorted(clashes):
        where = "、".join(str(f) for f in files if f.name == name)
        refused.append((name, f"有多个同名文件“{name}”（{where}），添加后会互相覆盖，均未添加；请改名后再添加"))
    return [f for f in files if f.name not in clashes], refused


def _walk(folder: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    files: list[Path] = []
    refused: list[tuple[str, str]] = []
    for root, dirs, names in os.walk(folder, followlinks=False):
        base = Path(root)
        for d in list(dirs):
            if d.startswith(".") or (base / d).is_symlink():
                dirs.remove(d)
        for n in sorted(names):
            path = base / n
            if n.startswith(".") or Path(n).suffix.lower() not in READERS:
                continue
            if path.is_symlink():
                refused.append((str(path), f"{path} 是符号链接，不会被跟随，未添加"))
            else:
                files.append(path)
    return sorted(files), refused


def stage_files(paths: Iterable[Path], *, names: Iterable[str | None] | None = None,
                limits: Limits | None = None) -> tuple[list[Ingested], list[tuple[str, str]]]:
    """Read and validate every file of `paths` (folders walked); nothing is written.

    Args:
        paths: files or folders.
        names: the user's file names, one per path (uploads arrive under temporary names).
        limits: size limits (default from the environment).

    Returns:
        The converted documents and the refused files with their messages.
    """
    limits = limits or Limits.from_env()
    given = list(paths)
    named = list(names) if names is not None else [None] * len(given)
    if names is not None:
        files = list(zip(given, named, strict=True))
        refused: list[tuple[str, str]] = []
    else:
        found, refused = collect_files(given)
        files = [(f, None) for f in found]
    ok: list[Ingested] = []
    for path, name in files:
        try:
            ok.append(read_file(path, name=name, limits=limits))
        except IngestError as exc:
            refused.append((name or path.name, str(exc)))
    return ok, refused


# ---------------------------------------------------------------------------------------------
# The store.


def _originals() -> Path:
    return user_docs_dir() / _ORIGINALS


def commit(items: Iterable[Ingested], *, replace: bool = False) -> AddReport:
    """Store validated documents (see the module docstring); the index is not rebuilt here.

    A file whose content is already stored (under any name) is refused; a file whose name is
    already stored with other content is refused unless `replace`.
    """
    report = AddReport()
    stored = {d.name: d for d in list_documents()}
    by_hash = {d.sha256: d.name for d in stored.values()}
    batch_hashes: dict[str, str] = {}
    batch_names: set[str] = set()
    for item in items:
        same = by_hash.get(item.sha256) or batch_hashes.get(item.sha256)
        if same is not None:
            report.refused.append((item.name, f"{item.name} 与已添加的“{same}”内容完全相同，未重复添加"))
            continue
        if item.name in batch_names:
            report.refused.append((item.name, f"本次添加中有两个同名文件“{item.name}”，只添加了第一个；请改名后再添加另一个"))
            continue
        old = stored.get(item.name)
        if old is not None and not replace:
            report.refused.append((
                item.name,
                f"已有同名文档“{item.name}”（内容不同），未添加；如要用新文件替换，"
                "命令行加 --replace，界面上勾选“替换同名文档”；或改名后再添加",
            ))
            continue
        other = _id_owner(item.document.id, stored, item.name)
        if other is not None:
            report.refused.append((item.name, f"{item.name} 的 id“{item.document.id}”与已添加的“{other}”相同；请改 id 后再添加"))
            continue
        if old is not None:
            _delete(old)
            report.replaced.append(item.name)
        _store(item)
        batch_hashes[item.sha256] = item.name
        batch_names.add(item.name)
        report.added.append(item)
    return report


def _id_owner(doc_id: str, stored: dict[str, UserDocument], name: str) -> str | None:
    for doc in stored.values():
        if doc.doc_id == doc_id and doc.name != name:
            return doc.name
    return None


def _atomic_write(target: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and rename: a crash leaves old or new, never half."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _store(item: Ingested) -> None:
    # The original first: the .md is what makes the document live, so it is written last.
    _atomic_write(_originals() / item.name, item.source.read_bytes())
    _atomic_write(user_docs_dir() / f"{item.document.id}.md", item.markdown.encode("utf-8"))


def _delete(doc: UserDocument) -> None:
    # The .md first: without it the document is gone from the index, whatever happens next.
    doc.path.unlink(missing_ok=True)
    if doc.original is not None:
        doc.original.unlink(missing_ok=True)


def add_files(paths: Iterable[Path], *, replace: bool = False, limits: Limits | None = None) -> AddReport:
    """Validate and store files or folders (see `stage_files` and `commit`); no index rebuild."""
    ok, refused = stage_files(paths, limits=limits)
    report = commit(ok, replace=replace)
    report.refused[:0] = refused
    return report


def _front(path: Path) -> dict[str, Any]:
    try:
        raw, _ = split_front_matter(path.read_text(encoding="utf-8"))
        meta = yaml.safe_load(raw) if raw is not None else None
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return meta if isinstance(meta, dict) else {}


def list_documents() -> list[UserDocument]:
    """Every stored user document, by name, including ones that fail to load (with the reason)."""
    folder = user_docs_dir()
    if not folder.is_dir():
        return []
    loaded = {Path(d.path).name: d for d in load_user_documents(folder)}
    out = []
    for path in sorted(p for p in folder.iterdir() if p.suffix in {".md", ".txt"} and not p.name.startswith(".")):
        meta = _front(path)
        name = str(meta.get("file") or path.name)
        original = _originals() / name if meta.get("file") else None
        doc = loaded.get(path.name)
        error = None if doc is not None else "无法读取（格式有误或与其他文档 id 重复），已在建索引时跳过"
        stat = path.lstat()
        out.append(UserDocument(
            name=name,
            doc_id=doc.id if doc is not None else str(meta.get("id") or path.stem),
            format=str(meta.get("format") or path.suffix.lstrip(".")),
            path=path,
            original=original if original is not None and original.is_file() else None,
            added=str(meta.get("added") or datetime.fromtimestamp(stat.st_mtime, timezone.utc).isoformat(timespec="seconds")),
            size=int(meta.get("size") or stat.st_size),
            sha256=str(meta.get("sha256") or hashlib.sha256(path.read_bytes()).hexdigest()),
            error=error,
            document=doc,
        ))
    return sorted(out, key=lambda d: d.name)


def remove_documents(names: Iterable[str]) -> list[UserDocument]:
    """Remove stored user documents by file name or document id; the index is not rebuilt here.

    Raises:
        IngestError: a name matches no user document (shipped documents cannot be removed).
    """
    stored = list_documents()
    wanted = list(names)
    chosen: list[UserDocument] = []
    for name in wanted:
        match = next((d for d in stored if name in {d.name, d.doc_id, d.path.name}), None)
        if match is None:
            if name in _shipped_ids():
                raise IngestError(f"“{name}”是内置资料，不能删除；只能删除自己添加的文档")
            known = "、".join(d.name for d in stored) or "（目前没有）"
            raise IngestError(f"没有名为“{_shown(name)}”的用户文档；已添加的文档：{known}")
        if match not in chosen:
            chosen.append(match)
    for doc in chosen:
        _delete(doc)
    return chosen
