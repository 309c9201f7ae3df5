"""Terms the report uses without explaining them. A definition request for a term that is only a
chart's label (「認定支援機関ってどういう制度？」), or the expansion of an abbreviation the report
never spells out (「GXってなんの略？」), is answered by saying so, from evidence in the text."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.qa.analysis import Analysis
from assistant.qa.compose.charts import chart_answer
from assistant.qa.compose.context import AnswerContext
from assistant.qa.compose.meta import abstain
from assistant.qa.plan import QUANTITY_CUES
from assistant.records import Answer

CORE = re.compile(r"[（(]※?\d*[)）]")  # 課題解決型(※1) is 課題解決型
ACRONYM = re.compile(r"(?<![A-Za-z])[A-Z]{2,6}(?![A-Za-z])")


def term_gap(ctx: AnswerContext, a: Analysis) -> tuple[str, str] | None:
    """("abbreviation", "GX") or ("undefined", "認定支援機関") when the report does not explain what
    is asked; None when it may."""
    if "abbreviation" in a.cues:
        m = ACRONYM.search(a.text)
        if m is not None and not _spelled_out(ctx, m.group(0)):
            return "abbreviation", m.group(0)
    label = _only_a_label(ctx, a)
    return ("undefined", label) if label is not None else None


def _spelled_out(ctx: AnswerContext, term: str) -> bool:
    """Does the report write out what `term` stands for: 「GX（グリーン…）」, "Green Transformation (GX)", 「…の略」?"""
    near = re.compile(rf"{term}\s*[（(][^)）]{{2,}}|[A-Za-z ]{{6,}}[（(]{term}[)）]|{term}[^。]{{0,20}}の略")
    return any(near.search(x.text) for x in ctx.sentences)


def _only_a_label(ctx: AnswerContext, a: Analysis) -> str | None:
    """A plain definition request for one chart row whose label the report's prose never uses
    (「認定支援機関ってどういう制度？」, "what's a certified support institution?"): nothing in the
    report explains it. Returns the label as the asker reads it."""
    if "concept" not in a.cues or a.cues & {"opinion", "why"} or a.asks.get("concept", 0.0) < 0.9:
        return None
    rows = {
        (CORE.sub("", r.label), r.label_en)
        for cid, keys in a.rows.items()
        for r in ctx.index.charts[cid].rows
        if r.key in keys or r.label in keys
    }
    if len(rows) != 1:
        return None
    label, label_en = next(iter(rows))
    if not label or any(label in x.text for x in ctx.sentences):
        return None
    return f"{label_en} ({label})" if a.lang == "en" and label_en else label


def undefined_answer(ctx: AnswerContext, a: Analysis, chart_id: str | None) -> Answer:
    """Say the report does not explain the term; give what it has on it (its figure), as context."""
    gap = term_gap(ctx, a)
    said = abstain(ctx, a, reason="undefined", detail=gap[1] if gap is not None else a.subject or "")
    if chart_id is None or not a.rows.get(chart_id):
        return said
    figures = chart_answer(ctx, replace(a, cues=a.cues - {"concept"}), chart_id)
    if figures.abstained:
        return said
    lead = said.answer.split("報告書で近いテーマ")[0].split(" Closest topics")[0]
    counted = bool(a.cues & QUANTITY_CUES)  # 「…って何？あと何件？」: the count was asked too, and is answered
    text = f"{lead} {figures.answer}" if a.lang == "en" else lead + figures.answer
    return replace(figures, answer=text, abstained=not counted)
