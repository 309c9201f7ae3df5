"""What a part of an answer is built from: the main answer, the charts, the report, and what the
question named (`assistant.qa.parts` and `assistant.qa.parts_rank` read it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.records import Answer, Chart, DocumentInfo


@dataclass(frozen=True)
class PartContext:
    answer: Answer
    charts: dict[str, Chart]
    doc: DocumentInfo
    en: bool
    of_responses: bool  # 「回答総数の何%」: the share of all answers, not of companies
    missing: tuple[str, ...] = ()
    rows: dict[str, list[str]] = field(default_factory=dict)  # the rows the question names, by chart
    columns: dict[str, list[str]] = field(default_factory=dict)  # the columns it names (cross-tabs)
    text: str = ""  # the question as understood
    claims_top: bool = False  # the question asserts a row is the top one
    summed: bool = False  # a sum was asked too: a share is then of the sum
    least: bool = False
