"""Misspelt loanwords meet the report's own: 「コンサルティグ」 -> 「コンサルティング」.

Katakana words are where typing slips hurt most: one dropped or swapped mora makes a word the
report never uses, and an unseen noun reads as a new topic. A katakana run the assistant does not
know is replaced by the one known katakana word within a small edit distance (one edit from five
morae, two from nine), and only when that word is the single closest. Bounded: at most
`MAX_RUNS` runs of at most `MAX_LEN` characters are checked, each against the known words of
about its length.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

KATAKANA_RUN = re.compile(r"[\u30a1-\u30faー]+")  # one class, one quantifier: linear
MAX_RUNS = 8
MAX_LEN = 16


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or `limit + 1` as soon as it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def allowed_edits(word: str) -> int:
    return 2 if len(word) >= 9 else 1 if len(word) >= 5 else 0


class KatakanaSpeller:
    """Corrects unknown katakana runs to the known katakana word they most nearly spell."""

    def __init__(self, known: Iterable[str]) -> None:
        words = {m.group(0) for text in known for m in KATAKANA_RUN.finditer(text) if len(m.group(0)) >= 3}
        self.words = frozenset(words)
        self.by_length: dict[int, list[str]] = defaultdict(list)
        for w in sorted(words):
            self.by_length[len(w)].append(w)
        # the same run recurs (パーセント in every question that says it): its answer is remembered
        self.nearest = lru_cache(maxsize=4096)(self._nearest)

    def _nearest(self, run: str) -> str | None:
        limit = allowed_edits(run)
        if not limit or len(run) > MAX_LEN or run in self.words:
            return None
        if any(run in w for w in self.words):  # a fragment of a known word (コンサル) is no typo
            return None
        best: list[tuple[int, str]] = []
        for n in range(len(run) - limit, len(run) + limit + 1):
            for w in self.by_length.get(n, ()):
                d = edit_distance(run, w, limit)
                if d <= limit:
                    best.append((d, w))
        if not best:
            return None
        best.sort()
        if len(best) > 1 and best[1][0] == best[0][0]:
            return None  # two words equally near: no guess
        return best[0][1]

    def __call__(self, text: str) -> str:
        out: list[str] = []
        last = 0
        for k, m in enumerate(KATAKANA_RUN.finditer(text)):
            if k >= MAX_RUNS:
                break
            fixed = self.nearest(m.group(0))
            if fixed is not None:
                out.append(text[last : m.start()])
                out.append(fixed)
                last = m.end()
        out.append(text[last:])
        return "".join(out)
