"""A chart's order: rows ranked by value, and the positions a question asks for (「2番目」, "3rd",
「上位5つ」)."""

from __future__ import annotations

import re

from assistant.records import Chart, Row

ORDINALS = {
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "5th": 5,
    "runner-up": 2,  # the one after the top: "and the runner-up?", 「次点は？」「2番手は？」
    "runners-up": 2,
    "次点": 2,
}


def by_value(chart: Chart, least: bool, without: list[Row] | None = None) -> list[Row]:
    """The rows with a printed value, most answers first (least first for "least"); その他 left out."""
    pool = [r for r in chart.rows if r.values["value"] is not None and r.key != "other" and r not in (without or [])]
    return sorted(pool, key=lambda r: r.values["value"] or 0.0, reverse=not least)


def top_n(text: str) -> int | None:
    """「上位5つ」「5位まで」, "top five": how many to list."""
    words = {"three": 3, "four": 4, "five": 5, "six": 6, "ten": 10, "三": 3, "四": 4, "五": 5, "十": 10}
    m = re.search(r"(?:上位|トップ|ベスト|top)\s*(\d+|three|four|five|six|ten|三|四|五|十)", text.lower()) or re.search(
        r"(\d+|三|四|五|十)\s*(?:位|番目?)まで",
        text,  # 「5位まで」: the top five
    )
    if not m:
        return None
    g = m.group(1)
    return int(g) if g.isdigit() else words[g]


ORDINAL = re.compile(
    r"([2-9])\s*(?:番目|位|番手)(?!まで)|([二三四五])(?:番目|位|番手)(?!まで)|\b(second|third|fourth|fifth|2nd|3rd|4th|5th|runners?-up)\b|(次点)"
)


def ordinals(text: str) -> list[int]:
    """Every position asked for: 「2番目と3番目」, "2nd and 3rd"."""
    out: list[int] = []
    for m in ORDINAL.finditer(text.lower()):
        g = m.group(1) or m.group(2) or m.group(3) or m.group(4)
        n = int(g) if g.isdigit() else ORDINALS[g]
        if n not in out:
            out.append(n)
    return out


def ordinal(text: str) -> int | None:
    found = ordinals(text)
    return found[0] if found else None
