"""The report: `summarize` turns `Measurements` into the summary (the --json output) and
`format_report` prints it; every table of the bench is printed here."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from typing import Any

from assistant.bench.common import Measurements, latency_stats, share
from assistant.bench.retrieval import LANGS, best_setting, section_at, wkey
from assistant.bench.startup import COLD_RUNS
from assistant.loadtest import format_load

NAMES = {"ours": "assistant", "baseline": "naive RAG"}


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
        "understanding_ms": latency_stats(m.understand_ms),
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
        "rebuild_s": round(m.rebuild_s, 2) if m.rebuild_s is not None else None,
        "load": m.load,
        "notes": m.notes,
    }


# issue 11's targets: (label, unit, ours, baseline, target, met) rows of the headline table
def headline(s: dict[str, Any]) -> list[list[Any]]:
    lat, cold, ing, mem = s["latency_ms"], s["cold_start_s"], s["ingest_s"], s["memory_mb"]
    load = s.get("load") or {}
    ours_load = [v for k, v in load.items() if k.startswith("assistant") and "Chroma" not in k]
    best = max(ours_load, key=lambda v: v.get("answers_per_s") or 0, default=None)
    base = next((v for k, v in load.items() if not k.startswith("assistant")), None)

    def get(d: dict[str, Any] | None, *keys: str) -> Any:
        for k in keys:
            d = d.get(k) if isinstance(d, dict) else None
        return d

    def row(label: str, ours: Any, baseline: Any, target: str, ok: bool | None) -> list[Any]:
        return [label, ours, baseline, target, "-" if ok is None else ("yes" if ok else "NO")]

    def at_most(x: Any, bound: float) -> bool | None:
        return None if x is None else x <= bound

    rows = [
        row(
            "warm latency p95 (ms)",
            lat["ours"]["p95"],
            lat["baseline"]["p95"],
            "<= 15",
            at_most(lat["ours"]["p95"], 15),
        ),
        row("warm latency p50 (ms)", lat["ours"]["p50"], lat["baseline"]["p50"], "", None),
        row(
            "understanding, 2,000 chars + 10 turns: p95 (ms)",
            get(s.get("understanding_ms"), "p95"),
            None,
            "<= 50",
            at_most(get(s.get("understanding_ms"), "p95"), 50),
        ),
        row(
            "cold start, CLI (s)",
            get(cold, "ours", "median"),
            get(cold, "baseline", "median"),
            "<= 1.2",
            at_most(get(cold, "ours", "median"), 1.2),
        ),
        row(
            "ingest, empty store (s)",
            get(ing, "ours", "seconds"),
            get(ing, "baseline", "seconds"),
            "<= 5",
            at_most(get(ing, "ours", "seconds"), 5),
        ),
        row("ingest again, nothing changed (s)", s.get("rebuild_s"), None, "", None),
        row(
            "peak memory answering (MB)",
            mem.get("answer:ours"),
            mem.get("answer:baseline"),
            "<= 200",
            at_most(mem.get("answer:ours"), 200),
        ),
    ]
    if best is not None:
        ok = (best.get("answers_per_s") or 0) >= 250 and best.get("errors") == 0
        rows.append(
            row("load, 50 clients: answers/s", best.get("answers_per_s"), get(base, "answers_per_s"), ">= 250", ok)
        )
        rows.append(
            row(
                "load, 50 clients: p95 (ms)",
                best.get("p95_ms"),
                get(base, "p95_ms"),
                "<= 400",
                at_most(best.get("p95_ms"), 400),
            )
        )
        mems = best.get("memory_mb") or []
        rows.append(row("memory per server worker (MB)", " ".join(str(x) for x in mems) or None, None, "", None))
    return rows


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
    out += _table(
        "Summary: the assistant beside the naive RAG baseline, from this run, against the targets",
        ["measure", "assistant", "naive RAG", "target", "met"],
        headline(s),
    )
    out += [f"note: {n}" for n in s["notes"]]
    return "\n".join(line.rstrip() for line in out).rstrip() + "\n"
