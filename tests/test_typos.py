"""Misspelt katakana words meet the report's own, and nothing else is touched."""

from __future__ import annotations

import time

from assistant.qa.typos import KatakanaSpeller, edit_distance

KNOWN = ["民間のコンサルティング会社からの支援", "サポート", "コスト", "リーダーシップの向上", "コミュニケーション"]


def test_edit_distance_stops_at_its_limit() -> None:
    assert edit_distance("コンサルティグ", "コンサルティング", 1) == 1
    assert edit_distance("abc", "xyz", 1) == 2  # limit + 1: "more than allowed"
    assert edit_distance("a", "abcdef", 2) == 3


def test_a_dropped_or_swapped_mora_is_corrected() -> None:
    spell = KatakanaSpeller(KNOWN)
    assert spell("コンサルティグ会社の件数") == "コンサルティング会社の件数"
    assert spell("リーダシップ") == "リーダーシップ"
    assert spell("コミニュケーション能力") == "コミュニケーション能力"  # two edits in a long word


def test_known_words_fragments_and_short_words_are_left_alone() -> None:
    spell = KatakanaSpeller(KNOWN)
    for text in ("コンサルに頼む", "サポート", "ホスト", "コスパ", "マーケティング"):
        assert spell(text) == text


def test_two_equally_near_words_give_no_guess() -> None:
    spell = KatakanaSpeller(["アイウエオ", "アイウエカ"])
    assert spell("アイウエキ") == "アイウエキ"


def test_work_is_bounded_on_hostile_text() -> None:
    spell = KatakanaSpeller(KNOWN * 50)
    text = "コンサルティグ、" * 2000 + "ア" * 5000
    started = time.perf_counter()
    out = spell(text)
    assert time.perf_counter() - started < 1.0
    assert out.count("コンサルティング") == 8  # only the first runs are checked
