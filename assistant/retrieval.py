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
from .textproc import content_words, expand_synonyms, normalize, tokenize
from .types import Passage

__all__ = ["RRF_K", "HybridRetriever", "QueryAnalysis"]

RRF_K = 10  # reciprocal-rank constant; small values trust the top ranks of each list more
CANDIDATES = 30


@dataclass
class QueryAnalysis:
    """What retrieval learned about a query; the scope guard and the composer read it."""

    tokens: list[str]
    expanded: list[str]
    known_tokens: list[str]
    coverage: float  # IDF-weighted share of query tokens that occur in the corpus
    bm25_top: float
    dense_top: float
    passages: list[Passage] = field(default_factory=list)
    # token -> the words that count as a match for it (itself plus synonyms when enabled)
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    passage_coverage: float = 0.0  # best share of the query's weight that one passage contains
    known_coverage: float = 0.0  # the same, counting only words the corpus knows

    def matched_weight(self, text: str, *, known_only: bool = False) -> float:
        """Share of the query's IDF weight whose words (or synonyms) occur in `text`."""
        weights = {t: w for t, w in self.weights.items() if not known_only or t in self.known_tokens}
        total = sum(weights.values())
        if not total:
            return 0.0
        norm = normalize(text)
        return sum(w * _match(t, self.groups[t], norm) for t, w in weights.items()) / total


class HybridRetriever:
    """Loads one build folder; search() is safe to call from several threads (read-only state)."""

    def __init__(self, build_dir: Path, embedder: Embedder, *, mode: str = "hybrid", synonyms: bool = True) -> None:
        import bm25s

        from index.store import open_collection

        if mode not in {"bm25", "dense", "hybrid"}:
            raise ValueError(f"unknown retrieval mode {mode!r}; use bm25, dense or hybrid")
        self.mode = mode
        self.synonyms = synonyms
        self.embedder = embedder
        with (build_dir / "chunks.jsonl").open(encoding="utf-8") as fh:
            self.chunks: list[dict[str, Any]] = [json.loads(line) for line in fh]
        self._row = {c["chunk_id"]: i for i, c in enumerate(self.chunks)}
        idf = json.loads((build_dir / "idf.json").read_text(encoding="utf-8"))
        self.idf: dict[str, float] = idf["idf"]
        self._idf_unknown = max(self.idf.values(), default=1.0)
        self._bm25 = bm25s.BM25.load(str(build_dir / "bm25"), show_progress=False)
        # The collection is written through llama-index's ChromaVectorStore (index/build.py); at
        # query time we ask Chroma directly, because importing llama-index costs about 2 s of the
        # 4 s cold-start budget of `assistant ask` and its query wrapper adds nothing here.
        self._client, self._collection, count = open_collection(build_dir / "chroma")
        self.closed = False
        if count != len(self.chunks):
            self.close()
            raise ValueError(f"向量库有 {count} 条向量，但有 {len(self.chunks)} 个片段")

    def close(self) -> None:
        """Release the Chroma client (a running app that switched builds closes the old one)."""
        from index.store import close_client

        if not self.closed:
            close_client(self._client)
            self.closed = True

    # -- the two retrievers ------------------------------------------------------------------
    def _bm25_ranked(self, tokens: list[str], k: int) -> list[tuple[int, float]]:
        known = [t for t in tokens if t in self.idf]
        if not known:
            return []
        scores = self._bm25.get_scores(known)
        top = np.argpartition(-scores, min(k, len(scores) - 1))[:k]
        ranked = sorted(((int(i), float(scores[i])) for i in top if scores[i] > 0), key=lambda x: -x[1])
        return ranked

    def _dense_ranked(self, query: str, k: int) -> list[tuple[int, float]]:
        vector = self.embedder.embed_queries([query])[0].tolist()
        k = min(k, len(self.chunks))
        result = self._collection.query(query_embeddings=[vector], n_results=k, include=["distances"])
        ids, distances = result["ids"][0], (result.get("distances") or [[]])[0]
        # The collection uses cosine distance; similarity = 1 - distance, as llama-index reports it.
        return [(self._row[i], 1.0 - float(d)) for i, d in zip(ids, distances, strict=False) if i in self._row]

    # -- public ------------------------------------------------------------------------------
    def analyze(self, query: str, *, k: int = 5, mode: str | None = None) -> QueryAnalysis:
        """Retrieve the top `k` passages and the signals the scope guard needs."""
        mode = mode or self.mode
        tokens = list(dict.fromkeys(tokenize(query)))  # search mode may repeat a word
        expanded = expand_synonyms(tokens) if self.synonyms else tokens
        # The question's own words (precise mode) carry the weights: search mode's overlapping
        # sub-words would count one word several times.
        words = content_words(query) or tokens
        groups = {t: tuple(expand_synonyms([t])) if self.synonyms else (t,) for t in words}
        known = [t for t in words if any(a in self.idf for a in groups[t])]
        # A concept weighs as its most common known form (商品售后服务认证 is rare as a string but
        #售后服务认证 is everywhere); a word the corpus never uses weighs as the rarest word it has.
        weight = {t: min((self.idf[a] for a in groups[t] if a in self.idf), default=self._idf_unknown)
                  for t in words}
        total = sum(weight.values())
        coverage = sum(weight[t] for t in known) / total if total else 0.0

        bm25 = self._bm25_ranked(expanded, CANDIDATES) if mode in {"bm25", "hybrid"} else []
        dense = self._dense_ranked(query, CANDIDATES) if mode in {"dense", "hybrid"} else []
        if mode == "bm25":
            fused = [(i, s) for i, s in bm25]
        elif mode == "dense":
            fused = [(i, s) for i, s in dense]
        else:
            fused = _rrf([bm25, dense])
        top = fused[:k]
        if mode == "hybrid" and bm25 and all(row != bm25[0][0] for row, _ in top):
            # Each list's best hit reaches the composer even when fusion ranks it lower: an exact
            # keyword match that the dense list missed is often the passage that answers.
            top = [*top[: k - 1], next(x for x in fused if x[0] == bm25[0][0])]
        passages = [self._passage(i, score, rank, mode) for rank, (i, score) in enumerate(top, 1)]
        analysis = QueryAnalysis(
            tokens=tokens,
            expanded=expanded,
            known_tokens=known,
            coverage=coverage,
            bm25_top=bm25[0][1] if bm25 else 0.0,
            dense_top=dense[0][1] if dense else 0.0,
            passages=passages,
            groups=groups,
            weights=weight,
        )
        texts = [f"{p.title}{p.section}{p.text}" for p in passages]
        analysis.passage_coverage = max((analysis.matched_weight(t) for t in texts), default=0.0)
        analysis.known_coverage = max((analysis.matched_weight(t, known_only=True) for t in texts), default=0.0)
        return analysis

    def search(self, query: str, *, k: int = 5, mode: str | None = None) -> list[Passage]:
        return self.analyze(query, k=k, mode=mode).passages

    def _passage(self, row: int, score: float, rank: int, origin: str) -> Passage:
        c = self.chunks[row]
        return Passage(c["chunk_id"], c["doc_id"], c["title"], c["section"], c["text"], c["source"],
                       score, rank, origin)


def _match(word: str, forms: tuple[str, ...], text: str) -> float:
    """1 when the word or a synonym occurs in `text`; else half the share of its character pairs
    that do, so that 没通过 partly matches 没有通过 and 受理 partly matches 受理申请."""
    if any(form in text for form in forms):
        return 1.0
    pairs = [word[i : i + 2] for i in range(len(word) - 1)]
    if len(pairs) < 2:
        return 0.0  # a two-character word has one pair: that is the whole word, already missed
    return 0.5 * sum(p in text for p in pairs) / len(pairs)


def _rrf(lists: list[list[tuple[int, float]]]) -> list[tuple[int, float]]:
    """Reciprocal-rank fusion: rank-based, so BM25's unbounded scores and cosine similarities mix."""
    fused: dict[int, float] = {}
    for ranked in lists:
        for rank, (row, _) in enumerate(ranked, 1):
            fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(fused.items(), key=lambda x: -x[1])
