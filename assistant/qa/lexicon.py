"""Plain word lists of the question grammar, from `assistant/data/lexicon.yaml`."""

from __future__ import annotations

from functools import cache

from assistant.qa.resources import load_yaml


@cache
def ordinary_ja() -> frozenset[str]:
    """Words that say how a question is asked (何, 教える, 割合), never what it is about."""
    groups: dict[str, list[str]] = load_yaml("lexicon.yaml")["ordinary_ja"]
    return frozenset(w for words in groups.values() for w in words)


@cache
def generic_ja() -> frozenset[str]:
    """The report's own subject (伴走支援, 企業): in every passage, so weak evidence for any one."""
    return frozenset(load_yaml("lexicon.yaml")["generic_ja"])


@cache
def en_stop() -> frozenset[str]:
    """English words that carry no topic."""
    return frozenset(load_yaml("lexicon.yaml")["en_stop"].split())


@cache
def question_words() -> tuple[str, ...]:
    """Words questions use beyond the report's own, so kana-only questions meet them on their reading."""
    return tuple(load_yaml("lexicon.yaml")["question_words"].split())
