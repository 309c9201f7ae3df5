"""Write one complete build beside the serving one, then switch CURRENT atomically."""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.records import BuildManifest
from assistant.settings import Settings
from assistant.storage import CURRENT, builds_dir, chroma_client, collection_name, current_build, write_json

if TYPE_CHECKING:
    from ingest.pipeline import Corpus

log = logging.getLogger(__name__)
KEEP_BUILDS = 2  # the new one and the one a running server may still have open


def write_build(
    settings: Settings,
    corpus: Corpus,
    lexical: list[list[str]],
    vectors: list[list[float]],
    manifest: BuildManifest,
    started: float,
) -> Path:
    store = settings.store
    builds_dir(store).mkdir(parents=True, exist_ok=True)
    build = builds_dir(store) / f"{manifest.corpus_hash[:12]}-{time.time_ns()}"
    build.mkdir()
    try:
        write_json(build / "documents.json", [d.to_dict() for d in corpus.documents])
        write_json(build / "chunks.json", [c.to_dict() for c in corpus.chunks])
        write_json(build / "lexical.json", lexical)
        write_json(build / "charts.json", [c.to_dict() for c in corpus.charts])
        write_json(build / "glossary.json", corpus.glossary)
        write_vectors(settings, build, corpus, vectors)
        done = BuildManifest(**{**manifest.to_dict(), "seconds": round(time.time() - started, 2)})
        write_json(build / "manifest.json", done.to_dict())  # a build is complete once this exists
        switch_current(store, build)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    prune(store, build)
    return build


def write_vectors(settings: Settings, build: Path, corpus: Corpus, vectors: list[list[float]]) -> None:
    client = chroma_client(settings.chroma, build)
    col = client.get_or_create_collection(
        collection_name(settings.collection, build), embedding_function=None, metadata={"hnsw:space": "cosine"}
    )
    chunks = corpus.chunks
    col.add(
        ids=[c.id for c in chunks],
        embeddings=vectors,
        documents=[c.text for c in chunks],
        metadatas=[
            {"doc": c.doc, "section": c.section, "kind": c.kind, "chart_id": c.chart_id or "", "title": c.title}
            for c in chunks
        ],
    )


def switch_current(store: Path, build: Path) -> None:
    tmp = store / (CURRENT + ".tmp")
    tmp.write_text(build.name, encoding="utf-8")
    os.replace(tmp, store / CURRENT)
    log.info("store %s now serves build %s", store, build.name)


def prune(store: Path, keep: Path) -> None:
    """Remove incomplete builds and all but the newest complete ones."""
    builds = sorted((p for p in builds_dir(store).iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    complete = [p for p in builds if (p / "manifest.json").is_file()]
    serving = current_build(store)
    for p in builds:
        if p in (keep, serving):
            continue
        if p not in complete or p in complete[:-KEEP_BUILDS]:
            shutil.rmtree(p, ignore_errors=True)
