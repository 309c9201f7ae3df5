"""Follow-up questions: 「それはなぜ？」, 「税理士は？」, "what about …?" read against the previous turn."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.qa.analysis import Analysis, Match, Owner
from assistant.qa.cues import compiled as compiled_cues
from assistant.qa.grammar import Understander
from assistant.records import Chart, Language

MAX_CONTEXT_CHARS = 200
MAX_JOINED_CHARS = 300  # the thread and the follow-up read together
MEASURE_CUES = {"ever"}
NEXT = re.compile(r"その次|次は|次に多い|\bnext\b|\bafter that\b")
# 「コンサルの次に多いのは？」 "what comes after tax accountants?": the place below a row the question names
AFTER_ROW = re.compile(
    r"の次に(多|高|よく)|の次(は|って|で)|に次いで"
    r"|\b(comes?|came|ranks?|ranked|is|are) (right |just |directly )?(after|behind|below)\b|\bsecond only to\b|\bnext after\b",
    re.IGNORECASE,
)
PLURAL = re.compile(
    r"その(2|二|ふた)つ|それら|両方|どちらも|\bboth\b|\bthe two\b|\bthose two\b|\bthese two\b|\beach of them\b"
)
NEXT_GROUP = re.compile(r"次の(層|年代|年齢|グループ|区分|世代)|\bnext (age )?(group|band|bracket|one up)\b")
OTHER_ONE = re.compile(
    r"もう(一個|1個|一つ|1つ|ひとつ|いっこ|一方|片方)|他方|\bthe other (one|type|kind)\b", re.IGNORECASE
)
RESIDUAL = re.compile(r"その他|分からない|わからない|無回答")  # rows that are no alternative of their own
KIND_CUES = {"ranking", "least", "comparison", "figure", "concept", "why"}
RANK_ASKED = 0.5  # the intent model's confidence that the turn before asked for the top or the bottom


def _switch(a: Analysis) -> re.Match[str] | None:
    """「英語で教えて」 "in English please": the previous question again, in the asked language."""
    return re.fullmatch(
        r"(?:(英語|日本語)で(?:教えて|お願い|答えて)?(?:ください|下さい)?[。？?]?)", a.text.replace(" ", "")
    ) or re.fullmatch(
        r"(?:(?:please )?(?:answer |say that |tell me )?in (english|japanese)(?: please)?[.?!]?)",
        a.text.lower().strip(),
    )


def _anaphoric(a: Analysis) -> bool:
    patterns = compiled_cues()
    text = a.text.replace(" ", "")
    said = bool(patterns.followup_ja.search(text) or patterns.followup_en.search(a.text.lower().strip()))
    return said or _this_chart(a) or ("share" in a.cues and not a.rows)  # a share of what was said


def _this_chart(a: Analysis) -> bool:
    return (
        re.search(r"(この|その)(質問|設問|項目|グラフ|図)|\b(this|that) (question|chart)\b", a.text.lower()) is not None
    )


def _is_short(a: Analysis) -> bool:
    return len(a.text.replace(" ", "")) <= 14 if a.lang == "ja" else len(a.text.split()) <= 6


def leans_on_thread(a: Analysis) -> bool:
    """Does this question read the turns before it at all? A question that does not (it names its
    own subject, a survey fact, or enough of a chart) costs no reading of the thread."""
    if _switch(a):
        return True
    own_chart, own_score = a.best_chart()
    anaphoric = _anaphoric(a)
    short = _is_short(a)
    meta = a.cues & {"period", "respondents", "publisher", "author", "title", "about", "structure"}
    meta = meta if "share" not in a.cues else set()  # 「回答企業数に対する割合にすると？」 asks about the last figure
    # 「それ何件？回答企業数も」"how many firms answered that one?": the base of the chart just discussed
    base_of_last = anaphoric and meta == {"respondents"}
    if (meta and not _this_chart(a) and not base_of_last) or (a.subject and not anaphoric):
        return False  # 「この質問には何社が回答？」: the last chart
    compares_one = "comparison" in a.cues and own_chart is not None and len(a.rows.get(own_chart, [])) == 1
    return anaphoric or compares_one or (short and own_score < 2.0)


def resolve(understander: Understander, charts: dict[str, Chart], a: Analysis, prev: Analysis) -> Analysis:
    """Read a follow-up against the previous turn: 「それはなぜ？」, 「税理士は？」, "what about …?"."""
    switch = _switch(a)
    if switch:  # 「英語で教えて」: the previous question again, in the asked language
        lang: Language = "en" if switch.group(1) in ("英語", "english") else "ja"
        return replace(prev, question=a.question, lang=lang, followup=True, inherited=prev.text)
    if not leans_on_thread(a):
        return a
    anaphoric = _anaphoric(a)
    short = _is_short(a)
    context = f"{prev.inherited}。{prev.text}" if prev.inherited else prev.text  # the thread so far, its
    context = context[-MAX_CONTEXT_CHARS:]  # latest part only: the cost of a turn stays bounded
    joined = context + "。" + a.text if a.lang == "ja" else context + " " + a.text
    combined = understander.analyze(joined[-MAX_JOINED_CHARS:], thread=True)  # a long question keeps its own end
    cues = set(a.cues)
    if not cues & KIND_CUES:
        cues |= prev.cues & KIND_CUES
    if not a.columns:  # 「逆に一番少ないのは？」 keeps the measure of the turn before (ever = current + past)
        cues |= prev.cues & MEASURE_CUES
    scores = dict(combined.chart_scores)
    for cid, s in a.chart_scores.items():
        scores[cid] = scores.get(cid, 0.0) + s  # the follow-up's own words count twice
    prev_chart, _ = prev.best_chart()
    if prev_chart is not None:
        # 「GXの場合は？」 after a DX question: the sibling chart of the same section, named by a topic of its
        # own (活用状況, which every chart of the section has, names none of them)
        named = {
            o.chart
            for m in a.matches
            if not any(x.chart == prev_chart for x in m.owners)
            for o in m.owners
            if o.kind == "topic"
        }
        for cid in a.chart_scores:
            if cid != prev_chart and cid in named and charts[cid].section == charts[prev_chart].section:
                scores[cid] += 4.0
        if a.rows.get(prev_chart):  # 「税理士は？」: a row of the chart just discussed
            scores[prev_chart] = scores.get(prev_chart, 0.0) + 4.0
    rows = {c: list(r) for c, r in prev.rows.items()}
    for c, r in a.rows.items():
        rows[c] = list(r)
    asks_rank = a.cues & {"ranking", "superlative", "least", "nth", "topn"} or re.search(r"次|next|other|他", a.text)
    over_all: str | None = None
    position = None
    if NEXT.search(a.text) and prev_chart is not None and not a.rows and not charts[prev_chart].is_crosstab:
        # 「その次は？」: one place below the row just given (the top one when none was named)
        before = prev.rows.get(prev_chart) or []
        ranked = sorted(charts[prev_chart].rows, key=lambda r: -(r.values.get("value") or 0.0))
        order_keys = [r.key for r in ranked]
        at = max((order_keys.index(k) + 1 for k in before if k in order_keys), default=prev.position or 1)
        position = at + 1
    if position is not None and prev_chart is not None:
        rows.pop(prev_chart, None)  # the position asked replaces the row just given
    other = _the_other_row(charts, prev_chart, prev.rows) if OTHER_ONE.search(a.text) and not a.rows else None
    if other is not None and prev_chart is not None:  # 「もう一個のほうは？」 after 課題解決型: 施策実行型
        rows[prev_chart] = [other]
        scores[prev_chart] = max(scores.values(), default=0.0) + 4.0
    if (
        prev_chart is not None
        and not a.rows.get(prev_chart)  # 「今受けてる割合が一番低いのは？」: 受けてる names a status, not a group
        and a.cues & {"superlative", "least", "topn"}
        and "comparison" not in a.cues
    ):
        rows.pop(prev_chart, None)  # 「逆にいちばん低い年代は？」 after one group: the extreme over all of them
        over_all = prev_chart  # the group named before still names the chart: its dimension is the topic
    if NEXT_GROUP.search(a.text) and prev_chart is not None and charts[prev_chart].is_crosstab and not a.rows:
        # 「次の層は？」 after one age group: the group that follows it in the chart's own order
        order = [r.key for r in charts[prev_chart].rows]
        before = [k for k in prev.rows.get(prev_chart) or [] if k in order]
        if len(before) == 1 and order.index(before[0]) + 1 < len(order):
            rows[prev_chart] = [order[order.index(before[0]) + 1]]
            scores[prev_chart] = scores.get(prev_chart, 0.0) + 4.0
    if (
        (anaphoric or short)
        and prev_chart is not None
        and not a.rows
        and not prev.rows.get(prev_chart)
        and not asks_rank
    ):
        least = "least" in prev.cues or prev.asks.get("least", 0.0) >= RANK_ASKED
        top = _top_row(charts[prev_chart], least, (prev.columns.get(prev_chart) or [""])[0])
        asked_rank = bool(prev.cues & {"ranking", "superlative", "least", "claim_top"}) or any(
            prev.asks.get(k, 0.0) >= RANK_ASKED for k in ("top", "least")
        )
        if top is not None and asked_rank:
            # 「一番多いのは？」→「それって全体の何割？」: "it" is the answer's top row, of that chart only;
            # rows other charts matched in passing are no referent, and 「全体」 frames the share
            rows = {prev_chart: [top]}
            scores[prev_chart] = max(scores.values(), default=0.0) + 4.0
    if anaphoric and prev_chart is not None and not a.rows and rows.get(prev_chart) and not asks_rank:
        # 「…何件だった？」→「それって全体のどれくらい？」: "it" is the row just given; 「全体」 frames the share
        scores[prev_chart] = max(scores.values(), default=0.0) + 4.0
    if PLURAL.search(a.text):  # 「その2つ」"both of them": the rows of the turns before, together
        for c, r in prev.seen_rows.items():
            rows[c] = list(dict.fromkeys(r + rows.get(c, [])))
    cols = {**prev.columns, **a.columns}
    derived = dict(a.derived) if a.rows or a.derived else {**prev.derived, **a.derived}
    if "comparison" in a.cues:  # 「施策実行型と比べると？」: the row just discussed against the new one
        for c, r in a.rows.items():
            rows[c] = list(dict.fromkeys(prev.rows.get(c, []) + list(r)))
    if a.rows:  # new rows replace the old ones in the chart the follow-up names
        for c in a.rows:
            derived.pop(c, None)
    if "why" in a.cues and not a.rows:
        rows = {}
    if prev_chart is not None:
        best = max(scores, key=lambda c: scores[c]) if scores else None
        if best and best != prev_chart and best not in a.rows and charts[best].section == charts[prev_chart].section:
            keys = {r.key for r in charts[best].rows}
            carried = [k for k in prev.rows.get(prev_chart, []) if k in keys]
            if carried:
                rows[best] = carried
                derived[best] = [
                    d for d in prev.derived.get(prev_chart, []) if d in {x.key for x in charts[best].derived}
                ]
    matches = combined.matches if "why" in cues else a.matches + [m for m in prev.matches if m not in a.matches]
    if over_all is not None:
        matches = [_row_as_topic(m, over_all) for m in matches]
    return replace(
        a,
        cues=cues,
        chart_scores=scores,
        rows=rows,
        columns=cols,
        derived=derived,
        matches=matches,
        tokens=a.tokens + prev.tokens,
        terms=a.terms + [t for t in prev.terms if t not in a.terms],
        unknown=a.unknown,
        followup=True,
        inherited=context,
        seen_rows=_merge_rows(prev.seen_rows, prev.rows, a.rows),
        position=position,
    )


def _the_other_row(charts: dict[str, Chart], chart_id: str | None, before: dict[str, list[str]]) -> str | None:
    """The one row of a chart besides the one just discussed, その他 and 分からない aside."""
    if chart_id is None or len(before.get(chart_id, [])) != 1 or charts[chart_id].is_crosstab:
        return None
    rest = [r.key for r in charts[chart_id].rows if r.key not in before[chart_id] and not RESIDUAL.search(r.label)]
    return rest[0] if len(rest) == 1 else None


def _row_as_topic(m: Match, chart: str) -> Match:
    owners = [Owner(o.chart, "topic", "") if o.chart == chart and o.kind == "row" else o for o in m.owners]
    return replace(m, owners=owners)


def _merge_rows(*parts: dict[str, list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in parts:
        for c, r in part.items():
            out[c] = list(dict.fromkeys(out.get(c, []) + list(r)))
    return out


def _top_row(chart: Chart, least: bool, column: str = "") -> str | None:
    """The row a ranking answered with: by value, or in a cross-tab by its column (受けている by default)."""
    col = "value" if not chart.is_crosstab else (column or "current")
    valued = [r for r in chart.rows if r.values.get(col) is not None]
    if not valued:
        return None
    pick = min if least else max
    return pick(valued, key=lambda r: r.values[col] or 0.0).key


def after_named_row(charts: dict[str, Chart], a: Analysis) -> Analysis:
    """「コンサルの次に多いのってどこ？」: one ranked chart, one row named before 「の次に」: the row one
    place below it is asked, not the named one."""
    named = [(c, keys) for c, keys in a.rows.items() if keys and not charts[c].is_crosstab]
    best, _ = a.best_chart()
    if len(named) != 1 or len(named[0][1]) != 1 or named[0][0] != best or a.position is not None:
        return a
    m = AFTER_ROW.search(a.text)
    if m is None:
        return a
    cid, (key,) = named[0]
    ranked = [r.key for r in sorted(charts[cid].rows, key=lambda r: -(r.values.get("value") or 0.0))]
    label = next((r for r in charts[cid].rows if r.key == key), None)
    said = [a.text.find(x) for x in ((label.label, *label.aliases) if label else ()) if x and x in a.text]
    if key not in ranked or ranked.index(key) + 1 >= len(ranked) or (said and min(said) > m.start()):
        return a  # the row must come before 「の次」; the last row has nothing after it
    rows = {c: list(k) for c, k in a.rows.items() if c != cid}
    return replace(a, rows=rows, position=ranked.index(key) + 2, cues=a.cues | {"ranking"})
