"""Partly covered questions: what the report has is answered, what it lacks is named. A request
in several clauses is split by clause; one clause that names a lacking thing beside a covered one
(「調査期間と調査方法」) loses the lacking phrase; a breakdown asked besides a figure (「業種別にも」)
loses the breakdown."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from assistant.qa.analysis import Analysis
from assistant.qa.cues import compiled as compiled_cues
from assistant.qa.evidence import CLAUSE_BREAK, MAX_CLAUSES, META_CUES, chart_evidence, headline_figure


def missing_names(a: Analysis) -> list[str]:
    names = [f if f.endswith("別") or re.search("[A-Za-z]", f) else f + "別" for f in a.missing_facets]
    cues = compiled_cues()
    text_ja, text_en = a.text.replace(" ", ""), a.text.lower()
    for cue in ("measure", "outcome", "trend"):
        if cue in a.cues:
            m = cues.ja[cue].search(text_ja) or cues.en[cue].search(text_en)
            if m:
                names.append(m.group(0).strip())
    return names + list(a.proper_nouns) + list(a.uncovered)


def blocked(a: Analysis) -> bool:
    return bool(a.missing_facets or a.proper_nouns or a.uncovered or a.cues & {"measure", "outcome", "trend"})


def also_by(a: Analysis) -> str | None:
    """A breakdown the report lacks asked for besides something it has, in one clause: 「業種別にも」
    「業種別でも」 (also by industry), 「業種別と年齢別で」 (with a breakdown it has), "what share …,
    broken down by industry?". Not 「業種別の活用率」 or "break down usage by industry", which ask
    for nothing else. Returns the question without the breakdown."""
    facets = set(a.missing_facets)
    if not facets or blocked(replace(a, missing_facets=[])) or not chart_evidence(replace(a, missing_facets=[]))[2]:
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
        if blocked(c):
            part = _without_missing(c, read)  # 「調査期間と調査方法（ネット調査」: the period is covered
            covered += [part[0].text] if part is not None else []
            missing += part[1] if part is not None else missing_names(c)
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
    if blocked(c) or not (c.cues & META_CUES or chart_evidence(c)[2]):
        return None
    return c, names
