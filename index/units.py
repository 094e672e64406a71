"""Answer units: every corpus section becomes one unit (heading, question forms, sentences, list
items), and every question form and labelled scope example one embedded row.

Written into the build folder next to the chunks:

    units.jsonl   one `Unit` per line (normalised text included, so nothing is normalised at query time)
    forms.jsonl   one labelled example question per line: {"text", "label", "hash"}; the label is the
                  unit id for a question form or heading, `out_of_scope` or `chat` for the examples in
                  corpus/dict/scope_examples.txt
    forms.npy     their embeddings (float32, L2-normalised rows, same order)
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import corpus_dir
from assistant.corpus import Document
from assistant.embedders import Embedder
from assistant.errors import CorpusError
from assistant.question import matchable
from assistant.textproc import content_words, split_sentences
from assistant.types import Unit

from .chunking import sections, unit_id

__all__ = [
    "EXAMPLE_LABELS",
    "FORMS_FILE",
    "FORMS_VECTORS",
    "UNITS_FILE",
    "is_item",
    "load_scope_examples",
    "load_units",
    "scope_examples_path",
    "split_units",
    "write_units",
]

UNITS_FILE = "units.jsonl"
FORMS_FILE = "forms.jsonl"
FORMS_VECTORS = "forms.npy"
EXAMPLE_LABELS = ("out_of_scope", "chat")
EMBED_BATCH = 64

# A list item or step, on normalised text (full-width punctuation folded, numerals as digits):
# "- " lines rendered from data tables, "1、…" numbering, and the corpus's one-sentence-per-item
# style "…第3步是…" / "…第2项是…" / "准备工作第1项是…".
_ITEM = re.compile(
    r"^(?:[-*•]"
    r"|\d{1,2}[.、)](?!\d)"
    r"|\(\d{1,2}\)"
    r"|.{0,30}?第\d{1,2}(?:步|项|条|点|个单项|个阶段|阶段|类|部分|个)(?:是|为|:|,|包括|要求))"
)


def is_item(normalised_sentence: str) -> bool:
    """Whether a (normalised) sentence is one item of a list or one step of a process."""
    return bool(_ITEM.match(normalised_sentence))


def split_units(doc: Document) -> list[Unit]:
    """One unit per section of `doc` that holds text (ids match the chunks' `unit_id`)."""
    units = []
    for n, section in enumerate(sections(doc)):
        sentences = tuple(split_sentences("\n".join(section.lines)))
        norm = tuple(matchable(s) for s in sentences)
        asked = tuple(dict.fromkeys([section.heading, *section.forms]))
        units.append(
            Unit(
                unit_id=unit_id(doc.id, n),
                doc_id=doc.id,
                title=doc.title,
                section=section.heading,
                source=section.source,
                sentences=sentences,
                forms=section.forms,
                items=tuple(i for i, s in enumerate(norm) if is_item(s)),
                standalone=section.standalone,
                kind=doc.kind,
                norm_sentences=norm,
                norm_heading=matchable("｜".join([section.heading, *section.forms])),
                form_norms=tuple(matchable(f) for f in asked),
                form_words=tuple(tuple(content_words(f)) for f in asked),
            )
        )
    return units


def scope_examples_path() -> Path:
    return corpus_dir() / "dict" / "scope_examples.txt"


def load_scope_examples(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Labelled example questions that are not about our certification: label -> questions.

    The file holds `[out_of_scope]` and `[chat]` blocks, one question per line, `#` comments.

    Raises:
        CorpusError: a question before any block, or a block name that is not a known label.
    """
    path = path or scope_examples_path()
    if not path.exists():
        return {}
    found: dict[str, list[str]] = {}
    label = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        block = re.fullmatch(r"\[([a-z_]+)\]", line)
        if block:
            label = block.group(1)
            if label not in EXAMPLE_LABELS:
                raise CorpusError(f"{path}: 第{number}行的分组 [{label}] 未知，应为 {'、'.join(EXAMPLE_LABELS)}")
            continue
        if label is None:
            raise CorpusError(f"{path}: 第{number}行的例句不在任何分组下，请先写 [out_of_scope] 或 [chat]")
        found.setdefault(label, []).append(line)
    return {k: tuple(dict.fromkeys(v)) for k, v in found.items()}


def _labelled(units: Iterable[Unit], examples: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    """(text, label) rows: each standalone unit's heading and forms, then the scope examples."""
    rows: list[tuple[str, str]] = []
    for unit in units:
        if unit.standalone:
            rows += [(text, unit.unit_id) for text in dict.fromkeys([unit.section, *unit.forms])]
    for label, questions in examples.items():
        rows += [(q, label) for q in questions]
    return rows


def _hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


# Vectors computed in this process, by (embedder id, text hash): a second build in the same process
# (an app that rebuilds after `index add`, or a test suite) embeds none of the same texts again.
_MEMO: dict[tuple[str, str], np.ndarray] = {}


def _previous_vectors(build: Path | None) -> dict[str, np.ndarray]:
    """text hash -> vector from an earlier build made with the same embedder (checked by the caller)."""
    if build is None:
        return {}
    try:
        rows, matrix = _load_forms(build)
    except (OSError, ValueError):
        return {}
    return {row["hash"]: matrix[i] for i, row in enumerate(rows)}


def write_units(docs: Iterable[Document], folder: Path, embedder: Embedder, *, previous: Path | None = None,
                examples: dict[str, tuple[str, ...]] | None = None) -> tuple[int, int]:
    """Write units.jsonl, forms.jsonl and forms.npy into `folder`.

    Args:
        docs: the documents being indexed.
        folder: the new build folder.
        embedder: the build's embedder (forms are embedded as queries: they are compared with questions).
        previous: a live build made with the same embedder, whose form vectors are reused by text.
        examples: labelled scope examples (default: corpus/dict/scope_examples.txt).

    Returns:
        (units written, form rows embedded now rather than reused).
    """
    units = [unit for doc in docs for unit in split_units(doc)]
    with (folder / UNITS_FILE).open("w", encoding="utf-8") as fh:
        for unit in units:
            fh.write(json.dumps(asdict(unit), ensure_ascii=False) + "\n")
    rows = _labelled(units, load_scope_examples() if examples is None else examples)
    reuse = _previous_vectors(previous)
    hashes = [_hash(text) for text, _ in rows]
    vectors: list[np.ndarray | None] = [
        _MEMO.get((embedder.id, h), reuse.get(h)) for h in hashes
    ]
    todo = [i for i, v in enumerate(vectors) if v is None]
    for start in range(0, len(todo), EMBED_BATCH):
        batch = todo[start : start + EMBED_BATCH]
        for i, row in zip(batch, embedder.embed_queries([rows[i][0] for i in batch]), strict=True):
            vectors[i] = row
    dim = next((len(v) for v in vectors if v is not None), 0)
    matrix = np.asarray([v for v in vectors if v is not None], dtype=np.float32).reshape(len(rows), dim)
    for h, row in zip(hashes, matrix, strict=True):
        _MEMO[(embedder.id, h)] = row
    np.save(folder / FORMS_VECTORS, matrix)
    with (folder / FORMS_FILE).open("w", encoding="utf-8") as fh:
        for (text, label), h in zip(rows, hashes, strict=True):
            fh.write(json.dumps({"text": text, "label": label, "hash": h}, ensure_ascii=False) + "\n")
    return len(units), len(todo)


def load_units(build_dir: Path) -> tuple[list[Unit], list[dict[str, Any]], np.ndarray]:
    """(units, labelled form rows, their embedding matrix) of a build.

    Raises:
        OSError / ValueError: a file is missing or unreadable, or the rows and vectors disagree.
    """
    units = []
    with (build_dir / UNITS_FILE).open(encoding="utf-8") as fh:
        for line in fh:
            data = json.loads(line)
            for key in ("sentences", "forms", "items", "norm_sentences", "form_norms"):
                data[key] = tuple(data[key])
            data["form_words"] = tuple(tuple(w) for w in data["form_words"])
            units.append(Unit(**data))
    rows, matrix = _load_forms(build_dir)
    return units, rows, matrix


def _load_forms(build: Path) -> tuple[list[dict[str, Any]], np.ndarray]:
    """The labelled form rows of a build and their embedding matrix (ValueError if they disagree)."""
    rows = [json.loads(line) for line in (build / FORMS_FILE).read_text(encoding="utf-8").splitlines()]
    matrix = np.load(build / FORMS_VECTORS)
    if len(rows) != len(matrix):
        raise ValueError(f"{FORMS_FILE} 有 {len(rows)} 行，{FORMS_VECTORS} 有 {len(matrix)} 行")
    return rows, matrix
