"""One answer as the chat shows it: HTML with linked [n] markers, its own bar chart and its sources,
and the same answer as plain text for the copy button.

Pure functions, no Gradio. Every string that came from an answer, a chart or a user is
HTML-escaped here. The report's own sentences are quoted (「…」); a summary of a chart's
figures that this app put together is labelled as data, never quoted.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from assistant.records import Answer, Chart, Citation, DocumentInfo, Figure, fmt_value

_MARKER = re.compile(r"\[(\d{1,3})\]")  # no nesting, no backtracking
_DATA_PREFIX = "◼ "


@dataclass(frozen=True)
class Words:
    sources: str
    computed: str
    abstained: str
    data: str
    text: str
    copy: str
    copied: str
    to_source: str
    chart_note: str
    hit: str


JA = Words(
    sources="出典",
    computed="算出値",
    abstained="レポートに根拠がないため回答を控えました。",
    data="図表の数値（アプリで整理）",
    text="本文より",
    copy="回答をコピー",
    copied="コピーしました",
    to_source="出典{n}へ",
    chart_note="濃い色の棒：この回答で使った項目",
    hit="（回答に該当）",
)
EN = Words(
    sources="Sources",
    computed="Computed",
    abstained="Not answered: the report has no evidence for this.",
    data="Chart figures (arranged by this app)",
    text="Report text",
    copy="Copy answer",
    copied="Copied",
    to_source="to source {n}",
    chart_note="Dark bars: the rows this answer uses",
    hit=" (used in this answer)",
)


def words(lang: str) -> Words:
    return EN if lang == "en" else JA


def e(text: object) -> str:
    return html.escape(str(text), quote=True)


# --- plain text (what the copy button gives) ----------------------------------------------------


def data_summary(citation: Citation) -> str:
    """A chart citation's figures without the app's ◼ title prefix (the source line names the chart)."""
    quote = citation.quote
    if citation.chart and quote.startswith(_DATA_PREFIX) and ": " in quote:
        return quote.split(": ", 1)[1]
    return quote


def source_line(doc: DocumentInfo, citation: Citation, chart: Chart | None) -> str:
    """One pasteable line naming where a cited statement comes from: report, section, title as
    printed, base and period. No internal ids, no made-up figure numbers."""
    if chart is not None:
        return doc.citation_line(chart).removeprefix("出典：")
    period = citation.period or doc.period_label
    title = f"「{citation.title}」" if citation.title else ""
    return f"{doc.publisher}『{doc.title}』{citation.section}{title}（調査期間 {period}）"


def answer_plain(answer: Answer, doc: DocumentInfo, chart_of: Callable[[str], Chart | None]) -> str:
    """The answer, its formulas, then one line per source: text to paste into a document."""
    w = words(answer.language)
    lines = [answer.answer.strip()]
    if answer.abstained:
        lines.append(w.abstained)
    lines += [f"{w.computed}: {f.formula}" for f in answer.figures if f.formula]
    if answer.citations:
        lines += ["", f"{w.sources}:"]
        for c in answer.citations:
            chart = chart_of(c.chart) if c.chart else None
            lines.append(f"[{c.n}] {source_line(doc, c, chart)}")
            if c.chart:
                lines.append(f"    {w.data}: {data_summary(c)}")
            elif c.quote:
                lines.append(f"    {w.text}: 「{c.quote}」")
    return "\n".join(lines)


# --- HTML -----------------------------------------------------------------------------------------


def _linked(text: str, prefix: str, cited: set[int], w: Words) -> str:
    """Escaped text whose [n] markers link to the source with that number."""

    def link(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if n not in cited:
            return m.group(0)
        label = e(w.to_source.format(n=n))
        return f'<a class="cite" href="#{prefix}-s{n}" aria-label="{label}">[{n}]</a>'

    return _MARKER.sub(link, e(text))


_OPEN, _CLOSE = "「『“(（", "」』”)）"


def sentences(text: str) -> list[str]:
    """The answer cut into sentences, one per line, so the first line stays short. A sentence ends
    at 。 (or ". " in English) outside quotes and brackets; a marker right after it stays with it."""
    out: list[str] = []
    depth, start, i = 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and (ch == "。" or (ch == "." and text[i + 1 : i + 2] in (" ", "\n", ""))):
            j = i + 1
            while (m := _MARKER.match(text, j)) is not None:  # 「…です。[1]」 keeps its marker
                j = m.end()
            out.append(text[start:j])
            start, i = j, j
            continue
        elif ch == "\n":
            out.append(text[start:i])
            start = i + 1
        i += 1
    out.append(text[start:])
    return [p for p in (q.strip() for q in out) if p]


def _bar_width(value: float, top: float) -> str:
    return f"{max(0.0, min(100.0, value / top * 100)):.1f}%" if top > 0 else "0%"


def axis_top(highest: object) -> float:
    """A round axis end above the tallest value: 162 -> 180, 53.1 -> 60, 9.8 -> 10."""
    try:
        v = float(highest)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 1.0
    if not v > 0:
        return 1.0
    step = 10 ** math.floor(math.log10(v))
    for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 12):
        if m * step >= v * 1.05:
            return float(m * step)
    return float(15 * step)


def bars_html(
    chart: Chart, column: str | None, highlight: Iterable[str], lang: str, prefix: str, top: float | None = None
) -> str:
    """One series of a chart as horizontal bars, each with its label and its value as printed.

    Labels wrap instead of being rotated or cut; rows used by the answer are dark; an English
    answer gets the English labels with the Japanese printed label beside them. `top` is the end
    of the scale (a shared one for the series of a cross-tab); by default it covers this series."""
    w = words(lang)
    col = chart.column(column) if column else chart.columns[0]
    wanted = set(highlight)
    rows = [(r, r.values.get(col.key)) for r in chart.rows]
    shown = [(r, float(v)) for r, v in rows if v is not None]
    if not shown:
        return ""
    top = top or axis_top(max(v for _, v in shown))
    en = lang == "en"
    title = chart.title_en if en and chart.title_en else chart.title
    series = col.label_en if en else col.label
    base = chart.base.label("en" if en else "ja")
    caption = f"{chart.section} {title}"
    if chart.is_crosstab:
        caption += f" — {series}" if en else f"：{series}"
    caption += f" ({base})" if en else f"（{base}）"
    out = [
        f'<figure class="bars" aria-labelledby="{prefix}-cap">',
        f'<figcaption id="{prefix}-cap">{e(caption)}</figcaption>',
    ]
    for r, v in shown:
        hit = r.key in wanted or r.label in wanted
        label = e(r.label_en or r.label) if en else e(r.label)
        if en and r.label_en:
            label += f' <span class="ja" lang="ja">{e(r.label)}</span>'
        sr = f'<span class="sr-only">{e(w.hit)}</span>' if hit else ""
        out.append(
            f'<div class="bar-row{" hit" if hit else ""}"><span class="bar-label">{label}{sr}</span>'
            f'<span class="bar-track" aria-hidden="true"><span class="bar" style="width:{_bar_width(v, top)}">'
            f'</span></span><span class="bar-value">{e(fmt_value(v, chart.unit))}</span></div>'
        )
    if wanted:
        out.append(f'<p class="bars-note">{e(w.chart_note)}</p>')
    out.append("</figure>")
    return "".join(out)


def sources_block(
    doc: DocumentInfo, citations: Sequence[Citation], lang: str, prefix: str, chart_of: Callable[[str], Chart | None]
) -> str:
    if not citations:
        return ""
    w = words(lang)
    items = []
    for c in citations:
        chart = chart_of(c.chart) if c.chart else None
        where = f"{c.section}「{c.title}」" if c.title else c.section
        extra = "・".join(x for x in ((chart.base.label("ja") if chart else c.base), c.period) if x)
        head = f'<span class="src-n">[{c.n}]</span> <span class="src-where">{e(where)}</span>'
        if extra:
            head += f' <span class="src-meta">（{e(extra)}）</span>'
        if c.chart:
            body = f'<span class="src-kind">{e(w.data)}</span> {e(data_summary(c))}'
        elif c.quote:
            body = f'<span class="src-kind">{e(w.text)}</span> <q class="src-quote">{e(c.quote)}</q>'
        else:
            body = ""
        items.append(f'<li id="{prefix}-s{c.n}" tabindex="-1">{head}<br>{body}</li>')
    return (
        f'<section class="sources" aria-label="{e(w.sources)}"><p class="sources-head">{e(w.sources)}</p>'
        f"<ul>{''.join(items)}</ul></section>"
    )


def formulas_html(figures: Sequence[Figure], lang: str) -> str:
    w = words(lang)
    return "".join(f'<p class="formula">{e(w.computed)}: {e(f.formula)}</p>' for f in figures if f.formula)


def answer_html(
    answer: Answer,
    doc: DocumentInfo,
    chart_of: Callable[[str], Chart | None],
    prefix: str,
    chart: tuple[Chart, str | None, list[str]] | None = None,
) -> str:
    """The whole answer message. `prefix` makes the ids unique on the page (one per turn);
    `chart` is the chart to draw with the answer: (chart, column, highlighted rows)."""
    w = words(answer.language)
    cited = {c.n for c in answer.citations}
    out = [f'<div class="answer" lang="{"en" if answer.language == "en" else "ja"}">']
    out += [f'<p class="answer-text">{_linked(p, prefix, cited, w)}</p>' for p in sentences(answer.answer)]
    if answer.abstained:
        out.append(f'<p class="abstained">{e(w.abstained)}</p>')
    out.append(formulas_html(answer.figures, answer.language))
    if chart is not None:
        out.append(bars_html(chart[0], chart[1], chart[2], answer.language, prefix))
    out.append(sources_block(doc, answer.citations, answer.language, prefix, chart_of))
    plain = answer_plain(answer, doc, chart_of)
    out.append(
        f'<button type="button" class="copy-plain" data-copy="{e(plain)}" data-done="{e(w.copied)}">'
        f"{e(w.copy)}</button>"
    )
    out.append("</div>")
    return "".join(out)
