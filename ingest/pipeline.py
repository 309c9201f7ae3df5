"""The ingest stages, composed: discover -> load -> sections -> chunks + charts -> validate
-> embed -> write. Pure until `write_build`; a corpus that has not changed is not rebuilt."""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant import yamlio
from assistant.embedders import embedder_id, make_embedder
from assistant.errors import IngestError
from assistant.lexical import SudachiTokenizer
from assistant.records import BuildManifest, Chart, Chunk, Corpus, DocumentInfo
from assistant.settings import Settings
from assistant.storage import SCHEMA, current_build, read_manifest
from ingest.chunking import chart_chunks, text_chunks
from ingest.embed import embed_chunks
from ingest.load import SUPPORTED, load
from ingest.sections import split_sections
from ingest.store import write_build
from ingest.tables import load_tables, validate_all

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Source:
    """One document to ingest: its file, optional chart tables, and its metadata."""

    info: DocumentInfo
    path: Path
    tables: Path | None


@dataclass(frozen=True)
class IngestResult:
    status: str  # "built" or "unchanged"
    build: Path
    manifest: BuildManifest


@dataclass(frozen=True)
class Inputs:
    sources: list[Source]
    files: list[Path]  # every file whose bytes go into the corpus hash
    glossaries: list[Path]


def discover(paths: Sequence[Path]) -> Inputs:
    """Sources from corpus folders (with manifest.yaml) or single files."""
    sources: list[Source] = []
    hashed: list[Path] = []
    glossaries: list[Path] = []
    for p in paths:
        if p.is_dir() and (p / "manifest.yaml").is_file():
            manifest = _read_yaml(p / "manifest.yaml")
            hashed.append(p / "manifest.yaml")
            for d in manifest.get("documents") or []:
                try:
                    info = DocumentInfo.from_dict(
                        {k: v for k, v in d.items() if k in DocumentInfo.__dataclass_fields__}
                    )
                except TypeError as e:
                    raise IngestError(f"{p / 'manifest.yaml'}: a document entry is incomplete: {e}") from None
                tables = p / d["tables"] if d.get("tables") else None
                sources.append(Source(info, p / d["file"], tables))
                hashed.extend(x for x in (p / d["file"], tables) if x is not None)
            listed = manifest.get("glossary") or []
            for name in [listed] if isinstance(listed, str) else listed:  # one file or a list of them
                glossaries.append(p / str(name))
                hashed.append(p / str(name))
        elif p.is_dir():
            files = sorted(f for f in p.iterdir() if f.suffix.lower() in SUPPORTED)
            if not files:
                raise IngestError(f"{p}: no manifest.yaml and no .txt, .md or .pdf files")
            for f in files:
                sources.append(_plain_source(f))
                hashed.append(f)
        else:
            if not p.is_file():
                raise IngestError(f"{p}: no such file or folder")
            sources.append(_plain_source(p))
            hashed.append(p)
            t = p.with_suffix(".tables.yaml")
            if t.is_file():
                hashed.append(t)
    if not sources:
        raise IngestError("nothing to ingest: the manifest lists no documents")
    return Inputs(sources, hashed, glossaries)


def _plain_source(f: Path) -> Source:
    t = f.with_suffix(".tables.yaml")
    info = DocumentInfo(
        id=f.stem,
        title=f.stem,
        publisher="",
        author="",
        period_start="",
        period_end="",
        period_label="",
        respondents=0,
        source=str(f.name),
        file=f.name,
        tables=t.name if t.is_file() else None,
    )
    return Source(info, f, t if t.is_file() else None)


def _read_yaml(path: Path) -> Any:
    try:
        return yamlio.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as e:
        raise IngestError(f"cannot read {path}: {e.strerror or e}") from None
    except yaml.YAMLError as e:
        raise IngestError(f"{path} is not valid YAML: {e}") from None


def code_fingerprint() -> str:
    """The ingest code itself: a change in how text is split or charts are read rebuilds the store."""
    import assistant.lexical
    import assistant.records
    import ingest

    files = sorted(Path(ingest.__file__).parent.glob("*.py")) + [
        Path(assistant.records.__file__),
        Path(assistant.lexical.__file__),
    ]
    h = hashlib.sha256()
    for f in files:
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def corpus_hash(files: Sequence[Path], settings: Settings, emb_id: str) -> str:
    h = hashlib.sha256(
        f"schema={SCHEMA};code={code_fingerprint()};embedder={emb_id};chunk={settings.chunk_chars}".encode()
    )
    for f in sorted(set(files), key=str):
        h.update(str(f.name).encode())
        try:
            h.update(f.read_bytes())
        except OSError as e:
            raise IngestError(f"cannot read {f}: {e.strerror or e}") from None
    return h.hexdigest()


GLOSSARY_SECTIONS = (("terms", "en"), ("synonyms", "ja"), ("renderings", "renderings"), ("questions", "questions"))


def load_glossary(files: Sequence[Path]) -> dict[str, dict[str, list[str]]]:
    """{"en": English phrase -> Japanese terms, "ja": Japanese paraphrase -> the report's words,
    "renderings": passage -> English, "questions": passage -> questions that passage answers}."""
    out: dict[str, dict[str, list[str]]] = {lang: {} for _, lang in GLOSSARY_SECTIONS}
    for p in files:
        data = _read_yaml(p)
        if not isinstance(data, dict) or not any(isinstance(data.get(k), dict) for k, _ in GLOSSARY_SECTIONS):
            raise IngestError(f"{p}: a glossary needs one of the mappings {', '.join(k for k, _ in GLOSSARY_SECTIONS)}")
        for key, lang in GLOSSARY_SECTIONS:
            section = data.get(key) or {}
            if not isinstance(section, dict):
                raise IngestError(f"{p}: '{key}' must be a mapping")
            for k, v in section.items():
                out[lang][str(k).lower() if lang == "en" else str(k)] = [
                    str(x) for x in (v if isinstance(v, list) else [v])
                ]
    return out


def build_corpus(sources: Sequence[Source], settings: Settings, glossary_files: Sequence[Path] = ()) -> Corpus:
    """Load, split, chunk and validate; raises IngestError naming the file, chart or value."""
    chunks: list[Chunk] = []
    charts: list[Chart] = []
    for src in sources:
        raw = load(src.path)
        sections = split_sections(raw, intro_title=src.info.title if src.info.title != src.path.stem else "はじめに")
        titles = frozenset(t for t in (src.info.title, src.info.title_en) if t)
        for s in sections:
            chunks.extend(text_chunks(src.info.id, s, settings.chunk_chars, raw.has_page_numbers, titles))
        if src.tables is not None:
            doc_charts = load_tables(src.tables, src.info.id)
            validate_all(doc_charts, {s.id: s.text for s in sections})
            first_page = {s.id: (s.lines[0].page if raw.has_page_numbers and s.lines else None) for s in sections}
            chunks.extend(chart_chunks(doc_charts, first_page))
            charts.extend(doc_charts)
        log.info("%s: %d sections, %d charts", src.path.name, len(sections), len(charts))
    if not chunks:
        raise IngestError("the input has no prose or charts to index")
    ids = [c.id for c in chunks]
    if len(set(ids)) != len(ids):  # identical text twice: keep one (ids are content hashes)
        seen: set[str] = set()
        chunks = [c for c in chunks if not (c.id in seen or seen.add(c.id))]  # type: ignore[func-returns-value]
    glossary = load_glossary(glossary_files)
    prose = "".join(re.sub(r"\s+", "", c.body) for c in chunks if c.kind == "text")
    for passage in glossary["renderings"]:  # a rendering belongs to a sentence the report prints
        if re.sub(r"\s+", "", passage) not in prose:
            raise IngestError(f"glossary rendering key not found in the report text: {passage!r}")
    sentences = [re.sub(r"\s+", "", x) for c in chunks if c.kind == "text" for x in c.sentences]
    for passage in glossary["questions"]:  # questions belong to exactly one sentence the report prints
        key = re.sub(r"\s+", "", passage)
        if sum(key in x for x in sentences) != 1:
            raise IngestError(f"questions key must name exactly one sentence of the report: {passage!r}")
    return Corpus([s.info for s in sources], chunks, charts, glossary)


def ingest(
    paths: Sequence[Path], settings: Settings, *, force: bool = False, progress: Progress | None = None
) -> IngestResult:
    inputs = discover(paths)
    emb = make_embedder(settings.embedder, settings.threads)
    chash = corpus_hash(inputs.files, settings, embedder_id(emb))
    build = current_build(settings.store)
    if build is not None and not force:
        try:
            m = read_manifest(build)
            if m.corpus_hash == chash and m.schema == SCHEMA:
                log.info("store %s is up to date (%s)", settings.store, build.name)
                return IngestResult("unchanged", build, m)
        except (OSError, ValueError, TypeError, KeyError):
            log.warning("the current build at %s is unreadable; rebuilding", build)
    started = time.time()
    corpus = build_corpus(inputs.sources, settings, inputs.glossaries)
    tokenizer = SudachiTokenizer()
    lexical = [tokenizer.tokens(c.text) for c in corpus.chunks]
    texts = [c.text for c in corpus.chunks]
    vectors, embedded = embed_chunks(
        settings.store,
        embedder_id(emb),
        lambda: make_embedder(settings.embedder, 1),
        texts,
        settings.ingest_workers,
    )
    log.info("embedded %d of %d chunks (the rest unchanged, from the store's cache)", embedded, len(texts))
    if progress:
        progress("embed", len(texts), len(texts))
    manifest = BuildManifest(
        schema=SCHEMA,
        embedder=embedder_id(emb),
        corpus_hash=chash,
        chunk_count=len(corpus.chunks),
        chart_count=len(corpus.charts),
        built_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        seconds=0.0,
    )
    path = write_build(settings, corpus, lexical, vectors, manifest, started)
    return IngestResult("built", path, read_manifest(path))
