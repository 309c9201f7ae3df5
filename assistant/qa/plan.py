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
from assistant.qa.compose.charts import CHART_THRESHOLD, pick_chart
from assistant.qa.cues import compiled as compiled_cues
from assistant.qa.lexicon import generic_ja

ROW_THRESHOLD = 0.5
META_CUES = frozenset({"period", "respondents", "publisher", "author", "title", "about", "structure"})
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
# where one request ends and the next begins: 「AとBを教えて」 is one, 「Aの件数と、Bは？」 two
CLAUSE_BREAK = re.compile(
    r"[。?？!！]|(?<=[\u3400-\u9fff\u30a0-\u30ffか0-9])と、|(?<=[^っ][てで])、|、(?:あと|それと|それから|また|ついでに|さらに)|(?:,\s*|\s)and\s+(?:also\s+)?(?=what|how|which|is|are|was|were|has|have|do|does|did|the|by|for|among)|;"
)
MAX_CLAUSES = 4
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


def headline_figure(a: Analysis) -> bool:
    """「今年の数字は？」「what's the number?」: a figure asked about nothing but the report's own
    subject (no chart's words, nothing the report lacks); the report's first chart, its headline,
    answers it."""
    # 「受けたことある会社とない会社、どっちが多い？」: a comparison or ranking of the subject's own status
    asks_figure = bool(a.cues & {"figure", "comparison", "ranking"}) or a.asks.get("value", 0.0) >= 0.5
    return (
        asks_figure
        and not a.chart_scores
        and not a.unknown
        and not a.cues & (META_CUES | {"measure", "outcome", "trend", "named", "concept", "why"})
        and all(t in generic_ja() for t in a.terms)
    )


def chart_evidence(a: Analysis) -> tuple[str | None, bool, bool]:
    """(chart, has a row or derived figure named, the chart is well supported)."""
    chart_id, score = pick_chart(a)
    if chart_id is None:
        return None, False, False
    own = [m for m in a.matches if any(o.chart == chart_id for o in m.owners)]
    if "why" in a.cues and own and all(_asks_why(m.phrase) for m in own):
        return chart_id, False, False  # 「…に切り替えた理由は？」: the word that asks why names no chart of reasons
    has_topic = any(o.chart == chart_id and o.kind in ("topic", "why") for m in a.matches for o in m.owners)
    has_row = bool(a.rows.get(chart_id) or a.derived.get(chart_id))
    # a row asked for as a figure is evidence enough, even through a paraphrase several charts share
    enough = score >= CHART_THRESHOLD or (has_row and "figure" in a.cues and score >= ROW_THRESHOLD)
    if not enough:
        return chart_id, False, False
    # a label alone does not answer a question about something else; one odd word beside a figure asked is no such thing
    asks_figure = bool(a.cues & {"figure", "share", "ranking"})
    strict_vocab = a.lang == "ja" and (len(set(a.unknown)) >= 2 or (bool(a.unknown) and not asks_figure))
    return chart_id, has_row, has_topic or (has_row and not strict_vocab)


def _asks_why(phrase: str) -> bool:
    cues = compiled_cues()
    return bool(cues.ja["why"].fullmatch(phrase.replace(" ", "")) or cues.en["why"].fullmatch(phrase.lower()))


def _missing_names(a: Analysis) -> list[str]:
    names = [f if f.endswith("別") or re.search("[A-Za-z]", f) else f + "別" for f in a.missing_facets]
    cues = compiled_cues()
    text_ja, text_en = a.text.replace(" ", ""), a.text.lower()
    for cue in ("measure", "outcome", "trend"):
        if cue in a.cues:
            m = cues.ja[cue].search(text_ja) or cues.en[cue].search(text_en)
            if m:
                names.append(m.group(0).strip())
    return names + list(a.proper_nouns) + list(a.uncovered)


def _blocked(a: Analysis) -> bool:
    return bool(a.missing_facets or a.proper_nouns or a.uncovered or a.cues & {"measure", "outcome", "trend"})


def _also_by(a: Analysis) -> str | None:
    """A breakdown the report lacks asked for besides something it has, in one clause: 「業種別にも」
    「業種別でも」 (also by industry), 「業種別と年齢別で」 (with a breakdown it has), "what share …,
    broken down by industry?". Not 「業種別の活用率」 or "break down usage by industry", which ask
    for nothing else. Returns the question without the breakdown."""
    facets = set(a.missing_facets)
    if not facets or _blocked(replace(a, missing_facets=[])) or not chart_evidence(replace(a, missing_facets=[]))[2]:
        return None
    if a.lang == "en":
        head, comma, tail = a.text.partition(",")
        figure = compiled_cues().en["figure"].search(head.lower())
        after = (
            comma
            and any(f.lower() in tail.lower() for f in facets)
            and not any(f.lower() in head.lower() for f in facets)
        )
        return head if figure and after else None
    if not any(re.search(re.escape(f) + r"別?(にも|でも|も|と(?!か))", a.text) for f in facets):
        return None
    rest = a.text
    for f in facets:
        rest = re.sub(re.escape(f) + r"別?(にも|でも|も|と(?!か)|で|の)?", "", rest)
    return rest


def split_covered(a: Analysis, read: Callable[[str], Analysis]) -> tuple[Analysis, list[str]] | None:
    """A request in several clauses, some about what the report has and some about what it lacks:
    the covered clauses (read again on their own) and the names of what is missing."""
    clauses = [c.strip(" 、,") for c in CLAUSE_BREAK.split(a.text) if c and c.strip(" 、,")]
    if len(clauses) > MAX_CLAUSES:
        return None
    if len(clauses) < 2:
        return _without_missing(a, read)
    covered: list[str] = []
    missing: list[str] = []
    for clause in clauses:
        c = read(clause)
        if _blocked(c) and (part := _without_missing(c, read)) is not None:
            covered.append(part[0].text)  # 「調査期間と調査方法（ネット調査」: the period is covered
            missing += part[1]
        elif _blocked(c):
            missing += _missing_names(c)
        elif chart_evidence(c)[2] or c.cues & META_CUES or headline_figure(c):  # a figure, or a survey fact
            covered.append(clause)
    if not covered or not missing:
        return None
    sep = " " if a.lang == "en" else "、"
    return read(sep.join(covered)), missing


# 「AとB」「AやB」「A（B）」, "A and B", "A, B": a comma is no pair in Japanese (「…会社って、離職率は」)
# nor before a whole English clause ("On average, how much …")
COORDINATED_BEFORE = re.compile(r"(?:と|や|（|\(|,|\band(?: the| a| an| its)?|&)$", re.IGNORECASE)
COORDINATED_AFTER = re.compile(r"と|や|and\b|&", re.IGNORECASE)
PHRASE_END = frozenset("をはがもでだとや、。？?！!（()）")  # where a noun phrase of a Japanese question ends


def _conjunct(text: str, start: int, end: int) -> tuple[int, int]:
    """The noun phrase a Japanese cue's words stand in (平均 in 「平均費用」): out to its particles."""
    while start > 0 and text[start - 1] not in PHRASE_END and text[start - 1] != "の":
        start -= 1
    while end < len(text) and text[end] not in PHRASE_END:
        end += 1
    return start, end


def _without_missing(a: Analysis, read: Callable[[str], Analysis]) -> tuple[Analysis, list[str]] | None:
    """One clause that asks for something the report lacks beside something it has (「調査期間と調査
    方法を教えて」, "the survey period and the survey method"): the question without the lacking
    phrase, if it is named beside the rest (not 「平均費用は？」) and what is left is covered."""
    if a.missing_facets or a.proper_nouns or a.uncovered:
        return None
    cues = compiled_cues()
    en = a.lang == "en"
    text = a.text if en else a.text.replace(" ", "")
    spans = sorted(
        m.span() if en else _conjunct(text, *m.span())
        for cue in ("measure", "outcome", "trend")
        if cue in a.cues
        for m in (cues.en[cue] if en else cues.ja[cue]).finditer(text.lower() if en else text)
    )
    if not spans:
        return None
    rest, names, last = [], [], 0
    for start, end in spans:
        if start < last:  # the same phrase again (調査方法, ネット調査 inside one conjunct)
            last = max(last, end)
            continue
        before, after = text[:start].rstrip(), text[end:].lstrip()
        if COORDINATED_BEFORE.search(before[-8:]) is None and COORDINATED_AFTER.match(after[:5]) is None:
            return None  # it modifies the rest (平均費用, 売上は伸びた): nothing else was asked
        rest.append(text[last:start])
        names.append(text[start:end].strip(" （(）)"))
        last = end
    rest.append(text[last:])
    c = read("".join(rest))
    if _blocked(c) or not (c.cues & META_CUES or chart_evidence(c)[2]):
        return None
    return c, names


FIRST_PERSON = re.compile(r"\b(I|I'm|we|we're|our|my)\b|うち|弊社|当社|私|僕|自分", re.IGNORECASE)
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
    elif _blocked(a):  # 「コンサル会社の件数と、費用の相場」: answer the covered clause, name the rest
        split = split_covered(a, read)
        if split is not None:
            main, missing = split[0], split[1]
            main = replace(main, question=a.question, lang=a.lang, asks=a.asks)
            chart_id, has_row, chart_ok = chart_evidence(main)
        elif (
            rest := _also_by(a)
        ) is not None:  # 「…の割合、業種別にも見たい」: the figure, the breakdown named missing
            missing = _missing_names(a)
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
    situation = told and not figure_asked and not _blocked(replace(a, missing_facets=[], proper_nouns=[]))
    # a question about the report itself (its next issue, the firms it names) asks for no advice
    advice = (
        "advice" in asks and advice_sure and (not _blocked(a) or situation) and not a.cues & {"named", "next_issue"}
    )
    if missing:
        requested.append("missing")
    return Plan(main, tuple(requested), tuple(missing), of_responses, advice)
