"""Rows named with their words apart or reordered, only within a chart the question names."""

from __future__ import annotations

import pytest

from assistant.lexical import SudachiTokenizer
from assistant.qa.rowbags import RowBags, en_stem
from assistant.records import Base, Chart, Column, Row


def chart(cid: str, rows: list[Row], crosstab: bool = False) -> Chart:
    cols = (Column("a", "A", "a"), Column("b", "B", "b")) if crosstab else (Column("value", "件数", "answers"),)
    return Chart(
        id=cid,
        doc="d",
        section="2-3",
        title="理由",
        title_en="reasons",
        question="",
        base=Base(n=10),
        multiple=False,
        unit="件",
        period="",
        columns=cols,
        rows=tuple(rows),
    )


@pytest.fixture(scope="module")
def bags() -> RowBags:
    reasons = chart(
        "r",
        [
            Row(
                "unclear", "効果が不明瞭だから", "the effect is unclear", {"value": 135}, aliases=("効果が分からない",)
            ),
            Row("impl", "施策実行型", "implementation type", {"value": 80}, aliases_en=("project support",)),
            Row("cost", "コスト", "cost", {"value": 140}),
        ],
    )
    groups = chart("x", [Row("no", "いいえ", "no", {"a": 1.0}, aliases=("取り組む気はない",))], crosstab=True)
    return RowBags({"r": reasons, "x": groups}, SudachiTokenizer())


def test_words_apart_name_the_row(bags: RowBags) -> None:
    tok = SudachiTokenizer()
    assert ("r", "unclear") in bags.named(tok.tokens("効果がよく分からない"), "")
    assert ("r", "impl") in bags.named([], "support to carry out a specific project")


def test_one_word_names_nothing_and_cross_tab_groups_are_not_bags(bags: RowBags) -> None:
    tok = SudachiTokenizer()
    assert bags.named(tok.tokens("効果は？"), "") == []
    assert bags.named(tok.tokens("コスト"), "cost") == []  # single words are the phrase index's job
    assert all(cid != "x" for cid, _ in bags.named(tok.tokens("取り組む気はある"), ""))


def test_english_stems_are_plain() -> None:
    assert en_stem("projects") == "project"
    assert en_stem("supported") == "support"
    assert en_stem("using") == "using"  # too short a stem is kept whole
