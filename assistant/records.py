"""The records that cross stages: corpus metadata, chart tables, chunks, citations, answers.

`ingest` writes these, `assistant` reads them; the two packages share this module (and the
small shared kernel documented in the README) and nothing else. Every record is a frozen
dataclass with a plain-dict round trip, so stores and the JSON contract stay stable.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

SECTION_IDS: tuple[str, ...] = ("intro", "1-1", "1-2", "1-3", "1-4", "2-1", "2-2", "2-3", "column", "3")

Language = Literal["ja", "en"]


def fmt_value(value: float | None, unit: str) -> str:
    """A value as the report prints it: percentages with one decimal, counts as integers."""
    if value is None:
        return "—"
    if unit == "%":
        return f"{float(value):.1f}%"
    return f"{int(value)}{unit}"


def fmt_number(value: float | None, unit: str) -> str:
    """The bare number, as printed (no unit)."""
    if value is None:
        return ""
    return f"{float(value):.1f}" if unit == "%" else str(int(value))


def echoable(phrase: str, printed: frozenset[str] | set[str] = frozenset()) -> bool:
    """Whether words may be repeated in an answer: only if every number in them is one the report
    prints (`printed`), so an answer states no figure of the asker's (「30～34歳」, 「1,000社」)."""
    return all(n in printed for n in re.findall(r"\d+", phrase))


def content_id(*parts: str) -> str:
    """A stable id: the SHA-256 of the parts, shortened. Same content, same id."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()[:24]


@dataclass(frozen=True)
class DocumentInfo:
    """One corpus document, as described by corpus/manifest.yaml."""

    id: str
    title: str
    publisher: str
    author: str
    period_start: str  # ISO date
    period_end: str
    period_label: str  # as printed: 2023年8月21日～9月15日
    respondents: int
    source: str
    file: str
    tables: str | None = None
    title_en: str = ""
    publisher_en: str = ""
    subtitle: str = ""  # as printed under the title: ～“共に走る” 新たな中小企業施策のカタチ～
    subtitle_en: str = ""

    def citation_line(self, chart: Chart | None = None) -> str:
        """The line support staff paste under a figure: the report, or one of its charts with its base.
        A chart is named by the report's own section number and its printed title: the report does
        not number its charts, so no figure number is made up (chart ids are internal)."""
        if chart is None:
            return f"出典：{self.publisher}『{self.title}』（調査期間 {self.period_label}、n={self.respondents}）"
        return (
            f"出典：{self.publisher}『{self.title}』{chart.section}「{chart.title}」"
            f"（調査期間 {chart.period}、{chart.base.label('ja')}{'、複数回答' if chart.multiple else ''}）"
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DocumentInfo:
        return cls(**d)


@dataclass(frozen=True)
class Base:
    """Who a chart counts: n respondents, or companies and total answers for multi-answer charts."""

    n: int | None = None
    companies: int | None = None  # 回答企業数
    responses: int | None = None  # 回答総数

    def label(self, lang: Language = "ja") -> str:
        if lang == "en":
            if self.companies is not None and self.responses is not None:
                return f"{self.companies} companies, {self.responses} answers in total"
            return f"n={self.n}"
        if self.companies is not None and self.responses is not None:
            return f"回答企業数{self.companies}、回答総数{self.responses}"
        return f"n={self.n}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    label_en: str
    aliases: tuple[str, ...] = ()
    aliases_en: tuple[str, ...] = ()


@dataclass(frozen=True)
class Missing:
    """A value the source does not print legibly, with what can honestly be said about it."""

    reason: str
    reason_en: str
    estimate: float | None = None
    formula: str | None = None


@dataclass(frozen=True)
class Row:
    """One bar (or one group of a cross-tab). `values` maps column key -> value, None if missing."""

    key: str
    label: str
    label_en: str
    values: dict[str, float | None]
    n: int | None = None
    aliases: tuple[str, ...] = ()
    aliases_en: tuple[str, ...] = ()
    missing: Missing | None = None
    stated_share: str | None = None  # a share the report's text states for this row, as printed


@dataclass(frozen=True)
class Derived:
    """A figure computed from printed values; kept only with its formula and the text that states it."""

    key: str
    label: str
    label_en: str
    row: str | None
    value: float
    formula: str
    stated_in_text: bool
    aliases: tuple[str, ...] = ()
    aliases_en: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chart:
    id: str
    doc: str
    section: str
    title: str
    title_en: str
    question: str
    base: Base
    multiple: bool
    unit: str  # "%" or "件"
    period: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    derived: tuple[Derived, ...] = ()
    notes: tuple[str, ...] = ()
    notes_en: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    topics_en: tuple[str, ...] = ()
    row_axis: str = ""  # what the rows are, for cross-tabs: 回答 / 年齢 ...
    row_axis_en: str = ""
    why_topics: tuple[str, ...] = ()  # with a "why" question, these point here (reasons, purposes)
    why_topics_en: tuple[str, ...] = ()

    @property
    def is_crosstab(self) -> bool:
        return len(self.columns) > 1

    def company_share(self, value: float | None) -> float | None:
        """A count of a multiple-answer chart as a share of the responding companies, in percent
        (件数 ÷ 回答企業数 × 100; computed, never printed in the report); None where it does not apply."""
        companies = self.base.companies
        if not self.multiple or self.is_crosstab or self.unit != "件" or not companies or value is None:
            return None
        return value / companies * 100

    def row(self, key: str) -> Row:
        for r in self.rows:
            if r.key == key:
                return r
        raise KeyError(key)

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Chart:
        def row(r: dict[str, Any]) -> Row:
            m = r.get("missing")
            return Row(
                key=r["key"],
                label=r["label"],
                label_en=r["label_en"],
                values=dict(r["values"]),
                n=r.get("n"),
                aliases=tuple(r.get("aliases", ())),
                aliases_en=tuple(r.get("aliases_en", ())),
                missing=Missing(**m) if m else None,
                stated_share=r.get("stated_share"),
            )

        return cls(
            id=d["id"],
            doc=d["doc"],
            section=d["section"],
            title=d["title"],
            title_en=d["title_en"],
            question=d["question"],
            base=Base(**d["base"]),
            multiple=bool(d["multiple"]),
            unit=d["unit"],
            period=d["period"],
            columns=tuple(
                Column(
                    key=c["key"],
                    label=c["label"],
                    label_en=c["label_en"],
                    aliases=tuple(c.get("aliases", ())),
                    aliases_en=tuple(c.get("aliases_en", ())),
                )
                for c in d["columns"]
            ),
            rows=tuple(row(r) for r in d["rows"]),
            derived=tuple(
                Derived(**{**x, "aliases": tuple(x.get("aliases", ())), "aliases_en": tuple(x.get("aliases_en", ()))})
                for x in d.get("derived", ())
            ),
            notes=tuple(d.get("notes", ())),
            notes_en=tuple(d.get("notes_en", ())),
            topics=tuple(d.get("topics", ())),
            topics_en=tuple(d.get("topics_en", ())),
            row_axis=d.get("row_axis", ""),
            row_axis_en=d.get("row_axis_en", ""),
            why_topics=tuple(d.get("why_topics", ())),
            why_topics_en=tuple(d.get("why_topics_en", ())),
        )


@dataclass(frozen=True)
class Chunk:
    """A retrievable unit: sentence-aware text from one section, or one whole chart."""

    id: str
    doc: str
    section: str
    title: str  # section heading (text chunks) or chart title (chart chunks)
    text: str  # what is embedded and indexed, heading included
    body: str  # the quotable text without the heading
    kind: Literal["text", "chart"]
    chart_id: str | None = None
    page: int | None = None
    sentences: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Chunk:
        return cls(**{**d, "sentences": tuple(d.get("sentences", ()))})


@dataclass(frozen=True)
class Corpus:
    """What ingest read and chunked, handed from the pipeline to the store writer."""

    documents: list[DocumentInfo]
    chunks: list[Chunk]
    charts: list[Chart]
    glossary: dict[str, dict[str, list[str]]]


@dataclass(frozen=True)
class BuildManifest:
    """What a store was built from; a mismatch with the current input means it is stale."""

    schema: int
    embedder: str
    corpus_hash: str
    chunk_count: int
    chart_count: int
    built_at: str
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> BuildManifest:
        return cls(**d)


@dataclass(frozen=True)
class Citation:
    n: int
    doc: str
    section: str
    title: str
    quote: str
    page: int | None = None
    chart: str | None = None
    base: str | None = None
    period: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Figure:
    table: str
    label: str
    label_en: str
    value: float | None
    unit: str
    base: str
    column: str | None = None
    formula: str | None = None
    cite: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def clean_text(text: str) -> str:
    """Text from outside made safe to process and to write back: a lone surrogate (which no
    encoder accepts) becomes U+FFFD; control characters other than tab and newline, and
    invisible format marks (zero-width space, bidi overrides), go."""
    if text.isascii() and text.isprintable():
        return text
    fixed = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace") if _has_surrogate(text) else text
    return "".join(ch for ch in fixed if ch in "\n\t" or not _is_control(ch))


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf")  # controls, and invisible format marks (U+200B)


@dataclass(frozen=True)
class Turn:
    """One earlier exchange, as much of it as follow-up resolution needs."""

    question: str
    answer: str = ""
    charts: tuple[str, ...] = ()

    @classmethod
    def coerce(cls, item: Any) -> Turn:
        """Accept a plain string, an answer-shaped dict, or a Turn."""
        if isinstance(item, Turn):
            return item
        if isinstance(item, str):
            return cls(question=clean_text(item))
        if isinstance(item, dict) and isinstance(item.get("question"), str):
            figures = item.get("figures", ()) or ()
            charts = tuple(
                str(f.get("table"))[:40]
                for f in (figures if isinstance(figures, (list, tuple)) else ())[:50]
                if isinstance(f, dict) and f.get("table")
            )
            return cls(
                question=clean_text(item["question"]), answer=clean_text(str(item.get("answer", ""))), charts=charts
            )
        raise TypeError("a history turn must be a question string or an object with a 'question' string")


@dataclass
class Answer:
    question: str
    answer: str
    abstained: bool
    citations: list[Citation]
    figures: list[Figure]
    language: Language
    elapsed_ms: float = 0.0
    kind: str = ""
    charts: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "figures": [f.to_dict() for f in self.figures],
            "language": self.language,
            "elapsed_ms": round(self.elapsed_ms, 2),
            "kind": self.kind,
        }
