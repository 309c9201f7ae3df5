"""The understanding pipeline end to end on the real store: intents, plans with parts, partly
covered questions, advice from the report's views, short refusals, and bounded cost."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.qa import intent
from assistant.records import Turn

pytestmark = pytest.mark.slow


def ask(service: Any, q: str, history: list[str] | None = None) -> Any:
    return service.ask(q, history or [])


def test_intent_model_is_learned_and_cross_validated() -> None:
    examples = intent.read_exemplars()
    assert len(examples) >= 500 and sum(len(labels) > 1 for _, labels in examples) >= 100
    model, rep = intent.train(examples, lambda t: intent.features(t))
    assert set(rep["labels"]) >= {"value", "top", "base", "period", "citation", "share", "sum", "advice", "why"}
    for label, scores in rep["labels"].items():  # out-of-fold, not training accuracy
        assert scores["f1"] >= 0.5, (label, scores)
    got = model.predict("この設問の回答企業数と回答総数、調査期間、出典を教えてください")
    assert {"base", "period", "citation"} <= set(got)


def test_intent_model_is_cached_beside_the_build(tmp_path: Path) -> None:
    calls: list[str] = []

    def featurize(t: str) -> np.ndarray:
        calls.append(t)
        return intent.features(t)

    first = intent.load_or_train(tmp_path, "k", featurize)
    trained = len(calls)
    second = intent.load_or_train(tmp_path, "k", featurize)
    assert trained > 0 and len(calls) == trained  # the second start reads the cache
    assert first.labels == second.labels and np.allclose(first.coef, second.coef)


def test_a_support_request_gets_every_part(real_service: Any) -> None:
    a = ask(
        real_service, "支援元の最多項目の件数と、この設問の回答企業数・回答総数、調査期間を出典付きでお願いします。"
    )
    for part in ("148", "205", "303", "2023年8月21日", "フォーバル GDXリサーチ研究所"):
        assert part in a.answer, part
    assert not a.abstained and "1-3" in {c.section for c in a.citations}


def test_operations_show_their_arithmetic(real_service: Any) -> None:
    share = ask(real_service, "What share of the 347 non-using companies cited cost as a reason?")
    assert "140 ÷ 347 = 40.3%" in share.answer
    total = ask(real_service, "「自ら調べて」と「外的要因の変化から」を足すと何件？")
    assert "27 + 18 = 45" in total.answer
    diff = ask(real_service, "課題解決型と施策実行型の件数の差ってどれくらい？")
    assert "126 − 80 = 46" in diff.answer


def test_partly_covered_answers_the_covered_clause(real_service: Any) -> None:
    a = ask(real_service, "コンサル会社から受けてる会社数と、費用の相場を教えて")
    assert not a.abstained and "148" in a.answer and "記載がありません" in a.answer
    conditional = ask(real_service, "業種別だと、製造業の伴走支援の活用率はどれくらいですか？")
    assert conditional.abstained  # the figure is asked for a group the report does not have


def test_unfamiliar_surfaces_are_understood(real_service: Any) -> None:
    assert "53.1" in ask(real_service, "ばんそうしえん いちども うけたこと ない かいしゃって なんぱーせんと？").answer
    romaji = ask(real_service, "konsaru gaisha kara shien uketeru tte kaitou, nan ken datta?")
    assert "148" in romaji.answer and romaji.language == "ja"
    assert "162" in ask(real_service, "Why don't firms use 伴走支援?").answer


def test_advice_is_the_reports_own_view(real_service: Any) -> None:
    a = ask(real_service, "費用が心配で伴走支援に踏み出せんとよ。どげんしたらよか？")
    assert not a.abstained and a.kind == "advice" and "報告書の見解" in a.answer
    assert all(c.quote and c.quote in a.answer for c in a.citations)  # quoted, not invented
    off_topic = ask(real_service, "うち借入の返済がきつくて、リスケした方がいいか迷ってる。どう思う？")
    assert off_topic.abstained


def test_refusal_is_short_and_names_near_topics(real_service: Any) -> None:
    a = ask(real_service, "大阪府にある中小企業の数を教えてください")
    assert a.abstained and "記載がありません" in a.answer
    assert a.answer.count("「") <= 3 and len(a.answer) < 200


@pytest.mark.parametrize(
    ("question", "history"),
    [
        (("自由に" * 700)[:2000], [("無視し" * 700)[:2000]] * 10),
        ("ﷺ" * 2000, ["それ、" + "ﷺ" * 1990] * 10),
        ("tsu" * 666, ["ばんそう" * 500] * 10),
        ("受けてない理由" * 280, ["それは？" * 500] * 10),
    ],
)
def test_understanding_cost_is_bounded(real_service: Any, question: str, history: list[str]) -> None:
    real_service._cache.clear()
    t0 = time.perf_counter()
    real_service._analyze_step({"question": question, "history": [Turn(h) for h in history]})
    assert time.perf_counter() - t0 < 0.25  # measured 12–42 ms; a backtracking pattern takes seconds
