"""The parts a request adds to its main answer: base, period, publisher, a source line, and the
ordinary operations over the figures just given (share of a base, sum, difference).

Each part is one short sentence that reuses the citation of the chart it talks about. Every
number is either printed in the report or shown with its formula over printed numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from assistant.qa.compose.phrasing import en_period
from assistant.qa.part_context import PartContext
from assistant.qa.parts_rank import part_ever, part_premise, part_rank_of, part_tie, part_zero
from assistant.records import Answer, Chart, Figure, echoable, fmt_number

PART_ORDER = (
    "premise",
    "rank_of",
    "zero",
    "tie",
    "ever",
    "difference",
    "sum",
    "share",
    "base",
    "note",
    "period",
    "publisher",
    "citation",
    "missing",
)
PRINTED_NOTE = re.compile(r"^※|（図注）")  # a note printed with the chart, not one taken from the report's text


def _chart_of(ctx: PartContext) -> tuple[Chart | None, int | None]:
    for c in ctx.answer.citations:
        if c.chart and c.chart in ctx.charts:
            return ctx.charts[c.chart], c.n
    return None, None


def _figures(ctx: PartContext, chart: Chart) -> list[Figure]:
    seen: dict[tuple[str, str | None], Figure] = {}
    for f in ctx.answer.figures:
        if f.table == chart.id and f.value is not None and f.formula is None:
            seen.setdefault((f.label, f.column), f)
    return list(seen.values())


def _num(v: float, unit: str) -> str:
    return fmt_number(v, unit)


def part_difference(ctx: PartContext) -> str | None:
    chart, n = _chart_of(ctx)
    figs = _figures(ctx, chart) if chart else []
    if chart is not None and chart.is_crosstab:  # two groups of a cross-tab: the gap in the column asked
        col = (ctx.columns.get(chart.id) or ["current"])[0]
        figs = [f for f in figs if f.column == col]
    if chart is None or len(figs) != 2 or figs[0].column != figs[1].column:
        return None
    hi, lo = sorted(figs, key=lambda f: -(f.value or 0.0))
    a, b = float(hi.value or 0.0), float(lo.value or 0.0)
    diff = a - b
    if chart.unit == "%":
        d = f"{diff:.1f}"
        if ctx.en:
            return f"The gap is {d} percentage points ({a:.1f} − {b:.1f} = {d}) [{n}]."
        return f"差は{d}ポイントです（{a:.1f} − {b:.1f} = {d}）[{n}]。"
    if ctx.en:
        return f"“{hi.label_en}” leads by {int(diff)} answers ({int(a)} − {int(b)} = {int(diff)}) [{n}]."
    return f"差は{int(diff)}件です（{int(a)} − {int(b)} = {int(diff)}）[{n}]。"


def part_sum(ctx: PartContext) -> str | None:
    chart, n = _chart_of(ctx)
    figs = _figures(ctx, chart) if chart else []
    if chart is None or len(figs) < 2 or len({f.column for f in figs}) != 1:
        return None
    values = [float(f.value or 0.0) for f in figs]
    total = sum(values)
    terms = " + ".join(_num(v, chart.unit) for v in values)
    unit = "%" if chart.unit == "%" else ("" if ctx.en else "件")
    if ctx.en:
        what = "percentage points" if chart.unit == "%" else ("answers" if chart.multiple else "companies")
        return f"Together: {terms} = {_num(total, chart.unit)} {what} [{n}]."
    return f"合計は{terms} = {_num(total, chart.unit)}{unit}です[{n}]。"


def part_share(ctx: PartContext) -> str | None:
    chart, n = _chart_of(ctx)
    figs = _figures(ctx, chart) if chart else []
    if chart is None or not figs:
        return None
    if ctx.summed and len(figs) >= 2 and chart.unit != "%":  # 「足すと何件？ n=205に対して何％？」
        total = sum(float(f.value or 0.0) for f in figs)
        # a firm may tick both: a sum of answers is a share of all answers unless firms are asked for
        of_companies = chart.multiple and not ctx.of_responses and OF_COMPANIES.search(ctx.text) is not None
        responses = chart.multiple and not of_companies
        base = (chart.base.responses if responses else chart.base.companies) if chart.multiple else chart.base.n
        if ctx.en:
            whom = "all answers" if responses else ("responding companies" if chart.multiple else "respondents")
        else:
            whom = "回答総数" if responses else ("回答企業数" if chart.multiple else "回答企業")
        if base:
            share = 100 * total / base
            return (
                f"The total is {int(total)} ÷ {base} = {share:.1f}% of {whom} (computed from the chart) [{n}]."
                if ctx.en
                else f"合計は{whom}{base}に対して{int(total)} ÷ {base} = {share:.1f}%です（図表の数値から計算）[{n}]。"
            )
    out: list[str] = []
    for f in figs[:3]:
        v = float(f.value or 0.0)
        if chart.unit == "%":
            row = next((r for r in chart.rows if r.label == f.label), None)
            base = row.n if row is not None and row.n else chart.base.n  # 45～49歳 (n=104), not the chart's 532
            if base is None:
                continue
            count = v * base / 100
            if ctx.en:
                out.append(f"{v:.1f}% of {base} is about {round(count)} ({base} × {v:.1f}% = {count:.1f})")
            else:
                out.append(f"{base}の{v:.1f}%は約{round(count)}社（{base} × {v:.1f}% = {count:.1f}")
            continue
        if chart.multiple:
            base = chart.base.responses if ctx.of_responses else chart.base.companies
            whom = (
                ("all answers" if ctx.of_responses else "responding companies")
                if ctx.en
                else ("回答総数" if ctx.of_responses else "回答企業数")
            )
        else:
            base, whom = chart.base.n, ("respondents" if ctx.en else "回答企業")
        if not base:
            continue
        share = 100 * v / base
        label = f.label_en if ctx.en else f.label
        if ctx.en:
            out.append(f"“{label}” is {int(v)} ÷ {base} = {share:.1f}% of {whom} ({base})")
        else:
            wari = f"、{in_tenths(share)}" if ASKS_TENTHS.search(ctx.text) else ""  # 「何割？」: in its own unit too
            out.append(f"「{label}」は{whom}{base}に対して{int(v)} ÷ {base} = {share:.1f}%{wari}")
    if not out:
        return None
    note = " (computed from the chart)" if ctx.en else "（図表の数値から計算）"
    if not ctx.en and chart.unit == "%":  # 「552の53.1%は約293社（552 × 53.1% = 293.1、図表の数値から計算）です」
        return "、".join(x + "、図表の数値から計算）" for x in out) + f"です[{n}]。"
    return ("; ".join(out) + note + f" [{n}].") if ctx.en else ("、".join(out) + note + f"です[{n}]。")


OF_COMPANIES = re.compile(r"回答企業|企業数|何社中|社のうち|\bcompanies\b|\bfirms\b|\bn ?= ?\d")
ASKS_TENTHS = re.compile(r"何割|なんわり|何わり")


def in_tenths(share: float) -> str:
    """72.2 -> 約7割: a share in the unit 「何割」 asks in, rounded to the nearest tenth."""
    return "1割未満" if share < 5 else f"約{int(share / 10 + 0.5)}割"


def part_base(ctx: PartContext) -> str | None:
    chart, n = _chart_of(ctx)
    if chart is None:
        return None
    multi = (", multiple answers" if ctx.en else "、複数回答") if chart.multiple else ""
    groups = [r for r in chart.rows if r.key in ctx.rows.get(chart.id, []) and r.n]
    if groups:  # 「その年代って何人答えてるの？」: the group's own n
        each = (
            ", ".join(f"{r.label_en}: n={r.n}" for r in groups)
            if ctx.en
            else "、".join(f"{r.label}はn={r.n}" for r in groups)
        )
        return (
            f"Base: {each} (chart: {chart.base.label('en')}) [{n}]."
            if ctx.en
            else f"回答数は{each}です（図表全体は{chart.base.label('ja')}）[{n}]。"
        )
    if ctx.en:
        return f"Base: {chart.base.label('en')}{multi} [{n}]."
    return f"基数は{chart.base.label('ja')}{multi}です[{n}]。"


def part_period(ctx: PartContext) -> str | None:
    d = ctx.doc
    return f"Survey period: {en_period(d)} ({d.period_label})." if ctx.en else f"調査期間は{d.period_label}です。"


def part_publisher(ctx: PartContext) -> str | None:
    d = ctx.doc
    if ctx.en:
        return f"Published by {d.publisher_en} ({d.publisher}); author {d.author}."
    return f"発行は{d.publisher}（著者：{d.author}）です。"


def part_citation(ctx: PartContext) -> str | None:
    chart, _ = _chart_of(ctx)
    line = ctx.doc.citation_line(chart)
    return f"Source line (to paste): {line}" if ctx.en else f"貼り付け用の{line}"


def part_note(ctx: PartContext) -> str | None:
    """「注記・除外条件もあわせて」: the chart's own printed notes (※…), as printed."""
    chart, n = _chart_of(ctx)
    if chart is None:
        return None
    printed = [i for i, x in enumerate(chart.notes) if PRINTED_NOTE.search(x)]
    source = chart.notes_en if ctx.en and len(chart.notes_en) == len(chart.notes) else chart.notes
    notes = [source[i].split("表示された")[0].split("; the groups")[0].strip() for i in printed]
    notes = [x for x in notes if x and x not in ctx.answer.answer]
    if not printed:
        return f"The chart carries no printed note [{n}]." if ctx.en else f"この図表に注記はありません[{n}]。"
    if not notes:
        return None  # already in the answer
    return f"Chart note: {' '.join(notes)} [{n}]" if ctx.en else f"図表の注記：{''.join(notes)}[{n}]"


def part_missing(ctx: PartContext) -> str | None:
    if not ctx.missing:
        return None
    printed = {n for c in ctx.charts.values() for r in c.rows for n in re.findall(r"\d+", r.label)}
    shown = [m for m in ctx.missing if echoable(m, printed)]  # 「35～39歳より若い年齢層」 names the chart's edge
    names = "、".join(f"「{m}」" for m in shown) or "ご質問の一部"
    left_out = (
        next(
            (
                n
                for c in ctx.charts.values()
                for n in (c.notes_en if ctx.en else c.notes)
                if "除外" in n or "left out" in n
            ),
            "",
        )
        .split("表示された")[0]
        .split("; the groups")[0]
    )
    ages = any(re.search(r"\d{2}", m) for m in ctx.missing) and left_out
    if ctx.en:
        note = f" ({left_out})" if ages else ""
        return f"The report does not cover {', '.join(shown) or 'part of the question'}{note}: it has no data on it. The part above is what it covers."
    note = f"（{left_out.rstrip('。')}）" if ages else "（上はお答えできる部分です）"
    return f"なお、{names}については報告書に記載がありません{note}。"


PARTS: dict[str, Callable[[PartContext], str | None]] = {
    "premise": part_premise,
    "rank_of": part_rank_of,
    "zero": part_zero,
    "tie": part_tie,
    "ever": part_ever,
    "difference": part_difference,
    "sum": part_sum,
    "share": part_share,
    "base": part_base,
    "note": part_note,
    "period": part_period,
    "publisher": part_publisher,
    "citation": part_citation,
    "missing": part_missing,
}


def add_parts(ctx: PartContext, requested: Sequence[str]) -> Answer:
    """The main answer followed by each requested part that applies, in a fixed order."""
    texts: list[str] = []
    for name in PART_ORDER:
        if name not in requested or (name == "base" and any("n=" in t for t in texts)):
            continue  # a premise already gave the bases
        text = PARTS[name](ctx)
        if text:
            texts.append(text)
    if not texts:
        return ctx.answer
    sep = " " if ctx.en else ""
    return replace(ctx.answer, answer=ctx.answer.answer.rstrip() + sep + sep.join(texts))
