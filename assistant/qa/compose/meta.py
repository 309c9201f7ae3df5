"""Answers about the survey itself (period, respondents, publisher, title, scope) and abstentions,
which say what the report does cover."""

from __future__ import annotations

from dataclasses import replace

from assistant.qa.analysis import Analysis
from assistant.qa.compose.citations import chart_citation, text_citation
from assistant.qa.compose.context import AnswerContext, SentenceRef
from assistant.qa.compose.phrasing import en_period
from assistant.records import Answer, Chart, Citation, echoable


def bases_answer(ctx: AnswerContext, a: Analysis, chart_id: str | None, average: bool = False) -> Answer:
    """「回答企業数と回答総数って何が違う？」: a multiple-answer chart counts the companies that answered
    and every answer they gave; the chart's own two numbers, and that it is multiple-answer, say so."""
    charts = [c for c in ctx.index.charts.values() if c.multiple and c.base.companies and c.base.responses]
    named = [c for c in charts if c.id == chart_id]
    shown = named or charts
    if not shown:
        return abstain(ctx, a, reason="none")
    en = a.lang == "en"
    cites = [chart_citation(ctx, i + 1, c, [], a.lang) for i, c in enumerate(shown)]
    if average:  # 「1社あたり平均いくつ選んだ？」: the two printed bases, divided
        each = ("; " if en else "、").join(
            (
                f"“{c.title_en}”: {c.base.responses} ÷ {c.base.companies} = {(c.base.responses or 0) / (c.base.companies or 1):.1f} "
                f"answers per company on average [{i + 1}]"
                if en
                else f"「{c.title}」は1社あたり平均{c.base.responses} ÷ {c.base.companies} = {(c.base.responses or 0) / (c.base.companies or 1):.1f}件[{i + 1}]"
            )
            for i, c in enumerate(shown)
        )
        text = (
            f"Computed from each chart's printed bases (total answers ÷ responding companies): {each}."
            if en
            else f"各グラフの基数（回答総数 ÷ 回答企業数）から計算すると、{each}です。"
        )
        return Answer(a.question, text, False, cites, [], a.lang, kind="meta")
    if en:
        each = "; ".join(
            f"“{c.title_en}”: {c.base.companies} companies gave {c.base.responses} answers [{i + 1}]"
            for i, c in enumerate(shown)
        )
        text = (
            "These charts are multiple-answer: the number of responding companies counts the firms that "
            f"answered, and the total number of answers counts every option they ticked, so it is larger. {each}."
        )
    else:
        each = "、".join(
            f"「{c.title}」は回答企業数{c.base.companies}社に対し回答総数{c.base.responses}件[{i + 1}]"
            for i, c in enumerate(shown)
        )
        text = (
            "これらのグラフは複数回答です。回答企業数は回答した企業の数、回答総数は各社が選んだ回答をすべて"
            f"数えた延べ数なので、回答総数のほうが多くなります。{each}です。"
        )
    return Answer(a.question, text, False, cites, [], a.lang, kind="meta")


def meta_answer(ctx: AnswerContext, a: Analysis, kind: str) -> Answer:
    d = ctx.doc
    en = a.lang == "en"
    main = ctx.index.charts.get("1-1") or next(iter(ctx.index.charts.values()), None)
    cites = [chart_citation(ctx, 1, main, [], a.lang)] if main else []
    if kind == "period":
        text = (
            f"The survey ran from {en_period(d)} ({d.period_label}) [1]."
            if en
            else f"調査期間は{d.period_label}です[1]。"
        )
    elif kind == "respondents":
        text = (
            f"{d.respondents} companies answered the survey (n={d.respondents}; survey period {en_period(d)}) [1]."
            if en
            else f"この調査の回答企業数はn={d.respondents}（{d.respondents}社）です（調査期間 {d.period_label}）[1]。"
        )
    elif kind in ("publisher", "author"):
        cites = [
            Citation(
                n=1,
                doc=d.id,
                section="3",
                title=ctx.section_titles.get("3", ""),
                quote="フォーバル GDXリサーチ研究所 所長 平良 学",
                page=None,
                period=d.period_label,
            )
        ]
        text = (
            f"The report was published by {d.publisher_en} ({d.publisher}); its author is {d.author} [1]."
            if en
            else f"発行は{d.publisher}で、著者は{d.author}です[1]。"
        )
    elif kind == "title":
        sub_en = f", subtitled 「{d.subtitle}」 ({d.subtitle_en})" if d.subtitle else ""
        sub = f"、副題は「{d.subtitle}」" if d.subtitle else ""
        text = (
            f"The report is 『{d.title}』 ({d.title_en}){sub_en}, by {d.publisher_en} [1]."
            if en
            else f"レポートのタイトルは『{d.title}』{sub}（{d.publisher}）です[1]。"
        )
    elif kind == "structure":
        text = _structure(ctx, en)
    else:
        topics = "、".join(c.title for c in ctx.index.charts.values())
        topics_en = "; ".join(c.title_en for c in ctx.index.charts.values())
        text = (
            f"『{d.title}』 ({d.title_en}, {d.publisher_en}) reports a survey of n={d.respondents} SMEs "
            f"({en_period(d)}). It covers: {topics_en} [1]."
            if en
            else f"『{d.title}』は{d.publisher}による中小企業への調査（n={d.respondents}、調査期間 {d.period_label}）の報告です。"
            f"扱っている内容：{topics}[1]。"
        )
    if kind in ("title", "about", "structure"):  # the report's opening says what it is about
        intro = [x for x in ctx.sentences if ctx.index.chunks[x.chunk].section == "intro"][:1]
        if intro:
            cites = [text_citation(ctx, 1, intro)]
    return Answer(a.question, text, False, cites, [], a.lang, kind="meta")


def _structure(ctx: AnswerContext, en: bool) -> str:
    """The report's parts in order, chapters grouping their numbered sections (1-1 … 2-3)."""
    parts: list[str] = []
    chapter = ""
    sections = [c.section for c in ctx.index.charts.values()]  # a section of one chart is named by it
    english = {
        c.section: c.title_en for c in ctx.index.charts.values() if c.title_en and sections.count(c.section) == 1
    }
    for sid, title in ctx.section_titles.items():
        if en and sid in english:
            title = f"{english[sid]} ({title})"
        if "-" in sid and sid.split("-")[0].isdigit():
            head = sid.split("-")[0]
            if head != chapter:
                chapter = head
                parts.append(f"Chapter {head}:" if en else f"第{head}章：")
            parts[-1] += f" {sid} {title}" if en else f"{sid}「{title}」"
        else:
            parts.append(f"{title} ({sid})" if en else f"「{title}」")
    sep = "; " if en else "、"
    return (
        f"The report is organised as follows: {sep.join(parts)} [1]."
        if en
        else f"報告書の構成は次のとおりです：{sep.join(parts)}[1]。"
    )


def nearest_charts(ctx: AnswerContext, a: Analysis, k: int = 3) -> list[Chart]:
    """The charts the question came closest to (by the phrases it matched), else the overview ones."""
    charts = ctx.index.charts
    ranked = [c for c, s in sorted(a.chart_scores.items(), key=lambda x: -x[1]) if s > 0 and c in charts]
    titles: dict[str, Chart] = {}
    for cid in [*ranked, *charts]:
        titles.setdefault(charts[cid].title, charts[cid])
    return list(titles.values())[:k]


def exclusion_note(ctx: AnswerContext, en: bool) -> tuple[Chart | None, str]:
    """The chart note that says which groups a chart leaves out, and why (「回答数10未満の年齢層は除外」)."""
    for c in ctx.index.charts.values():
        for n in c.notes_en if en else c.notes:
            if "除外" in n or "left out" in n:
                first = n.split("；")[0].split("; ")[0]
                return c, first.split("。")[0] + "。" if "。" in first else first
    return None, ""


def excluded_group(ctx: AnswerContext, a: Analysis, detail: str) -> Answer | None:
    """「年齢別のグラフに30代前半がないのはなぜ？」: why a group is not shown is answered when the
    chart's own note says why; the figure for it is still not there (that is `abstain`)."""
    en = a.lang == "en"
    chart, why = exclusion_note(ctx, en)
    if chart is None or not why:
        return None
    cite = chart_citation(ctx, 1, chart, [], a.lang)
    title = chart.title_en if en else chart.title
    text = (
        f"The chart “{title}” ({chart.section}) does not show “{detail}”: {why} [1]"
        if en
        else f"「{title}」（{chart.section}）に「{detail}」の区分がないのは、図の注記によると次の理由です：{why}[1]"
    )
    return Answer(a.question, text, False, [cite], [], a.lang, kind="why")


def facet_lead(detail: str, en: bool) -> str:
    """「製造業」「業種別」: a breakdown the report does not have."""
    if not echoable(detail):
        return (
            "The report does not break its figures down that way."
            if en
            else "この報告書には、そのような区分の集計についての記載がありません。"
        )
    return (
        f"The report has no figures by “{detail}”; that breakdown is not covered."
        if en
        else f"この報告書には{_facet_ja(detail)}についての記載がありません。"
    )


def population_answer(ctx: AnswerContext, a: Analysis) -> Answer:
    """「これって大企業の話？」「調査対象って大企業だったよね？回答数は？」: the survey is of SMEs; say
    so, with its respondents (or what it covers), rather than refuse for the other population."""
    en = a.lang == "en"
    kind = "respondents" if a.cues & {"respondents", "figure"} else "about"
    said = meta_answer(ctx, a, kind)
    note = (
        "This survey is of SMEs (small and medium-sized enterprises); it has no figures for large companies. "
        if en
        else "この調査の対象は中小企業で、大企業についての数値はありません。"
    )
    return replace(said, answer=note + said.answer)


def gap_lead(reason: str, term: str, en: bool) -> str:
    """What the report does not explain: a term that is only a chart label, or an unexpanded abbreviation."""
    if reason == "abbreviation":  # 「GXってなんの略？」
        return (
            f"The report does not say what “{term}” stands for; it uses the term without spelling it out."
            if en
            else f"報告書には「{term}」が何の略か（正式名称）の記載がありません。略語のまま使われています。"
        )
    return (  # 「認定支援機関ってどういう制度？」
        f"The report does not define or explain “{term}”."
        if en
        else f"報告書には「{term}」の定義や説明の記載がありません。"
    )


def abstain(
    ctx: AnswerContext, a: Analysis, *, reason: str, detail: str = "", deferred: SentenceRef | None = None
) -> Answer:
    d = ctx.doc
    en = a.lang == "en"
    cites: list[Citation] = []
    if deferred is not None:
        cites = [text_citation(ctx, 1, [deferred])]
        lead = (
            "The report does not cover this; it says it will be reported in a later issue (次号) [1]: "
            f"「{deferred.text}」"
            if en
            else f"この点はこの報告書では扱っていません。報告書には「{deferred.text}」とあり、次号で報告される予定です[1]。"
        )
    elif reason == "year":
        lead = (
            f"This report only covers its own survey ({en_period(d)}); it does not have figures for other years."
            if en
            else f"この報告書は調査期間{d.period_label}の調査だけを扱っており、ほかの年の数値は記載がありません。"
        )
    elif reason == "facet":
        lead = facet_lead(detail, en)
    elif reason == "uncovered":
        why = exclusion_note(ctx, en)[1]
        lead = (
            f"The charts do not show “{detail}”. {why}"
            if en
            else f"報告書の図表に「{detail}」の区分は記載がありません。{why}"
        )
    elif reason in ("undefined", "abbreviation"):
        lead = gap_lead(reason, detail, en)
    elif reason == "empty":
        lead = "I could not find a question in that." if en else "質問の内容を読み取れませんでした。"
    else:
        lead = (
            "The report does not cover this; it has no data on it."
            if en
            else "この報告書には、そのご質問に答える記載がありません。"
        )
    near = nearest_charts(ctx, a)
    scope = (
        f" Closest topics it does cover: {'; '.join(c.title_en for c in near)}."
        if en
        else f"報告書で近いテーマは「{'」「'.join(c.title for c in near)}」です。"
    )
    return Answer(a.question, lead + scope, True, cites, [], a.lang, kind="out_of_scope")


def _facet_ja(detail: str) -> str:
    """「業種別」 for a dimension, 「女性」に絞った for a group (女性, 製造業), 「性別」 as it is."""
    if detail.endswith(("別", "ごと")):
        return f"「{detail}」の集計"
    if detail.endswith(("性", "業")):
        return f"「{detail}」に絞った数値"
    return f"「{detail}別」の集計"
