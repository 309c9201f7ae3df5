"""Cue patterns: how people ask, independent of the report's content. The patterns are data
(`assistant/data/cues.yaml`); this module compiles each once."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache, lru_cache

from assistant.qa.resources import load_yaml


@dataclass(frozen=True)
class Cues:
    ja: dict[str, re.Pattern[str]]  # searched in the Japanese form of the question (no spaces)
    en: dict[str, re.Pattern[str]]  # searched in the lower-cased English form
    followup_ja: re.Pattern[str]
    followup_en: re.Pattern[str]
    facet: re.Pattern[str]  # 「業種別」
    facet_named: re.Pattern[str]  # "by industry", 「従業員50人以下」


def raw_patterns() -> dict[str, str]:
    """Every pattern as written in the data file, by a dotted name (ja.period, facet_named)."""
    data = load_yaml("cues.yaml")
    out = {f"{lang}.{k}": v for lang in ("ja", "en") for k, v in data[lang].items()}
    out.update({k: data[k] for k in ("followup_ja", "followup_en", "facet")})
    out["facet_named"] = "".join(data["facet_named"])
    return out


# the asker speaking of their own firm: what follows describes their situation
FIRST_PERSON = re.compile(r"\b(I|I'm|we|we're|our|my)\b|うち|弊社|当社|私|僕|自分", re.IGNORECASE)


@cache
def compiled() -> Cues:
    raw = raw_patterns()
    data = load_yaml("cues.yaml")
    return Cues(
        ja={k: re.compile(raw[f"ja.{k}"]) for k in data["ja"]},
        en={k: re.compile(raw[f"en.{k}"]) for k in data["en"]},
        followup_ja=re.compile(raw["followup_ja"]),
        followup_en=re.compile(raw["followup_en"]),
        facet=re.compile(raw["facet"]),
        facet_named=re.compile(raw["facet_named"]),
    )


def cues_in(text_ja: str, text_en: str, only: Collection[str] | None = None) -> set[str]:
    """The names of the cues a question shows, in either language (of `only`, when given)."""
    if only is None:  # the reader and the grammar often search the same text: searched once
        return set(_all_cues(text_ja, text_en))
    return _cues(text_ja, text_en, only)


@lru_cache(maxsize=512)
def _all_cues(text_ja: str, text_en: str) -> frozenset[str]:
    return frozenset(_cues(text_ja, text_en, None))


def _cues(text_ja: str, text_en: str, only: Collection[str] | None) -> set[str]:
    c = compiled()
    ja = c.ja.items() if only is None else [(k, p) for k, p in c.ja.items() if k in only]
    en = c.en.items() if only is None else [(k, p) for k, p in c.en.items() if k in only]
    return {k for k, pat in ja if pat.search(text_ja)} | {k for k, pat in en if pat.search(text_en)}
