"""Why questions about a chart: the report's reading of the figures after them, or a plain note
that the report states a fact without giving its reason."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from assistant.index import Hit
from assistant.qa.analysis import Analysis
from assistant.qa.compose.context import AnswerContext
from assistant.qa.compose.merge import merge_answers
from assistant.qa.compose.text import REASONS, VIEWS, concept
from assistant.records import Answer


def says_no_reason(a: Analysis, ans: Answer) -> Answer:
    """「60代以上はなぜ少ない？」: the report states the fact but gives no reason; say so rather than
    let the description pass for an explanation."""
    quotes = [c.quote for c in ans.citations if c.chart is None]
    if not quotes or any(REASONS.search(q) or VIEWS.search(q) for q in quotes):
        return ans
    note = (
        " The report states this but does not say why."
        if a.lang == "en"
        else "なお、その理由は報告書に記載がありません（述べられているのは上の事実だけです）。"
    )
    return replace(ans, answer=ans.answer.rstrip() + note)


def with_reading(ctx: AnswerContext, a: Analysis, main: Answer, hits: Callable[[], list[Hit]], section: str) -> Answer:
    """「まだ受けていないのはなぜ？」 on a chart of reasons: its figures, then the report's reading of
    them (「…イメージしにくい」「投資対効果…」) when its text gives one the figures do not."""
    said = main.answer + "".join(c.quote for c in main.citations)
    reading = concept(
        ctx,
        a,
        hits,
        strict=False,
        section=section,
        need=0.4,
        avoid=lambda s: s.text in said or bool(re.search(r"\d", s.text)),  # no second restatement of figures
    )
    if reading is None or reading.abstained or not reading.citations:
        return main
    return merge_answers(a, [main, reading], kind=main.kind)
