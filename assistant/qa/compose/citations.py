"""Citations: a chart's printed figures, or the report's own sentences, as the source of a claim."""

from __future__ import annotations

from assistant.qa.compose.context import AnswerContext, SentenceRef
from assistant.records import Chart, Citation, Row, fmt_value

ELLIPSIS = "（中略）"


def chart_citation(ctx: AnswerContext, n: int, chart: Chart, rows: list[Row], lang: str) -> Citation:
    shown = rows or list(chart.rows)
    parts = []
    for r in shown:
        if chart.is_crosstab:
            cells = "、".join(f"{c.label} {fmt_value(r.values[c.key], chart.unit)}" for c in chart.columns)
            parts.append(f"{r.label}：{cells}")
        else:
            parts.append(
                f"{r.label} {fmt_value(r.values['value'], chart.unit) if r.values['value'] is not None else '（数値なし）'}"
            )
    quote = f"◼ {chart.title}（{chart.base.label('ja')}）: " + " / ".join(parts)
    chunk = next((c for c in ctx.index.chunks if c.chart_id == chart.id), None)
    return Citation(
        n=n,
        doc=chart.doc,
        section=chart.section,
        title=chart.title,
        quote=quote,
        page=chunk.page if chunk else None,
        chart=chart.id,
        base=chart.base.label("ja"),
        period=chart.period,
    )


def joined(ctx: AnswerContext, sents: list[SentenceRef]) -> str:
    """The sentences as one quote, with 「（中略）」 where the report has sentences between them."""
    where = {id(s): i for i, s in enumerate(ctx.sentences)}
    out = []
    for i, s in enumerate(sents):
        if i and where.get(id(s), -1) != where.get(id(sents[i - 1]), -2) + 1:
            out.append(ELLIPSIS)
        out.append(s.text)
    return "".join(out)


def text_citation(ctx: AnswerContext, n: int, sents: list[SentenceRef]) -> Citation:
    chunk = ctx.index.chunks[sents[0].chunk]
    return Citation(
        n=n,
        doc=chunk.doc,
        section=chunk.section,
        title=ctx.section_titles.get(chunk.section, chunk.title),
        quote=joined(ctx, sents),
        page=chunk.page,
        chart=None,
        base=None,
        period=ctx.doc.period_label,
    )
