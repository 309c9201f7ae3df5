"""Surface forms of a question before it is read: Unicode width, spoken contractions, kanji
numbers, and which language it is asked in."""

from __future__ import annotations

import re
import unicodedata

from assistant.records import Language


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


# after a kana only: 受けてる -> 受けている, but 育てる and 立てる stay
_JA_CONTRACTIONS = [
    ("てなかった", "ていなかった"),
    ("てない", "ていない"),
    ("てる", "ている"),
    ("てた", "ていた"),
    ("でる", "でいる"),
    ("でない", "でいない"),
]
_EN_CONTRACTIONS = [
    ("n't", " not"),
    ("can not", "cannot"),
    ("won not", "will not"),
    ("'re ", " are "),
    ("'m ", " am "),
    ("'ve ", " have "),
]


_DASH_RANGE = re.compile(r"(?<=\d)[\u2010-\u2015\u2212](?=\d)")
_EN_IS = re.compile(
    r"\b(what|that|it|there|here|who|where|how|he|she|this|which|when|why|everything|nothing|something|everyone)'s\b",
    re.IGNORECASE,
)


_KANJI_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _kanji_number(m: re.Match[str]) -> str:
    tens, ones = m.group(1), m.group(2)
    return str((_KANJI_DIGITS[tens] if tens else 1) * 10 + (_KANJI_DIGITS[ones] if ones else 0))


def colloquial(text: str) -> str:
    """Spoken forms to written ones: 受けてる -> 受けている, 四十代 -> 40代, don't -> do not."""
    text = re.sub(r"([一二三四五六七八九])?十([一二三四五六七八九])?(?=[代歳才番位件社%])", _kanji_number, text)
    text = re.sub(r"([二三四五六七八九])(?=番目)", lambda m: str(_KANJI_DIGITS[m.group(1)]), text)
    for a, b in _JA_CONTRACTIONS:
        text = re.sub(rf"(?<=[\u3041-\u3093]){a}", b, text)
    text = text.replace("’", "'")
    text = _DASH_RANGE.sub("-", text)  # "45–49", "45—49": the range the charts write 45-49
    for a, b in _EN_CONTRACTIONS:
        text = re.sub(re.escape(a), b, text, flags=re.IGNORECASE)
    # "what's" is "what is"; "this year's number" and "the owner's age" are possessives and stay
    text = _EN_IS.sub(lambda m: m.group(1) + " is", text)
    return text.replace("ca not", "cannot")  # can't -> "ca not" after the n't rule


def detect_language(text: str) -> Language:
    """Japanese unless the question is mostly Latin script ("Why do firms not use 伴走支援?")."""
    latin = len(re.findall(r"[A-Za-z]", text))
    japanese = len(re.findall(r"[\u3040-\u30ff\u3400-\u9fff]", text))
    hiragana = len(re.findall(r"[\u3040-\u309f]", text))
    latin_words = len(re.findall(r"[A-Za-z]{2,}", text))
    if latin > 1.5 * japanese or (hiragana == 0 and latin_words >= 2):
        return "en"
    if hiragana or japanese:
        return "ja"
    return "en" if latin else "ja"
