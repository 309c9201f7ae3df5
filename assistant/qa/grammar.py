"""Question understanding: language, what kind of answer is asked for, and which charts, rows
and columns the question names. All vocabulary comes from the store (chart topics, row aliases,
the glossary); the grammar of questions (cue patterns, word lists) is data in `assistant/data/`."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from itertools import chain

from assistant.lexical import SudachiTokenizer
from assistant.qa.analysis import Analysis, Match, Owner
from assistant.qa.colloquial import colloquial, detect_language, nfkc
from assistant.qa.cues import compiled as compiled_cues
from assistant.qa.cues import cues_in
from assistant.qa.injection import strip_injection
from assistant.qa.lexicon import en_stop, generic_ja
from assistant.qa.readings import kata2hira
from assistant.qa.rowbags import RowBags
from assistant.qa.terms import age_range, age_rows, content_terms, inflected, subject_of
from assistant.qa.typos import KATAKANA_RUN, KatakanaSpeller
from assistant.records import Chart, Language


def _label_core(label: str) -> str:
    return re.sub(r"[（(]※?\d*[)）]", "", label).strip()


ASKED_SENTENCE_WEIGHT = 1.5  # the sentence that asks counts above the ones that set the scene
SENTENCE_END = re.compile(r"[。！!]")


def _asked_sentence_start(text_ja: str) -> int:
    """Where the sentence that asks begins, when statements come before it (0: one sentence)."""
    end = max(text_ja.rfind("?"), text_ja.rfind("？"))
    if end < 0:
        return 0
    ends = [m.end() for m in SENTENCE_END.finditer(text_ja, 0, end)]
    return ends[-1] if ends else 0


BY_BEFORE = re.compile(r"\b(?:split|broken down|break(?:down)?|grouped|sorted)? ?by (?:the |their |each )?$")
EN_OFFSET = 10_000  # English matches are placed past the Japanese text's offsets
SHORT_KANA = re.compile(r"[\u3040-\u309f]{1,2}")  # a chart phrase this short counts only standing alone
HIRAGANA = re.compile(r"[\u3040-\u309f]")
QUOTED = re.compile(r"「[^「」]{0,60}」")
NAMED_MEASURES = frozenset(
    {"ever", "bases"}
)  # 「一度でも受けたことがある」割合, 「回答企業数」と「回答総数」: quoted, still named


EN_FACET_FRAME = re.compile(r"^(among|for|by|of|in|which)\s+|\s+(vs|versus|or|and)$")


class Understander:
    """Built once per store: the phrase index over chart vocabulary and the known-term vocabulary."""

    WEIGHTS = {"topic": 1.0, "row": 1.3, "col": 0.5, "derived": 0.8, "why": 1.0}

    def __init__(
        self,
        charts: dict[str, Chart],
        glossary: dict[str, dict[str, list[str]]],
        vocab: set[str],
        tokenizer: SudachiTokenizer,
        report_text: str,
    ) -> None:
        self.charts = charts
        self.tokenizer = tokenizer
        self.glossary = {nfkc(k).lower(): v for k, v in glossary.get("en", {}).items()}
        self.synonyms = {nfkc(k): v for k, v in glossary.get("ja", {}).items()}
        self._synonym_keys = sorted(self.synonyms, key=len, reverse=True)
        self.canonical = sorted((k for k, v in self.glossary.items() if v == ["伴走支援"]), key=len, reverse=True)
        # compiled once per store, longest first: no request pays for compiling them
        self.glossary_patterns = [(p, inflected(p)) for p in sorted(self.glossary, key=len, reverse=True)]
        self.report_text = report_text
        self.ja: dict[str, list[Owner]] = defaultdict(list)
        self.en: dict[str, list[Owner]] = defaultdict(list)
        self.ja_why: dict[str, list[Owner]] = defaultdict(list)
        self.en_why: dict[str, list[Owner]] = defaultdict(list)
        self.ranges: list[tuple[tuple[int, int], Owner]] = []
        self._en_patterns: dict[str, re.Pattern[str]] = {}
        self.row_axes: set[str] = set()
        for c in charts.values():
            for t in c.topics:
                self.ja[nfkc(t).replace(" ", "")].append(Owner(c.id, "topic", ""))
            for t in c.topics_en:
                self.en[nfkc(t).lower()].append(Owner(c.id, "topic", ""))
            for t in c.why_topics:
                self.ja_why[nfkc(t)].append(Owner(c.id, "why", ""))
            for t in c.why_topics_en:
                self.en_why[nfkc(t).lower()].append(Owner(c.id, "why", ""))
            for r in c.rows:
                core = _label_core(r.label)
                for a in (core, *r.aliases):
                    if a:
                        part = a != core and a in core
                        strength = min(1.0, math.sqrt(len(a) / len(core))) if part else 1.0
                        self.ja[nfkc(a).replace(" ", "")].append(Owner(c.id, "row", r.key, strength))
                for a in (r.label_en, *r.aliases_en):
                    self.en[nfkc(a).lower()].append(Owner(c.id, "row", r.key))
                rng = age_range(r.label)
                if rng:
                    self.ranges.append((rng, Owner(c.id, "row", r.key)))
            if c.is_crosstab:
                for col in c.columns:
                    for a in (col.label, *col.aliases):
                        self.ja[nfkc(a).replace(" ", "")].append(Owner(c.id, "col", col.key))
                    for a in (col.label_en, *col.aliases_en):
                        self.en[nfkc(a).lower()].append(Owner(c.id, "col", col.key))
            for d in c.derived:
                for a in d.aliases:
                    self.ja[nfkc(a)].append(Owner(c.id, "derived", d.key))
                for a in d.aliases_en:
                    self.en[nfkc(a).lower()].append(Owner(c.id, "derived", d.key))
            for axis in (c.row_axis, c.title):
                m = re.search(r"(\S+?)別", axis)
                if m:
                    self.row_axes.add(m.group(1)[-2:])
        profiles = {c.id: self._profile(c) for c in charts.values()}
        n = len(profiles)
        self.idf: dict[str, float] = {}
        for phrase in list(self.ja) + list(self.ja_why):
            df = sum(1 for p in profiles.values() if phrase in p) or 1
            self.idf[phrase] = math.log(1 + n / df)
        for phrase in list(self.en) + list(self.en_why):  # whole words: "age" is not in "usage"
            pat = self._en_pattern(phrase)
            df = sum(1 for p in profiles.values() if pat.search(p)) or 1
            self.idf[phrase] = math.log(1 + n / df)
        self._add_readings(tokenizer)
        known = set(vocab)
        for phrase in self.ja:
            known.update(tokenizer.tokens(phrase))
        for terms in self.glossary.values():
            for t in terms:
                known.update(tokenizer.tokens(t))
        self.known = known
        self.asking: frozenset[str] = frozenset()
        # the words the charts are about (topics, titles' nouns): 「X別」 over one of them is a chart's own split
        self.chart_words = (
            frozenset(
                w for c in charts.values() for t in (*c.topics, c.title) for w in tokenizer.tokens(t) if len(w) >= 2
            )
            - generic_ja()
            - {"状況"}
        )
        # the words the report's own sentences use in English (their renderings) are no new topic
        rendered = [t for ts in glossary.get("renderings", {}).values() for t in (ts if isinstance(ts, list) else [ts])]
        self.en_known = {
            w
            for p in [*self.en, *self.glossary, *(str(t).lower() for t in rendered)]
            for w in re.findall(r"[a-z][a-z'\-]+", p)
        }
        self.row_bags = RowBags(charts, tokenizer)
        # which phrases each language's text is searched for, chosen once: a request only searches
        self._ja_phrases = {
            lang: (self._searched_ja(self.ja, lang), self._searched_ja(self.ja_why, lang)) for lang in ("ja", "en")
        }
        stop = en_stop()
        self._en_phrases = tuple(
            [(p, self._en_pattern(p), owners) for p, owners in d.items() if p and p not in stop]
            for d in (self.en, self.en_why)
        )
        self.speller = KatakanaSpeller([report_text, *self.ja, *self.synonyms, *chain(*self.synonyms.values())])

    @staticmethod
    def _profile(c: Chart) -> str:
        parts = [c.title, c.question, c.title_en.lower(), *c.topics, *(t.lower() for t in c.topics_en)]
        for r in c.rows:
            parts += [r.label, *r.aliases, r.label_en.lower(), *(a.lower() for a in r.aliases_en)]
        for col in c.columns:
            parts += [col.label, *col.aliases, col.label_en.lower(), *(a.lower() for a in col.aliases_en)]
        return nfkc(" ".join(parts)).replace(" ", "") + " " + nfkc(" ".join(parts)).lower()

    # ------------------------------------------------------------------------------------------
    def _add_readings(self, tokenizer: SudachiTokenizer) -> None:
        """Every chart phrase is also matched on its reading: 「うけている」 meets 「受けている」."""
        for phrase, owners in list(self.ja.items()):
            if not re.search(r"[\u3400-\u9fff]", phrase):
                continue
            reading = "".join(kata2hira(r) for _s, r, _p in tokenizer.readings(phrase))
            if len(reading) >= 4 and reading not in self.ja:
                self.ja[reading] = list(owners)
                self.idf[reading] = self.idf.get(phrase, 1.0)

    @staticmethod
    def _names_dimension(m: Match, text_ja: str, text_en: str) -> bool:
        """A topic said as what the figures are split by: "by provider", 「機関別」「機関ごと」."""
        if m.start >= EN_OFFSET:  # an English match
            at = m.start - EN_OFFSET
            return BY_BEFORE.search(text_en[max(0, at - 14) : at]) is not None
        return text_ja.startswith(("別", "ごと", "の内訳"), m.end)

    def _overlaps_named_row(self, cid: str, key: str, named: list[str]) -> bool:
        """A bag inside a row already named (「必要性」 within 「必要性を感じない」) adds nothing."""
        chart = self.charts[cid]
        label = chart.row(key).label
        return any(label in chart.row(k).label or chart.row(k).label in label for k in named)

    def _to_crosstab(
        self, matches: list[Match], scores: dict[str, float], rows: dict[str, list[str]], cols: dict[str, list[str]]
    ) -> None:
        """「前は受けてたけど今はやめた率が一番低い年代は？」: the rows named are the columns of a cross-tab
        whose own dimension (年代) the question names, so the question is about that cross-tab."""
        for cid, keys in list(rows.items()):
            if not keys or self.charts[cid].is_crosstab:
                continue
            if any(o.chart == cid and o.kind == "topic" for m in matches for o in m.owners):
                continue  # "…compared with all firms": the simple chart is named in its own right
            for xid, x in self.charts.items():
                if not x.is_crosstab or not set(keys) <= {c.key for c in x.columns}:
                    continue
                own = [m for m in matches if any(o.chart == xid and o.kind == "topic" for o in m.owners)]
                if own and not any(o.chart == cid for m in own for o in m.owners):
                    scores[xid] = scores.get(xid, 0.0) + scores.get(cid, 0.0)
                    cols[xid] = list(dict.fromkeys(cols.get(xid, []) + keys))

    def _younger_than(self, lang: Language) -> str:
        """The age groups below a chart's youngest row, named by that row (「35～39歳より若い年齢層」)."""
        (_lo, _hi), owner = min(self.ranges, key=lambda x: x[0][0])
        row = self.charts[owner.chart].row(owner.key)
        return f"groups younger than {row.label_en}" if lang == "en" else f"{row.label}より若い年齢層"

    def add_known(self, words: set[str]) -> None:
        """Words people use to ask (from the intent exemplars) are not new topics. Those the report
        itself never uses (テーマ, 結論, ざっくり) are how a question is framed: `asking`."""
        self.asking = frozenset(w for w in words if w not in self.known and w not in self.report_text)
        self.known = self.known | words

    def framing(self, term: str) -> bool:
        return term in self.asking or term in generic_ja()

    def analyze(self, question: str, thread: bool = False) -> Analysis:
        """`thread`: earlier turns joined before the question, whose sentences set no scene."""
        q = re.sub(r"\s+", " ", question).strip()
        text, injected = strip_injection(nfkc(q))
        lang = detect_language(text or q)
        text = self._to_report_words(self.speller(colloquial(text)))
        text_ja = text.replace(" ", "")
        text_en = text.lower()
        for phrase in self.canonical:  # one English name for the support, so chart phrases can match it
            text_en = re.sub(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])", "hands-on support", text_en)
        # what is quoted is a name (「外的要因の変化から」), not a request: it sets no cue
        unquoted = QUOTED.sub("「」", text_ja)
        cues = cues_in(unquoted, text_en)
        if unquoted != text_ja:  # a measure named inside the quote still counts
            cues |= cues_in(text_ja, text_en, only=NAMED_MEASURES)
        matches = self._match(text_ja, text_en, False, lang)
        if "why" in cues:  # reasons and purposes: matched on their own, so a longer label cannot hide them
            matches += self._match(text_ja, text_en, True, lang)
        scores: dict[str, float] = defaultdict(float)
        rows: dict[str, list[str]] = defaultdict(list)
        cols: dict[str, list[str]] = defaultdict(list)
        derived: dict[str, list[str]] = defaultdict(list)
        asked_from = 0 if thread else _asked_sentence_start(text_ja)
        for m in matches:
            shared = len({x.chart for x in m.owners if x.kind == "derived"}) > 1
            anchored: set[str] = set()
            if shared:  # a chart named by another phrase of the question (「DX…活用率」) anchors a shared alias
                anchored = {x.chart for m2 in matches if m2 is not m for x in m2.owners if x.kind != "derived"}
            for o in m.owners:
                if o.kind == "derived" and o.chart not in anchored and shared:
                    if anchored or self.charts[o.chart].is_crosstab:
                        continue  # 「活用率」 (in several charts) picks the one another phrase names
                    # "the rate of having ever used it", nothing else named: the whole sample's chart
                strength = o.strength
                if o.kind == "topic" and self._names_dimension(m, text_ja, text_en):
                    strength *= 2.0  # "split by provider", 「機関別」: the chart's own dimension, not a passing word
                if o.kind == "row" and strength < 1 and any(x.kind == "topic" for x in m.owners):
                    strength *= 0.5  # 「DX」 names the DX chart's topic before it abbreviates 「DX推進」
                if asked_from and asked_from <= m.start < EN_OFFSET and o.kind == "row":
                    # 「営業きてて迷ってる。みんな営業きっかけで始めてる？」: a row named where the question is
                    # asked counts above one in the scene set before it (a topic word like 理由 does not)
                    strength *= ASKED_SENTENCE_WEIGHT
                scores[o.chart] += m.idf * self.WEIGHTS[o.kind] * strength
                target = {"row": rows, "col": cols, "derived": derived}.get(o.kind)
                if target is not None and o.key not in target[o.chart]:
                    target[o.chart].append(o.key)
        age_owners, edges = age_rows(self.ranges, text_ja, text_en)
        uncovered = [self._younger_than(lang) for e in edges if e == "<"]
        for o in age_owners:
            scores[o.chart] += 1.5
            if o.key not in rows[o.chart]:
                rows[o.chart].append(o.key)
        tokens, terms, unknown, proper = content_terms(self, text, lang)
        for cid, key in self.row_bags.named(tokens, text_en):  # 「効果がよく分からない」: an alias's words, apart
            # only within a chart the question already names: the bag picks the row, never the chart
            if scores.get(cid) and key not in rows[cid] and not self._overlaps_named_row(cid, key, rows[cid]):
                rows[cid].append(key)
        self._to_crosstab(matches, scores, rows, cols)
        subject = subject_of(self.glossary, text_ja, text_en, lang)
        patterns = compiled_cues()
        facets = [
            f
            for f in patterns.facet.findall(text_ja)
            if f[-2:] not in self.row_axes
            and f not in ("性", "特")
            and f[-1] not in "はがをもにへとで"  # 「DXは別に高めたくない」「それとは別に」: not a breakdown
            and f + "別" not in self.report_text  # 種別 is there
            and not any(
                f.endswith(t) for t in self.chart_words
            )  # 「支援機関別」「取り組み意識別」: a chart's own dimension
            and len(self.tokenizer.tokens(f)[-1:][0] if self.tokenizer.tokens(f) else "") >= 2  # 業種別, not 支援種別
        ]
        named = patterns.facet_named.search(text_ja)
        if named:
            facets.append(next(g for g in named.groups() if g) if any(named.groups()) else named.group(0))
        elif named := patterns.facet_named.search(text_en):  # "among female owners" -> "female"
            facets.append(EN_FACET_FRAME.sub("", named.group(0)).strip() or named.group(0))
        return Analysis(
            question=q,
            text=text,
            lang=lang,
            cues=cues,
            tokens=tokens,
            terms=terms,
            unknown=unknown,
            matches=matches,
            chart_scores=dict(scores),
            rows=dict(rows),
            columns=dict(cols),
            derived=dict(derived),
            subject=subject,
            missing_facets=facets,
            uncovered=uncovered,
            injected=injected,
            proper_nouns=proper,
        )

    @staticmethod
    def _searched_ja(phrases: dict[str, list[Owner]], lang: str) -> list[tuple[str, list[Owner], bool]]:
        out = []
        for phrase, owners in phrases.items():
            ascii_only = not re.search(r"[^\x00-\x7f]", phrase)
            if not phrase or (ascii_only and (lang == "en" or not re.fullmatch(r"[A-Z0-9]+", phrase))):
                continue  # "DX" in an English question is matched by the English phrases
            out.append((phrase, owners, SHORT_KANA.fullmatch(phrase) is not None))  # はい: only standing alone
        return out

    def _match(self, text_ja: str, text_en: str, why: bool, lang: Language) -> list[Match]:
        found: list[Match] = []
        for phrase, owners, short in self._ja_phrases["en" if lang == "en" else "ja"][why]:
            start = text_ja.find(phrase)
            while start >= 0:
                end = start + len(phrase)
                flanked = (start > 0 and HIRAGANA.match(text_ja, start - 1)) or HIRAGANA.match(text_ja, end)
                if not short or not flanked:
                    found.append(Match(start, end, phrase, list(owners), self.idf[phrase]))
                start = text_ja.find(phrase, start + 1)
        # English phrases are matched on the lower-cased text with spaces; keep separate offsets
        for phrase, pattern, owners in self._en_phrases[why]:
            if phrase not in text_en:  # the pattern holds the phrase itself: a substring test rules most out
                continue
            for hit in pattern.finditer(text_en):
                found.append(
                    Match(EN_OFFSET + hit.start(), EN_OFFSET + hit.end(), phrase, list(owners), self.idf[phrase])
                )
        found.sort(key=lambda x: (-(x.end - x.start), x.start))
        kept: list[Match] = []
        for cand in found:
            same = next((k for k in kept if k.start == cand.start and k.end == cand.end), None)
            if same:
                same.owners.extend(o for o in cand.owners if o not in same.owners)
                continue
            if any(cand.start < k.end and k.start < cand.end for k in kept):
                continue
            kept.append(cand)
        return sorted(kept, key=lambda x: x.start)

    def _to_report_words(self, text: str) -> str:
        """Paraphrases -> the report's own words (glossary synonyms), replaced in place; a key
        that is already part of its replacement (コンサル in コンサルティング会社) is left alone."""
        for key in self._synonym_keys:
            if key not in text:
                continue
            value = "・".join(self.synonyms[key])
            out, i = [], 0
            while (j := text.find(key, i)) >= 0:
                out.append(text[i:j])
                start = j - value.find(key) if key in value else -1
                already = start >= 0 and text[start : start + len(value)] == value
                end = j + len(key)
                inside = KATAKANA_RUN.fullmatch(key) is not None and (  # コンサル in 「コンサルティグ」: a longer word
                    (j > 0 and KATAKANA_RUN.fullmatch(text[j - 1]) is not None)
                    or (end < len(text) and KATAKANA_RUN.fullmatch(text[end]) is not None)
                )
                out.append(key if already or inside else value)
                i = j + len(key)
            text = "".join(out) + text[i:]
        return text

    def _en_pattern(self, phrase: str) -> re.Pattern[str]:
        pat = self._en_patterns.get(phrase)
        if pat is None:
            pat = re.compile(rf"(?<![a-z]){re.escape(phrase)}(?:s|es)?(?![a-z])")
            self._en_patterns[phrase] = pat
        return pat
