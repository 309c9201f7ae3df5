"""Rows named out of order or with words between: 「効果がよく分からない」 is the row 「効果が
分からない」, "support to execute a specific project" is "project support".

The phrase index matches a row's aliases as written. People move the words about, put an
adverb between them, or change a particle (自分で調べ -> 自分から調べた). Here every alias of two
or more words is a bag of words (Sudachi normalized forms for Japanese, lower-cased words with a
plain -s/-ing/-ed stripped for English); a row is named when every word of one of its bags is in
the question (as a word or the start of one) and one of those words is not generic (支援, 企業, support). Bounded: a set test per
alias, on a question already cut to the model's limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.lexical import SudachiTokenizer
from assistant.qa.lexicon import en_stop, generic_ja, ordinary_ja
from assistant.records import Chart

MAX_WORD = 12
EN_WORD = re.compile(r"[a-z][a-z\-]+")
EN_GENERIC = frozenset({"support", "supports", "firm", "firms", "company", "companies", "hands-on", "smes", "sme"})


def en_stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def en_bag(text: str) -> frozenset[str]:
    stop = en_stop()
    return frozenset(en_stem(w) for w in EN_WORD.findall(text.lower()) if w not in stop)


class RowBags:
    """(chart, row key, bag of words) for every alias of two or more words."""

    def __init__(self, charts: dict[str, Chart], tokenizer: SudachiTokenizer) -> None:
        self.tokenizer = tokenizer
        ordinary = ordinary_ja()
        generic = generic_ja()
        self.ja: list[tuple[str, str, frozenset[str]]] = []
        self.en: list[tuple[str, str, frozenset[str]]] = []
        for cid, chart in charts.items():
            if chart.is_crosstab:
                continue  # its rows are groups told apart by a negation (はい / いいえ): words, not bags
            for row in chart.rows:
                for alias in dict.fromkeys((row.label, *row.aliases)):
                    bag = frozenset(tokenizer.tokens(alias))
                    if len(bag) >= 2 and bag - generic - ordinary:
                        self.ja.append((cid, row.key, bag))
                for alias in dict.fromkeys((row.label_en, *row.aliases_en)):
                    bag = en_bag(alias)
                    if len(bag) >= 2 and bag - EN_GENERIC:
                        self.en.append((cid, row.key, bag))

    def named(self, tokens: Iterable[str], text_en: str) -> list[tuple[str, str]]:
        """The (chart, row) pairs one of whose bags the question holds whole."""
        # a bag word is in the question when a question word starts with it: 調べ (an alias cut short) in 調べる
        ja = frozenset(t[:k] for t in tokens for k in range(1, min(len(t), MAX_WORD) + 1))
        en = en_bag(text_en) if EN_WORD.search(text_en) else frozenset()
        out: list[tuple[str, str]] = []
        for bags, words in ((self.ja, ja), (self.en, en)):
            if not words:
                continue
            for cid, key, bag in bags:
                if bag <= words and (cid, key) not in out:
                    out.append((cid, key))
        return out
