"""Step 4: intent × evidence → a plan: the main answer to compose, and the parts to add to it.

A support person asks in one sentence for a figure, its base, the period and a source line;
an owner asks for a figure and for something the report lacks. The plan answers the main part
with the chart the evidence points to, then each requested part, and names what is missing.
Labels come from the intent model (`Analysis.asks`) and the grammar's cues alike; either is
enough, neither is a gate.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from assistant.qa.analysis import Analysis
from assistant.qa.cues import FIRST_PERSON
from assistant.qa.evidence import META_CUES, chart_evidence
from assistant.qa.partial import also_by, blocked, missing_names, split_covered

QUANTITY_ASKS = frozenset({"value", "top", "least", "nth", "compare", "share", "sum", "all"})
RANKING_CUES = frozenset({"ranking", "superlative", "least", "topn", "nth", "all", "claim_top"})
QUANTITY_CUES = frozenset({"figure", "ranking", "comparison", "least", "all", "superlative", "topn", "nth"})
# a part is asked for when the intent model or the grammar's cue says so
PART_SIGNALS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "base": (frozenset({"base"}), frozenset({"respondents"})),
    "period": (frozenset({"period"}), frozenset({"period"})),
    "note": (frozenset(), frozenset({"note"})),
    "publisher": (frozenset({"publisher"}), frozenset({"publisher", "author"})),
    "citation": (frozenset({"citation"}), frozenset({"citation"})),
    "share": (frozenset({"share"}), frozenset({"share"})),
    "sum": (frozenset({"sum"}), frozenset({"sum"})),
    "difference": (frozenset({"compare"}), frozenset({"comparison"})),
    "rank_of": (frozenset(), frozenset({"rank_of"})),
    "zero": (frozenset(), frozenset({"zero"})),
    "tie": (frozenset(), frozenset({"tie"})),
    "premise": (frozenset(), frozenset({"premise", "claim_top"})),  # a rank or figure the asker states
    "ever": (frozenset(), frozenset({"ever"})),
}
# with no chart in evidence, a confident intent names the survey fact asked for
LABEL_META = {"base": "respondents", "period": "period", "publisher": "publisher"}
META_PART = {"period": "period", "respondents": "base", "publisher": "publisher", "author": "publisher"}
COUNT_OF_PERCENT = re.compile(
    r"何社|社数|会社の数|人数|何人|how many (of (the )?(\d+ )?)?(actual |real )?(companies|firms|businesses|owners|people)"
    r"|how many of (them|those|these)|(number|count) of (companies|firms|businesses)"
)
OF_RESPONSES = re.compile(
    r"回答総数|総回答|全回答|全体の回答|回答全体|\ball\b[^.?]{0,24}\b(answers|responses|mentions|ticks)\b"
    r"|total (number of )?(answers|responses)"
)


@dataclass(frozen=True)
class Plan:
    main: Analysis  # what the main answer is composed from
    parts: tuple[str, ...]  # parts added after it (assistant.qa.parts)
    missing: tuple[str, ...]  # what was asked that the report does not have
    of_responses: bool  # a share is asked of all answers (回答総数), not of companies
    advice: bool  # the question asks what to do: answer with the report's own views


# a confident intent adds the cue the grammar would have set, had its patterns matched the wording
LABEL_CUES = {
    "concept": "concept",
    "why": "why",
    "top": "ranking",
    "least": "least",
    "compare": "comparison",
    "value": "figure",
    "nth": "nth",
}
CONFIDENT = 0.7
# advice beside a figure asked needs a surer intent: 「何社くらいになる？」 reads as advice at 0.73.
# Over the labelled sets 0.7 / 0.75 / 0.8 / 0.9 score +0 / +1 / +1 / +1 with a loss at 0.9: 0.8
ADVICE_BESIDE_FIGURE = 0.8


def with_intent_cues(a: Analysis) -> Analysis:
    extra = {cue for label, cue in LABEL_CUES.items() if a.asks.get(label, 0.0) >= CONFIDENT} - a.cues
    return replace(a, cues=a.cues | extra) if extra else a


def make_plan(
    a: Analysis,
    read: Callable[[str], Analysis],
    percent_chart: bool = False,
    framing: Callable[[str], bool] = lambda t: False,
) -> Plan:
    """`read` analyses a piece of the question; `percent_chart`: the chart in evidence prints
    percentages (a share is then a count of n)."""
    a = with_intent_cues(a)
    asks = set(a.asks)
    requested = [p for p, (labels, cues) in PART_SIGNALS.items() if asks & labels or a.cues & cues]
    if "sum" in a.cues and "sum" in requested:  # 「足すと何件？n=205に対して何％？」: a total, not a gap
        requested = [p for p in requested if p != "difference"]
    chart_id, has_row, chart_ok = chart_evidence(a)
    quantity = bool(asks & QUANTITY_ASKS or a.cues & QUANTITY_CUES or has_row)
    of_responses = bool(OF_RESPONSES.search(a.text) or OF_RESPONSES.search(a.text.lower()))
    missing: list[str] = []
    main = a
    only_groups = a.uncovered and not (a.missing_facets or a.proper_nouns or a.cues & {"measure", "outcome", "trend"})
    if only_groups and has_row:  # 「20代と30代後半を比べて」: the group the chart has, and which it leaves out
        missing = list(a.uncovered)
        main = replace(a, uncovered=[], cues=a.cues - {"comparison"})
    elif blocked(a):  # 「コンサル会社の件数と、費用の相場」: answer the covered clause, name the rest
        split = split_covered(a, read)
        if split is not None:
            main, missing = split[0], split[1]
            main = replace(main, question=a.question, lang=a.lang, asks=a.asks)
            chart_id, has_row, chart_ok = chart_evidence(main)
        elif (rest := also_by(a)) is not None:  # 「…の割合、業種別にも見たい」: the figure, the breakdown named missing
            missing = missing_names(a)
            main = replace(read(rest), question=a.question, lang=a.lang, asks=a.asks)
            chart_id, has_row, chart_ok = chart_evidence(main)
    if chart_ok and quantity:
        figure_not_base = "value" in asks and "base" not in asks  # 「活用率を出して」, not "how many answered"
        if main.cues & META_CUES and (
            has_row or asks & (QUANTITY_ASKS - {"value"}) or a.cues & RANKING_CUES or figure_not_base
        ):
            main = replace(main, cues=main.cues - META_CUES)  # the figure first; base, period … as parts
    else:
        if not main.cues & (META_CUES | {"summary"}):
            guessed = {cue for label, cue in LABEL_META.items() if a.asks.get(label, 0.0) >= 0.5}
            if a.asks.get("overview", 0.0) >= 0.5 and all(framing(t) for t in a.terms):
                guessed.add("about")  # "the outline, please": nothing asked but the report itself
            if guessed:  # 「回答者って何社？」「所長さんは誰？」: no cue pattern, the intent says which fact
                main = replace(main, cues=main.cues | guessed)
        meta = next((k for k in ("period", "respondents", "publisher", "author") if k in main.cues), None)
        if meta is not None and "summary" not in main.cues:  # the main answer is that fact: no repeat
            requested = [p for p in requested if p != META_PART[meta]]
        requested = [p for p in requested if p in ("base", "note", "period", "publisher", "citation")]
    if percent_chart:  # a share of a percentage chart is a count: 「何社くらい」「人数にしたら」
        counts = chart_ok and COUNT_OF_PERCENT.search(a.text.lower()) is not None
        requested = [p for p in requested if p != "share"] + (["share"] if counts else [])
    # the report's views answer it, with the figures that bear on the asker's situation (compose)
    # beside a figure asked for (「誰も選ばなかったきっかけは？」), only a confident intent is advice
    figure_asked = bool(asks & QUANTITY_ASKS or a.cues & QUANTITY_CUES)
    advice_sure = a.asks.get("advice", 0.0) >= (ADVICE_BESIDE_FIGURE if figure_asked else 0.0)
    # "what does it mean?" after "I keep seeing it": the stronger of the text intents decides
    advice_sure = advice_sure and a.asks.get("advice", 0.0) >= max(a.asks.get("concept", 0.0), a.asks.get("why", 0.0))
    # 「うちは製造業なんやけど、使ったほうがええ？」: the asker's own industry is their situation, not a
    # breakdown asked for; the views answer it and the missing breakdown is named (compose)
    # 「大阪の10人の商社です」: a place or name in the asker's self-description is the same
    told = bool(a.missing_facets or (a.proper_nouns and FIRST_PERSON.search(a.text)))
    situation = told and not figure_asked and not blocked(replace(a, missing_facets=[], proper_nouns=[]))
    # a question about the report itself (its next issue, the firms it names) asks for no advice
    advice = "advice" in asks and advice_sure and (not blocked(a) or situation) and not a.cues & {"named", "next_issue"}
    if missing:
        requested.append("missing")
    return Plan(main, tuple(requested), tuple(missing), of_responses, advice)
