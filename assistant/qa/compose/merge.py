"""Several answers joined as one, citations renumbered in order."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.qa.analysis import Analysis
from assistant.records import Answer, Citation, Figure


def merge_answers(a: Analysis, parts: list[Answer], kind: str) -> Answer:
    """Several answers as one: texts joined, citation numbers renumbered in order."""
    citations: list[Citation] = []
    figures: list[Figure] = []
    texts: list[str] = []
    for part in parts:
        offset = len(citations)
        renumber = {c.n: c.n + offset for c in part.citations}
        texts.append(_renumber(part.answer, renumber))
        citations.extend(replace(c, n=renumber[c.n]) for c in part.citations)
        figures.extend(replace(f, cite=renumber.get(f.cite, f.cite) if f.cite else f.cite) for f in part.figures)
    text = (" " if a.lang == "en" else "").join(texts)
    charts = [c for part in parts for c in part.charts]
    return Answer(a.question, text, False, citations, figures, a.lang, kind=kind, charts=charts)


def _renumber(text: str, table: dict[int, int]) -> str:
    """[1] -> [3] when two answers are joined."""
    return re.sub(r"\[(\d+)\]", lambda m: f"[{table.get(int(m.group(1)), int(m.group(1)))}]", text)
