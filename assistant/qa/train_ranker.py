"""Learn a ranker's weights from labelled questions: the sentence ranker of the report's prose
(assistant/qa/compose/ranking.py) or, with `--advice`, the ranker of the report's views for advice
questions (assistant/qa/compose/advice_rank.py).

    python -m assistant.qa.train_ranker tests/qa.jsonl tests/data/*.jsonl [--advice] [--write]

Each answerable question about the report's prose (kinds concept, why, advice, partial) whose
expected phrases name sentences of its section gives one training case: the features of every
sentence of the report, and the set of sentences that hold an expected phrase. For advice, each
answerable advice question is a case over the advice candidates; a candidate is expected when the
quote it gives (with its antecedent and the report's response to it, or their English renderings)
holds an expected phrase and it is in the question's section. The model is a
conditional logit: the probability of a sentence is the softmax of its score over all sentences,
and the fit maximizes the probability of the expected ones (L2-regularized, L-BFGS). Accuracy is
cross-validated leaving one question set out at a time, beside the weights in use, and the learned
weights are written only with `--write` (then check the answers end to end: `python -m
assistant.eval`; the file says why the weights in use are still the hand-set ones).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.eval import read_items
from assistant.records import Turn
from assistant.settings import load_settings

PROSE_KINDS = {"concept", "why", "advice", "partial"}
L2 = 1.0  # on the sum of squared weights, against the total log-likelihood
NUMERIC = re.compile(r"[\d.,%％件社割]+")
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
DATA = Path(__file__).resolve().parents[1] / "data"
TARGETS = {"text": DATA / "sentence_ranker.yaml", "advice": DATA / "advice_ranker.yaml"}


@dataclass
class Case:
    group: str  # the question set it comes from (cross-validation leaves one out)
    x: np.ndarray  # features of every sentence
    gold: np.ndarray  # indices of the sentences that answer it


def cases(paths: Sequence[Path], store: Path | None) -> list[Case]:
    from assistant.engine import Engine
    from assistant.qa.compose.ranking import sentence_features

    engine = Engine.open(load_settings(store=store))
    ctx = engine.composer.context
    section_of = [ctx.index.chunks[s.chunk].section for s in ctx.sentences]
    out = []
    for path in paths:
        for item in read_items([path]):
            if item.get("kind") not in PROSE_KINDS or not item.get("answerable", True):
                continue
            phrases = [
                p
                for p in [*item.get("expect_all", []), *item.get("expect_any", [])]
                if JAPANESE.search(p) and not NUMERIC.fullmatch(p)
            ]
            gold = [
                i
                for i, s in enumerate(ctx.sentences)
                if section_of[i] == item.get("section") and any(p in s.text for p in phrases)
            ]
            if not gold:
                continue
            turns = [Turn.coerce(t) for t in item.get("history", [])]
            a = engine._analyze_step({"question": item["question"], "history": turns})
            hits = engine.index.search(a.text, a.tokens, a.lang) if a.text.strip() else []
            x, _cov, refs = sentence_features(ctx, a, hits)
            if len(refs) != len(ctx.sentences):
                continue  # no content terms: nothing to rank
            out.append(Case(path.stem, x, np.array(gold)))
    return out


def advice_cases(paths: Sequence[Path], store: Path | None) -> list[Case]:
    from assistant.engine import Engine
    from assistant.qa.compose.advice import advice_terms
    from assistant.qa.compose.advice_rank import candidates, features, with_context

    engine = Engine.open(load_settings(store=store))
    ctx = engine.composer.context
    cands, vectors = candidates(ctx)
    renderings = ctx.index.glossary.get("renderings", {})
    quotes = []
    for c in cands:
        quote = "".join(p.text for p in [*with_context(ctx, c.sentence), *c.response])
        english = " ".join(r[0] for k, r in renderings.items() if r and k in quote).lower()
        quotes.append((ctx.index.chunks[c.sentence.chunk].section, quote, english))
    out = []
    for path in paths:
        for item in read_items([path]):
            if item.get("kind") != "advice" or not item.get("answerable", True):
                continue
            phrases = [
                p for p in [*item.get("expect_all", []), *item.get("expect_any", [])] if not NUMERIC.fullmatch(p)
            ]
            gold = [
                i
                for i, (section, quote, english) in enumerate(quotes)
                if section == item.get("section") and any(p in quote or p.lower() in english for p in phrases)
            ]
            if not gold:
                continue
            turns = [Turn.coerce(t) for t in item.get("history", [])]
            a = engine._analyze_step({"question": item["question"], "history": turns})
            out.append(Case(path.stem, features(ctx, a, advice_terms(ctx, a), cands, vectors), np.array(gold)))
    return out


def fit(train: list[Case], l2: float = L2) -> np.ndarray:
    from scipy.optimize import minimize

    k = train[0].x.shape[1]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = l2 * float(w @ w), 2 * l2 * w
        for c in train:
            s = c.x @ w
            s = s - s.max()
            p = np.exp(s)
            p /= p.sum()
            pg = p[c.gold]
            mass = pg.sum()
            total -= float(np.log(mass + 1e-12))
            # d(-log sum_gold p)/dw = E_p[x] - E_{p|gold}[x]
            grad += p @ c.x - (pg / (mass + 1e-12)) @ c.x[c.gold]
        return total, grad

    return np.asarray(minimize(loss, np.zeros(k), jac=True, method="L-BFGS-B").x)


def accuracy(test: list[Case], w: np.ndarray) -> tuple[float, float]:
    top1 = top3 = 0
    for c in test:
        order = np.argsort(-(c.x @ w), kind="stable")
        gold = set(c.gold.tolist())
        top1 += int(order[0]) in gold
        top3 += bool(gold & set(order[:3].tolist()))
    n = len(test) or 1
    return top1 / n, top3 / n


def main(argv: Sequence[str] | None = None) -> int:
    from assistant.qa.compose import advice_rank, ranking

    p = argparse.ArgumentParser(prog="python -m assistant.qa.train_ranker")
    p.add_argument("qa", nargs="+", type=Path)
    p.add_argument("--store", type=Path)
    p.add_argument("--advice", action="store_true", help="the advice ranker, not the prose sentence ranker")
    p.add_argument("--write", action="store_true", help="write the learned weights to the ranker's data file")
    args = p.parse_args(argv)
    which = "advice" if args.advice else "text"
    target = TARGETS[which]
    names = advice_rank.FEATURES if args.advice else ranking.FEATURES
    data = advice_cases(args.qa, args.store) if args.advice else cases(args.qa, args.store)
    if not data:
        print("no labelled questions with a matching passage", file=sys.stderr)
        return 1
    groups = sorted({c.group for c in data})
    before = advice_rank.weights() if args.advice else ranking.ranker().weights
    held: list[tuple[str, int, tuple[float, float], tuple[float, float]]] = []
    for g in groups:
        test = [c for c in data if c.group == g]
        train = [c for c in data if c.group != g]
        held.append((g, len(test), accuracy(test, before), accuracy(test, fit(train))))
    n = len(data)
    cv_before = tuple(sum(h[2][j] * h[1] for h in held) / n for j in (0, 1))
    cv_after = tuple(sum(h[3][j] * h[1] for h in held) / n for j in (0, 1))
    print(f"{n} questions from {len(groups)} sets; leave-one-set-out top-1 / top-3:")
    for g, m, b, lr in held:
        print(f"  {g:12s} n={m:3d}  in use {b[0]:.2f} / {b[1]:.2f}   learned {lr[0]:.2f} / {lr[1]:.2f}")
    print(
        f"  {'all':12s} n={n:3d}  in use {cv_before[0]:.2f} / {cv_before[1]:.2f}   learned {cv_after[0]:.2f} / {cv_after[1]:.2f}"
    )
    w = fit(data)
    for f, v in zip(names, w.tolist(), strict=True):
        print(f"  {f:18s} {v:+.3f}")
    if args.write:
        lines = "\n".join(f"  {f}: {v:.4f}" for f, v in zip(names, w.tolist(), strict=True))
        kind = "advice candidates" if args.advice else "sentences"
        flag = " --advice" if args.advice else ""
        target.write_text(
            f"# Written by `python -m assistant.qa.train_ranker{flag}` (conditional logit over the report's\n"
            f"# {kind}, L2 {L2}) on {n} labelled {which} questions from {len(groups)} sets.\n"
            f"# Leave-one-set-out top-1 / top-3: learned {cv_after[0]:.2f} / {cv_after[1]:.2f},"
            f" weights before {cv_before[0]:.2f} / {cv_before[1]:.2f}.\n"
            f"weights:\n{lines}\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
