"""Which of the report's passages bear on an advice question: the candidates (the authors' views
and recommendations, each read with the sentences before it, then every other sentence of the
prose that states no figure), their evidence, and a score learned on labelled advice questions.

Evidence per candidate: the question's words it shares (IDF sum), the closeness of the question
to the questions its sentences answer (corpus/questions.yaml), how much closer the question's
embedding is to it than to the other candidates, whether it recommends, whether it is one of the
authors' views, and whether the report answers the situation it describes in the next sentences
(「…使いこなせていない企業が増えている」 → 「こうした状況を打破すべく…」). The weights are fitted by
`python -m assistant.qa.train_ranker --advice` and live in `assistant/data/advice_ranker.yaml`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.qa.analysis import Analysis
from assistant.qa.compose.context import AnswerContext, SentenceRef
from assistant.qa.compose.ranking import RECOMMENDS, VIEWS
from assistant.qa.resources import load_yaml

log = logging.getLogger(__name__)
REFERS_BACK = re.compile(r"^(この|その|こうした|そうした|このような|そのような)|このような|こうした")
# a sentence that answers the situation just described: 「こうした状況を打破すべく…」「これを受けて…」
RESPONDS = re.compile(r"^(こうした|このような|そうした)(状況|課題|問題)|^(これを受け|そのため|このため)")
RESPONSE_REACH = 2  # sentences ahead in which the response to a situation is looked for
FEATURES = (
    "overlap",  # IDF sum of the question's words in the candidate's window
    "near",  # closeness to the questions the window's sentences answer
    "recommends",  # the candidate recommends (「…をお勧めしたい」「…見直してみるのもよい」)
    "view",  # it is one of the authors' views
    "response",  # the report answers the situation it describes in the next sentences
    "asked_self",  # closeness to the questions the candidate sentence itself answers
    "dense",  # the question's embedding: standard deviations closer to this window than to the others
)


@dataclass(frozen=True)
class Candidate:
    sentence: SentenceRef
    window: tuple[SentenceRef, ...]  # what its words are matched in: the sentences that frame it
    at: tuple[int, ...]  # positions of the window's sentences in ctx.sentences
    response: tuple[SentenceRef, ...]  # the report's answer to the situation it describes, if any
    view: bool


@lru_cache(maxsize=1)
def weights() -> np.ndarray:
    data = load_yaml("advice_ranker.yaml")
    w = data.get("weights", {}) if isinstance(data, dict) else {}
    return np.array([float(w.get(f, 0.0)) for f in FEATURES])


def with_context(ctx: AnswerContext, s: SentenceRef) -> list[SentenceRef]:
    """A sentence that points back (「このような制度を…」) is quoted with the one before it."""
    if REFERS_BACK.search(s.text):
        prev = next((p for p in ctx.sentences if p.chunk == s.chunk and p.pos == s.pos - 1), None)
        if prev is not None:
            return [prev, s]
    return [s]


def response(ctx: AnswerContext, s: SentenceRef) -> list[SentenceRef]:
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


def candidates(ctx: AnswerContext) -> tuple[list[Candidate], np.ndarray | None]:
    """Built once per store: the candidates, views first, and the embeddings of their windows."""
    cached = ctx.memo.get("advice")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    position = {(x.chunk, x.pos): i for i, x in enumerate(ctx.sentences)}
    out: list[Candidate] = []
    for s in ctx.sentences:
        if VIEWS.search(s.text) or RECOMMENDS.search(s.text):
            # a view is read with the two sentences before it, which say what it answers
            # (「費用が高額な場合は…二の足を踏む」 → 「無料で試せる制度…お勧めしたい」)
            window = [p for p in ctx.sentences if p.chunk == s.chunk and s.pos - 2 <= p.pos <= s.pos]
            out.append(_candidate(ctx, s, window, position, view=True))
    for s in ctx.sentences:
        if not (VIEWS.search(s.text) or RECOMMENDS.search(s.text)):
            if not re.search(r"\d", s.text) and not s.text.startswith("※"):
                out.append(_candidate(ctx, s, with_context(ctx, s), position, view=False))
    vectors = _window_vectors(ctx, ["".join(p.text for p in c.window) for c in out])
    ctx.memo["advice"] = (out, vectors)
    return out, vectors


def _candidate(
    ctx: AnswerContext, s: SentenceRef, window: list[SentenceRef], position: dict[tuple[int, int], int], view: bool
) -> Candidate:
    return Candidate(s, tuple(window), tuple(position[(p.chunk, p.pos)] for p in window), tuple(response(ctx, s)), view)


def features(
    ctx: AnswerContext, a: Analysis, terms: list[str], cands: list[Candidate], vectors: np.ndarray | None
) -> np.ndarray:
    """[candidates × FEATURES]."""
    asked = ctx.passages.scores(a.text) if ctx.passages is not None else np.zeros(len(ctx.sentences))
    position = {id(s): i for i, s in enumerate(ctx.sentences)}
    dense = np.zeros(len(cands))
    if vectors is not None and len(vectors) == len(cands):
        q = np.asarray(ctx.index.query_vector(a.question[:300]), dtype=np.float32)
        sims = vectors @ q
        dense = (sims - sims.mean()) / (sims.std() or 1.0)
    x = np.zeros((len(cands), len(FEATURES)))
    for i, c in enumerate(cands):
        text = "".join(p.text for p in c.window)
        found = {t for t in terms if any(t in p.terms for p in c.window) or t in text}
        x[i] = (
            sum(ctx.idf.get(t, 0.0) for t in found),
            max(asked[j] for j in c.at),
            float(bool(RECOMMENDS.search(c.sentence.text))),
            float(c.view),
            float(bool(c.response)),
            float(asked[position[id(c.sentence)]]),
            dense[i],
        )
    return x


def _window_vectors(ctx: AnswerContext, texts: list[str]) -> np.ndarray | None:
    """Embeddings of the candidates' windows, cached beside the store build (once per build)."""
    key = hashlib.sha256(("\x00".join([ctx.index.manifest.embedder, *texts])).encode("utf-8")).hexdigest()[:16]
    path = Path(ctx.index.build) / f"advice-{key}.npy"
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        pass
    try:
        vectors = np.asarray(ctx.index.embedder.embed_documents(texts), dtype=np.float32)
    except (RuntimeError, ValueError, OSError) as e:  # optional signal: the other evidence still ranks
        log.warning("advice candidates not embedded (%s); ranking without them", e)
        return None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npy.partial")
        with os.fdopen(fd, "wb") as f:
            np.save(f, vectors)
        os.replace(tmp, path)
    except OSError as e:  # a read-only store still answers; it embeds again next start
        log.warning("cannot cache advice embeddings in %s (%s)", path.parent, e)
    return vectors
