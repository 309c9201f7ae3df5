"""The bench's pure parts: section@k, percentiles, the baseline splitter and its chunk→section
mapping, and the summary/report shape. No store is built and nothing is timed."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.bench.baseline import chunk_section, split_text
from assistant.bench.common import Measurements, latency_stats
from assistant.bench.report import format_report, summarize
from assistant.bench.retrieval import first_rank, section_at
from assistant.index import Hit


def test_first_rank_and_section_at_k_on_fake_hits() -> None:
    chunk_sections = ["intro", "1-1", "1-2", "1-3"]
    hits = [Hit(2, 0.9, 0, 1), Hit(1, 0.5, 1, 0), Hit(3, 0.1, None, 2)]
    ranked = [chunk_sections[h.chunk] for h in hits]
    assert first_rank(ranked, "1-2") == 0
    assert first_rank(ranked, "1-1") == 1
    assert first_rank(ranked, "1-3") == 2
    assert first_rank(ranked, "intro") is None
    ranks = [0, 1, 2, None]
    assert section_at(ranks, 1) == 0.25
    assert section_at(ranks, 3) == 0.75
    assert section_at([], 1) is None


def test_latency_stats_percentiles() -> None:
    stats = latency_stats([float(x) for x in range(1, 101)])
    assert stats == {"n": 100, "p50": 50.5, "p95": 95.05, "max": 100.0}
    assert latency_stats([7.0]) == {"n": 1, "p50": 7.0, "p95": 7.0, "max": 7.0}
    assert latency_stats([]) == {"n": 0, "p50": None, "p95": None, "max": None}


def test_split_text_respects_size_and_overlaps() -> None:
    lines = [f"{i:02d}行目の文章です。" for i in range(40)]  # 10 characters each
    chunks = split_text("\n\n".join(lines), size=60, overlap=15)
    assert all(len(c) <= 60 for c in chunks)
    assert chunks[0].startswith("00行目") and chunks[-1].endswith("39行目の文章です。")
    for a, b in zip(chunks, chunks[1:], strict=False):  # each chunk repeats the previous one's last line
        assert a.splitlines()[-1] == b.splitlines()[0]
    assert split_text("x" * 130, size=50, overlap=0) == ["x" * 50, "x" * 50, "x" * 30]


def test_chunk_section_maps_by_first_sentence() -> None:
    sections = {
        "intro": "伴走支援とは、経営者と第三者が\n継続的に対話を重ねる取り組みです。",
        "1-1": "伴走支援を受けている企業は\n37.1%であった。一方で半数以上は受けていない。",
    }
    # starts mid-sentence and wraps differently: the first sentence is still found in 1-1
    assert chunk_section("業は37.1%であった。\n\n一方で半数以上は", sections) == "1-1"
    assert chunk_section("伴走支援とは、経営者と\n第三者が継続的に対話を重ねる", sections) == "intro"
    assert chunk_section("報告書にない文章がここにあります。", sections) is None
    # a too-short first piece is skipped in favour of the next sentence
    assert chunk_section("す。伴走支援を受けている企業は37.1%", sections) == "1-1"


def fake_measurements() -> Measurements:
    m = Measurements(
        machine={"cpus": 2, "python": "3.11.7"},
        defaults={"ja": (0.75, 0.25), "en": (0.35, 0.65)},
        default_chunk=500,
    )
    m.ranks[500] = {
        "ja": {"1.00/0.00": [0, 1, None], "0.75/0.25": [0, 0, 2], "0.00/1.00": [1, 2, 0]},
        "en": {"0.50/0.50": [0, 0], "0.35/0.65": [0, 1]},
    }
    m.build_s[500] = 11.8
    m.chunk_counts[500] = 23
    m.ours_ms = [2.0, 3.0, 30.0]
    m.understand_ms = [12.0, 20.0, 61.0]
    m.baseline_ms = [25.0, 27.0, 40.0]
    m.ours_ranks = {"ja": [0, 0, 2], "en": [0, 1]}
    m.baseline_ranks = {"ja": [0, None, 2], "en": [None, 1]}
    m.ours_figures = [True, True, False]
    m.baseline_figures = [True, False, False]
    m.figures_followup = [False, False, True]
    m.cold_s = {"ours": [1.8, 1.7, 1.72], "baseline": [1.6, 1.5, 1.55]}
    m.rss_kb = {"answer:ours": [300_000, 310_000, 305_000], "answer:baseline": [250_000] * 3, "ingest:ours": [400_000]}
    m.ingest_s = {"baseline": 10.7, "ours": 11.8}
    m.ingest_chunks = {"baseline": 18, "ours": 23}
    load = {"clients": 50, "requests": 2000, "completed": 2000, "errors": 0, "answers_per_s": 300.0, "p50_ms": 80.0}
    load["max_ms"] = 900.0
    m.load = {
        "assistant, 1 worker": {**load, "p50_ms": 80.0, "p95_ms": 190.0, "max_ms": 900.0, "memory_mb": [250.0]},
        "assistant, 2 workers": {**load, "answers_per_s": 600.0, "p95_ms": 120.0, "memory_mb": [250.0, 260.0]},
        "naive RAG, 1 process": {**load, "answers_per_s": 40.0, "p95_ms": 2000.0},
    }
    m.rebuild_s = 1.04
    return m


def test_summary_has_every_section_and_picks_the_best_setting() -> None:
    s = summarize(fake_measurements())
    assert set(s) == {
        "machine",
        "retrieval",
        "latency_ms",
        "understanding_ms",
        "quality",
        "cold_start_s",
        "ingest_s",
        "memory_mb",
        "rebuild_s",
        "load",
        "notes",
    }
    assert set(s["retrieval"]) == {"grid", "best", "current", "build_s", "chunks"}
    assert {r["lang"] for r in s["retrieval"]["grid"]} == {"ja", "en"}
    best_ja = s["retrieval"]["best"]["ja"]
    assert (best_ja["bm25"], best_ja["dense"], best_ja["s@1"], best_ja["s@3"]) == (0.75, 0.25, 0.6667, 1.0)
    assert s["retrieval"]["current"]["en"]["default"] is True
    assert s["retrieval"]["best"]["en"]["bm25"] == 0.5  # higher section@1 than the current 0.35/0.65
    assert s["latency_ms"]["ours"] == {"n": 3, "p50": 3.0, "p95": 27.3, "max": 30.0}
    assert s["understanding_ms"]["n"] == 3 and s["understanding_ms"]["max"] == 61.0
    q = s["quality"]
    assert q["section@1"]["baseline"] == {"ja": 0.3333, "en": 0.0}
    assert q["figures_all"]["ours"]["rate"] == 0.6667
    assert q["figures_no_history"]["baseline"] == {"items": 2, "ok": 1, "rate": 0.5}
    assert s["cold_start_s"]["ours"]["median"] == 1.72
    assert list(s["ingest_s"]) == ["ours", "baseline"]
    assert s["memory_mb"]["answer:ours"] == round(305_000 / 1024, 1)
    json.dumps(s)  # the --json output is plain JSON


def test_report_prints_every_table() -> None:
    text = format_report(summarize(fake_measurements()))
    for heading in (
        "Machine: cpus 2",
        "Retrieval quality",
        "Answer latency",
        "Quality against",
        "Cold start",
        "Ingest",
        "Memory",
        "Load: clients asking at once",
        "Summary: the assistant beside the naive RAG baseline",
    ):
        assert heading in text
    assert "best ja:    chunk 500, BM25/dense 0.75/0.25" in text
    assert "naive RAG" in text and text.endswith("\n")
    summary = text[text.index("Summary:") :].splitlines()
    rows = {line.split("  ")[0]: line for line in summary[3:]}
    assert "600.0" in rows["load, 50 clients: answers/s"] and rows["load, 50 clients: answers/s"].rstrip().endswith(
        "yes"
    )
    assert rows["cold start, CLI (s)"].rstrip().endswith("NO")  # 1.72 s against a 1.2 s target
    assert rows["warm latency p95 (ms)"].rstrip().endswith("NO") and "1.04" in rows["ingest again, nothing changed (s)"]
    assert "250.0 260.0" in rows["memory per server worker (MB)"]
    assert rows["understanding, 2,000 chars + 10 turns: p95 (ms)"].rstrip().endswith("NO")  # 56.9 against 50


def test_a_small_load_run_serves_every_request_and_stops_its_server(tmp_path: Path) -> None:
    """The load section end to end, kept small: 4 clients x 5 questions against a hash store."""
    import os
    import sys

    from assistant.loadtest import DEFAULT_QUESTIONS, format_load, run_load
    from assistant.settings import load_settings
    from ingest.pipeline import ingest

    store = tmp_path / "store"
    ingest([Path(__file__).resolve().parents[1] / "corpus"], load_settings(env={}, store=store, embedder="hash"))
    env = {**os.environ, "BANSOU_EMBEDDER": "hash", "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "assistant.loadtest", "serve", "--store", str(store)]
    r = run_load(cmd, env, DEFAULT_QUESTIONS, clients=4, per_client=5)
    assert r["requests"] == r["completed"] == 20 and r["errors"] == 0
    assert r["answers_per_s"] > 0 and r["p50_ms"] <= r["p95_ms"] <= r["max_ms"]
    table = "\n".join(format_load({"assistant": r}))
    assert "answers/s" in table and "assistant" in table
