"""The store, opened once: chunks, charts, the BM25 index over Sudachi tokens, and the Chroma
collection; plus the hybrid retriever (weighted reciprocal-rank fusion) behind LangChain's
`BaseRetriever`. Nothing here is rebuilt per query."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embedders import Embedder, as_langchain
from assistant.errors import BackendUnavailable, StoreMissing
from assistant.lexical import SudachiTokenizer
from assistant.records import BuildManifest, Chart, Chunk, DocumentInfo
from assistant.settings import Settings
from assistant.storage import chroma_client, chroma_unavailable, collection_name, read_json

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hit:
    chunk: int  # index into StoreIndex.chunks
    score: float
    bm25_rank: int | None
    dense_rank: int | None


class StoreIndex:
    """Read-only view of one build. Safe to share between threads."""

    def __init__(
        self,
        build: Path,
        manifest: BuildManifest,
        settings: Settings,
        embedder: Embedder,
        tokenizer: SudachiTokenizer,
    ) -> None:
        self.build = build
        self.manifest = manifest
        self.settings = settings
        self.embedder = embedder
        self.tokenizer = tokenizer
        try:
            self.documents = {d["id"]: DocumentInfo.from_dict(d) for d in read_json(build / "documents.json")}
            self.chunks = [Chunk.from_dict(c) for c in read_json(build / "chunks.json")]
            self.charts = {c["id"]: Chart.from_dict(c) for c in read_json(build / "charts.json")}
            self.glossary: dict[str, dict[str, list[str]]] = read_json(build / "glossary.json")
            lexical: list[list[str]] = read_json(build / "lexical.json")
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise StoreMissing(f"the store build {build} is incomplete or damaged ({e}); run `make ingest`") from None
        problem = _inconsistency(manifest, self.documents, self.chunks, self.charts, lexical)
        if problem:
            raise StoreMissing(f"the store build {build} is damaged ({problem}); run `make ingest`")
        self.lexical = lexical
        self.vocab = {t for toks in lexical for t in toks}
        self.chunk_pos = {c.id: i for i, c in enumerate(self.chunks)}
        self._bm25: Any = None  # built on the first lexical search (a chart answer needs none)
        self._vs: Any = None  # opened on the first dense search or health check (Chroma costs ~1.5 s to start)
        self._open_lock = threading.Lock()
        self._qcache: OrderedDict[str, list[float]] = OrderedDict()
        self._qlock = threading.Lock()

    def open_vectors(self) -> Any:
        """The Chroma vector store, opened once, on first use (a server opens it at start-up)."""
        with self._open_lock:
            if self._vs is None:
                self._vs = self._open_vectors()
            return self._vs

    def _open_vectors(self) -> Any:
        from langchain_chroma import Chroma

        client = chroma_client(self.settings.chroma, self.build)
        name = collection_name(self.settings.collection, self.build)
        try:
            self._collection = client.get_collection(name, embedding_function=None)
        except BackendUnavailable:
            raise
        except Exception as e:  # chromadb raises NotFoundError/ValueError depending on version
            if _is_network(e):
                raise chroma_unavailable(self.settings.chroma, e) from None
            raise StoreMissing(f"the store has no vector collection {name!r} ({e}); run `make ingest`") from None
        return Chroma(
            client=client,
            collection_name=name,
            embedding_function=as_langchain(self.embedder),
            create_collection_if_not_exists=False,
        )

    # --- lexical ---------------------------------------------------------------------------
    def bm25_scores(self, tokens: list[str]) -> np.ndarray:
        tokens = [t for t in tokens if t in self.vocab]
        if not tokens:
            return np.zeros(len(self.chunks))
        with self._open_lock:
            if self._bm25 is None:
                self._bm25 = _build_bm25(self.lexical)
            bm25 = self._bm25
        return np.asarray(bm25.get_scores(tokens), dtype=float)

    # --- dense -----------------------------------------------------------------------------
    def query_vector(self, text: str) -> list[float]:
        with self._qlock:
            if text in self._qcache:
                self._qcache.move_to_end(text)
                return self._qcache[text]
        vec = self.embedder.embed_query(text)
        with self._qlock:
            self._qcache[text] = vec
            if len(self._qcache) > 512:
                self._qcache.popitem(last=False)
        return vec

    def vectors_ok(self) -> str | None:
        """None when the vector collection answers with every chunk; else what is wrong."""
        try:
            self.open_vectors()
            n = self._collection.count()
        except (BackendUnavailable, StoreMissing) as e:
            return str(e)
        except Exception as e:
            return str(chroma_unavailable(self.settings.chroma, e))
        return None if n == len(self.chunks) else f"the vector collection has {n} items, the build {len(self.chunks)}"

    def dense_ranking(self, text: str, k: int) -> list[tuple[int, float]]:
        vec = self.query_vector(text)
        store = self.open_vectors()  # a missing collection is StoreMissing, a server down BackendUnavailable
        try:
            docs = store.similarity_search_by_vector_with_relevance_scores(vec, k=min(k, len(self.chunks)))
        except Exception as e:  # a Chroma server down or too slow: a clear 503, not a 500
            raise chroma_unavailable(self.settings.chroma, e) from None
        out = []
        for doc, dist in docs:
            pos = self.chunk_pos.get(str(doc.id)) if doc.id else None
            if pos is None:
                pos = next((i for i, c in enumerate(self.chunks) if c.text == doc.page_content), None)
            if pos is not None:
                out.append((pos, float(dist)))
        return out

    # --- fusion ----------------------------------------------------------------------------
    def search(self, text: str, tokens: list[str], lang: str, k: int | None = None) -> list[Hit]:
        """Weighted reciprocal-rank fusion of BM25 (Sudachi tokens) and dense (Chroma) rankings."""
        s = self.settings
        k = k or s.top_k
        wl, wd = (s.bm25_weight, s.dense_weight) if lang == "ja" else (s.en_bm25_weight, s.en_dense_weight)
        scores = self.bm25_scores(tokens)
        bm25_order = [int(i) for i in np.argsort(-scores) if scores[i] > 0]
        dense = self.dense_ranking(text, len(self.chunks)) if wd > 0 else []
        fused: dict[int, float] = {}
        b_rank: dict[int, int] = {}
        d_rank: dict[int, int] = {}
        for r, i in enumerate(bm25_order):
            fused[i] = fused.get(i, 0.0) + wl / (s.rrf_k + r + 1)
            b_rank[i] = r
        for r, (i, _dist) in enumerate(dense):
            fused[i] = fused.get(i, 0.0) + wd / (s.rrf_k + r + 1)
            d_rank[i] = r
        order = sorted(fused, key=lambda i: -fused[i])[:k]
        return [Hit(i, fused[i], b_rank.get(i), d_rank.get(i)) for i in order]


def _inconsistency(
    manifest: BuildManifest,
    documents: dict[str, DocumentInfo],
    chunks: list[Chunk],
    charts: dict[str, Chart],
    lexical: list[list[str]],
) -> str | None:
    """What does not add up in a build, checked when it opens, so a damaged one never serves."""
    if not documents:
        return "it describes no document"
    if not chunks or len(chunks) != manifest.chunk_count:
        return f"{len(chunks)} chunks, the manifest says {manifest.chunk_count}"
    if len(charts) != manifest.chart_count:
        return f"{len(charts)} charts, the manifest says {manifest.chart_count}"
    if len(lexical) != len(chunks):
        return "the lexical index does not match the chunks"
    return None


def _is_network(e: BaseException) -> bool:
    import httpx

    return isinstance(e, (httpx.HTTPError, ConnectionError, TimeoutError)) or "connect" in str(e).lower()


def _build_bm25(lexical: list[list[str]]) -> Any:
    import bm25s

    bm = bm25s.BM25()
    bm.index([toks if toks else ["<empty>"] for toks in lexical], show_progress=False)
    return bm
