"""A wrong survey period stated as a premise (「2022年の調査だよね？回答数は？」, "The survey ran
January to March 2023, correct? And what was n?"): the period is corrected from the report, and
the rest of the question answered without it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from assistant.index import Hit
from assistant.qa.analysis import Analysis
from assistant.qa.compose.clauses import clauses_of
from assistant.qa.compose.context import AnswerContext
from assistant.qa.compose.meta import meta_answer
from assistant.qa.compose.phrasing import en_period
from assistant.records import Answer

Compose = Callable[[AnswerContext, Analysis, Callable[[], list[Hit]]], Answer]

YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)年?")
EN_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("january february march april may june july august september october november december").split()
    )
}
# 「3月」, "March"; not "may", which is mostly the verb
MONTH = re.compile(
    r"(?<!\d)(1[0-2]|0?[1-9])月|\b(" + "|".join(m for m in EN_MONTHS if m != "may") + r")\b", re.IGNORECASE
)


def _months(text: str) -> list[int]:
    return [int(m.group(1)) if m.group(1) else EN_MONTHS[m.group(2).lower()] for m in MONTH.finditer(text)]


def _asks_period(ctx: AnswerContext, clause: str) -> bool:
    read = ctx.read(clause) if ctx.read is not None else ctx.understander.analyze(clause)
    return "period" in read.cues and not read.cues & {"figure", "respondents"}


def corrected_period(ctx: AnswerContext, a: Analysis, hits: Callable[[], list[Hit]], compose: Compose) -> Answer:
    """A question that states a wrong year or months for this survey (「2022年の調査だよね？回答数は？」,
    "The survey ran January to March 2023, correct? And what was n?"): say when it was run, then
    answer the rest of the question, the stated period no longer in it."""
    d = ctx.doc
    years = {d.period_start[:4], d.period_end[:4]}
    months = set(range(int(d.period_start[5:7]), int(d.period_end[5:7]) + 1))
    stated = [y for y in YEAR.findall(a.text) if y not in years]
    wrong_months = [m for m in _months(a.text) if m not in months]
    clauses = clauses_of(a.text)
    if clauses:  # 「2022年の調査だよね？回答数は？」: the premise clause goes, the question stays
        rest = a.text
        for c in clauses:  # 「調査期間は2022年ですよね？」 still asks for the period without its year
            stripped = MONTH.sub("", YEAR.sub("", c))
            if stripped != c and not _asks_period(ctx, stripped):
                rest = rest.replace(c, "", 1)
        rest = MONTH.sub("", YEAR.sub("", rest)).strip()
    else:  # "Since this survey was run in 2021, how many …": the period goes from the one clause
        rest = MONTH.sub("", YEAR.sub("", a.text))
    if rest.strip():
        answer = compose(ctx, replace(a, text=rest, cues=a.cues - {"year_premise"}), hits)
    else:  # 「この調査って2022年実施だっけ？」: the premise is the whole question
        answer = meta_answer(ctx, replace(a, text=YEAR.sub("", a.text)), "period")
    if not (stated or wrong_months) or answer.abstained:
        return answer
    # the asker's year is not repeated: every number an answer states is the report's
    if a.lang == "en":
        said = "not in the year your question gives" if stated else "not in the months your question gives"
        note = f"Note: the survey was run from {en_period(d)}, {said}. "
    else:
        said = "ご質問の年とは異なります" if stated else "ご質問の時期とは異なります"
        note = f"なお、この調査の実施は{d.period_label}です（{said}）。"
    return replace(answer, answer=note + answer.answer)
