"""Grounded answer composition: every figure comes from a validated chart, every quote from the
report's sentences, each with a citation marker. No number is written that the store does not
hold, and a derived number only appears with its formula. `compose` decides the answer's shape."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from assistant.index import Hit, StoreIndex
from assistant.qa.analysis import Analysis
from assistant.qa.compose.advice import advice, advice_candidates
from assistant.qa.compose.charts import (
    base_answer,
    chart_answer,
    comparison_pair,
    is_why_chart,
    multi_chart_answer,
    pick_chart,
)
from assistant.qa.compose.clauses import by_clause
from assistant.qa.compose.context import AnswerContext, passage_sure, section_named, section_words
from assistant.qa.compose.gaps import term_gap, undefined_answer
from assistant.qa.compose.merge import merge_answers
from assistant.qa.compose.meta import (
    abstain,
    bases_answer,
    excluded_group,
    facet_lead,
    meta_answer,
    population_answer,
)
from assistant.qa.compose.premise import corrected_period
from assistant.qa.compose.ranking import defines_term, subject_variants
from assistant.qa.compose.text import concept, deferred_about, next_issue, summary
from assistant.qa.compose.why import says_no_reason, with_reading
from assistant.qa.evidence import chart_evidence, headline_figure
from assistant.qa.grammar import Understander
from assistant.qa.lexicon import generic_ja
from assistant.qa.part_context import PartContext
from assistant.qa.parts import add_parts
from assistant.qa.plan import QUANTITY_ASKS, QUANTITY_CUES, Plan, make_plan
from assistant.qa.resources import load_yaml
from assistant.records import Answer

YEAR_IN_TEXT = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
THIS_SURVEY = re.compile(r"(この|本|今回の?)(調査|アンケート)|\b(this|the) survey\b", re.IGNORECASE)
NO_NAMES_JA = "報告書は具体的な会社名・機関名・自治体名を挙げていません。関係する記載は次のとおりです。"
NO_NAMES_EN = "The report names no specific firms, institutions or municipalities. What it does say: "


def compose(ctx: AnswerContext, a: Analysis, hits: Callable[[], list[Hit]]) -> Answer:
    """Plan, compose the main answer, add the requested parts. `hits` runs the hybrid retrieval
    on demand: chart and survey answers never need it."""
    if {"other_population", "survey_scope"} <= a.cues:  # 「これって大企業の話？」: the survey is of SMEs
        return population_answer(ctx, a)
    if "year_premise" in a.cues or _other_year(ctx, a):
        # "Since this survey was run in 2021, …", 「2022年にやったこの調査、回答者数は？」, 「2022年の活用率は？」:
        # the year is corrected from the report, the rest answered for the one survey it has
        return corrected_period(ctx, a, hits, compose)
    chart_id, _ = pick_chart(a)
    percent = chart_id is not None and ctx.index.charts[chart_id].unit == "%"
    plan = make_plan(a, ctx.understander.analyze, percent_chart=percent, framing=ctx.understander.framing)
    main = compose_main(ctx, plan.main, hits)
    if plan.main.cues & {"bases", "per_company"}:
        return main  # what the two bases count is the whole answer; each is printed in it
    deferred = main.abstained and bool(main.citations)  # the report says this comes in its next issue
    if plan.advice and not deferred:
        facets = plan.main.missing_facets  # the asker's industry is known to be missing, not an unknown topic
        views = advice(ctx, replace(plan.main, unknown=[u for u in plan.main.unknown if u not in facets]))
        if views is not None and facets:  # the asker's industry: no figures for it
            lead = facet_lead(plan.main.missing_facets[0], a.lang == "en")
            return replace(views, answer=f"{lead} {views.answer}" if a.lang == "en" else lead + views.answer)
        if views is not None:
            return _advice_with_figures(ctx, plan, main, views)
    if not plan.missing:  # a clause at a time, when the answer left one out (or refused the whole)
        main = by_clause(ctx, a, main, compose_main, lambda c: _hits_for(ctx, c))
    if main.abstained or not plan.parts:
        return main
    part_ctx = PartContext(
        main,
        ctx.index.charts,
        ctx.doc,
        a.lang == "en",
        plan.of_responses,
        plan.missing,
        rows=plan.main.rows,
        columns=plan.main.columns,
        text=a.text,
        claims_top="claim_top" in a.cues,
        least="least" in a.cues,
        summed="sum" in plan.parts,
    )
    return add_parts(part_ctx, plan.parts)


def _other_years(ctx: AnswerContext, a: Analysis) -> list[str]:
    """The years the question names that are not the survey's."""
    survey_years = {ctx.doc.period_start[:4], ctx.doc.period_end[:4]}
    return [y for y in YEAR_IN_TEXT.findall(a.text) if y not in survey_years]


def _other_year(ctx: AnswerContext, a: Analysis) -> bool:
    """A year that is not the survey's, said of this survey (not the 2020 of a programme the
    report describes, nor another year's figures or a change over time, which it cannot show)."""
    if not _other_years(ctx, a) or a.cues & {"trend", "measure"}:
        return False
    # a year said of this survey is a premise to correct; figures of another year's survey are missing
    return THIS_SURVEY.search(a.text) is not None or bool(a.cues & {"respondents", "period"})


def _advice_with_figures(ctx: AnswerContext, plan: Plan, main: Answer, views: Answer) -> Answer:
    """The report's views, and the figures that bear on the asker's situation: 「営業で勧められた。
    普通？」 → how many firms started through a sales contact; 「みんなどこに頼んでる？」 → the
    providers, most common first. A figure asked for comes first, then the views."""
    a = plan.main
    chart_id, has_row, chart_ok = chart_evidence(a)
    asked_first = bool(set(a.asks) & QUANTITY_ASKS or a.cues & QUANTITY_CUES)
    if chart_id is None or not (chart_ok or has_row):
        if not (asked_first and "figure" in a.cues):
            return views
        # 「うちの市で募集してる？定員は何社？」: the figure asked for is not in the report; say so first
        note = (
            "The report does not give the figure you ask for. "
            if a.lang == "en"
            else "お尋ねの数値は報告書に記載がありません。"
        )
        return replace(views, answer=note + views.answer, abstained=True)  # what it has, cited; not an answer
    figures = main if not main.abstained and main.charts else chart_answer(ctx, a, chart_id)
    if figures.abstained:
        return views
    parts = [figures, views] if asked_first or (chart_ok and has_row) else [views, figures]
    named = [c for c, keys in a.rows.items() if keys and c != chart_id and not ctx.index.charts[c].is_crosstab]
    if not has_row and len(named) == 1 and not any(x.chart == named[0] for x in figures.citations):
        # 「GXもやらなきゃ。伴走支援ってアリ？」: the GX-minded owners' use, and GX推進 among the purposes
        row = chart_answer(ctx, a, named[0])
        parts = parts if row.abstained else [*parts, row]
    return merge_answers(a, parts, kind="advice")


def _hits_for(ctx: AnswerContext, c: Analysis) -> Callable[[], list[Hit]]:
    memo: list[list[Hit]] = []

    def hits() -> list[Hit]:
        if not memo:
            memo.append(ctx.index.search(c.text[-300:], c.tokens, c.lang) if c.text.strip() else [])
        return memo[0]

    return hits


def compose_main(ctx: AnswerContext, a: Analysis, hits: Callable[[], list[Hit]]) -> Answer:
    """The main answer: one chart, two charts, the report's text, a fact about the survey, or a refusal."""
    if not a.text.strip():
        return abstain(ctx, a, reason="empty")
    if a.proper_nouns and not a.cues & {"publisher", "author"}:  # 「○○リサーチが発行したんだよね？」 is corrected
        return abstain(ctx, a, reason="none")
    if "per_company" in a.cues:  # 「1社あたり平均いくつ選んだ？」: answers per company, from the printed bases
        return bases_answer(ctx, a, pick_chart(a)[0], average=True)
    if a.missing_facets:
        return abstain(ctx, a, reason="facet", detail=a.missing_facets[0])
    if a.cues & {"measure", "trend"}:  # prices, amounts, change over time: one survey prices nothing
        return abstain(ctx, a, reason="none")
    groups = any(keys for c, keys in a.rows.items() if ctx.index.charts[c].is_crosstab)  # 使ってる is a measure
    if a.uncovered and not groups:  # 「30代前半は？」「35歳未満はどのくらい使ってる？」: a group the chart leaves out
        why = excluded_group(ctx, a, "、".join(a.uncovered)) if "why" in a.cues else None
        return why or abstain(ctx, a, reason="uncovered", detail="、".join(a.uncovered))
    if a.cues & {"outcome", "comparison"} and _other_years(ctx, a) and not a.chart_scores:
        return abstain(ctx, a, reason="year")  # 「2022年の調査と比べて増えた？」: one survey, no other year
    if "outcome" in a.cues and not any(o.kind == "topic" for m in a.matches for o in m.owners):
        # 「売上は伸びた？」: results of support are what the report defers to its next issue
        later = deferred_about(ctx, ["効果", *a.terms])
        return abstain(ctx, a, reason="deferred" if later else "none", deferred=later)
    gap = term_gap(ctx, a)
    if gap is not None and gap[0] == "abbreviation":  # 「GXってなんの略？」: only where the report spells it out
        return abstain(ctx, a, reason="abbreviation", detail=gap[1])
    chart_id, score = pick_chart(a)
    named = section_named(ctx, a)
    closing = [t for t in section_words(ctx, named or "3")]
    asks_more = [t for t in a.terms if t not in closing and not ctx.understander.framing(t)]
    if "summary" in a.cues and len(asks_more) <= 1 and (not a.chart_scores or named not in ctx.chart_sections):
        return summary(ctx, a)
    if "next_issue" in a.cues and not a.chart_scores:  # 「次の号では何を報告する予定？」: the report says
        said = next_issue(ctx, a)
        if said is not None:
            return said  # 「まとめを教えて」, not 「まとめでは…の理由として何を挙げてる？」
    if "named" in a.cues and not a.cues & {
        "publisher",
        "author",
    }:  # 「おすすめの会社」: the report names no providers, but may say how they differ
        # details of the named ones (「定員は何人？」) are what the note says is missing, not a figure to find
        ans = concept(ctx, replace(a, cues=a.cues - {"figure"}), hits, strict=True)
        if ans is None or ans.abstained:
            return abstain(ctx, a, reason="none")
        note = NO_NAMES_EN if a.lang == "en" else NO_NAMES_JA
        return replace(ans, answer=note + ans.answer)
    if "bases" in a.cues:  # 「回答企業数と回答総数の違い」: what a multiple-answer chart counts
        return bases_answer(ctx, a, chart_id)
    meta = next(
        (k for k in ("period", "respondents", "publisher", "author", "title", "structure", "about") if k in a.cues),
        None,
    )
    has_topic = chart_id is not None and any(
        o.chart == chart_id and o.kind in ("topic", "why") for m in a.matches for o in m.owners
    )
    has_row = chart_id is not None and bool(a.rows.get(chart_id) or a.derived.get(chart_id))
    chart_ok = chart_evidence(a)[2]
    quantity = bool(a.cues & {"figure", "ranking", "comparison", "least", "all", "nth", "topn"})
    other_year = _other_years(ctx, a)
    if other_year and meta == "period":  # 「2022年に実施されたんですよね？期間は？」: the real period corrects it
        return meta_answer(ctx, a, "period")
    # 「2019年にやった応援隊事業ってどんなの？」: a wrong year of a thing the report describes; its own text,
    # with the report's years, answers what it is
    described = "concept" in a.cues and not quantity
    if other_year and not described and (quantity or chart_ok or "調査" in a.text or "survey" in a.text.lower()):
        return abstain(ctx, a, reason="year")
    asks_figure = "figure" in a.cues and "premise" in a.cues  # 「1000社と聞いた。その前提で活用率を」
    if meta == "respondents" and chart_ok and chart_id is not None and has_topic and not has_row and not asks_figure:
        pair = comparison_pair(ctx, a, chart_id, score, any_section=True)
        return merge_answers(a, [base_answer(ctx, a, c) for c in (pair or [chart_id])], kind="meta")
    if meta and (
        not chart_ok or meta in ("period", "publisher", "author", "title", "structure", "about") or not has_row
    ):
        return meta_answer(ctx, a, meta)
    if a.lang == "ja" and len(set(a.unknown)) >= 2 and not chart_ok and not passage_sure(ctx, a):
        return abstain(ctx, a, reason="none")
    if named is not None and named not in ctx.chart_sections:
        ans = concept(ctx, a, hits, strict=False)  # 「まとめでは…」「in the column…」: that part's own text
        if ans is not None:
            return ans
    numeric = bool(
        a.cues & {"figure", "ranking", "least", "all", "nth", "claim_top"}
    )  # 「何が違う」 compares ideas, not figures
    if gap is not None:  # 「認定支援機関ってどういう制度？」: only a chart's label; say so, with its figure
        return undefined_answer(ctx, a, chart_id if chart_ok else None)
    if a.cues & {"concept", "opinion"} and not numeric and (not quantity or a.subject):
        defined = any(defines_term(x.text, v) for v in subject_variants(a.subject)[:1] for x in ctx.sentences)
        if chart_ok and chart_id is not None and not defined:  # 「支援機関の「その他」って？」: that chart's text first
            ans = concept(ctx, a, hits, strict=False, section=ctx.index.charts[chart_id].section)
            if ans is not None and not ans.abstained:
                return ans
        ans = concept(ctx, a, hits, strict=chart_ok and "opinion" not in a.cues)
        if ans is not None:
            return ans
    if chart_ok and chart_id is not None and not has_row and not quantity and not a.cues & {"why", "comparison"}:
        # 「お試しで使える制度ってある？」 names a chart's topic but asks about something its text says
        matched = {t for m in a.matches for t in ctx.index.tokenizer.tokens(m.phrase)}
        residual = [t for t in a.terms if t not in generic_ja() and t not in matched]
        if residual:
            ans = concept(ctx, a, hits, strict=True)
            if ans is not None:
                return ans
    if chart_ok and chart_id is not None:
        if "why" in a.cues and not is_why_chart(a, chart_id):
            # 「売上拡大がトップなのはなぜ？」: the reason is in the chart's own text; the figure follows
            # the figures come from the chart below: a sentence without one may still give the reason
            reason = replace(a, cues=a.cues - {"figure"})
            ans = concept(ctx, reason, hits, strict=False, section=ctx.index.charts[chart_id].section, need=0.4)
            if ans is not None:
                ans = says_no_reason(a, ans)
                figures = has_row or "figure" in a.cues  # 「数字と理由の両方」 asks for both
                return merge_answers(a, [ans, chart_answer(ctx, a, chart_id)], kind="why") if figures else ans
        pair = (
            comparison_pair(ctx, a, chart_id, score, any_section="both" in a.cues)
            if a.cues & {"comparison", "both"}
            else None
        )
        if pair is not None:
            return multi_chart_answer(ctx, a, pair)
        main = chart_answer(ctx, a, chart_id)
        if "why" in a.cues and is_why_chart(a, chart_id) and not main.abstained:
            return with_reading(ctx, a, main, hits, ctx.index.charts[chart_id].section)
        return main
    if headline_figure(a):  # 「今年の数字は？」: the report's first chart is its headline figure
        return chart_answer(ctx, a, min(ctx.index.charts, key=lambda c: (ctx.index.charts[c].section, c)))
    ans = concept(ctx, a, hits, strict=False)
    if ans is None and not a.cues & {"measure", "outcome", "named"}:
        ans = concept(ctx, a, hits, strict=False, need=ctx.fallback_need)  # calibrated last resort
    return ans if ans is not None else abstain(ctx, a, reason="none")


class Composer:
    """Built once per store; `compose` answers one analysed question."""

    def __init__(
        self,
        index: StoreIndex,
        understander: Understander,
        normalize: Callable[[str], str] | None = None,
        read: Callable[[str], Analysis] | None = None,
    ) -> None:
        calibration = load_yaml("calibration.yaml")
        self.context = AnswerContext.build(
            index,
            understander,
            fallback_need=float(calibration["fallback_need"]),
            passage_sure=float(calibration.get("passage_sure", 1.01)),
            normalize=normalize,
            read=read,
        )

    def compose(self, a: Analysis, hits: Callable[[], list[Hit]]) -> Answer:
        return compose(self.context, a, hits)

    def warm(self) -> None:
        """Build now what the first advice question would: the report's views and their embeddings."""
        advice_candidates(self.context)
