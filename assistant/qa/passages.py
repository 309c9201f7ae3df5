"""Evidence from the report's prose: which sentence answers a question, learned from the
questions each sentence answers.

The corpus ships, for every sentence of the report's prose, questions that it answers, written
the way people ask (ja / en / kana / romaji / dialect; `corpus/questions.yaml`, checked at
ingest against the printed text). A question is matched against those exemplar questions by
TF-IDF cosine over hashed character n-grams and words of the normalized text (the featurizer of
the intent model), so 「なんで国の支援がモノからコトに変わったん？」 meets the column's sentence
through "why did government support shift from equipment to experts" and its Japanese siblings,
not through the sentence's own wording. The score of a sentence is its best exemplar's
similarity. Built once per store build and cached beside it (the exemplars' features), so a
start reads it and a question costs one sparse dot product.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from assistant.qa.intent import FEATURIZER_VERSION, features

log = logging.getLogger(__name__)


MEMO_SIZE = 256  # one question is scored by several composers (sentences, advice, a clause)


class PassageIndex:
    def __init__(
        self,
        texts: Sequence[str],
        questions: Mapping[str, Sequence[str]],
        normalize: Callable[[str], str],
        featurize: Callable[[str], np.ndarray] = features,
        cache: Path | None = None,
    ) -> None:
        """`texts`: the report's sentences in order; `questions`: a printed passage -> questions
        it answers (a passage names the sentence that contains it). With `cache` (a file beside
        the store build) the exemplars' features are read from it, or computed once and saved."""
        self.size = len(texts)
        self.normalize = normalize
        self.featurize = featurize
        self._memo: dict[tuple[str, bool], np.ndarray] = {}
        loaded = _load(cache) if cache is not None else None
        if loaded is None:
            owner, exemplars, rows = self._featurize_all(texts, questions)
            if cache is not None:
                _save(cache, owner, exemplars, rows)
        else:
            owner, exemplars, rows = loaded
        self.owner = np.asarray(owner, dtype=np.int64)
        self.exemplars = exemplars
        df: dict[int, int] = {}
        for idx in rows:
            for f in idx.tolist():
                df[f] = df.get(f, 0) + 1
        n = len(rows) or 1
        self.idf = {f: math.log(1 + n / d) for f, d in df.items()}
        # inverted lists: feature -> (exemplar ids, weights); each exemplar's weights have unit norm
        postings: dict[int, list[tuple[int, float]]] = {}
        for e, idx in enumerate(rows):
            w = np.array([self.idf[f] for f in idx.tolist()])
            w = w / (np.linalg.norm(w) or 1.0)
            for f, x in zip(idx.tolist(), w.tolist(), strict=True):
                postings.setdefault(f, []).append((e, x))
        self.postings = {
            f: (np.array([e for e, _ in p], dtype=np.int64), np.array([x for _, x in p])) for f, p in postings.items()
        }

    def _featurize_all(
        self, texts: Sequence[str], questions: Mapping[str, Sequence[str]]
    ) -> tuple[list[int], list[str], list[np.ndarray]]:
        compact = [re.sub(r"\s+", "", t) for t in texts]
        owner: list[int] = []
        exemplars: list[str] = []
        rows: list[np.ndarray] = []
        for passage, asked in questions.items():
            key = re.sub(r"\s+", "", passage)
            where = next((i for i, t in enumerate(compact) if key in t or (len(t) >= 12 and t in key)), None)
            if where is None:
                continue  # ingest rejects these; a hand-edited build just loses the entry
            for q in asked:
                idx = np.unique(self.featurize(self.normalize(q)))
                if idx.size:
                    owner.append(where)
                    exemplars.append(q)
                    rows.append(idx)
        return owner, exemplars, rows

    def __len__(self) -> int:
        return len(self.exemplars)

    def scores(self, text: str, normalized: bool = True) -> np.ndarray:
        """Per sentence: the cosine of the question with that sentence's closest exemplar (read-only;
        remembered for the last questions, which several composers score)."""
        key = (text, normalized)
        hit = self._memo.get(key)
        if hit is None:
            hit = self._scores(text if normalized else self.normalize(text))
            hit.setflags(write=False)
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = hit
        return hit

    def _scores(self, text: str) -> np.ndarray:
        out = np.zeros(self.size)
        if not self.exemplars:
            return out
        idx = np.unique(self.featurize(text))
        known = [f for f in idx.tolist() if f in self.postings]
        if not known:
            return out
        qw = np.array([self.idf[f] for f in known])
        qw = qw / (np.linalg.norm(qw) or 1.0)
        sims = np.zeros(len(self.exemplars))
        for f, w in zip(known, qw.tolist(), strict=True):
            ids, xs = self.postings[f]
            sims[ids] += w * xs
        np.maximum.at(out, self.owner, sims)
        return out


def normalizer_data() -> str:
    """The data the normalizer reads (dialect, casual forms, word lists): a change re-featurizes."""
    files = resources.files("assistant").joinpath("data")
    return "".join(files.joinpath(n).read_text(encoding="utf-8") for n in ("colloquial.yaml", "lexicon.yaml"))


def cache_key(questions: Mapping[str, Sequence[str]], *parts: str) -> str:
    h = hashlib.sha256(json.dumps(questions, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    for p in (FEATURIZER_VERSION, *parts):
        h.update(b"\0" + p.encode("utf-8"))
    return h.hexdigest()[:16]


def _load(path: Path) -> tuple[list[int], list[str], list[np.ndarray]] | None:
    try:
        with np.load(path, allow_pickle=False) as z:
            owner, offsets, feats, exemplars = z["owner"], z["offsets"], z["feats"], z["exemplars"]
    except (OSError, ValueError, KeyError):
        return None
    rows = [feats[offsets[i] : offsets[i + 1]] for i in range(len(owner))]
    return owner.tolist(), [str(x) for x in exemplars], rows


def _save(path: Path, owner: list[int], exemplars: list[str], rows: list[np.ndarray]) -> None:
    offsets = np.cumsum([0, *(len(r) for r in rows)]).astype(np.int64)
    feats = np.concatenate(rows).astype(np.int64) if rows else np.zeros(0, dtype=np.int64)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.partial")
        with os.fdopen(fd, "wb") as f:
            np.savez(
                f,
                owner=np.asarray(owner, dtype=np.int64),
                offsets=offsets,
                feats=feats,
                exemplars=np.asarray(exemplars),
            )
        os.replace(tmp, path)
    except OSError as e:  # a read-only store still answers; it computes them again next start
        log.warning("cannot cache the passage index in %s (%s)", path.parent, e)
