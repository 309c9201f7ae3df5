"""Advice questions (「うちはどうしたらいい？」): the report's own views and recommendations that
bear on the question, quoted and framed as the report's view. Never advice of our own."""

from __future__ import annotations

import re

import numpy as np

from assistant.qa.analysis import Analysis
from assistant.qa.compose.advice_rank import FEATURES, candidates, features, weights, with_context
from assistant.qa.compose.citations import text_citation
from assistant.qa.compose.context import AnswerContext, SentenceRef, english_of
from assistant.qa.cues import FIRST_PERSON
from assistant.qa.lexicon import ordinary_ja
from assistant.records import Answer

MAX_VIEWS = 2
STRONG_OVERLAP = 3.0  # words of the report's own views (IDF sum): enough to answer despite other words
PASSAGE_NEAR = 0.3  # closeness to a passage's questions that alone shows the report speaks to the question
PASSAGE_STRONG = 0.45  # … even when the question has words the report never uses
SUBJECT_WORDS = frozenset({"伴走", "伴走支援"})  # the report's subject, as the question's terms hold it
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff々ー]+")


def advice_candidates(ctx: AnswerContext) -> None:
    """Build the candidates (and embed them) ahead of a first advice question."""
    candidates(ctx)


def advice_terms(ctx: AnswerContext, a: Analysis) -> list[str]:
    """The question's content words, with the asker's own Japanese words (費用 before it became
    コスト); never an English word Sudachi spells in katakana (of -> オブ) or a pronoun that meets a
    report word ("it" -> IT)."""
    japanese = a.question if a.lang == "ja" else " ".join(JAPANESE.findall(a.question))
    own = ctx.index.tokenizer.tokens(japanese) if japanese else []
    ordinary = ordinary_ja()
    return [
        t
        for t in dict.fromkeys([*a.terms, *own])
        if len(t) >= 2
        and not t.isdigit()  # 「社員10人」: a count of the asker's, not a topic
        and t not in ordinary
        and not ctx.understander.framing(t)
        and t not in a.missing_facets
    ]


def advice(ctx: AnswerContext, a: Analysis) -> Answer | None:
    """The report's views that bear on the question, best first by the learned ranker, quoted."""
    terms = advice_terms(ctx, a)
    # the views first; a sentence that is no view but answers questions like this one
    # (「ツールを使いこなせない」 → the column's 「コト」の支援) is a candidate too
    cands, vectors = candidates(ctx)
    if not cands:
        return None
    x = features(ctx, a, terms, cands, vectors)
    overlap, near = x[:, FEATURES.index("overlap")], x[:, FEATURES.index("near")]
    # 「伴走支援ってどこに頼めばいい？」 names nothing but the report's subject: its recommendations answer it.
    # Words the report never uses count in Japanese only; an English question has many ordinary ones.
    # words of the asker's own situation (「うちの会長が…」「うちは従業員15人の町工場」) are no topic the
    # report lacks; asked about the report's subject itself, its recommendations answer it
    own_situation = FIRST_PERSON.search(a.question) is not None
    about_subject = own_situation and bool(SUBJECT_WORDS & set(a.terms))
    if (terms and not about_subject and overlap.max() <= 0 and near.max() < PASSAGE_NEAR) or (
        a.lang == "ja"
        and len(set(a.unknown)) >= 2
        and not own_situation
        and overlap.max() < STRONG_OVERLAP
        and near.max() < PASSAGE_STRONG
    ):
        return None  # nothing the report says bears on it: 「借入のリスケ」 is not the report's subject
    order = np.argsort(-(x @ weights()), kind="stable")
    groups: list[list[SentenceRef]] = []  # one quote per candidate, the best ranked first
    for i in order[:MAX_VIEWS].tolist():
        quote = [
            r for r in [*with_context(ctx, cands[i].sentence), *cands[i].response] if not any(r in g for g in groups)
        ]
        if quote:
            groups.append(quote)
    cites = [text_citation(ctx, i + 1, g) for i, g in enumerate(groups)]
    quotes = [("".join(s.text for s in g), i + 1) for i, g in enumerate(groups)]
    if a.lang == "en":
        gists = [(q, n, english_of(ctx, q)) for q, n in quotes]
        body = " ".join(f"{g} [{n}] (「{q}」)" if g else f"「{q}」 [{n}]" for q, n, g in gists)
        text = f"The report gives no advice for a particular firm, but its authors write: {body}"
    else:
        body = "".join(f"「{q}」[{n}]" for q, n in quotes)
        text = f"個別の会社向けの助言は報告書にはありませんが、報告書の見解として次のように書かれています：{body}"
    return Answer(a.question, text, False, cites, [], a.lang, kind="advice")
