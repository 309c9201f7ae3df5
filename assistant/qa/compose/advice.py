"""Advice questions (「うちはどうしたらいい？」): the report's own views and recommendations that
bear on the question, quoted and framed as the report's view. Never advice of our own."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from pathlib import Path

import numpy as np

from assistant.qa.analysis import Analysis
from assistant.qa.compose.citations import text_citation
from assistant.qa.compose.context import AnswerContext, SentenceRef, english_of
from assistant.qa.compose.ranking import RECOMMENDS, VIEWS
from assistant.qa.lexicon import ordinary_ja
from assistant.records import Answer

log = logging.getLogger(__name__)
DENSE_WEIGHT = 1.5  # per standard deviation of similarity among the report's views
MAX_VIEWS = 2
STRONG_OVERLAP = 3.0  # words of the report's own views (IDF sum): enough to answer despite other words
RECOMMEND_PRIOR = 2.5  # an advice question wants what the report recommends, before its other views
VIEW_PRIOR = 1.0  # … and the authors' views before the report's other sentences
PASSAGE_WEIGHT = 6.0  # per unit of similarity to the questions a view's sentences answer
PASSAGE_NEAR = 0.3  # that similarity alone shows the report speaks to the question
PASSAGE_STRONG = 0.45  # … even when the question has words the report never uses
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff々ー]+")
REFERS_BACK = re.compile(r"^(この|その|こうした|そうした|このような|そのような)|このような|こうした")
# a sentence that answers the situation just described: 「こうした状況を打破すべく…」「これを受けて…」
RESPONDS = re.compile(r"^(こうした|このような|そうした)(状況|課題|問題)|^(これを受け|そのため|このため)")
RESPONSE_REACH = 2  # sentences ahead in which the response to a situation is looked for


def _with_context(ctx: AnswerContext, s: SentenceRef) -> list[SentenceRef]:
    """A sentence that points back (「このような制度を…」) is quoted with the one before it."""
    if REFERS_BACK.search(s.text):
        prev = next((p for p in ctx.sentences if p.chunk == s.chunk and p.pos == s.pos - 1), None)
        if prev is not None:
            return [prev, s]
    return [s]


def _window_vectors(ctx: AnswerContext, texts: list[str]) -> np.ndarray | None:
    """Embeddings of the views, cached beside the store build (computed once per build, ~1.5 s)."""
    key = hashlib.sha256(("\x00".join([ctx.index.manifest.embedder, *texts])).encode("utf-8")).hexdigest()[:16]
    path = Path(ctx.index.build) / f"views-{key}.npy"
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        pass
    try:
        vectors = np.asarray(ctx.index.embedder.embed_documents(texts), dtype=np.float32)
    except (RuntimeError, ValueError, OSError) as e:  # optional signal: the words alone still rank
        log.warning("advice candidates not embedded (%s); ranking by words only", e)
        return None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npy.partial")
        with os.fdopen(fd, "wb") as f:
            np.save(f, vectors)
        os.replace(tmp, path)
    except OSError as e:  # a read-only store still answers; it embeds again next start
        log.warning("cannot cache view embeddings in %s (%s)", path.parent, e)
    return vectors


def _response(ctx: AnswerContext, s: SentenceRef) -> list[SentenceRef]:
    """A sentence that describes a situation (「ツールを使いこなせていない企業が増えている」) is read
    with what the report says answers it, when that follows within two sentences (「こうした状況を
    打破すべく…“コト”の提供に注目が集まりはじめました」): the sentences up to that response."""
    at = ctx.sentences.index(s)
    section = ctx.index.chunks[s.chunk].section
    ahead = [  # in reading order, across a chunk boundary but not out of the section
        p for p in ctx.sentences[at + 1 : at + 1 + RESPONSE_REACH] if ctx.index.chunks[p.chunk].section == section
    ]
    for i, p in enumerate(ahead):
        if RESPONDS.search(p.text):
            return ahead[: i + 1]
    return []


Candidate = tuple[SentenceRef, list[SentenceRef], list[int], "np.ndarray | None"]


def _candidates(ctx: AnswerContext) -> tuple[list[Candidate], list[Candidate]]:
    """Built once per store: the report's views and recommendations, each with the two sentences
    before it and the embedding of that window; then every other sentence of the prose that states
    no figure, with its context. Each carries the positions of its window's sentences."""
    cached = ctx.memo.get("advice")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    position = {(x.chunk, x.pos): i for i, x in enumerate(ctx.sentences)}
    found = []
    for s in ctx.sentences:
        if VIEWS.search(s.text) or RECOMMENDS.search(s.text):
            # a recommendation is read with the two sentences before it, which say what it answers
            # (「費用が高額な場合は…二の足を踏む」 → 「無料で試せる制度…お勧めしたい」)
            found.append((s, [p for p in ctx.sentences if p.chunk == s.chunk and s.pos - 2 <= p.pos <= s.pos]))
    vectors = _window_vectors(ctx, ["".join(p.text for p in w) for _, w in found])
    views: list[Candidate] = [
        (s, w, [position[(p.chunk, p.pos)] for p in w], vectors[i] if vectors is not None else None)
        for i, (s, w) in enumerate(found)
    ]
    taken = {id(s) for s, _w in found}
    others: list[Candidate] = []
    for s in ctx.sentences:
        if id(s) not in taken and not re.search(r"\d", s.text) and not s.text.startswith("※"):
            w = _with_context(ctx, s)
            others.append((s, w, [position[(p.chunk, p.pos)] for p in w], None))
    ctx.memo["advice"] = (views, others)
    return views, others


def advice_candidates(ctx: AnswerContext) -> None:
    """Build the candidates (and load the embedder for them) ahead of a first advice question."""
    _candidates(ctx)


def advice(ctx: AnswerContext, a: Analysis) -> Answer | None:
    # the asker's own Japanese words too (費用 before it became コスト); never an English word Sudachi
    # spells in katakana (of -> オブ) or a pronoun that meets a report word ("it" -> IT)
    japanese = a.question if a.lang == "ja" else " ".join(JAPANESE.findall(a.question))
    own = ctx.index.tokenizer.tokens(japanese) if japanese else []
    ordinary = ordinary_ja()
    terms = [
        t
        for t in dict.fromkeys([*a.terms, *own])
        if len(t) >= 2 and t not in ordinary and not ctx.understander.framing(t)
    ]
    # the views first; a sentence that is no view but answers questions like this one
    # (「ツールを使いこなせない」 → the column's 「コト」の支援) is a candidate too
    views, others = _candidates(ctx)
    cands = views + others
    if not cands:
        return None
    # how close the question is to those each sentence answers (corpus/questions.yaml)
    asked = ctx.passages.scores(a.text) if ctx.passages is not None else np.zeros(len(ctx.sentences))
    overlaps = []
    for _s, window, _at, _v in cands:
        text = "".join(p.text for p in window)
        found = {t for t in terms if any(t in p.terms for p in window) or t in text}
        overlaps.append(sum(ctx.idf.get(t, 0.0) for t in found))
    near = np.array([max(asked[i] for i in at) for _s, _w, at, _v in cands])
    # 「伴走支援ってどこに頼めばいい？」 names nothing but the report's subject: its recommendations answer it.
    # Words the report never uses count in Japanese only; an English question has many ordinary ones.
    if (terms and max(overlaps) <= 0 and near.max() < PASSAGE_NEAR) or (
        a.lang == "ja" and len(set(a.unknown)) >= 2 and max(overlaps) < STRONG_OVERLAP and near.max() < PASSAGE_STRONG
    ):
        return None  # nothing the report says bears on it: 「借入のリスケ」 is not the report's subject
    dense = np.zeros(len(cands))
    vectors = [v for _s, _w, _at, v in views if v is not None]
    if views and len(vectors) == len(views):
        q = np.asarray(ctx.index.query_vector(a.question[:300]))
        sims = np.array([float(np.dot(v, q)) for v in vectors])
        dense[: len(views)] = (sims - sims.mean()) / (sims.std() or 1.0)  # how much closer than the other views
    scored = sorted(
        (
            (
                overlaps[i]
                + DENSE_WEIGHT * dense[i]
                + PASSAGE_WEIGHT * near[i]
                + (RECOMMEND_PRIOR if RECOMMENDS.search(s.text) else VIEW_PRIOR if i < len(views) else 0.0),
                s,
            )
            for i, (s, _w, _at, _v) in enumerate(cands)
        ),
        key=lambda x: -x[0],
    )
    picked: list[SentenceRef] = []
    for _score, s in scored[:MAX_VIEWS]:
        for x in _with_context(ctx, s) + _response(ctx, s):
            if x not in picked:
                picked.append(x)
    picked.sort(key=lambda x: (x.chunk, x.pos))
    groups: list[list[SentenceRef]] = []
    for s in picked:  # neighbours in one quote
        if groups and groups[-1][-1].chunk == s.chunk and groups[-1][-1].pos == s.pos - 1:
            groups[-1].append(s)
        else:
            groups.append([s])
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
