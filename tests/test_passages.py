"""The passage index: a question meets the sentence whose exemplar questions it resembles."""

from __future__ import annotations

import time

import numpy as np

from assistant.qa.passages import PassageIndex

TEXTS = [
    "伴走支援とは、経営者と第三者が継続的に対話を重ねる取り組みを指します。",
    "費用が高額な場合は二の足を踏むだろう。",
    "無料で試せる制度を利用することもお勧めしたい。",
]
QUESTIONS = {
    "伴走支援とは": ["伴走支援ってなに？", "what is hands-on support?", "ばんそうしえんって なに"],
    "無料で試せる": ["お金をかけずに試す方法は？", "is there a free way to try it?", "ただで受けられる？"],
    "印刷されていない": ["ここには来ない"],
}


def index() -> PassageIndex:
    return PassageIndex(TEXTS, QUESTIONS, lambda t: t)


def test_question_meets_the_sentence_it_resembles() -> None:
    pi = index()
    assert int(np.argmax(pi.scores("伴走支援って何なん？"))) == 0
    assert int(np.argmax(pi.scores("Is there a free way to try this support?"))) == 2
    assert int(np.argmax(pi.scores("ただで試せる方法ある？"))) == 2


def test_sentence_without_exemplars_and_unknown_keys_score_nothing() -> None:
    pi = index()
    s = pi.scores("伴走支援ってなに？")
    assert s[1] == 0.0 and len(pi) == 6  # the unprinted key is skipped, its question not indexed
    assert 0.0 < s.max() <= 1.0 + 1e-9


def test_no_shared_features_and_empty_index_give_zeros() -> None:
    assert not index().scores("zzzz qqqq").any()
    empty = PassageIndex(TEXTS, {}, lambda t: t)
    assert len(empty) == 0 and not empty.scores("伴走支援ってなに？").any()


def test_cost_is_bounded_on_hostile_text() -> None:
    pi = index()
    started = time.perf_counter()
    pi.scores("ﷺ" * 5000 + "伴走支援" * 3000)
    assert time.perf_counter() - started < 1.0  # features read a bounded head of the text


def test_exemplar_features_are_cached_and_reused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []

    def featurize(t: str) -> np.ndarray:
        calls.append(t)
        from assistant.qa.intent import features

        return features(t)

    cache = tmp_path / "passages.npz"
    first = PassageIndex(TEXTS, QUESTIONS, lambda t: t, featurize, cache=cache)
    made = len(calls)
    second = PassageIndex(TEXTS, QUESTIONS, lambda t: t, featurize, cache=cache)
    assert made == 6 and len(calls) == made and cache.is_file()  # the second start reads the cache
    q = "Is there a free way to try this support?"
    assert np.allclose(first.scores(q), second.scores(q)) and second.exemplars == first.exemplars
    cache.write_bytes(b"not an npz")  # a broken cache is rebuilt, not trusted
    third = PassageIndex(TEXTS, QUESTIONS, lambda t: t, featurize, cache=cache)
    assert np.allclose(third.scores(q), first.scores(q))
