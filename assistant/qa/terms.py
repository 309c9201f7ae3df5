"""What a question names beyond the charts' phrases: its own content terms (and the ones the
report never uses), the subject of a definition question, and age ranges (「40代」, "over 60")."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.qa.colloquial import nfkc
from assistant.qa.lexicon import en_stop, ordinary_ja
from assistant.records import Language

if TYPE_CHECKING:
    from assistant.qa.analysis import Owner
    from assistant.qa.grammar import Understander

MAX_SENTENCES = 4
EN_FRAME = re.compile(r"\s+(?:in|within|according to) (?:this|the) (?:report|survey|support|column|study)\b")
EN_TALKS_ABOUT = re.compile(
    r"\b(?:talks? about|mentions?|speaks? of|refers? to|uses the (?:term|word|phrase)) (?:a |an |the )?[\"“']?"
    r"([a-z][a-z\- ]{1,40}?)[\"”']?(?= (?:providing|offering|giving|doing|that|who|which)\b|,|\?|$)"
)
EN_PRONOUNS = frozenset({"it", "this", "that", "these", "those", "they", "them"})
NUM_RANGE = re.compile(r"(\d{2})\s?(?:歳|才)?\s?(?:[~～〜\-－]|から)\s?(\d{2})")


def age_range(label: str) -> tuple[int, int] | None:
    """A row label as an age range: 「40~49歳」 -> (40, 49), 「70歳~」 -> (70, 150)."""
    m = re.match(r"^(\d{2})\s*歳?\s*~\s*(\d{2})?", nfkc(label))
    if not m:
        return None
    return int(m.group(1)), int(m.group(2)) if m.group(2) else 150


def age_rows(ranges: list[tuple[tuple[int, int], Owner]], text_ja: str, text_en: str) -> tuple[list[Owner], list[str]]:
    """The age rows whose range overlaps an age the question names, and the ages no row covers."""
    if not ranges:
        return [], []
    spans: list[tuple[int, int]] = []
    for m in re.finditer(r"(\d{2})代(以上|以降|前半|後半)?", text_ja):
        lo = int(m.group(1))
        half = {"前半": (lo, lo + 4), "後半": (lo + 5, lo + 9)}
        spans.append(half.get(m.group(2) or "", (lo, 150 if m.group(2) else lo + 9)))
    for m in re.finditer(r"(\d{2})歳(以上|以降|以下|未満)?", text_ja):
        a = int(m.group(1))
        bounds = {"以上": (a, 150), "以降": (a, 150), "以下": (0, a), "未満": (0, a - 1)}
        spans.append(bounds.get(m.group(2) or "", (a, a)))
    for m in NUM_RANGE.finditer(text_ja):
        spans.append((int(m.group(1)), int(m.group(2))))
    decades = {"twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60, "seventies": 70}
    for m in re.finditer(r"\b(twenties|thirties|forties|fifties|sixties|seventies)\b", text_en):
        spans.append((decades[m.group(1)], decades[m.group(1)] + 9))
    for m in re.finditer(r"\b(\d0)s\b", text_en):
        lo = int(m.group(1))
        spans.append((lo, lo + 9))
    for m in re.finditer(
        r"(?:over|above|older than|at least) (\d{2})|(\d{2})\+|(\d{2}) (?:and|or) (?:over|older|above)", text_en
    ):
        a = int(next(g for g in m.groups() if g))
        spans.append((a, 150))
    for m in re.finditer(
        r"\b(?:i am|i'm|aged?|at) (\d{2})\b(?! ?(?:%|percent|firms|companies|answers))|(\d{2}) years? old", text_en
    ):
        a = int(m.group(1) or m.group(2))  # "I'm 62", "a 45-year-old owner": one age
        spans.append((a, a))
    for m in re.finditer(r"(\d{2})\s*(?:to|-|–|and)\s*(\d{2})", text_en):
        spans.append((int(m.group(1)), int(m.group(2))))
    for m in re.finditer(r"(?:under|younger than|below) (\d{2})", text_en):
        spans.append((0, int(m.group(1)) - 1))
    out: list[Owner] = []
    uncovered: list[str] = []
    for lo, hi in spans:
        hit = [owner for (rlo, rhi), owner in ranges if rlo <= hi and lo <= rhi]
        out.extend(o for o in hit if o not in out)
        # named by the chart's own edge, never by the asker's numbers; 「35歳未満」 is (0, 34)
        if not hit and (18 <= lo <= 100 or (lo == 0 and 18 <= hi <= 100)):
            youngest = min(ranges, key=lambda x: x[0][0])
            if hi < youngest[0][0] and "<" not in uncovered:
                uncovered.append("<")
    return out, uncovered


def inflected(phrase: str) -> re.Pattern[str]:
    """A glossary phrase with a plural ending on its last word: "tax accountant" meets "tax
    accountants". Only -s/-es: -ed and -ing change the word ("rate" is not "rated"). One optional
    group, no nesting."""
    head, _, last = phrase.rpartition(" ")
    prefix = re.escape(head + " ") if head else ""
    if not re.fullmatch(r"[a-z]{3,}", last):
        return re.compile(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])")
    return re.compile(rf"(?<![a-z]){prefix}{re.escape(last)}(?:s|es)?(?![a-z])")


LATIN_TOKEN = re.compile(r"[A-Za-z][A-Za-z' \-]*")
KATAKANA_TOKEN = re.compile(r"[\u30a0-\u30ff]+")
HIRAGANA_TOKEN = re.compile(r"[\u3041-\u309f]+")
EN_WORD = re.compile(r"[a-z][a-z'\-]+")
TITLE_RUN = re.compile(r"[A-Z][A-Za-z\-]*(?: [A-Z][A-Za-z\-]*){1,6}")  # bounded: at most seven words


def content_terms(u: Understander, text: str, lang: Language) -> tuple[list[str], list[str], list[str], list[str]]:
    """The question's tokens (for BM25), content terms, terms the report never uses, proper nouns."""
    ordinary = ordinary_ja()
    stop = en_stop()
    analysed = u.tokenizer.analyze(text)
    tokens = [t.norm for t in analysed if t.pos not in {"助詞", "助動詞", "補助記号", "空白", "記号"}]
    terms: list[str] = []
    unknown: list[str] = []
    proper: list[str] = []
    for i, t in enumerate(analysed):
        if t.pos not in {"名詞", "動詞", "形容詞", "形状詞"} or t.pos2 in {"数詞", "非自立可能", "代名詞"}:
            continue
        if LATIN_TOKEN.fullmatch(t.surface.strip()):  # English words are handled below
            continue
        # モノ, コト (read as もの, 事): the report's terms, not fillers; レポート stays a filler
        katakana = KATAKANA_TOKEN.fullmatch(t.surface) is not None and t.norm != t.surface
        asking = t.norm[:1] == "何" or t.surface[:2] == "なん"  # 何人, 何年, なんぼ: how it asks, not what about
        if (t.norm in ordinary and not katakana) or t.surface in ordinary or len(t.norm) < 1 or asking:
            continue
        terms.append(t.norm)
        known = (
            t.norm in u.known
            or (t.norm.endswith("的") and t.norm[:-1] in u.known)  # 意欲的
            or (len(t.norm) >= 3 and t.norm[:2] in u.known and t.pos == "名詞" and t.pos2 != "固有名詞")  # 支援策
        )
        # a short hiragana noun left after the reading rewrite is a slip (「くだささい」), not a topic
        slip = len(t.surface) <= 3 and HIRAGANA_TOKEN.fullmatch(t.surface) is not None
        # 「シフトした」: a noun used as a verb with する is a paraphrase, like any unseen verb
        verbal = i + 1 < len(analysed) and analysed[i + 1].norm == "為る"
        if t.pos == "名詞" and not known and not slip and not verbal and t.surface not in u.report_text:
            unknown.append(t.surface)  # an unseen verb is a paraphrase; an unseen noun is a new topic
            if t.pos2 == "固有名詞":
                proper.append(t.surface)
    if lang == "en" or re.search(r"[a-z]{2,}", text.lower()):
        low = text.lower()
        covered: list[tuple[int, int]] = []  # glossary phrases, longest first, without overlaps
        for phrase, pattern in u.glossary_patterns:
            if phrase not in low:  # each pattern holds its phrase: a substring test rules most out
                continue
            for m in pattern.finditer(low):
                if any(m.start() < e and s < m.end() for s, e in covered):
                    continue
                covered.append((m.start(), m.end()))
                for ja in u.glossary[phrase]:
                    tokens.extend(u.tokenizer.tokens(ja))
                    # the report's own katakana words (モノ, コト) are terms even where Sudachi reads 物, 事
                    katakana = KATAKANA_TOKEN.fullmatch(ja) is not None
                    terms.extend(x for x in u.tokenizer.tokens(ja) if katakana or x not in ordinary)
        # "SME Digitalization Support Team": a title-case name that holds a glossary phrase is the
        # report's thing under another name, not a proper noun the report lacks
        named = [
            (r.start(), r.end())
            for r in TITLE_RUN.finditer(text)
            if any(r.start() <= s and e <= r.end() and " " in low[s:e] for s, e in covered)  # not "Mizuho Bank"
        ]
        for m in EN_WORD.finditer(low):
            w = m.group(0).removesuffix("'s")  # "this year's": the word, not its possessive
            if w in stop or any(s <= m.start() < e for s, e in covered):
                continue
            if w not in u.en_known and w.rstrip("s") not in u.en_known:
                unknown.append(w)
                original = text[m.start() : m.end()]
                in_name = any(s <= m.start() < e for s, e in named)
                # a capital after a sentence's end, or after nothing but marks ("--- Hi,"), starts a sentence
                before = text[: m.start()].rstrip(" \t\n-—–*>#\"'“”‘’_~=")
                initial = not before or before[-1] in ".?!:;。？！"
                if original[:1].isupper() and not initial and not in_name:
                    proper.append(original)
    return tokens, terms, unknown, proper


def subject_of(glossary: dict[str, list[str]], text_ja: str, text_en: str, lang: Language) -> str | None:
    """What a definition question asks about: 「伴走支援とは」 -> 伴走支援, "what is X?" -> X."""
    m = (
        re.search(r"^(.+?)(?:とは|って(?:何|なに)(?!割|件|社|人|%)|の意味|というのは|ってどういう)", text_ja)
        or re.search(r"^(.+?)って.{0,8}(?:何|なに|どういう|どんな)", text_ja)
        or re.search(r"^(.+?)って[？?]$", text_ja)
        or re.search(r"^([^、。?？]{2,20}?)って(?=.*(何|なに|どういう|どんな|誰が))", text_ja)
    )
    if m:
        s = re.sub(r"^[「『“\"]|[」』”\"]$", "", m.group(1).strip("「」『』“”\"'"))
        if re.match(r"(それ|これ|あれ|その|この|あの)", s):
            return None  # 「それを受けてるって…」 points back; it names nothing
        if re.search(r"(理由|原因|背景|要因|わけ|訳)$", s):
            return None  # 「モノからコトに変わった理由って何？」 asks why, not what a term means
        return s or None
    m = None
    for sentence in re.split(r"(?<=[?.!])\s+", text_en)[:MAX_SENTENCES]:  # 「…mean? I keep seeing it.」
        sentence = EN_FRAME.sub("", sentence)
        m = re.search(r"\bmean(?:s|t)? by (?:the (?:term|word|idea) )?[\"“']?([^?\"”']+?)[\"”']?\s*\??$", sentence)
        m = m or re.search(
            r"what (?:exactly |precisely )?(?:is|are|was|were|does|do) (?:the |a |an )?(?:term |word |concept of )?"
            r"[\"“']?(.+?)[\"”']?(?: mean| stand for)?\s*\??$",
            sentence,
        )
        m = m or re.search(r"\bdefines? (?:the term |the word )?[\"“']?([^?.\"”']+?)[\"”']?\s*[?.]", sentence)
        m = m or re.search(r"\bmeaning of (?:the term |the word )?[\"“']?([^?.\"”']+?)[\"”']?\s*[?.]", sentence)
        if m:
            break
    if (
        m is None
        and lang == "en"
        and re.search(r"\b(who|what) (exactly |precisely )?(does|do) (it|that|this|they) (mean|refer to)\b", text_en)
    ):
        m = EN_TALKS_ABOUT.search(text_en)
    if m and lang == "en":
        subject = m.group(1).strip()
        if subject.split(" ")[0] in EN_PRONOUNS:  # "what does it (actually) mean?"
            # "When the report talks about a 'third party' …, who does it mean?": the phrase it points to
            named = EN_TALKS_ABOUT.search(text_en)
            if named is None:
                # "…becoming 'self-running' (自走化). What does that mean?": the one report term named
                only = set(re.findall(r"[\u3040-\u30ff\u3400-\u9fff]{2,}", text_en))
                return only.pop() if len(only) == 1 else None
            subject = named.group(1).strip()
        japanese = re.findall(r"[\u3040-\u30ff\u3400-\u9fff]{2,}", subject)
        plain = re.sub(r"\s*\([^)]*\)", "", subject)  # "hands-on (伴走) support" -> "hands-on support"
        mapped = next(
            (
                glossary[key][0]
                for key in sorted(glossary, key=len, reverse=True)  # the report's word for it
                if re.search(rf"(?<![a-z]){re.escape(key)}(?![a-z])", plain)
            ),
            None,
        )
        if japanese and not (mapped and japanese[0] in mapped):
            return japanese[0]  # "What is 課題解決型 support?" -> 課題解決型
        return mapped or subject  # "hands-on (伴走) support" -> 伴走支援
    return None
