"""Hybrid retrieval: jieba + BM25 (bm25s) fused with dense search in Chroma (through llama-index).

Every mode returns the same `Passage` list, so composition and evaluation do not care which
retriever produced it. Modes: `bm25`, `dense`, `hybrid` (fused). Synonym expansion is on by default.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .embedders import Embedder
from .question import Lexicon, Question, parse_question
from .types import Passage, Unit

__all__ = ["RRF_K", "Evidence", "HybridRetriever", "UnitHit"]

RRF_K = 10  # reciprocal-rank constant; small values trust the top ranks of each list more
CANDIDATES = 30
# Units scored for a question: those of the fused chunk candidates plus the units of the nearest
# question forms; every unit when the index holds no more than this many.
ALL_UNITS_UP_TO = 600
NEAREST_FORMS = 40
IN_SCOPE = "in_scope"  # the label class of every question form (its label is a unit id)


@dataclass
class UnitHit:
    """A candidate answer unit and what retrieval knows about it for this question."""

    unit: Unit
    form_sim: float = 0.0  # best cosine similarity between the question and the unit's heading/forms
    chunk_rank: int = 0  # best rank of one of its chunks in the fused list (0: not among them)


@dataclass
class Evidence:
    """What retrieval found for one question; the scope decision and the composer read it."""

    question: Question
    passages: list[Passage] = field(default_factory=list)  # the top fused chunks
    bm25_top: float = 0.0
    dense_top: float = 0.0
    units: list[UnitHit] = field(default_factory=list)
    # Best similarity to a labelled example of each class: in_scope (question forms and headings),
    # out_of_scope and chat (corpus/dict/scope_examples.txt).
    label_sim: dict[str, float] = field(default_factory=dict)


class HybridRetriever:
    """Loads one build folder; retrieve() is safe to call from several threads (read-only state)."""

    def __init__(self, build_dir: Path, embedder: Embedder, *, mode: str = "hybrid", synonyms: bool = True) -> None:
        import bm25s

        from index.store import open_collection
        from index.units import load_units

        if mode not in {"bm25", "dense", "hybrid"}:
            raise ValueError(f"unknown retrieval mode {mode!r}; use bm25, dense or hybrid")
        self.mode = mode
        self.synonyms = synonyms
        self.embedder = embedder
        with (build_dir / "chunks.jsonl").open(encoding="utf-8") as fh:
            self.chunks: list[dict[str, Any]] = [json.loads(line) for line in fh]
        self._row = {c["chunk_id"]: i for i, c in enumerate(self.chunks)}
        idf = json.loads((build_dir / "idf.json").read_text(encoding="utf-8"))
        self.lexicon = Lexicon(idf["idf"], synonyms=synonyms)
        self._bm25 = bm25s.BM25.load(str(build_dir / "bm25"), show_progress=False)
        # The collection is written through llama-index's ChromaVectorStore (index/build.py); at
        # query time we ask Chroma directly, because importing llama-index costs about 2 s of the
        # 4 s cold-start budget of `assistant ask` and its query wrapper adds nothing here.
        # Units first: a bad units file must not leave a Chroma client open behind the error.
        self.units, self.forms, self._form_vectors = load_units(build_dir)
        self.unit = {u.unit_id: u for u in self.units}
        self._form_label = [row["label"] for row in self.forms]
        self._form_class = np.array(
            [row["label"] if row["label"] not in self.unit else IN_SCOPE for row in self.forms], dtype=object
        )
        self._client, self._collection, count = open_collection(build_dir / "chroma")
        self.closed = False
        if count != len(self.chunks):
            self.close()
            raise ValueError(f"向量库有 {count} 条向量，但有 {len(self.chunks)} 个片段")

    @property
    def collection(self) -> Any:
        """The Chroma collection this retriever queries (the integrity check reuses it)."""
        return self._collection

    def close(self) -> None:
        """Release the Chroma client (a running app that switched builds closes the old one)."""
        from index.store import close_client

        if not self.closed:
            close_client(self._client)
            self.closed = True

    @property
    def idf(self) -> dict[str, float]:
        return self.lexicon.idf

    def parse(self, text: str, *, split: bool = True) -> Question:
        """`parse_question` with this index's word statistics."""
        return parse_question(text, self.lexicon, split=split)

    # -- the two retrievers ------------------------------------------------------------------
    def _bm25_ranked(self, tokens: tuple[str, ...], k: int) -> list[tuple[int, float]]:
        known = [t for t in tokens if t in self.lexicon.idf]
        if not known:
            return []
        scores = self._bm25.get_scores(known)
        top = np.argpartition(-scores, min(k, len(scores) - 1))[:k]
        ranked = sorted(((int(i), float(scores[i])) for i in top if scores[i] > 0), key=lambda x: -x[1])
        return ranked

    def _dense_ranked(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        k = min(k, len(self.chunks))
        result = self._collection.query(query_embeddings=[vector.tolist()], n_results=k, include=["distances"])
        ids, distances = result["ids"][0], (result.get("distances") or [[]])[0]
        # The collection uses cosine distance; similarity = 1 - distance, as llama-index reports it.
        return [(self._row[i], 1.0 - float(d)) for i, d in zip(ids, distances, strict=False) if i in self._row]

    # -- public ------------------------------------------------------------------------------
    def retrieve(self, question: Question, *, k: int = 5, mode: str | None = None, units: bool = True) -> Evidence:
        """The top `k` passages for `question`, and (with `units`) its candidate answer units and
        its similarity to the labelled example questions."""
        mode = mode or self.mode
        needs_vector = mode in {"dense", "hybrid"} or units
        # The asking clauses are embedded: "我们是做家电的，证书有效期几年" is a question about
        # certificates, not about home appliances (BM25 still reads every word).
        vector = self.embedder.embed_queries([question.asking])[0] if needs_vector else None
        bm25 = self._bm25_ranked(question.tokens, CANDIDATES) if mode in {"bm25", "hybrid"} else []
        dense = self._dense_ranked(vector, CANDIDATES) if vector is not None and mode in {"dense", "hybrid"} else []
        if mode == "bm25":
            fused = list(bm25)
        elif mode == "dense":
            fused = list(dense)
        else:
            fused = _rrf([bm25, dense])
        top = fused[:k]
        if mode == "hybrid" and bm25 and all(row != bm25[0][0] for row, _ in top):
            # Each list's best hit reaches the composer even when fusion ranks it lower: an exact
            # keyword match that the dense list missed is often the passage that answers.
            top = [*top[: k - 1], next(x for x in fused if x[0] == bm25[0][0])]
        evidence = Evidence(
            question=question,
            passages=[self._passage(i, score, rank, mode) for rank, (i, score) in enumerate(top, 1)],
            bm25_top=bm25[0][1] if bm25 else 0.0,
            dense_top=dense[0][1] if dense else 0.0,
        )
        if units and vector is not None:
            self._add_units(evidence, vector, fused)
        return evidence

    def _add_units(self, evidence: Evidence, vector: np.ndarray, fused: list[tuple[int, float]]) -> None:
        sims = self._form_vectors @ vector if len(self._form_vectors) else np.zeros(0)
        for cls in (IN_SCOPE, "out_of_scope", "chat"):
            mask = self._form_class == cls
            evidence.label_sim[cls] = float(sims[mask].max()) if mask.any() else 0.0
        ranks: dict[str, int] = {}
        for rank, (row, _) in enumerate(fused, 1):
            ranks.setdefault(self.chunks[row].get("unit_id", ""), rank)
        if len(self.units) <= ALL_UNITS_UP_TO:
            chosen = [u.unit_id for u in self.units if u.standalone]
            form_best = {u: s for u, s in _best_per_label(sims, self._form_label).items() if u in self.unit}
        else:
            # A large corpus: only the units of the chunks found and of the nearest question forms.
            best: dict[str, float] = {}
            for i in np.argsort(-sims)[:NEAREST_FORMS]:
                best.setdefault(self._form_label[i], float(sims[i]))
            chosen = list(dict.fromkeys([*(u for u in ranks if u in self.unit), *(u for u in best if u in self.unit)]))
            form_best = {u: s for u, s in best.items() if u in self.unit}
        evidence.units = [
            UnitHit(self.unit[u], form_sim=form_best.get(u, 0.0), chunk_rank=ranks.get(u, 0))
            for u in chosen
            if self.unit[u].standalone
        ]

    def search(self, query: str, *, k: int = 5, mode: str | None = None) -> list[Passage]:
        return self.retrieve(self.parse(query), k=k, mode=mode, units=False).passages

    def _passage(self, row: int, score: float, rank: int, origin: str) -> Passage:
        c = self.chunks[row]
        return Passage(c["chunk_id"], c["doc_id"], c["title"], c["section"], c["text"], c["source"],
                       score, rank, origin, norm=c.get("norm", ""), norm_section=c.get("norm_section", ""),
                       unit_id=c.get("unit_id", ""))


def _best_per_label(sims: np.ndarray, labels: list[str]) -> dict[str, float]:
    best: dict[str, float] = {}
    for label, sim in zip(labels, sims.tolist(), strict=True):
        if sim > best.get(label, -1.0):
            best[label] = sim
    return best


def _rrf(lists: list[list[tuple[int, float]]]) -> list[tuple[int, float]]:
    """Reciprocal-rank fusion: rank-based, so BM25's unbounded scores and cosine similarities mix."""
    fused: dict[int, float] = {}
    for ranked in lists:
        for rank, (row, _) in enumerate(ranked, 1):
            fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(fused.items(), key=lambda x: -x[1])
