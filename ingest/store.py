"""Write one complete build beside the serving one, then switch CURRENT atomically."""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

from assistant.errors import BackendUnavailable
from assistant.records import BuildManifest, Corpus
from assistant.settings import Settings
from assistant.storage import CURRENT, builds_dir, chroma_client, collection_name, current_build, write_json

log = logging.getLogger(__name__)
KEEP_BUILDS = 2  # the new one and the one a running server may still have open
PARTIAL = ".partial"


def write_build(
    settings: Settings,
    corpus: Corpus,
    lexical: list[list[str]],
    vectors: list[list[float]],
    manifest: BuildManifest,
    started: float,
) -> Path:
    """Write builds/<name>.partial, rename it to builds/<name> when complete, then switch CURRENT."""
    store = settings.store
    builds_dir(store).mkdir(parents=True, exist_ok=True)
    build = builds_dir(store) / f"{manifest.corpus_hash[:12]}-{time.time_ns()}"
    work = build.with_name(build.name + PARTIAL)
    work.mkdir()
    try:
        write_json(work / "documents.json", [d.to_dict() for d in corpus.documents])
        write_json(work / "chunks.json", [c.to_dict() for c in corpus.chunks])
        write_json(work / "lexical.json", lexical)
        write_json(work / "charts.json", [c.to_dict() for c in corpus.charts])
        write_json(work / "glossary.json", corpus.glossary)
        write_vectors(settings, work, collection_name(settings.collection, build), corpus, vectors)
        done = BuildManifest(**{**manifest.to_dict(), "seconds": round(time.time() - started, 2)})
        write_json(work / "manifest.json", done.to_dict())
        os.replace(work, build)  # a build is complete once it has its own name
        switch_current(store, build)
    except BaseException as e:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(build, ignore_errors=True)
        if settings.chroma != "embedded" and not isinstance(e, BackendUnavailable):
            drop_collections(settings, [build])  # a half-written collection on a server that answers
        raise
    prune(settings, build)
    return build


def write_vectors(settings: Settings, folder: Path, name: str, corpus: Corpus, vectors: list[list[float]]) -> None:
    client = chroma_client(settings.chroma, folder)
    try:
        _add_vectors(client, name, corpus, vectors)
    finally:
        close = getattr(client, "close", None)
        if callable(close):
            close()  # the files are complete and closed before the folder is renamed


def _add_vectors(client: Any, name: str, corpus: Corpus, vectors: list[list[float]]) -> None:
    col = client.get_or_create_collection(name, embedding_function=None, metadata={"hnsw:space": "cosine"})
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


def prune(settings: Settings, keep: Path) -> None:
    """Remove what crashed builds left (.partial folders) and all but the newest complete builds;
    on a Chroma server, drop the collections of the builds removed."""
    store = settings.store
    folders = sorted((p for p in builds_dir(store).iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    complete = [p for p in folders if not p.name.endswith(PARTIAL) and (p / "manifest.json").is_file()]
    serving = current_build(store)
    removed: list[Path] = []
    for p in folders:
        if p in (keep, serving):
            continue
        if p not in complete or p in complete[:-KEEP_BUILDS]:
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    if settings.chroma != "embedded" and removed:
        drop_collections(settings, [p.with_name(p.name.removesuffix(PARTIAL)) for p in removed])


def drop_collections(settings: Settings, builds: list[Path]) -> None:
    """Delete the server-side collections of these builds; a failure is logged, never fatal."""
    try:
        client = chroma_client(settings.chroma, builds[0])
        existing = {c.name if hasattr(c, "name") else str(c) for c in client.list_collections()}
        for b in builds:
            name = collection_name(settings.collection, b)
            if name in existing:
                client.delete_collection(name)
                log.info("dropped Chroma collection %s of a removed build", name)
    except Exception as e:  # the new build serves either way
        log.warning("could not drop old Chroma collections: %s", e)
