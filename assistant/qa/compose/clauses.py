"""Every part that was asked gets answered: a question in several clauses (「伴走支援って何？
普通のコンサルと何が違うの？」, "how many started because of a pitch, and which provider…") is
checked clause by clause against the main answer; a clause it does not cover is answered on its
own, and one the report cannot answer is named as such."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from assistant.index import Hit
from assistant.qa.analysis import Analysis
from assistant.qa.compose.context import AnswerContext
from assistant.qa.compose.gaps import term_gap
from assistant.qa.compose.merge import merge_answers
from assistant.qa.compose.meta import gap_lead
from assistant.qa.evidence import CLAUSE_BREAK, MAX_CLAUSES, META_CUES, chart_evidence
from assistant.qa.followup import resolve
from assistant.qa.lexicon import generic_ja
from assistant.qa.plan import with_intent_cues
from assistant.records import Answer, echoable

TEXT_CUES = frozenset({"concept", "why", "opinion", "when"})
# a clause asking what the report never measures (names, results of support, change over time)
UNCOVERED_CUES = frozenset({"named", "outcome", "trend", "measure"})
PART_CUES = META_CUES | {"citation", "note"}

Compose = Callable[[AnswerContext, Analysis, Callable[[], list[Hit]]], Answer]


def clauses_of(text: str) -> list[str]:
    parts = [c.strip(" 、,") for c in CLAUSE_BREAK.split(text) if c and c.strip(" 、,")]
    return parts if 2 <= len(parts) <= MAX_CLAUSES else []


def _uncovered(main: Answer, c: Analysis) -> bool:
    """Does this clause ask for something the main answer does not give?"""
    if c.cues & UNCOVERED_CUES or c.uncovered or c.missing_facets:
        return True  # 「どこの銀行？」「売上あがった？」「35歳未満は？」「業種別は？」: what the report does not give
    content = [t for t in c.terms if t not in generic_ja()]
    if not content or "exclude" in c.cues or (c.cues & PART_CUES and not c.cues & TEXT_CUES):
        return False  # 「出典付きで」「（その他は除いて）」: parts and modifiers of the main request
    cited = {x.chart for x in main.citations if x.chart}
    chart_id, has_row, ok = chart_evidence(c)
    if c.lang == "ja" and c.unknown and not (ok and has_row):
        return True  # 「契約期間は普通どのくらい？」: words the report never uses, and no figure of it
    if ok and chart_id is not None and chart_id not in cited and not c.cues & TEXT_CUES:
        return True  # a figure from another chart
    has_text = any(x.chart is None for x in main.citations)
    return bool(c.cues & TEXT_CUES) and not has_text  # a definition or reason the figures do not give


def by_clause(
    ctx: AnswerContext,
    a: Analysis,
    main: Answer,
    compose: Compose,
    hits_for: Callable[[Analysis], Callable[[], list[Hit]]],
) -> Answer:
    clauses = clauses_of(a.text)
    if not clauses or a.followup:
        return main
    answered: list[Answer] = [] if main.abstained else [main]
    missing: list[str] = []
    gaps: list[str] = []
    before: Analysis | None = None
    for text in clauses:
        c = with_intent_cues(ctx.read(text) if ctx.read is not None else ctx.understander.analyze(text))
        asks_figure = bool(c.cues & {"figure", "ranking", "least", "comparison", "all", "share"})
        if before is not None and asks_figure and not chart_evidence(c)[2] and not c.subject:
            # 「去年と比べて増えてる？今の割合は？」: a later clause leaves out what the earlier one named
            c = with_intent_cues(resolve(ctx.understander, ctx.index.charts, c, before))
        before = c
        gap = term_gap(ctx, c)  # 「…ってどういう制度？」: a term the report does not explain is named as such
        if not main.abstained and not _uncovered(main, c) and gap is None:
            continue
        own = compose(ctx, c, hits_for(c))
        quote_only = not any(x.chart for x in own.citations) and own.kind != "meta"
        if quote_only and not c.cues & TEXT_CUES:
            own = replace(own, abstained=True)  # a passage found for a clause that asks for no text is chance
        if c.cues & {"concept", "why"} and not any(x.chart is None for x in own.citations):
            own = replace(own, abstained=True)  # 「認定支援機関ってなに？」: its count is no definition
        if not own.abstained and {x.quote for x in own.citations} <= {x.quote for x in main.citations}:
            continue  # what the main answer already says
        if not own.abstained:
            answered.append(own)
        elif main.abstained or c.cues & (TEXT_CUES | UNCOVERED_CUES) or chart_evidence(c)[2] or c.unknown:
            if gap is not None:
                gaps.append(gap_lead(*gap, a.lang == "en"))
            else:
                missing.append(text)
    if not answered:
        return main
    merged = merge_answers(a, answered, kind=answered[0].kind) if len(answered) > 1 else answered[0]
    if missing:
        shown = [m for m in missing if echoable(m)]
        names = "、".join(f"「{m[:30]}」" for m in shown) or "ご質問の一部"
        note = (
            f" The report does not cover: {'; '.join(m[:40] for m in shown) or 'part of the question'}."
            if a.lang == "en"
            else f"なお、{names}については報告書に記載がありません。"
        )
        merged.answer = merged.answer.rstrip() + note
    for lead in gaps:
        merged.answer = merged.answer.rstrip() + (f" {lead}" if a.lang == "en" else f"なお、{lead}")
    merged.language = a.lang
    merged.question = a.question
    return merged
