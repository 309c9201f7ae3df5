"""Step 3: what the question asks for, as several labels at once (value, top, base, period …).

A one-vs-rest logistic regression over hashed character n-grams and words of the normalized
question, plus the grammar's cue names as features (cues inform, they do not gate). Trained on
`assistant/data/intents.jsonl` (labelled phrasings in ja / en / kana / romaji / dialect), with a
per-label threshold chosen by cross-validation. The trained weights are cached beside the store
build, keyed by the exemplars and the featurizer, so a question costs a dot product.

`python -m assistant.qa.intent` prints the cross-validated scores per label.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

DIM = 1 << 15
FEATURIZER_VERSION = "3"
LATIN = re.compile(r"[a-z][a-z']*")
MAX_FEATURE_CHARS = 400  # the classifier reads the head of a long question; bounded cost


def exemplars_text() -> str:
    return resources.files("assistant").joinpath("data/intents.jsonl").read_text(encoding="utf-8")


def read_exemplars(text: str | None = None) -> list[tuple[str, tuple[str, ...]]]:
    out = []
    for lineno, line in enumerate((text if text is not None else exemplars_text()).splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        labels = tuple(row["labels"])
        if not isinstance(row.get("text"), str) or not labels:
            raise ValueError(f"intents.jsonl:{lineno}: needs a text and at least one label")
        out.append((row["text"], labels))
    return out


def features(text: str, extra: Iterable[str] = ()) -> np.ndarray:
    """Hashed feature indices: char 1–3-grams (spaces dropped), Latin words and word pairs, extras."""
    t = text.lower()[:MAX_FEATURE_CHARS]
    compact = re.sub(r"\s+", "", t)
    keys: set[str] = set()
    for n in (1, 2, 3):
        keys.update("c" + compact[i : i + n] for i in range(len(compact) - n + 1))
    words = LATIN.findall(t)
    keys.update("w" + w for w in words)
    keys.update("b" + a + "_" + b for a, b in zip(words, words[1:], strict=False))
    keys.update("x" + e for e in extra)
    return np.fromiter((zlib.crc32(k.encode("utf-8")) % DIM for k in keys), dtype=np.int64, count=len(keys))


@dataclass
class IntentModel:
    labels: tuple[str, ...]
    coef: np.ndarray  # (labels, DIM) float32
    intercept: np.ndarray  # (labels,)
    thresholds: np.ndarray  # (labels,)

    def scores(self, idx: np.ndarray) -> np.ndarray:
        if idx.size == 0:
            z = self.intercept
        else:
            z = self.coef[:, np.unique(idx)].sum(axis=1) / np.sqrt(len(np.unique(idx))) + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-z)))

    def predict(self, text: str, extra: Iterable[str] = ()) -> dict[str, float]:
        """Labels over their threshold, with probabilities."""
        p = self.scores(features(text, extra))
        return {lab: float(p[i]) for i, lab in enumerate(self.labels) if p[i] >= self.thresholds[i]}

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.partial")
        os.close(fd)
        with open(tmp, "wb") as f:
            np.savez_compressed(
                f, labels=np.array(self.labels), coef=self.coef, intercept=self.intercept, thresholds=self.thresholds
            )
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> IntentModel:
        with np.load(path, allow_pickle=False) as z:
            return cls(tuple(str(x) for x in z["labels"]), z["coef"], z["intercept"], z["thresholds"])


def _matrix(rows: Sequence[np.ndarray]) -> Any:
    from scipy.sparse import csr_matrix

    indptr, indices, data = [0], [], []
    for idx in rows:
        u = np.unique(idx)
        indices.extend(u.tolist())
        data.extend([1.0 / np.sqrt(len(u))] * len(u) if len(u) else [])
        indptr.append(len(indices))
    return csr_matrix((data, indices, indptr), shape=(len(rows), DIM), dtype=np.float64)


def _fit(x: Any, y: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    coef = np.zeros((y.shape[1], DIM), dtype=np.float32)
    intercept = np.full(y.shape[1], -8.0)
    for j in range(y.shape[1]):
        if 0 < y[:, j].sum() < len(y):
            m = LogisticRegression(C=c, solver="liblinear", class_weight="balanced").fit(x, y[:, j])
            coef[j], intercept[j] = m.coef_[0], m.intercept_[0]
    return coef, intercept


def _folds(n: int, k: int, seed: int = 7) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return [order[i::k] for i in range(k)]


def cross_validate(
    texts: Sequence[str],
    labels: Sequence[Sequence[str]],
    featurize: Callable[[str], np.ndarray],
    k: int = 5,
    c: float = 32.0,
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Out-of-fold probabilities for every exemplar: (label names, y, probabilities)."""
    names = tuple(sorted({lab for labs in labels for lab in labs}))
    y = np.array([[lab in labs for lab in names] for labs in labels], dtype=int)
    x = _matrix([featurize(t) for t in texts])
    probs = np.zeros(y.shape)
    for fold in _folds(len(texts), k):
        train = np.setdiff1d(np.arange(len(texts)), fold)
        coef, intercept = _fit(x[train], y[train], c)
        z = x[fold] @ coef.T.astype(np.float64) + intercept
        probs[fold] = 1.0 / (1.0 + np.exp(-z))
    return names, y, probs


def choose_thresholds(y: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Per label, the threshold with the best out-of-fold F1 (ties: the higher threshold)."""
    grid = np.linspace(0.2, 0.9, 29)
    best = np.full(y.shape[1], 0.5)
    for j in range(y.shape[1]):
        f1s = []
        for t in grid:
            pred = probs[:, j] >= t
            tp = int((pred & (y[:, j] == 1)).sum())
            f1s.append(2 * tp / max(1, pred.sum() + y[:, j].sum()))
        best[j] = grid[len(f1s) - 1 - int(np.argmax(f1s[::-1]))]
    return best


def report(names: Sequence[str], y: np.ndarray, probs: np.ndarray, thresholds: np.ndarray) -> dict[str, Any]:
    pred = probs >= thresholds
    per: dict[str, Any] = {}
    for j, lab in enumerate(names):
        tp = int((pred[:, j] & (y[:, j] == 1)).sum())
        fp = int((pred[:, j] & (y[:, j] == 0)).sum())
        fn = int((~pred[:, j] & (y[:, j] == 1)).sum())
        per[lab] = {
            "support": int(y[:, j].sum()),
            "precision": round(tp / max(1, tp + fp), 3),
            "recall": round(tp / max(1, tp + fn), 3),
            "f1": round(2 * tp / max(1, 2 * tp + fp + fn), 3),
            "accuracy": round(float((pred[:, j] == (y[:, j] == 1)).mean()), 3),
            "threshold": round(float(thresholds[j]), 3),
        }
    exact = float((pred == (y == 1)).all(axis=1).mean())
    return {"exemplars": len(y), "exact_set_accuracy": round(exact, 3), "labels": per}


def train(
    examples: Sequence[tuple[str, Sequence[str]]], featurize: Callable[[str], np.ndarray], c: float = 32.0
) -> tuple[IntentModel, dict[str, Any]]:
    texts = [t for t, _ in examples]
    labels = [labs for _, labs in examples]
    names, y, probs = cross_validate(texts, labels, featurize, c=c)
    thresholds = choose_thresholds(y, probs)
    coef, intercept = _fit(_matrix([featurize(t) for t in texts]), y, c)
    return IntentModel(names, coef, intercept, thresholds), report(names, y, probs, thresholds)


def cache_key(*parts: str) -> str:
    h = hashlib.sha256()
    for p in (FEATURIZER_VERSION, *parts):
        h.update(p.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:16]


def load_or_train(cache_dir: Path, key: str, featurize: Callable[[str], np.ndarray]) -> IntentModel:
    """The cached model for this key, else train it (about a second) and cache it atomically."""
    path = cache_dir / f"intent-{key}.npz"
    try:
        return IntentModel.load(path)
    except (OSError, ValueError, KeyError):
        pass
    model, rep = train(read_exemplars(), featurize)
    try:
        model.save(path)
        path.with_suffix(".json").write_text(json.dumps(rep, ensure_ascii=False, indent=1), encoding="utf-8")
    except OSError as e:  # a read-only store still answers; it trains again next start
        log.warning("cannot cache the intent model in %s (%s)", cache_dir, e)
    return model


def main(argv: Sequence[str] | None = None) -> int:
    """Train (or load) the model for the current store and print its cross-validated scores."""
    import argparse

    from assistant.engine import Engine
    from assistant.settings import load_settings

    p = argparse.ArgumentParser(prog="python -m assistant.qa.intent")
    p.add_argument("--store", type=Path)
    args = p.parse_args(argv)
    engine = Engine.open(load_settings(store=args.store))
    reports = sorted(Path(engine.index.build).glob("intent-*.json"), key=lambda f: f.stat().st_mtime)
    if not reports:
        print("no cross-validation report beside the build (the model was cached without one)")
        return 1
    rep = json.loads(reports[-1].read_text(encoding="utf-8"))
    print(f"{rep['exemplars']} exemplars; exact label set (out of fold) {rep['exact_set_accuracy']:.3f}")
    print(f"{'label':10s} {'support':>7s} {'precision':>9s} {'recall':>6s} {'f1':>5s} {'threshold':>9s}")
    for lab, r in rep["labels"].items():
        print(
            f"{lab:10s} {r['support']:7d} {r['precision']:9.3f} {r['recall']:6.3f} {r['f1']:5.3f} {r['threshold']:9.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
