"""The sentence ranker: its weights file names only known evidence, and the trainer learns weights
that put the expected sentence first."""

from __future__ import annotations

import numpy as np

from assistant.qa.compose.ranking import FEATURES, ranker
from assistant.qa.resources import load_yaml
from assistant.qa.train_ranker import Case, accuracy, fit


def test_weights_file_names_only_known_features() -> None:
    weights = load_yaml("sentence_ranker.yaml")["weights"]
    assert set(weights) <= set(FEATURES), set(weights) - set(FEATURES)
    assert ranker().weights.shape == (len(FEATURES),)
    assert ranker().weights[FEATURES.index("asked")] > 0  # closeness to a sentence's questions is evidence for it


def test_fit_learns_which_evidence_marks_the_answer() -> None:
    """Feature 0 marks the answer, feature 1 is noise; the fit weighs 0 above 1 and ranks it first
    on cases it was not fitted on."""
    rng = np.random.default_rng(0)

    def case(group: str) -> Case:
        x = rng.normal(size=(30, 2))
        gold = int(rng.integers(30))
        x[gold, 0] += 3.0
        return Case(group, x, np.array([gold]))

    train = [case("a") for _ in range(40)]
    test = [case("b") for _ in range(40)]
    w = fit(train)
    assert w[0] > 1.0 and abs(w[1]) < w[0] / 3
    top1, top3 = accuracy(test, w)
    assert top1 >= 0.8 and top3 >= top1
    assert accuracy(test, np.array([0.0, 1.0]))[0] < 0.3  # the noise feature alone does not find it


def test_a_definition_ranks_the_defining_sentence_first(real_service) -> None:  # type: ignore[no-untyped-def]
    from assistant.qa.compose.ranking import score_sentences

    engine = real_service
    a = engine.analyze("施策実行型ってどういう意味？")
    best = score_sentences(engine.composer.context, a, [])[0][2]
    assert best.text.startswith("※2")


def test_advice_weights_file_names_only_known_features() -> None:
    from assistant.qa.compose import advice_rank

    data = load_yaml("advice_ranker.yaml")["weights"]
    assert set(data) <= set(advice_rank.FEATURES), set(data) - set(advice_rank.FEATURES)
    assert advice_rank.weights()[advice_rank.FEATURES.index("dense")] > 0


def test_advice_quotes_the_report_on_the_situation_described(real_service) -> None:  # type: ignore[no-untyped-def]
    """An owner describing a situation the report describes (tools bought and left unused) gets the
    report's response to it, not the sentence that shares most words (IT導入補助金)."""
    a = real_service.ask("会計ソフトを補助金で入れたんやけど、社員が誰も使えてへん。どないしたらええ？")
    assert "使いこなせていない" in a.answer and "専門家" in a.answer, a.answer
    assert "column" in {c.section for c in a.citations}


def test_advice_candidates_rank_without_embeddings(real_service) -> None:  # type: ignore[no-untyped-def]
    """The embedding is one signal: with none (an embedder that failed), the other evidence still ranks."""
    from assistant.qa.compose.advice_rank import FEATURES, candidates, features

    ctx = real_service.composer.context
    cands, _vectors = candidates(ctx)
    a = real_service.analyze("費用が心配で踏み出せない。どうしたらいい？")
    x = features(ctx, a, ["費用"], cands, None)
    assert x.shape == (len(cands), len(FEATURES))
    assert not x[:, FEATURES.index("dense")].any() and x[:, FEATURES.index("overlap")].any()
