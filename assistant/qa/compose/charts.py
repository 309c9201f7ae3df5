"""Answers from the charts: which chart a question is about, its figures (a ranking, a row, a
cross-tab column, a comparison), its base, and two charts side by side."""

from __future__ import annotations

import re

from assistant.qa.analysis import Analysis
from assistant.qa.compose.citations import chart_citation, text_citation
from assistant.qa.compose.context import AnswerContext, SentenceRef, english_of
from assistant.qa.compose.merge import merge_answers
from assistant.qa.compose.order import by_value, ordinal, ordinals, top_n
from assistant.qa.compose.phrasing import (
    en_period,
    t_all,
    t_compare,
    t_context,
    t_crosstab_column,
    t_crosstab_row,
    t_crosstab_top,
    t_derived,
    t_missing_note,
    t_nth,
    t_ranking,
    t_row,
)
from assistant.qa.compose.ranking import REASONS, VIEWS
from assistant.qa.compose.text import support_sentence
from assistant.records import Answer, Figure, Row

CHART_THRESHOLD = 1.0


def pick_chart(a: Analysis) -> tuple[str | None, float]:
    if not a.chart_scores:
        return None, 0.0
    if "why" in a.cues:
        why = {o.chart for m in a.matches for o in m.owners if o.kind == "why"}
        top, best = a.best_chart()
        # a chart of reasons answers "why" unless another chart is named far more strongly by other
        # words (「60代以上で使う人が少ないのはなぜ？」 is about the age chart, not the reasons for using);
        # 「受けていない企業…それはなぜ？」 names the reasons' own measure, so the reasons still answer
        why_spans = [(m.start, m.end) for m in a.matches if any(o.kind == "why" for o in m.owners)]
        same_words = any(
            m.start < e and s < m.end
            for m in a.matches
            if any(o.chart == top and o.kind != "why" for o in m.owners)
            for s, e in why_spans
        )
        floor = CHART_THRESHOLD if same_words else max(CHART_THRESHOLD, 0.5 * best)
        why = {c for c in why if a.chart_scores.get(c, 0.0) >= floor}
        if why:
            cid = max(why, key=lambda c: a.chart_scores.get(c, 0.0))
            return cid, a.chart_scores.get(cid, 0.0)
    return a.best_chart()


def is_why_chart(a: Analysis, chart_id: str) -> bool:
    return any(o.chart == chart_id and o.kind == "why" for m in a.matches for o in m.owners)


def comparison_pair(
    ctx: AnswerContext, a: Analysis, chart_id: str, best: float, any_section: bool = False
) -> list[str] | None:
    """DX vs GX: a comparison naming two topic-matched charts of one section answers both; with
    「両方」/"both" (or for bases), two charts of any sections."""
    topical = {o.chart for m in a.matches for o in m.owners if o.kind == "topic"}
    floor = max(CHART_THRESHOLD, 0.6 * best)
    by_section: dict[str, list[str]] = {}
    for c, sc in sorted(a.chart_scores.items(), key=lambda x: -x[1]):
        if c in topical and sc >= floor:
            by_section.setdefault("*" if any_section else ctx.index.charts[c].section, []).append(c)
    own = by_section.get("*" if any_section else ctx.index.charts[chart_id].section, [])
    if chart_id in own and len(own) >= 2:
        return own[:2]
    close = [cs[:2] for cs in by_section.values() if len(cs) >= 2 and a.chart_scores[cs[1]] >= 0.8 * best]
    if close:
        return max(close, key=lambda p: sum(a.chart_scores[c] for c in p))
    if not any_section and "comparison" in a.cues:  # "DX-keen owners vs all firms": 1-2 beside 1-1
        return comparison_pair(ctx, a, chart_id, best, any_section=True)
    return None


def chart_answer(ctx: AnswerContext, a: Analysis, chart_id: str) -> Answer:
    chart = ctx.index.charts[chart_id]
    rows = [chart.row(k) for k in a.rows.get(chart_id, [])]
    derived = [d for d in chart.derived if d.key in a.derived.get(chart_id, [])]
    cues = a.cues
    en = a.lang == "en"
    lines: list[str] = []
    figures: list[Figure] = []
    stated: list[Row] = []
    if chart.is_crosstab:
        kind = "crosstab"
        ranked = not rows and bool(cues & {"ranking", "least"})
        if ranked:
            col = (a.columns.get(chart_id) or ["current"])[0]
            order = sorted(
                (r for r in chart.rows if r.values.get(col) is not None),
                key=lambda r: r.values[col] or 0.0,
                reverse="least" not in cues,
            )
            if "extremes" in cues and len(order) >= 2:  # 「いちばん高い層と低い層、その差は？」
                hi, lo = (order[-1], order[0]) if "least" in cues else (order[0], order[-1])
                rows = [hi, lo]
                lines.append(t_crosstab_top(chart, [hi], col, en))
                lines.append(t_crosstab_top(chart, [lo], col, en, least=True))
                hv, lv = float(hi.values[col] or 0.0), float(lo.values[col] or 0.0)
                lines.append(
                    f" The gap is {hv:.1f} − {lv:.1f} = {hv - lv:.1f} points [1]."
                    if en
                    else f"その差は{hv:.1f} − {lv:.1f} = {hv - lv:.1f}ポイントです[1]。"
                )
            else:
                rows = order[:1]
                lines.append(t_crosstab_top(chart, order[:3], col, en, least="least" in cues))
        elif rows:
            if cues & {"comparison", "both"} and len(rows) == 1:  # 「意欲がある人とない人で」: the other groups too
                rows = rows + [r for r in chart.rows if r not in rows]
            lines.extend(t_crosstab_row(chart, r, en) for r in rows)
        elif "all" in cues and not a.columns.get(chart_id):  # 「数値を全部」: every group, every answer
            rows = list(chart.rows)
            lines.extend(t_crosstab_row(chart, r, en) for r in rows)
        else:
            rows = list(chart.rows)
            col = (a.columns.get(chart_id) or ["current"])[0]
            lines.append(t_crosstab_column(chart, rows, col, en))
        for r in rows:
            for d in chart.derived:
                if d.row == r.key:
                    lines.append(t_derived(d, en))
        stated = rows
    elif not rows and not derived and ("all" in cues or (len(chart.rows) <= 4 and not cues & {"ranking", "least"})):
        kind = "ranking"
        stated = list(chart.rows)
        lines.append(t_all(chart, stated, en))
    elif rows and "exclude" in cues:
        # 「必要性を感じない」を除くと一番多いのは: the ranking without the rows named
        kind = "ranking"
        least = "least" in cues
        order = by_value(chart, least, without=rows)
        nth = ordinal(a.text)
        if nth and nth <= len(order):  # 「その他を除いて2番目に多いのは」
            stated = [order[nth - 1], order[0]]
            lines.append(t_nth(chart, order[nth - 1], order[0], nth, least, en))
        else:
            stated = order[:3]
            lines.append(t_ranking(chart, stated, least, en))
    elif rows and "nth" in cues and len(rows) == 1 and ordinal(a.text) and "rank_of" not in cues:
        # 「売上拡大が1位だったよね。2位は？」: the row named is context; the position asked is answered
        kind = "ranking"
        least = "least" in cues
        order = by_value(chart, least)
        nths = [k for k in ordinals(a.text) if k <= len(order)]  # 「3位と4位は？」: every position asked
        if nths:
            stated = [order[k - 1] for k in nths] + [order[0]]
            lines.extend(t_nth(chart, order[k - 1], order[0], k, least, en) for k in nths)
        else:
            stated = rows
            lines.extend(t_row(chart, r, en) for r in rows)
    elif rows and "superlative" in cues and "comparison" not in cues and len(rows) == 1:
        # 「一番多いのは広告だよね？」: the ranking, then the row asked about
        kind = "ranking"
        least = "least" in cues
        order = by_value(chart, least)
        stated = order[:3] + [r for r in rows if r not in order[:3]]
        lines.append(t_ranking(chart, order[:3], least, en))
        lines.extend(t_row(chart, r, en) for r in rows if r not in order[:3])
    elif rows:
        kind = "comparison" if len(rows) > 1 and "comparison" in cues else "figure"
        for r in rows:
            lines.append(t_row(chart, r, en))
        if kind == "comparison":
            lines.append(t_compare(chart, rows, en))
        stated = rows
    elif derived:
        kind = "figure"
        lines.extend(t_derived(d, en) for d in derived)
    else:
        kind = "ranking"
        least = "least" in cues
        order = by_value(chart, least)
        stated = order[: top_n(a.text) or 3]
        nths = [k for k in ([a.position] if a.position else ordinals(a.text)) if k <= len(order)]
        if nths:
            stated = [order[k - 1] for k in nths] + [order[0]]
            lines.extend(t_nth(chart, order[k - 1], order[0], k, least, en) for k in nths)
        elif "extremes" in cues and len(order) >= 4:  # "which got the most, and which the fewest?": both ends
            top, bottom = by_value(chart, False)[:3], by_value(chart, True)[:3]
            stated = top + [r for r in bottom if r not in top]
            lines += [t_ranking(chart, top, False, en), t_ranking(chart, bottom, True, en)]
        else:
            lines.append(t_ranking(chart, stated, least, en))
    stated_keys = {r.key for r in stated}
    for d in chart.derived:
        # 「活用率は？」: the report's headline total (受けている＋過去に受けた = 46.9%, 本文記載) goes with the
        # rows it adds up, so "usage" is never given as one of its parts alone
        headline = (
            d.row is None and d.stated_in_text and ("current" in stated_keys or not rows) and not chart.is_crosstab
        )
        if (d in derived or headline) and d.row is None and t_derived(d, en) not in lines:
            lines.append(t_derived(d, en))
            if d not in derived:
                derived.append(d)
    if kind == "ranking" and any(r.missing for r in chart.rows) and not any(r.missing for r in stated):
        lines.append(t_missing_note(chart, en))  # a stated row that is missing says so itself
    for r in stated:
        for c in chart.columns:
            v = r.values.get(c.key)
            figures.append(
                Figure(
                    table=chart.id,
                    label=r.label,
                    label_en=r.label_en,
                    value=v,
                    unit=chart.unit,
                    base=chart.base.label("ja"),
                    column=c.key if chart.is_crosstab else None,
                    formula=r.missing.formula if r.missing else None,
                    cite=1,
                )
            )
    for d in chart.derived:
        if any(d.row == r.key for r in stated) or d in derived:
            figures.append(
                Figure(
                    table=chart.id,
                    label=d.label,
                    label_en=d.label_en,
                    value=d.value,
                    unit="%",
                    base=chart.base.label("ja"),
                    column=None,
                    formula=d.formula,
                    cite=1,
                )
            )
    citations = [chart_citation(ctx, 1, chart, stated, a.lang)]
    explains = bool(cues & {"concept", "comparison"}) or "concept" in a.asks
    if rows and len(rows) <= 2 and explains:  # 「『その他』には何が入る？」「AとBの違い」: the chart's own notes
        for r in rows:
            core = re.sub(r"[（(]※?\d*[)）]", "", r.label)
            for note in chart.notes_en if en else chart.notes:
                names_row = (
                    r.label_en.lower() in note.lower()
                    if en
                    else (len(core) >= 3 or "「" + core in note) and core in note
                )
                if names_row and not any(note in line for line in lines):
                    lines.append(f" Chart note: {note}" if en else f"図表の注記：{note}")
    kept = [x for x in lines if x]
    # each English line after the first is a sentence of its own: "… [1]. Ever received …"
    body = " ".join([*kept[:1], *(x[:1].upper() + x[1:] for x in kept[1:])]) if en else "".join(kept)
    text = f"{t_context(chart, ctx.doc, en)}{body}"
    support = support_sentence(ctx, a, chart, [r.label for r in stated])
    if support is not None:
        said = [support, *_reading_after(ctx, a, support)]
        citations.append(text_citation(ctx, 2, said))
        quote = citations[-1].quote
        gist = english_of(ctx, quote) if en else ""
        if not en:
            text += f"本文には「{quote}」とあります[2]。"
        elif gist:
            text += f" The report's text adds [2]: {gist} (「{quote}」)"
        else:
            text += f" The report's text adds [2]: 「{quote}」"
    return Answer(a.question, text, False, citations, figures, a.lang, kind=kind, charts=[chart.id])


def _reading_after(ctx: AnswerContext, a: Analysis, s: SentenceRef) -> list[SentenceRef]:
    """「「分からない」が多いのはなぜ問題？」: the sentence stating the figure is followed by the authors'
    reading of it (「…費用をかけているのであれば…良いとは言えないだろう」); a why question gets both."""
    if "why" not in a.cues:
        return []
    nxt = next((x for x in ctx.sentences if x.chunk == s.chunk and x.pos == s.pos + 1), None)
    return [nxt] if nxt is not None and (VIEWS.search(nxt.text) or REASONS.search(nxt.text)) else []


def base_answer(ctx: AnswerContext, a: Analysis, chart_id: str) -> Answer:
    chart = ctx.index.charts[chart_id]
    en = a.lang == "en"
    b = chart.base
    if en:
        text = (
            f"The base of “{chart.title_en}” ({chart.title}) is {b.label('en')}"
            f"{' (multiple answers allowed)' if chart.multiple else ''}; survey period {en_period(ctx.doc)} [1]."
        )
    else:
        text = (
            f"「{chart.title}」の基数は{b.label('ja')}です{'（複数回答可）' if chart.multiple else ''}"
            f"（調査期間 {chart.period}）[1]。"
        )
    about_base = [n for n in (chart.notes_en if en else chart.notes) if re.search(r"n=|10|除外|left out|fewer", n)]
    if about_base:
        text += (" " if en else "") + " ".join(about_base)
    return Answer(
        a.question,
        text,
        False,
        [chart_citation(ctx, 1, chart, [], a.lang)],
        [],
        a.lang,
        kind="meta",
        charts=[chart.id],
    )


def multi_chart_answer(ctx: AnswerContext, a: Analysis, chart_ids: list[str]) -> Answer:
    """Two charts in one answer (DX vs GX, a purpose count beside an attitude share)."""
    parts = [chart_answer(ctx, a, cid) for cid in chart_ids]
    return merge_answers(a, parts, kind="comparison")
