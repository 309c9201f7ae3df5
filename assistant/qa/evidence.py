"""Step 2's verdict for planning: which chart the evidence points to and whether it is well
supported, the headline figure, and where one request of a question ends and the next begins."""

from __future__ import annotations

import re

from assistant.qa.analysis import Analysis
from assistant.qa.compose.charts import CHART_THRESHOLD, pick_chart
from assistant.qa.cues import compiled as compiled_cues
from assistant.qa.lexicon import generic_ja

ROW_THRESHOLD = 0.5
META_CUES = frozenset({"period", "respondents", "publisher", "author", "title", "about", "structure"})
# where one request ends and the next begins: 「AとBを教えて」 is one, 「Aの件数と、Bは？」 two
CLAUSE_BREAK = re.compile(
    r"[。?？!！]|(?<=[\u3400-\u9fff\u30a0-\u30ffか0-9])と、|(?<=[^っ][てで])、|、(?:あと|それと|それから|また|ついでに|さらに)|(?:,\s*|\s)and\s+(?:also\s+)?(?=what|how|which|is|are|was|were|has|have|do|does|did|the|by|for|among)|;"
)
MAX_CLAUSES = 4


def headline_figure(a: Analysis) -> bool:
    """「今年の数字は？」「what's the number?」: a figure asked about nothing but the report's own
    subject (no chart's words, nothing the report lacks); the report's first chart, its headline,
    answers it."""
    # 「受けたことある会社とない会社、どっちが多い？」: a comparison or ranking of the subject's own status
    asks_figure = bool(a.cues & {"figure", "comparison", "ranking"}) or a.asks.get("value", 0.0) >= 0.5
    return (
        asks_figure
        and not a.chart_scores
        and not a.unknown
        and not a.cues & (META_CUES | {"measure", "outcome", "trend", "named", "concept", "why"})
        and all(t in generic_ja() for t in a.terms)
    )


def chart_evidence(a: Analysis) -> tuple[str | None, bool, bool]:
    """(chart, has a row or derived figure named, the chart is well supported)."""
    chart_id, score = pick_chart(a)
    if chart_id is None:
        return None, False, False
    own = [m for m in a.matches if any(o.chart == chart_id for o in m.owners)]
    if "why" in a.cues and own and all(_asks_why(m.phrase) for m in own):
        return chart_id, False, False  # 「…に切り替えた理由は？」: the word that asks why names no chart of reasons
    has_topic = any(o.chart == chart_id and o.kind in ("topic", "why") for m in a.matches for o in m.owners)
    has_row = bool(a.rows.get(chart_id) or a.derived.get(chart_id))
    # a row asked for as a figure is evidence enough, even through a paraphrase several charts share
    enough = score >= CHART_THRESHOLD or (has_row and "figure" in a.cues and score >= ROW_THRESHOLD)
    if not enough:
        return chart_id, False, False
    # a label alone does not answer a question about something else; one odd word beside a figure asked is no such thing
    asks_figure = bool(a.cues & {"figure", "share", "ranking"})
    strict_vocab = a.lang == "ja" and (len(set(a.unknown)) >= 2 or (bool(a.unknown) and not asks_figure))
    return chart_id, has_row, has_topic or (has_row and not strict_vocab)


def _asks_why(phrase: str) -> bool:
    cues = compiled_cues()
    return bool(cues.ja["why"].fullmatch(phrase.replace(" ", "")) or cues.en["why"].fullmatch(phrase.lower()))
