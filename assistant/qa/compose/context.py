"""What every answer draws on, built once per store: the report's sentences with their terms and
IDF, and the sections' titles."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.index import StoreIndex
from assistant.qa.analysis import Analysis
from assistant.qa.grammar import Understander
from assistant.qa.passages import PassageIndex, cache_key, normalizer_data
from assistant.qa.resources import understanding_fingerprint
from assistant.records import DocumentInfo


@dataclass(frozen=True)
class SentenceRef:
    chunk: int
    pos: int  # position within the chunk
    text: str
    terms: frozenset[str]


@dataclass(frozen=True)
class AnswerContext:
    index: StoreIndex
    understander: Understander
    doc: DocumentInfo
    sentences: list[SentenceRef]  # every sentence of the report's text chunks, in order
    idf: dict[str, float]  # term -> IDF over those sentences
    section_titles: dict[str, str]
    chart_sections: set[str]
    # the words of each unnumbered section's title (コラム, まとめ・あとがき), tokenized once
    title_parts: dict[str, list[tuple[str, list[str]]]]
    # the coverage a passage needs before the last-resort answer from the report's text;
    # chosen on labelled questions (assistant/data/calibration.yaml, `python -m assistant.qa.calibrate`)
    fallback_need: float = 1.0
    # the closeness to the questions a sentence answers that alone shows the report speaks to a
    # question (calibration.yaml `passage_sure`; above 1 never)
    passage_sure: float = 1.01
    # which sentence answers a question, from the questions each sentence answers (corpus data)
    passages: PassageIndex | None = None
    # reads a piece of the question (a clause) with the intent model too; the grammar alone by default
    read: Callable[[str], Analysis] | None = None
    memo: dict[str, Any] = field(default_factory=dict)  # per-store values computed on first use

    @classmethod
    def build(
        cls,
        index: StoreIndex,
        understander: Understander,
        fallback_need: float = 1.0,
        passage_sure: float = 1.01,
        normalize: Callable[[str], str] | None = None,
        read: Callable[[str], Analysis] | None = None,
    ) -> AnswerContext:
        sentences: list[SentenceRef] = []
        for ci, c in enumerate(index.chunks):
            if c.kind != "text":
                continue
            for pi, text in enumerate(c.sentences):
                sentences.append(SentenceRef(ci, pi, text, frozenset(index.tokenizer.tokens(text))))
        n = len(sentences) or 1
        df: dict[str, int] = {}
        for ref in sentences:
            for t in ref.terms:
                df[t] = df.get(t, 0) + 1
        section_titles = {c.section: c.title for c in index.chunks if c.kind == "text"}
        asked = index.glossary.get("questions", {})
        return cls(
            index=index,
            understander=understander,
            doc=next(iter(index.documents.values())),
            sentences=sentences,
            fallback_need=fallback_need,
            passage_sure=passage_sure,
            read=read,
            passages=PassageIndex(
                [x.text for x in sentences],
                asked,
                normalize or (lambda t: t),
                cache=Path(index.build)
                / f"passages-{cache_key(asked, index.build.name, normalizer_data(), understanding_fingerprint())}.npz",
            ),
            idf={t: math.log(1 + n / d) for t, d in df.items()},
            section_titles=section_titles,
            chart_sections={c.section for c in index.charts.values()},
            title_parts={
                sid: [(p, index.tokenizer.tokens(p)) for p in re.split(r"[・、\s]", title) if len(p) >= 2]
                for sid, title in section_titles.items()
                if not (sid[0].isdigit() and "-" in sid)  # numbered sections are found through their charts
            },
        )


def passage_sure(ctx: AnswerContext, a: Analysis) -> bool:
    """The question is as close to the questions one report sentence answers as in-scope questions
    are and out-of-scope ones (almost) never: the report speaks to it, whatever its words."""
    return ctx.passages is not None and float(ctx.passages.scores(a.text).max(initial=0.0)) >= ctx.passage_sure


def section_named(ctx: AnswerContext, a: Analysis) -> str | None:
    """「コラムで…」, "in the closing remarks": a question that names a section of the report."""
    for sid, parts in ctx.title_parts.items():
        for p, words in parts:
            if p in a.text or (len(words) == 1 and words[0] in a.terms):  # まとめ, コラム, "column"
                return sid
    return None


def section_words(ctx: AnswerContext, section: str) -> set[str]:
    return {t for _p, words in ctx.title_parts.get(section, []) for t in words}


def section_label(ctx: AnswerContext, section: str, lang: str) -> str:
    title = ctx.section_titles.get(section, "")
    if lang == "en":
        return f"section {section} ({title})" if section[0].isdigit() else f"the {section} ({title})"
    return f"{section}「{title}」" if section[0].isdigit() else f"「{title}」"  # intro, column: by their titles


def english_of(ctx: AnswerContext, quote: str) -> str:
    """The corpus glossary's English renderings of the report sentences inside a quote, in order
    ("" when none is recorded): an English reader gets the gist beside the Japanese original."""
    compact = re.sub(r"\s+", "", quote)
    found = []
    for passage, rendering in ctx.index.glossary.get("renderings", {}).items():
        at = compact.find(re.sub(r"\s+", "", passage))
        if at >= 0 and rendering:
            found.append((at, rendering[0]))
    return " ".join(r for _, r in sorted(found))
