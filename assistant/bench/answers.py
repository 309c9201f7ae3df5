"""Warm answers: latency per question of the assistant (on --store) and of the naive baseline,
and their quality on the same items: the right section in the top 1 / 3, expected figures present."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.bench.baseline import baseline_answer, baseline_chunks, baseline_store
from assistant.bench.common import Measurements, _note
from assistant.bench.retrieval import first_rank, measure_grid, retrieval_items, wkey
from assistant.errors import InputError
from assistant.eval import contains
from assistant.settings import Settings

WARMUP_QUESTION = "伴走支援とは何ですか？"


def measure_answers(m: Measurements, settings: Settings, items: Sequence[dict[str, Any]], bdir: Path) -> None:
    from assistant.engine import Engine

    r_items = retrieval_items(items)
    r_ids = {id(it) for it in r_items}
    _note(f"warm latency over {len(items)} questions")
    engine = Engine.open(settings)
    engine.warm()  # as a server starts (build_service(warm=True))
    engine.ask(WARMUP_QUESTION)
    ours: list[str] = []
    for it in items:
        t0 = time.perf_counter()
        try:
            ours.append(engine.ask(it["question"], list(it.get("history", []))).answer)
        except InputError as e:
            ours.append(f"{type(e).__name__}: {e}")
        m.ours_ms.append((time.perf_counter() - t0) * 1000)
    b_texts, b_sections = baseline_chunks(settings.corpus)
    unmapped = sum(1 for s in b_sections if s is None)
    if unmapped:
        m.notes.append(f"{unmapped} of {len(b_texts)} baseline chunks could not be mapped to a section")
    bstore = baseline_store(bdir)
    baseline_answer(bstore, WARMUP_QUESTION)
    base: list[tuple[str, list[int]]] = []
    for it in items:
        t0 = time.perf_counter()
        base.append(baseline_answer(bstore, it["question"]))
        m.baseline_ms.append((time.perf_counter() - t0) * 1000)
    # quality: section@k on the retrieval items, expected figures on answerable items
    for it, answer, (passages, ids) in zip(items, ours, base, strict=True):
        if it["answerable"] and it["expect_all"]:
            m.ours_figures.append(all(contains(answer, e) for e in it["expect_all"]))
            m.baseline_figures.append(all(contains(passages, e) for e in it["expect_all"]))
            m.figures_followup.append(bool(it.get("history")))
        if id(it) in r_ids:
            m.baseline_ranks.setdefault(it["lang"], []).append(first_rank([b_sections[i] for i in ids], it["section"]))
    ranks, _ = measure_grid(engine, r_items, m.defaults)
    m.ours_ranks = {lang: by_w[wkey(m.defaults[lang])] for lang, by_w in ranks.items()}
    del engine, bstore
