"""Kana-only text meets the report's kanji terms on their reading.

A question typed in hiragana (「ぜいりしに そうだんしてる かいしゃ なんけん？」) tokenizes into
nonsense. The index maps the reading of every content word the assistant knows (the report's
text, the chart labels, the exemplar questions, a small question vocabulary) to its written
form, and rewrites hiragana runs by the best segmentation into known readings. Bounded: the
work is linear in the text (at most `MAX_ENTRY` lookups per character).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from assistant.lexical import SudachiTokenizer

MAX_ENTRY = 12  # longest reading looked up, in kana
CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞", "副詞", "代名詞", "連体詞"}
HAS_WRITTEN = re.compile(r"[\u30a0-\u30ff\u3400-\u9fff]")
# function words written in kana that must stay kana (こと is not コト, ある is not 有る)
KANA_KEEP = (
    "ください",
    "さい",
    "たい",  # 受けたい: the wish, not 対
    "たいん",  # 取り組みたいんだけど: the wish, not a misread 多いん
    "たいの",
    "いって",  # 少ないって: a quotation, not 一手
    "たく",
    "です",
    "ます",
    "ました",
    "でした",
    "こと",
    "もの",
    "ため",
    "とき",
    "ところ",
    "よう",
    "ほう",
    "なる",
    "ある",
    "いる",
    "する",
    "ない",
    "それ",
    "これ",
)
HIRAGANA_RUN = re.compile(r"[\u3041-\u309fー]+")  # one class, one quantifier: linear


LONG_U = re.compile(r"(?<=[おこごそぞとどのほぼぽもよょろをうくぐすずつづぬふぶぷむゆゅる])う|ー")


def short_vowels(reading: str) -> str:
    """ばんそう -> ばんそ, ちょうさ -> ちょさ: a reading as romaji without macrons spells it."""
    return LONG_U.sub("", reading)


def kata2hira(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in text)


class ReadingIndex:
    """reading (hiragana) -> the most frequent written form among the known words."""

    def __init__(
        self, tokenizer: SudachiTokenizer, texts: Iterable[str], keep: Iterable[str] = KANA_KEEP, primary: int = 1
    ) -> None:
        """`primary`: the first texts (the report's) count ten times: 調査期間, not 調査機関."""
        counts: dict[str, Counter[str]] = {}
        keep_set = set(keep)
        adjectives: set[str] = set()
        for i, text in enumerate(texts):
            weight = 10 if i < primary else 1
            for surface, reading, pos in self._words(tokenizer, text):
                # a noun the report itself writes in kana (きっかけ) stays whole: not きっ + 書け
                kana_noun = pos == "名詞" and len(reading) >= 3 and surface == reading
                if len(reading) < 2 or reading in keep_set or not (HAS_WRITTEN.search(surface) or kana_noun):
                    continue
                counts.setdefault(reading, Counter())[surface] += weight
                if pos == "形容詞":
                    adjectives.add(reading)
        self.entries = {r: c.most_common(1)[0][0] for r, c in counts.items()}
        # romaji typed without long vowels ("banso shien", "chosa"): the reading with its long
        # vowels dropped, where that names one word only and is no word itself
        short: dict[str, set[str]] = {}
        for r, w in self.entries.items():
            k = short_vowels(r)
            if k != r and len(k) >= 3 and k not in self.entries:
                short.setdefault(k, set()).add(w)
        self.short = {k: next(iter(ws)) for k, ws in short.items() if len(ws) == 1}
        # 「一番ひくい」: an adjective's whole reading after a noun is a word, not the noun's okurigana
        self.adjectives = {r for r in adjectives if len(r) >= 3}

    @staticmethod
    def _words(tokenizer: SudachiTokenizer, text: str) -> list[tuple[str, str, str]]:
        """Content words with their readings and parts of speech, and noun compounds of two or three words."""
        out: list[tuple[str, str, str]] = []
        toks = tokenizer.readings(text)
        run: list[tuple[str, str]] = []
        for surface, reading, pos in toks:
            if pos in CONTENT_POS:
                out.append((surface, kata2hira(reading), pos))
            if pos == "名詞" or (pos == "接尾辞" and run):  # 自走 + 化: 「じそうか」 is 自走化
                run.append((surface, kata2hira(reading)))
                for n in (2, 3):
                    if len(run) >= n:
                        part = run[-n:]
                        out.append(("".join(s for s, _ in part), "".join(r for _, r in part), "名詞"))
            else:
                run = []
        return out

    def rewrite(self, text: str, min_len: int = 3) -> str:
        """Replace known readings inside hiragana runs by their written forms. Kana written right
        after a kanji or katakana word continue that word (シフトしてきた, 相談している: okurigana and
        inflection), so no reading is read at the very start of such a run (してき is not 指摘)."""

        def sub(m: re.Match[str]) -> str:
            run = m.group(0)
            follows_word = m.start() > 0 and bool(HAS_WRITTEN.match(text[m.start() - 1]))
            adjective = follows_word and any(run[:k] in self.adjectives for k in range(3, min(len(run), MAX_ENTRY) + 1))
            return self._segment(run, min_len, 1 if follows_word and not adjective else 0)

        return HIRAGANA_RUN.sub(sub, text)

    def _segment(self, run: str, min_len: int, first: int = 0) -> str:
        if len(run) < min_len:
            return run
        n = len(run)
        best = [0] * (n + 1)  # best[j]: score of the best segmentation of run[:j]
        back: list[tuple[int, str | None]] = [(0, None)] * (n + 1)
        for j in range(1, n + 1):
            best[j], back[j] = best[j - 1], (j - 1, None)
            for i in range(max(first, j - MAX_ENTRY), j - min_len + 1):
                written = self.entries.get(run[i:j])
                if written is not None and best[i] + (j - i) ** 2 > best[j]:
                    best[j], back[j] = best[i] + (j - i) ** 2, (i, written)
        parts: list[str] = []
        j = n
        while j > 0:
            i, written = back[j]
            parts.append(written if written is not None else run[i:j])
            j = i
        return "".join(reversed(parts))
