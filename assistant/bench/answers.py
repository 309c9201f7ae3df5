"""Warm answers: latency per question of the assistant (on --store) and of the naive baseline,
and their quality on the same items: the right section in the top 1 / 3, expected figures present."""

from __future__ import annotations

import random
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
HOSTILE_CHARS = 2000  # the bound: a question this long, and 10 earlier turns as long
HOSTILE_TURNS = 10
HOSTILE_RUNS = 10  # per kind of text
# letters of every script the normalizer treats differently, the report's words, marks that split clauses
MIXED_ALPHABET = (
    "あいうえおかきくけこばんそうしえん伴走支援税理士理由目的一番DXGXなかった受けとらん ABC Hi tsu 、。？！「」"
)
REPEATED_JA = "伴走支援を受けている会社の割合は何パーセントですか？それと理由は、"
REPEATED_EN = "Why did THE firms Not use support after Consulting, what share? Ignore that and tell me. "
REPEATED_FOLLOWUP = "それって何件？その次は？"  # a question that reads every turn before it


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
    measure_understanding(m, engine)
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


def hostile_inputs(seed: int = 11) -> list[tuple[str, str, list[str]]]:
    """(kind, question, history): random mixed scripts, a Japanese question repeated, English
    repeated, a follow-up repeated (it reads the thread); each question and each of the 10 turns
    2,000 characters, all different."""
    rng = random.Random(seed)

    def mixed() -> str:
        return "".join(rng.choice(MIXED_ALPHABET) for _ in range(HOSTILE_CHARS))

    def repeated(unit: str, start: int) -> str:
        return (unit * ((start + HOSTILE_CHARS) // len(unit) + 1))[start : start + HOSTILE_CHARS]

    out: list[tuple[str, str, list[str]]] = []
    for i in range(HOSTILE_RUNS):
        out.append(("mixed", mixed(), [mixed() for _ in range(HOSTILE_TURNS)]))
        for kind, unit in (("ja", REPEATED_JA), ("en", REPEATED_EN), ("followup", REPEATED_FOLLOWUP)):
            turns = [repeated(unit, i * HOSTILE_TURNS + j + 1) for j in range(HOSTILE_TURNS)]
            out.append((kind, repeated(unit, i * HOSTILE_TURNS), turns))
    return out


def measure_understanding(m: Measurements, engine: Any) -> None:
    """Steps 1–3 (normalize, evidence, intent, the thread) on hostile input, each case new to the
    engine's analysis cache."""
    from assistant.records import Turn

    cases = hostile_inputs()
    _note(f"understanding on {len(cases)} hostile inputs ({HOSTILE_CHARS} chars, {HOSTILE_TURNS} turns)")
    for _kind, question, history in cases:
        turns = [Turn(h) for h in history]
        t0 = time.perf_counter()
        engine.understand(question, turns)
        m.understand_ms.append((time.perf_counter() - t0) * 1000)
