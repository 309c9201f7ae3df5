"""The record of one question as understood: what it names (phrases and their owners) and what it
asks for (cues, intents, rows, columns), passed from the reader to the plan and the composers."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.records import Language


@dataclass(frozen=True)
class Owner:
    chart: str
    kind: str  # topic | row | col | derived | why
    key: str
    strength: float = 1.0  # an abbreviation of the label (DX for DX推進) is weaker evidence


@dataclass
class Match:
    start: int
    end: int
    phrase: str
    owners: list[Owner]
    idf: float


@dataclass
class Analysis:
    question: str  # as asked (normalized whitespace)
    text: str  # the question without injected instructions, NFKC
    lang: Language
    cues: set[str]
    tokens: list[str]  # for BM25: Sudachi tokens, plus glossary expansions for English
    terms: list[str]  # the question's own content terms (normalized forms)
    unknown: list[str]  # content terms the report never uses
    matches: list[Match]
    chart_scores: dict[str, float]
    rows: dict[str, list[str]]
    columns: dict[str, list[str]]
    derived: dict[str, list[str]]
    subject: str | None
    missing_facets: list[str]
    injected: bool
    proper_nouns: list[str] = field(default_factory=list)
    followup: bool = False
    inherited: str | None = None
    asks: dict[str, float] = field(default_factory=dict)  # intent labels over threshold (intent.py)
    uncovered: list[str] = field(default_factory=list)  # groups asked for that no row covers (「30代前半」)
    seen_rows: dict[str, list[str]] = field(default_factory=dict)  # rows named in earlier turns
    position: int | None = None  # a rank asked by a follow-up (「その次は？」 after the top one)

    def best_chart(self) -> tuple[str | None, float]:
        if not self.chart_scores:
            return None, 0.0
        cid = max(self.chart_scores, key=lambda c: self.chart_scores[c])
        return cid, self.chart_scores[cid]
