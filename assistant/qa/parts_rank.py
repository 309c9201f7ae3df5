"""Parts about a chart's order: the rank of a named row, rows at zero, ties, a premise about a
row's rank or value checked against the chart, and "ever" (current + past) in the status charts."""

from __future__ import annotations

import re

from assistant.qa.part_context import PartContext
from assistant.records import Chart, Row, fmt_value

PLANTED = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(件|社|%|％|percent)|\bn\s*=\s*(\d[\d,]*)")


def _value(r: Row) -> float | None:
    return r.values.get("value")


def rank(chart: Chart, r: Row) -> int | None:
    """1 + the rows with a larger value: ties share a rank."""
    v = _value(r)
    if v is None:
        return None
    return 1 + sum(1 for x in chart.rows if (_value(x) or -1) > v)


def _named(ctx: PartContext) -> tuple[Chart | None, list[Row], int | None]:
    for c in ctx.answer.citations:
        if c.chart and c.chart in ctx.charts:
            chart = ctx.charts[c.chart]
            keys = ctx.rows.get(chart.id, [])
            return chart, [chart.row(k) for k in keys if any(r.key == k for r in chart.rows)], c.n
    return None, [], None


def _label(r: Row, en: bool) -> str:
    return f"“{r.label_en}”" if en else f"「{r.label}」"


def ordinal(k: int) -> str:
    """1st, 2nd, 3rd, 4th … 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def part_rank_of(ctx: PartContext) -> str | None:
    chart, rows, n = _named(ctx)
    if chart is None or chart.is_crosstab or not rows:
        return None
    out = []
    for r in rows[:3]:
        k = rank(chart, r)
        if k is None:
            continue
        v = fmt_value(_value(r), chart.unit)
        out.append(
            f"{_label(r, ctx.en)} ranks {ordinal(k)} of {len(chart.rows)} ({v})"
            if ctx.en
            else f"{_label(r, False)}は{len(chart.rows)}項目中{k}番目（{v}）"
        )
    if not out:
        return None
    return ("; ".join(out) + f" [{n}].") if ctx.en else ("、".join(out) + f"です[{n}]。")


def part_zero(ctx: PartContext) -> str | None:
    chart, _rows, n = _named(ctx)
    if chart is None or chart.is_crosstab:
        return None
    zeros = [r for r in chart.rows if _value(r) == 0]
    if not zeros:
        return f"No answer in this chart is at zero [{n}]." if ctx.en else f"この図表に0件の項目はありません[{n}]。"
    names = ", ".join(_label(r, ctx.en) for r in zeros) if ctx.en else "".join(_label(r, False) for r in zeros)
    return f"At zero: {names} (0) [{n}]." if ctx.en else f"0件だったのは{names}です[{n}]。"


def part_tie(ctx: PartContext) -> str | None:
    chart, _rows, n = _named(ctx)
    if chart is None or chart.is_crosstab:
        return None
    groups: dict[float, list[Row]] = {}
    for r in chart.rows:
        v = _value(r)
        if v is not None and v > 0:
            groups.setdefault(v, []).append(r)
    ties = [(v, rs) for v, rs in groups.items() if len(rs) > 1]
    if not ties:
        return f"No two answers have the same count [{n}]." if ctx.en else f"同じ件数の項目はありません[{n}]。"
    if ctx.en:
        return " ".join(
            f"Tied at {fmt_value(v, chart.unit)}: {' and '.join(_label(r, True) for r in rs)} [{n}]." for v, rs in ties
        )
    return "".join(
        f"{'と'.join(_label(r, False) for r in rs)}が同じ{fmt_value(v, chart.unit)}で並んでいます[{n}]。"
        for v, rs in ties
    )


def part_premise(ctx: PartContext) -> str | None:
    """「GX推進が1位だったって聞いた」: the chart's rank and value, said plainly. The asker's number
    is never repeated; the report's is given."""
    chart, rows, n = _named(ctx)
    if chart is None:
        return None
    if rows and chart.is_crosstab and ctx.claims_top:
        return _premise_group(ctx, chart, rows[0], n)
    if not rows or chart.is_crosstab:
        return _premise_base(ctx, chart, n)
    r = rows[0]
    k, v = rank(chart, r), _value(r)
    if k is None or v is None:
        return None
    claimed = _claimed(ctx.text)
    top = max(chart.rows, key=lambda x: _value(x) or -1)
    wrong_rank = ctx.claims_top and k != 1
    wrong_value = any(abs(c - v) > 0.05 for c in claimed)
    if not (wrong_rank or wrong_value):
        return None
    vs = fmt_value(v, chart.unit)
    if ctx.en:
        s = f"Note: in the report {_label(r, True)} is {vs}, rank {k}"
        return s + (
            f"; the top answer is {_label(top, True)} ({fmt_value(_value(top), chart.unit)}) [{n}]."
            if k != 1
            else f" [{n}]."
        )
    s = f"なお、報告書では{_label(r, False)}は{vs}で{k}番目です"
    return s + (f"（1位は{_label(top, False)}{fmt_value(_value(top), chart.unit)}）[{n}]。" if k != 1 else f"[{n}]。")


def _premise_group(ctx: PartContext, chart: Chart, r: Row, n: int | None) -> str | None:
    """「70歳以上が一番使ってるって聞いた」: the group's place by the measure asked (currently
    receiving unless another is named), and the group that is first."""
    col = next(iter(ctx.columns.get(chart.id) or []), None) or chart.columns[0].key
    ranked = sorted((x for x in chart.rows if x.values.get(col) is not None), key=lambda x: -(x.values[col] or 0.0))
    if r not in ranked or ranked[0] == r:
        return None
    k, top = ranked.index(r) + 1, ranked[0]
    label = next(c for c in chart.columns if c.key == col)
    v, tv = fmt_value(r.values[col], chart.unit), fmt_value(top.values[col], chart.unit)
    # the report's own total for the top group (45～49歳: 45.2% + 14.4% = 59.6%, stated in its text)
    stated = next((d for d in chart.derived if d.row == top.key and d.stated_in_text), None)
    if ctx.en:
        also = f"; with past use, {fmt_value(stated.value, chart.unit)} ({stated.formula})" if stated else ""
        return (
            f"Note: in the report {_label(r, True)} is not the highest: its “{label.label_en}” share is {v}, "
            f"{ordinal(k)} of {len(ranked)}; the highest is {_label(top, True)} at {tv}{also} [{n}]."
        )
    also = f"（過去に受けた企業を含めると{fmt_value(stated.value, chart.unit)}：{stated.formula}）" if stated else ""
    return (
        f"なお、報告書では{_label(r, False)}は最も高い層ではありません。「{label.label}」の割合は{v}で"
        f"{len(ranked)}区分中{k}番目、最も高いのは{_label(top, False)}の{tv}です{also}[{n}]。"
    )


def part_ever(ctx: PartContext) -> str | None:
    """Current + past in a status chart (受けている + 過去に受けた = 一度でも受けたことがある)."""
    chart, rows, n = _named(ctx)
    if chart is None or not chart.is_crosstab:
        return None
    keys = {c.key for c in chart.columns}
    if not {"current", "past"} <= keys:
        return None

    def ever(r: Row) -> tuple[float, str] | None:
        a, b = r.values.get("current"), r.values.get("past")
        if a is None or b is None:
            return None
        return round(a + b, 1), f"{a:.1f}% + {b:.1f}% = {a + b:.1f}%"

    scored = [(r, e) for r in chart.rows if (e := ever(r)) is not None]
    if not scored:
        return None
    # the most who never received it (「一番使ってへん」) are the fewest who ever did
    least = ctx.least != ("never" in (ctx.columns.get(chart.id) or [])[:1])
    if rows:
        picked = [(r, e) for r, e in scored if r in rows]
    else:
        scored.sort(key=lambda x: x[1][0], reverse=not least)
        picked = scored[:1]
    if ctx.en:
        head = "Ever received (current + past)"
        body = "; ".join(f"{r.label_en}: {e[1]}" for r, e in picked)
        lead = f"{head}, {'lowest' if least else 'highest'}: " if not rows else f"{head}: "
        return f"{lead}{body} [{n}]."
    body = "、".join(f"{r.label} {e[1]}" for r, e in picked)
    lead = (
        f"一度でも受けたことがある割合（受けている＋過去に受けた）が最も{'低い' if least else '高い'}のは"
        if not rows
        else "一度でも受けたことがある割合（受けている＋過去に受けた）は"
    )
    return f"{lead}{body}です（図表の数値から計算）[{n}]。"


def _claimed(text: str) -> list[float]:
    return [float((m.group(1) or m.group(3)).replace(",", "")) for m in PLANTED.finditer(text)]


def _premise_base(ctx: PartContext, chart: Chart, n: int | None) -> str | None:
    """「回答者は1,000社でしたよね」: the bases the report prints, when the question states others."""
    b = chart.base
    printed = {float(x) for x in (b.n, b.companies, b.responses, ctx.doc.respondents) if x}
    if not any(c not in printed and c >= 10 for c in _claimed(ctx.text)):
        return None
    here = f"{chart.title_en}: {b.label('en')}" if ctx.en else f"「{chart.title}」は{b.label('ja')}"
    if ctx.en:
        return f"Note: the survey has n={ctx.doc.respondents} respondents ({here}) [{n}]."
    return f"なお、報告書の回答企業数はn={ctx.doc.respondents}です（{here}）[{n}]。"
