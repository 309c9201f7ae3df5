"""Step 1: bring a question's surface to the forms the report and the rest of the pipeline use.

NFKC and width, repeated marks, romaji to kana, casual and regional endings to standard ones
(`assistant/data/colloquial.yaml`), and hiragana runs to the report's written terms by their
reading (`readings.py`). Every rule is a literal replacement or a regex without nested
quantifiers, so the cost is linear in the (already bounded) question.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from assistant import yamlio
from assistant.qa.readings import ReadingIndex, kata2hira

QUOTED_WORDS = re.compile(r"(?<![A-Za-z])['‘’\"“”]([A-Za-z][A-Za-z -]{0,30}?)['‘’\"“”](?![A-Za-z])")
CIRCLED = re.compile(r"[\u2460-\u2473\u24f5-\u24fe\u2776-\u2793]")
REPEATS = re.compile(r"([ー!?！？〜~・…。、])\1+")
LATIN_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
ROMAJI_SYLLABLES = re.compile(
    r"(?:(?:ky|gy|sh|ch|ny|hy|by|py|my|ry|ts|[kgszjtdnhbpmyrwfv])?[aiueo]|n(?![aiueoy])|(?=[kgsztdhbpmrcjf])[kgsztdhbpmrcjf](?=[kgsztdhbpmrcjf]))+"
)


@dataclass(frozen=True)
class Colloquial:
    words: tuple[tuple[str, str], ...]
    endings: tuple[tuple[re.Pattern[str], str], ...]
    why: re.Pattern[str]
    romaji_markers: frozenset[str]
    romaji_particles: dict[str, str]
    en_negative: re.Pattern[str]
    en_contractions: dict[str, str]
    en_contraction: re.Pattern[str]
    digit_counter: re.Pattern[str]
    kana_number: re.Pattern[str]
    kana_digits: dict[str, int]
    kana_counters: dict[str, str]
    long_vowels: dict[int, str]


@lru_cache(maxsize=1)
def colloquial_data() -> Colloquial:
    raw: dict[str, Any] = yamlio.safe_load(
        resources.files("assistant").joinpath("data/colloquial.yaml").read_text(encoding="utf-8")
    )

    def nf(x: Any) -> str:
        return unicodedata.normalize("NFKC", str(x))  # questions are NFKC before these apply

    words = tuple(sorted(((nf(k), nf(v)) for k, v in raw["words"].items()), key=lambda kv: -len(kv[0])))
    after = r"(?<=[\u3041-\u3096\u3400-\u9fff])(?<!ま)"
    # a word ends before punctuation or a particle, or where a noun it modifies starts
    # (受けとらん理由 -> 受けていない理由); kana-only nouns (しえんきかん) keep their かん
    word_end = r"(?=[、。?!\s\u3400-\u9fff]|$|と|の|けど|から|か|よ|ね|し|で|わ)"
    endings = tuple(
        (re.compile(after + re.escape(nf(k)) + (word_end if strict else "")), nf(v))
        for key, strict in (("endings", False), ("endings_at_word_end", True))
        for k, v in sorted(raw[key].items(), key=lambda kv: -len(kv[0]))
    )
    # a katakana word cut short (何パーだべ): only where it is the whole katakana run, so パーセント stays
    # typed in hiragana (なんぱー？) the same word ends where no kana follows
    clipped = tuple(
        (re.compile(pattern), nf(v))
        for k, v in raw.get("clipped_katakana", {}).items()
        for pattern in (
            r"(?<![\u30a1-\u30faー])" + re.escape(nf(k)) + r"(?![\u30a1-\u30faー])",
            re.escape(kata2hira(nf(k))) + r"(?![\u3041-\u3096\u30a1-\u30faー])",
        )
    )
    endings = endings + clipped
    why = re.compile("(?:" + "|".join(re.escape(nf(w)) for w in raw["why_words"]) + ")(?![すしも])")
    # contractions typed without apostrophes, and phrases that name the report's subject
    en_forms = {str(k): str(v) for k, v in {**raw["en_contractions"], **raw["en_subject_phrases"]}.items()}
    return Colloquial(
        words=words,
        endings=endings,
        why=why,
        romaji_markers=frozenset(raw["romaji_markers"]),
        romaji_particles=dict(raw["romaji_particles"]),
        en_contractions=en_forms,
        en_contraction=re.compile(
            r"(?<![A-Za-z'’])("
            + "|".join(map(re.escape, sorted(en_forms, key=len, reverse=True)))
            + r")(?![A-Za-z'’])",
            re.IGNORECASE,
        ),
        kana_number=_kana_number_pattern(raw["kana_digits"], raw["kana_counters"]),
        digit_counter=re.compile(
            r"(?<=\d) ?(" + "|".join(sorted(map(re.escape, raw["kana_counters"]), key=len, reverse=True)) + ")"
        ),
        kana_digits={str(k): int(v) for k, v in raw["kana_digits"].items()},
        kana_counters={str(k): str(v) for k, v in raw["kana_counters"].items()},
        long_vowels=str.maketrans({str(k): str(v) for k, v in raw["romaji_long_vowels"].items()}),
        en_negative=re.compile(
            r"\b(why|how come) (do|does|did|are|is|were|was|have|has)n[’']t ((?:[a-z]+ ){1,4}?)("
            + "|".join(map(re.escape, raw["en_negative_verbs"]))
            + r")\b",
            re.IGNORECASE,
        ),
    )


def _kana_number_pattern(digits: dict[str, int], counters: dict[str, str]) -> re.Pattern[str]:
    """tens, then ones, then a counter; fixed alternatives, no nested quantifiers: linear."""
    d = "|".join(sorted(map(re.escape, digits), key=len, reverse=True))
    c = "|".join(sorted(map(re.escape, counters), key=len, reverse=True))
    return re.compile(rf"({d})?じゅ[うっ]({d})?({c})?")


def english_contractions(text: str) -> str:
    """ "dont" -> "don't", "they’re" -> "they're": a contraction reads the same however it is typed."""
    data = colloquial_data()
    text = text.replace("’", "'") if "’" in text else text
    if not re.search(r"[A-Za-z]{2}", text):
        return text
    return data.en_contraction.sub(lambda m: _cased(m.group(1), data.en_contractions[m.group(1).lower()]), text)


def _cased(typed: str, form: str) -> str:
    return form[:1].upper() + form[1:] if typed[:1].isupper() else form


def kana_numbers(text: str) -> str:
    """「ろくじゅうよんさい」 -> 64歳, 「ごじゅっさい」 -> 50歳 (a number needs its じゅう: に alone is a particle)."""
    data = colloquial_data()

    def digits(m: re.Match[str]) -> str:
        tens = data.kana_digits[m.group(1)] if m.group(1) else 1
        ones = data.kana_digits[m.group(2)] if m.group(2) else 0
        return str(tens * 10 + ones) + (data.kana_counters[m.group(3)] if m.group(3) else "")

    text = data.kana_number.sub(digits, text) if "じゅ" in text else text
    # 「70さい」「60だい」: a counter typed in kana after written digits
    return data.digit_counter.sub(lambda m: data.kana_counters[m.group(1)], text)


def is_romaji(word: str) -> bool:
    w = word.lower()
    return len(w) <= 24 and bool(ROMAJI_SYLLABLES.fullmatch(w))  # short words only: the pattern can branch


def looks_romaji(text: str, english: frozenset[str] | set[str] = frozenset()) -> bool:
    """Latin text that is Japanese typed in romaji: mostly romaji syllables, with a Japanese particle."""
    words = [w for w in LATIN_WORD.findall(text) if not w.isupper()]
    if len(words) < 2:
        return False
    data = colloquial_data()
    romaji = [w for w in words if is_romaji(w)]
    markers = [w for w in words if w.lower() in data.romaji_markers]
    not_english = [w for w in romaji if w.lower() not in english]
    return len(romaji) >= 0.8 * len(words) and bool(markers) and len(not_english) >= 0.5 * len(words)


def romaji_to_kana(text: str) -> str:
    """Lower-case romaji words to hiragana; upper-case acronyms (DX, GX) and digits stay."""
    import jaconv

    particles = colloquial_data().romaji_particles

    def word(m: re.Match[str]) -> str:
        w = m.group(0)
        if w.isupper() or not is_romaji(w):
            return w
        low = w.lower()
        if low in particles:
            return particles[low]
        return str(jaconv.alphabet2kana(low))

    kana = LATIN_WORD.sub(word, text)
    return re.sub(r"(?<=[\u3041-\u3096])-", "ー", kana)  # "pa-sento": a hyphen after a syllable is a long vowel


def dialect_to_standard(text: str) -> str:
    data = colloquial_data()
    for key, value in data.words:
        if key in text:
            text = text.replace(key, value)
    for pattern, value in data.endings:
        text = pattern.sub(value, text)
    return data.why.sub("なぜ", text)


class Normalizer:
    """Built once per store (the reading index needs the store's vocabulary)."""

    def __init__(self, readings: ReadingIndex, english: set[str] | frozenset[str] = frozenset()) -> None:
        self.readings = readings
        self.english = frozenset(english)

    def _join_compounds(self, text: str) -> str:
        words = text.split(" ")
        out: list[str] = []
        i = 0
        while i < len(words):
            for n in (3, 2):
                joined = "".join(words[i : i + n])
                if i + n <= len(words) and joined in self.readings.entries:
                    out.append(joined)
                    i += n
                    break
            else:
                out.append(words[i])
                i += 1
        return " ".join(out)

    def _romaji_terms(self, text: str) -> str:
        """A report term typed in romaji inside an English or Japanese question ("becoming
        'self-running' (jisouka)", "what is kadai kaiketsu type?") becomes the term: one word, or
        two read together, whose kana reading is a word the report uses (three kana at least)."""
        import jaconv

        words = list(LATIN_WORD.finditer(text))
        if not words or len(words) > 200:
            return text
        out, last, i = [], 0, 0
        while i < len(words):
            for n in (2, 1):
                group = words[i : i + n]
                if len(group) < n or (n == 2 and text[group[0].end() : group[1].start()] != " "):
                    continue
                low = [m.group(0).lower() for m in group]
                # a pair needs one word that is not English ("banso shien": shien is in the glossary)
                english = [w in self.english for w in low]
                if any(w.isupper() or not is_romaji(w) for w in low) or (all(english) if n == 2 else any(english)):
                    continue
                kana = str(jaconv.alphabet2kana("".join(low)))
                written = (self.readings.entries.get(kana) or self.readings.short.get(kana)) if len(kana) >= 3 else None
                if written is not None:
                    out += [text[last : group[0].start()], written]
                    last, i = group[-1].end(), i + n
                    break
            else:
                i += 1
        return "".join(out) + text[last:]

    def __call__(self, text: str) -> str:
        text = CIRCLED.sub("、", text)  # ①…②…: list marks, not numbers (NFKC would make them 1, 2)
        text = unicodedata.normalize("NFKC", text)
        text = REPEATS.sub(r"\1", text)
        text = text.translate(colloquial_data().long_vowels)  # jisōka -> jisouka
        text = english_contractions(text)
        text = colloquial_data().en_negative.sub(r"\1 \2 \3not \4", text)
        text = QUOTED_WORDS.sub(r"\1", text)  # said 'no' -> said no: quotes around a few English words
        romaji = looks_romaji(text, self.english)
        if romaji:
            text = romaji_to_kana(text)
        else:
            text = self._romaji_terms(text)
        text = kana_numbers(text)
        has_kanji = re.search(r"[\u3400-\u9fff]", text) is not None
        if romaji:  # 「ちょうさ きかん」: words whose joined reading is a known compound are joined (調査期間)
            text = self._join_compounds(text)
        # why-words first: a kana run read as a word would swallow them (のはなしてだべ -> の話て)
        text = colloquial_data().why.sub("なぜ", text)
        # kana-only input (or romaji made kana): shorter readings are safe to rewrite
        text = self.readings.rewrite(text, min_len=2 if (romaji or not has_kanji) else 3)
        if re.search(r"[\u3040-\u30ff\u3400-\u9fff]", text):  # after the readings: たいとる is タイトル
            text = dialect_to_standard(text)
        if romaji or not has_kanji:
            text = re.sub(r"(?<=[\u3040-\u30ff\u3400-\u9fff]) (?=[\u3040-\u30ff\u3400-\u9fff])", "", text)
        return text
