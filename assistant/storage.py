"""Store layout, shared by the writer (ingest) and the reader (assistant).

    <store>/CURRENT              name of the build that serves (replaced atomically)
    <store>/builds/<build>/      one complete build:
        manifest.json            BuildManifest: embedder, corpus hash, counts, time
        documents.json           DocumentInfo records
        chunks.json              Chunk records (text and chart chunks)
        lexical.json             Sudachi tokens per chunk, for BM25
        charts.json              Chart records (the statistics catalog)
        chroma/                  the persistent Chroma collection (embedded mode)
A build is written under builds/<build>.partial and renamed to builds/<build> when complete;
CURRENT changes last, so a crash at any point leaves the previous build serving, and the next
build removes what a crash left behind (.partial folders, and in server mode the collections
of builds that are gone).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from assistant.errors import BackendUnavailable, StoreMismatch, StoreMissing
from assistant.records import BuildManifest

SCHEMA = 3
CURRENT = "CURRENT"


def builds_dir(store: Path) -> Path:
    return store / "builds"


def current_build(store: Path) -> Path | None:
    pointer = store / CURRENT
    if not pointer.is_file():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    build = builds_dir(store) / name
    return build if name and (build / "manifest.json").is_file() else None


def read_manifest(build: Path) -> BuildManifest:
    return BuildManifest.from_dict(read_json(build / "manifest.json"))


def read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def open_build(store: Path, embedder_id: str) -> tuple[Path, BuildManifest]:
    """The serving build, checked against the embedder that will query it."""
    build = current_build(store)
    if build is None:
        raise StoreMissing(f"no store at {store}: run `make ingest` (python -m ingest --store {store}) first")
    try:
        manifest = read_manifest(build)
    except (OSError, ValueError, TypeError, KeyError) as e:
        raise StoreMissing(f"the store at {store} is damaged ({e}); rebuild it with `make ingest`") from None
    if manifest.schema != SCHEMA:
        raise StoreMismatch(
            f"the store at {store} has schema {manifest.schema}, this version reads {SCHEMA}: run `make ingest`"
        )
    if manifest.embedder != embedder_id:
        raise StoreMismatch(
            f"the store at {store} was built with embedder {manifest.embedder!r}, but the assistant is "
            f"configured with {embedder_id!r}; rebuild with `make ingest` or set BANSOU_EMBEDDER to match"
        )
    return build, manifest


CHROMA_TIMEOUT_S = 5.0  # every call to a Chroma server: connect, read, write


def chroma_client(chroma: str, build: Path, timeout: float = CHROMA_TIMEOUT_S) -> Any:
    """An embedded PersistentClient in the build folder, or an HttpClient for a Chroma server
    whose every request times out after `timeout` seconds (the client's own default is none)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    cs = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if chroma == "embedded":
        return chromadb.PersistentClient(path=str(build / "chroma"), settings=cs)
    from urllib.parse import urlparse

    import httpx

    u = urlparse(chroma)
    try:
        client = chromadb.HttpClient(
            host=u.hostname or "127.0.0.1", port=u.port or 8000, ssl=u.scheme == "https", settings=cs
        )
    except Exception as e:  # chromadb raises ValueError / httpx errors when the server is not there
        raise BackendUnavailable(f"the Chroma server at {chroma} does not answer ({_reason(e)})") from None
    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(timeout)
    return client


def _reason(e: BaseException) -> str:
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return text[:160]


def chroma_unavailable(chroma: str, e: BaseException) -> BackendUnavailable:
    where = "the Chroma server at " + chroma if chroma != "embedded" else "the vector store"
    return BackendUnavailable(f"{where} did not answer ({_reason(e)}); try again shortly")


def collection_name(base: str, build: Path) -> str:
    """One collection per build, so a rebuild on a Chroma server is swapped like a local one."""
    return f"{base}-{build.name}"[:63]
