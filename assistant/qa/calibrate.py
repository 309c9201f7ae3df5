"""Choose the evidence threshold for the last-resort answer from the report's text, on labelled
questions (in scope vs out of scope), and print the curve.

    python -m assistant.qa.calibrate tests/qa.jsonl tests/data/*.jsonl [--write]

For every labelled question that the engine refuses with the fallback switched off, the score is
the best coverage a report passage reaches (`score_sentences`). A threshold t answers those
with score ≥ t: answerable ones become answers (good), out-of-scope ones become false answers
(bad). The chosen t is the lowest with no false answer on the labelled data, plus a margin; when no
threshold separates the two (measured so far: none does), the fallback stays off (1.01).

A second curve is over every labelled question: the closeness of the question to the questions a
report sentence answers (corpus/questions.yaml, `PassageIndex`). From `passage_sure` up, that
closeness alone is evidence that the report speaks to the question, enough to quote it when its
words are only the report's subject (「伴走支援」「企業」) or are words the report never uses. The
chosen value is the lowest on the grid that at most 1 % of the out-of-scope questions reach.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from assistant.eval import read_items
from assistant.records import Turn
from assistant.settings import load_settings

GRID = [round(0.30 + 0.05 * i, 2) for i in range(15)]
MARGIN = 0.05
PROSE_KINDS = ("concept", "why", "advice")
OUT_OF_SCOPE_RATE = 0.01  # the share of out-of-scope questions that may reach passage_sure


def scores(paths: Sequence[Path], store: Path | None) -> list[tuple[float, bool, str]]:
    from assistant.engine import Engine
    from assistant.qa.compose.text import score_sentences

    engine = Engine.open(load_settings(store=store))
    ctx = engine.composer.context
    engine.composer.context = replace(ctx, fallback_need=float("inf"))  # the refusals without the fallback
    out = []
    for item in read_items(paths):
        answer = engine.ask(item["question"], item.get("history", []))
        if not answer.abstained or answer.citations:  # deferred topics cite the report: not this step
            continue
        turns = [Turn.coerce(t) for t in item.get("history", [])]
        a = engine._analyze_step({"question": item["question"], "history": turns})
        hits = engine.index.search(a.text, a.tokens, a.lang) if a.text.strip() else []
        scored = score_sentences(ctx, a, hits)
        out.append((max((c for _s, c, _r in scored), default=0.0), bool(item["answerable"]), item["id"]))
    return out


def passage_points(paths: Sequence[Path], store: Path | None) -> list[tuple[float, bool, str]]:
    """(closeness to the nearest sentence's questions, answerable prose question?, id) for every
    prose question and every out-of-scope one."""
    from assistant.engine import Engine

    engine = Engine.open(load_settings(store=store))
    passages = engine.composer.context.passages
    out = []
    for item in read_items(paths):
        prose = bool(item["answerable"]) and item.get("kind") in PROSE_KINDS
        if passages is None or not (prose or not item["answerable"]):
            continue
        turns = [Turn.coerce(t) for t in item.get("history", [])]
        a = engine._analyze_step({"question": item["question"], "history": turns})
        out.append((float(passages.scores(a.text).max(initial=0.0)), prose, item["id"]))
    return out


def choose_sure(points: list[tuple[float, bool, str]]) -> float:
    out = [s for s, ok, _ in points if not ok]
    for t in GRID:
        if sum(s >= t for s in out) <= OUT_OF_SCOPE_RATE * len(out):
            return t
    return 1.01


def curve(points: list[tuple[float, bool, str]]) -> list[tuple[float, int, int]]:
    """(threshold, answerable questions it recovers, out-of-scope questions it would answer)."""
    return [
        (t, sum(1 for s, ok, _ in points if ok and s >= t), sum(1 for s, ok, _ in points if not ok and s >= t))
        for t in GRID
    ]


def choose(points: list[tuple[float, bool, str]]) -> float:
    """The lowest threshold that answers no out-of-scope question, plus a margin; 1.01 (off) if none does."""
    worst_out = max((s for s, ok, _ in points if not ok), default=0.0)
    return round(worst_out + MARGIN, 2) if worst_out + MARGIN <= 1.0 else 1.01


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m assistant.qa.calibrate")
    p.add_argument("qa", nargs="+", type=Path)
    p.add_argument("--store", type=Path)
    p.add_argument("--write", action="store_true", help="write the chosen threshold to assistant/data/calibration.yaml")
    args = p.parse_args(argv)
    points = scores(args.qa, args.store)
    print(
        f"{len(points)} refused questions: {sum(ok for _, ok, _ in points)} answerable, {sum(not ok for _, ok, _ in points)} out of scope"
    )
    print("threshold  recovered  false-answers")
    for t, good, bad in curve(points):
        print(f"{t:9.2f}  {good:9d}  {bad:13d}")
    need = choose(points)
    print(
        f"chosen: {need} ({'off: no threshold separates them' if need > 1 else 'highest out-of-scope score + margin'})"
    )
    near = passage_points(args.qa, args.store)
    prose, out = sum(ok for _, ok, _ in near), sum(not ok for _, ok, _ in near)
    print(f"closeness to a sentence's questions: {prose} prose questions, {out} out of scope")
    print("threshold  prose-reaching  out-of-scope-reaching")
    near_rows = [
        (t, sum(ok and s >= t for s, ok, _ in near), sum(not ok and s >= t for s, ok, _ in near)) for t in GRID
    ]
    for t, good, bad in near_rows:
        print(f"{t:9.2f}  {good:14d}  {bad:20d}")
    sure = choose_sure(near)
    print(f"chosen passage_sure: {sure}")
    if args.write:
        target = Path(__file__).resolve().parents[1] / "data" / "calibration.yaml"
        rows = "\n".join(f"#   {t:.2f}  {g:3d} recovered  {b:3d} false answers" for t, g, b in curve(points))
        near_text = "\n".join(f"#   {t:.2f}  {g:4d} prose  {b:3d} out of scope" for t, g, b in near_rows)
        target.write_text(
            "# Written by `python -m assistant.qa.calibrate` on the labelled QA sets. The coverage a report\n"
            "# passage needs before a question the grammar could not place is answered from the text.\n"
            f"# {len(points)} refused questions; the curve:\n{rows}\nfallback_need: {need}\n"
            "# The closeness to the questions a sentence answers from which that alone shows the report\n"
            f"# speaks to a question: at most {OUT_OF_SCOPE_RATE:.0%} of the out-of-scope questions reach it.\n"
            f"# {prose} answerable prose questions, {out} out of scope; how many reach each value:\n"
            f"{near_text}\npassage_sure: {sure}\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
