"""Which of the report's sentences answers a question: each sentence gets a vector of evidence
(shared words, closeness to the questions it answers, the asker's subject, cue agreement such as a
"why" question and a sentence that gives a cause), and its score is a weighted sum of that vector.

The weights are learned, not written by hand: a conditional-logit model (softmax over the report's
sentences) fitted on the labelled prose questions by `python -m assistant.qa.train_ranker`, which
writes them with their cross-validated accuracy to `assistant/data/sentence_ranker.yaml`.
Coverage (how much of the question a sentence speaks to) is returned beside the score: it is the
evidence the composers' answer-or-refuse thresholds read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from assistant.index import Hit
from assistant.qa.analysis import Analysis
from assistant.qa.compose.context import AnswerContext, SentenceRef
from assistant.qa.lexicon import generic_ja
from assistant.qa.resources import load_yaml

DEFERRED = re.compile(r"次号.*(予定|報告したい|報告する)")
VIEWS = re.compile(r"だろう|と言える|言えない|ではないか|かもしれない|考えられる|べき|望ましい|お勧め|不可欠")
REASONS = re.compile(r"ため(?!の)|要因|背景|理由|ことから|から、|のは、")
RECOMMENDS = re.compile(r"お勧め|べき|望ましい|よいだろう|よいかもしれない|必要がある|有効であるとされ|不可欠")
PASSAGE_FULL = 0.6  # the similarity to a sentence's questions that counts as covering the question
QUOTED = re.compile(r"「([^」]{2,20})」")

# the evidence, in the order of the weight vector (names are the keys of sentence_ranker.yaml)
FEATURES = (
    "shared",  # share of the question's weighted terms the sentence contains
    "coverage",  # share of its core terms (words the report never uses count against it)
    "asked",  # cosine to the closest of the questions this sentence answers (corpus/questions.yaml)
    "asked_best",  # that closeness is the highest of all sentences
    "asked_near",  # the closeness of its neighbours in the same passage
    "asked_section",  # the closeness of the best sentence of its section
    "retrieved",  # 1/(1+rank) of its passage in the hybrid search
    "subject",  # it names the asker's subject
    "defines",  # a concept question, and it defines the subject (「Xとは」)
    "describes",  # a concept question, and it describes the subject where used (「…とするX」)
    "quoted",  # it contains a phrase the asker put in 「」
    "opinion_view",  # the asker wants the authors' view, and this is one
    "why_reason",  # a why question, and the sentence gives a cause or a reading of one
    "why_digits",  # a why question, and the sentence restates figures
    "why_intent",  # the intent model's confidence that a cause is asked, where the sentence gives one
    "advice_recommends",  # an advice question, and the sentence recommends
    "section_chart",  # the question names a chart of this sentence's section
    "digits",  # the sentence states figures
    "deferred",  # the report says this comes in its next issue
)


@dataclass(frozen=True)
class Ranker:
    weights: np.ndarray

    def score(self, x: np.ndarray) -> np.ndarray:
        return x @ self.weights


@lru_cache(maxsize=1)
def ranker() -> Ranker:
    """The learned weights; a feature the file lacks weighs nothing (an older file still loads)."""
    data = load_yaml("sentence_ranker.yaml")
    weights = data.get("weights", {}) if isinstance(data, dict) else {}
    return Ranker(np.array([float(weights.get(f, 0.0)) for f in FEATURES]))


def sentence_features(
    ctx: AnswerContext, a: Analysis, hits: list[Hit], section: str | None = None, drop: set[str] | None = None
) -> tuple[np.ndarray, np.ndarray, list[SentenceRef]]:
    """(features [n × len(FEATURES)], coverage [n], sentences) for the report's sentences, or only
    those of `section`; none when the question has no content terms."""
    quoted_terms = [t for q in QUOTED.findall(a.question) for t in ctx.index.tokenizer.tokens(q)]
    terms = [t for t in dict.fromkeys(a.terms + quoted_terms) if t not in (drop or set())]
    refs = [s for s in ctx.sentences if section is None or ctx.index.chunks[s.chunk].section == section]
    if not terms or not refs:
        return np.zeros((0, len(FEATURES))), np.zeros(0), []
    weights = {t: (0.3 if t in generic_ja() else 1.0) * ctx.idf.get(t, 2.0) for t in terms}
    total = sum(weights.values()) or 1.0
    core = [t for t in terms if t not in generic_ja()] or terms
    unknown_weight = 2.0 if a.lang == "ja" else 1.0  # English has many words the report never uses
    core_total = (sum(weights[t] for t in core) + unknown_weight * len(set(a.unknown))) or 1.0
    rank = {h.chunk: r for r, h in enumerate(hits)}
    subjects = subject_variants(a.subject)
    quoted = [q for q in QUOTED.findall(a.question) if q not in generic_ja()]
    every = ctx.passages.scores(a.text) if ctx.passages is not None else np.zeros(len(ctx.sentences))
    position = {id(s): i for i, s in enumerate(ctx.sentences)}
    best_asked = float(every.max()) if len(every) else 0.0
    chart_sections: dict[str, float] = {}
    top_chart = max(a.chart_scores.values(), default=0.0) or 1.0
    for cid, sc in a.chart_scores.items():
        chart = ctx.index.charts.get(cid)
        if chart is not None:
            chart_sections[chart.section] = max(chart_sections.get(chart.section, 0.0), sc / top_chart)
    said_as = _said_as(ctx)
    cues = a.cues
    section_best: dict[str, float] = {}
    for i, s in enumerate(ctx.sentences):
        sec = ctx.index.chunks[s.chunk].section
        section_best[sec] = max(section_best.get(sec, 0.0), float(every[i]))
    x = np.zeros((len(refs), len(FEATURES)))
    coverage = np.zeros(len(refs))
    for n, s in enumerate(refs):
        i = position[id(s)]
        chunk = ctx.index.chunks[s.chunk]
        found = {
            t
            for t in weights
            if t in s.terms
            or (len(t) >= 2 and t in s.text)
            or (len(t) >= 4 and t[:2] in s.terms)  # 信頼関係 ~ 信頼
            or any(
                w in s.text for w in said_as.get(t, ())
            )  # コスト (the question's 費用 made the report's word) ~ 費用
        }
        lexical = sum(weights[t] for t in core if t in found) / core_total
        asked = float(every[i])
        cov = max(lexical, min(1.0, asked / PASSAGE_FULL))  # close to the questions it answers covers it
        present = [subj for subj in subjects if subj in s.text]
        defines = "concept" in cues and any(defines_term(s.text, subj) for subj in present)
        if defines:
            cov = 1.0  # the sentence that defines what is asked about answers it
        describes = (
            not defines
            and "concept" in cues
            and any(
                re.search(rf"(とする|という|といった|ような|ための)“?{re.escape(subj)}", s.text) for subj in present
            )
        )
        neighbours = [
            float(every[j]) for j in (i - 1, i + 1) if 0 <= j < len(ctx.sentences) and ctx.sentences[j].chunk == s.chunk
        ]
        digits = bool(re.search(r"\d", s.text))
        reason = bool(REASONS.search(s.text) or VIEWS.search(s.text))
        x[n] = (
            sum(weights[t] for t in found) / total,
            lexical,
            asked,
            float(asked > 0 and asked >= best_asked),
            max(neighbours, default=0.0),
            section_best.get(chunk.section, 0.0),
            1.0 / (1 + rank.get(s.chunk, 20)),
            float(bool(present)),
            float(defines),
            float(describes),
            float(bool(quoted) and any(q in s.text for q in quoted)),
            float("opinion" in cues and bool(VIEWS.search(s.text))),
            float("why" in cues and reason),
            float("why" in cues and digits),
            a.asks.get("why", 0.0) * float(reason),
            a.asks.get("advice", 0.0) * float(bool(RECOMMENDS.search(s.text))),
            chart_sections.get(chunk.section, 0.0),
            float(digits),
            float(bool(DEFERRED.search(s.text))),
        )
        coverage[n] = cov
    return x, coverage, refs


def _said_as(ctx: AnswerContext) -> dict[str, tuple[str, ...]]:
    """A report word -> the asker's words the normalizer turns into it (コスト -> 費用, お金がかかる):
    a sentence that says 費用 speaks to a question whose 費用 became コスト."""
    cached = ctx.memo.get("said_as")
    if cached is None:
        out: dict[str, list[str]] = {}
        for key, values in ctx.understander.synonyms.items():
            for v in values:  # the report words as written: no tokenizing (it would page in the dictionary)
                out.setdefault(v.lower(), []).append(key)
        cached = ctx.memo["said_as"] = {t: tuple(dict.fromkeys(ks)) for t, ks in out.items()}
    return cached  # type: ignore[no-any-return]


def score_sentences(
    ctx: AnswerContext, a: Analysis, hits: list[Hit], section: str | None = None, drop: set[str] | None = None
) -> list[tuple[float, float, SentenceRef]]:
    """(score, coverage, sentence), best first."""
    x, coverage, refs = sentence_features(ctx, a, hits, section, drop)
    if not refs:
        return []
    scores = ranker().score(x)
    out = [(float(scores[n]), float(coverage[n]), s) for n, s in enumerate(refs)]
    out.sort(key=lambda t: -t[0])
    return out


def defines_term(text: str, term: str) -> bool:
    """Is `term` defined here: 「Xとは」「X：」「Xを指す」「X（…など）」「…を“X”と称している」."""
    t = re.escape(term)
    # 「第三者（地域の商工団体や士業、金融機関…など）」: a term defined by the examples after it
    return bool(
        re.search(rf"{t}”?(とは|：|を指|のこと|（[^（）]{{4,80}}など）)|を“?{t}”?、?(と称|と呼)|“{t}”と称", text)
    )


def subject_variants(subject: str | None) -> list[str]:
    """「課題解決型の伴走支援」 -> also 「課題解決型」: the term a definition is printed under."""
    if not subject:
        return []
    out = [subject]
    stripped = re.sub(r"(の|という|による)?(伴走支援|支援|もの|こと)$", "", subject)
    if stripped and stripped != subject:
        out.append(stripped)
    out.extend(x for x in re.findall(r"[\u3040-\u30ff\u3400-\u9fff々ー]{2,}", subject) if x not in out)
    parts = re.split(
        r"の|から|へ|と|や|、|・|「|」", stripped or subject
    )  # 「モノの支援からコトの支援へ」 -> モノ, コト
    out.extend(p for p in parts if len(p) >= 2 and p not in out and p not in ("伴走支援", "支援"))
    return out
