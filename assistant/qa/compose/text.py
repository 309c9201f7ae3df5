"""Answers quoted from the report's text: definitions and explanations, the closing summary, a
chart's supporting sentence, and the report's own 「次号で報告」 deferrals."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from assistant.index import Hit
from assistant.qa.analysis import Analysis
from assistant.qa.compose.citations import text_citation
from assistant.qa.compose.context import (
    AnswerContext,
    SentenceRef,
    english_of,
    section_label,
    section_named,
    section_words,
)
from assistant.qa.compose.meta import abstain
from assistant.qa.lexicon import generic_ja
from assistant.records import Answer, Chart

DEFERRED = re.compile(r"次号.*(予定|報告したい|報告する)")
CONTINUES = re.compile(r"^(これ|それ|この|その|こうした|このような|そうした)")
REFERS_BACK = re.compile(r"このような|こうした|そうした|これら|この(制度|事業|状況|背景)")
FINDINGS = re.compile(r"分かりました|明らかになった|示された|上位の回答")
VIEWS = re.compile(r"だろう|と言える|言えない|ではないか|かもしれない|考えられる|べき|望ましい|お勧め|不可欠")
PASSAGE_WEIGHT = 3.0  # chosen on the labelled prose questions of the older sets (top-1 .55 -> .69)
PASSAGE_FULL = 0.6  # the similarity to a sentence's questions that counts as covering the question
REASONS = re.compile(r"ため|要因|背景|理由|ことから|から、|のは、")


def _quoting(ctx: AnswerContext, a: Analysis, chosen: list[SentenceRef], lead_en: str, lead_ja: str) -> Answer:
    """The report's sentences, each quoted and cited on its own, after one lead line."""
    cites = [text_citation(ctx, i + 1, [s]) for i, s in enumerate(chosen)]
    if a.lang == "en":
        text = (
            lead_en
            + " "
            + " ".join(
                (f"{gist} [{i + 1}] (「{s.text}」)" if (gist := english_of(ctx, s.text)) else f"「{s.text}」[{i + 1}]")
                for i, s in enumerate(chosen)
            )
        )
    else:
        text = lead_ja + "".join(f"「{s.text}」[{i + 1}]" for i, s in enumerate(chosen))
    return Answer(a.question, text, False, cites, [], a.lang, kind="concept")


def summary(ctx: AnswerContext, a: Analysis) -> Answer:
    """The report's own statements of its findings, from its closing section."""
    last = ctx.index.chunks[max(i for i, c in enumerate(ctx.index.chunks) if c.kind == "text")].section
    found = [s for s in ctx.sentences if ctx.index.chunks[s.chunk].section == last and FINDINGS.search(s.text)]
    if not found:
        return abstain(ctx, a, reason="none")
    return _quoting(
        ctx,
        a,
        found[:3],
        "The report sums up its findings in its closing section:",
        "報告書のまとめでは次のように述べています。",
    )


def next_issue(ctx: AnswerContext, a: Analysis) -> Answer | None:
    """「次の号では何を報告する予定？」: the report's own sentences about what its next issue reports."""
    said = [s for s in ctx.sentences if DEFERRED.search(s.text)][:3]
    if not said:
        return None
    return _quoting(
        ctx, a, said, "The report says its next issue will cover:", "報告書は次号について次のように書いています。"
    )


def deferred_about(ctx: AnswerContext, terms: list[str]) -> SentenceRef | None:
    """The report's 「次号で報告」 sentence that shares most terms with the question, if any."""
    best: tuple[int, SentenceRef] | None = None
    for s in ctx.sentences:
        if DEFERRED.search(s.text):
            shared = len(set(terms) & s.terms)
            if shared and (best is None or shared > best[0]):
                best = (shared, s)
    return best[1] if best else None


def score_sentences(
    ctx: AnswerContext, a: Analysis, hits: list[Hit], section: str | None = None, drop: set[str] | None = None
) -> list[tuple[float, float, SentenceRef]]:
    quoted_terms = [t for q in re.findall(r"「([^」]{2,20})」", a.question) for t in ctx.index.tokenizer.tokens(q)]
    terms = [t for t in dict.fromkeys(a.terms + quoted_terms) if t not in (drop or set())]
    if not terms:
        return []
    weights = {t: (0.3 if t in generic_ja() else 1.0) * ctx.idf.get(t, 2.0) for t in terms}
    total = sum(weights.values()) or 1.0
    core = [t for t in terms if t not in generic_ja()] or terms
    unknown_weight = 2.0 if a.lang == "ja" else 1.0  # English has many words the report never uses
    core_total = (sum(weights[t] for t in core) + unknown_weight * len(set(a.unknown))) or 1.0
    rank = {h.chunk: r for r, h in enumerate(hits)}
    subjects = _subject_variants(a.subject)
    quoted = [q for q in re.findall(r"「([^」]{2,20})」", a.question) if q not in generic_ja()]
    asked = ctx.passages.scores(a.text) if ctx.passages is not None else None
    out = []
    for i, s in enumerate(ctx.sentences):
        chunk = ctx.index.chunks[s.chunk]
        if section is not None and chunk.section != section:
            continue
        found = {
            t
            for t in weights
            if t in s.terms or (len(t) >= 2 and t in s.text) or (len(t) >= 4 and t[:2] in s.terms)  # 信頼関係 ~ 信頼
        }  # 年齢 in 年齢層
        got = sum(weights[t] for t in found)
        coverage = sum(weights[t] for t in core if t in found) / core_total
        if asked is not None:  # a question close to those the sentence answers is covered by it
            coverage = max(coverage, min(1.0, asked[i] / PASSAGE_FULL))
        score = got / total + 0.15 / (1 + rank.get(s.chunk, 20))
        if asked is not None:
            score += PASSAGE_WEIGHT * asked[i]  # how close the question is to those this sentence answers
        present = [subj for subj in subjects if subj in s.text]
        if present:
            score += 0.3
            if "concept" in a.cues and any(_defines(s.text, subj) for subj in present):
                score += 1.0  # the sentence that defines what is asked about comes first, and answers it
                coverage = 1.0
            elif "concept" in a.cues and any(
                re.search(rf"(とする|という|といった|ような|ための)“?{re.escape(subj)}", s.text) for subj in present
            ):
                score += 0.2  # 「自ら変革していこうとする自走化」: described where it is used
        if quoted and any(q in s.text for q in quoted):
            score += 0.4  # 「その他」って…: the words the asker put in brackets
        if "opinion" in a.cues and VIEWS.search(s.text):
            score += 0.2  # the authors' own judgement: 「…とは言えないだろう」「…をお勧めしたい」
        if "why" in a.cues and (REASONS.search(s.text) or VIEWS.search(s.text)):
            score += 0.2  # a cause, or the authors' reading of one (「…のかもしれない」)
        if "why" in a.cues and re.search(r"\d", s.text):
            score -= 0.3  # a sentence restating the figures does not explain them
        out.append((score, coverage, s))
    out.sort(key=lambda x: -x[0])
    return out


def concept(
    ctx: AnswerContext,
    a: Analysis,
    hits: Callable[[], list[Hit]],
    *,
    strict: bool,
    section: str | None = None,
    need: float | None = None,
    avoid: Callable[[SentenceRef], bool] | None = None,
) -> Answer | None:
    """The report's sentences that cover the question; `need` overrides the coverage they must reach;
    sentences for which `avoid` holds are not quoted (already said elsewhere in the answer)."""
    if not a.subject and "concept" in a.cues and a.terms:
        term = "".join(dict.fromkeys(a.terms))  # "what does bansou shien mean?": 伴走 + 支援
        if any(_defines(x.text, term) for x in ctx.sentences):
            a = replace(a, subject=term)  # a term the report defines is asked for
    if not a.subject and all(t in generic_ja() for t in a.terms) and section is None:
        return None  # only 「伴走支援」「企業」: any passage would do, so none answers
    named = section_named(ctx, a) if section is None else None
    section = section or named
    scored = score_sentences(ctx, a, hits(), section, drop=section_words(ctx, named) if named else set())
    if avoid is not None:
        scored = [x for x in scored if not avoid(x[2])]
    if not scored:
        return None
    variants = _subject_variants(a.subject)
    later = any(DEFERRED.search(x.text) for _s, _c, x in scored[:5])  # 「次号で報告」 answers it honestly
    if (
        "concept" in a.cues
        and variants
        and not later
        and not any(v in x.text for _s, _c, x in scored for v in variants)
    ):
        return None  # 「認定支援機関って何？」: the report never explains it, so no passage defines it
    # words the report never uses make a passage's coverage count for less; in English only when the
    # question is not plainly a definition request ("I keep seeing X. What does it mean?")
    plain_definition = a.lang == "en" and a.asks.get("concept", 0.0) >= 0.9
    need_default = 0.75 if (a.unknown if a.lang == "ja" else len(set(a.unknown)) >= 2 and not plain_definition) else 0.5
    if strict:
        need_default = max(need_default, 0.75)
    if named or (section is not None and "opinion" in a.cues):
        need_default = min(need_default, 0.4)  # the search is already scoped to one part of the report
    if need is None:
        need = need_default
        names_it = variants and any(v in x.text for v in variants for _s, _c, x in scored[:1])
        # English has ordinary words the report never uses ("becoming", "keep seeing"): two are allowed
        if names_it and "concept" in a.cues and len(set(a.unknown)) <= (2 if a.lang == "en" else 1):
            need = min(need, 0.5)  # 「…事業ってどんなやつ？」: the best passage names what is to be defined
            if a.asks.get("concept", 0.0) >= 0.9 and not a.unknown:
                need = min(need, 0.3)  # 「自走化ってよく出てくるけど、要するに？」: the framing is not the topic
    scored = [x for x in scored if x[1] >= need]  # only passages that cover the question can answer it
    if not scored:
        return None
    best_score, coverage, best = scored[0]
    deferred = next((x for x in scored[:5] if DEFERRED.search(x[2].text)), None)
    if deferred is not None and deferred[1] >= coverage and deferred[0] >= 0.8 * best_score:
        best = deferred[2]  # the report itself says this comes in a later issue
    if DEFERRED.search(best.text) and "next_issue" not in a.cues:
        return abstain(ctx, a, reason="deferred", deferred=best)
    if a.cues & {"figure", "when"} and not re.search(r"\d|割|半数|約半分", best.text):
        return None  # a number or a date was asked for, and the best passage has none
    chunk_sents = [s for s in ctx.sentences if s.chunk == best.chunk and (avoid is None or not avoid(s))]
    prv = next((s for s in chunk_sents if s.pos == best.pos - 1), None)
    nxt = next((s for s in chunk_sents if s.pos == best.pos + 1), None)
    lead = (
        [prv, best] if prv is not None and REFERS_BACK.search(best.text) else [best]
    )  # 「このような…」 needs its antecedent
    explains = nxt is not None and "why" in a.cues and bool(VIEWS.search(nxt.text) or REASONS.search(nxt.text))
    # 「…多くないことが明らかになった。」 is followed by the authors' reading of why: quote it too
    rest: list[SentenceRef] = [nxt] if nxt is not None and (CONTINUES.match(nxt.text) or explains) else []
    siblings = [s for sc, _cov, s in scored[1:] if s.chunk == best.chunk and sc >= 0.7 * best_score]
    for s in siblings:
        if len(lead) + len(rest) >= 3 or sum(len(c.text) for c in lead + rest) + len(s.text) > 320:
            break
        if s not in lead and s not in rest and not DEFERRED.search(s.text):
            rest.append(s)
    chosen = lead + sorted(rest, key=lambda s: s.pos)  # the best passage first, then the others in report order
    cite = text_citation(ctx, 1, chosen)
    quote = "".join(s.text for s in chosen)
    if a.lang == "en":
        where = section_label(ctx, cite.section, "en")
        gist = english_of(ctx, quote)
        text = (
            f"The report answers this in {where} [1]: {gist} (The report's words: 「{quote}」)"
            if gist
            else f"The report answers this in {where} [1]: 「{quote}」"
        )
    else:
        text = f"{quote}[1]"
    return Answer(a.question, text, False, [cite], [], a.lang, kind="concept")


def support_sentence(ctx: AnswerContext, a: Analysis, chart: Chart, labels: list[str]) -> SentenceRef | None:
    """The report's own sentence about this chart that best matches the question, if any."""
    scored = [x for x in score_sentences(ctx, a, [], chart.section) if not DEFERRED.search(x[2].text)]
    if not scored:
        return None
    numeric = re.compile(r"\d|割|半数")
    top = _core(labels[0]) if labels else ""
    for _score, _cov, s in scored:
        if top and top in s.text and (numeric.search(s.text) or "why" in a.cues):
            return s
    for _score, coverage, s in scored[:8]:
        mentions = any(_core(lbl) and _core(lbl) in s.text for lbl in labels)
        if (mentions and coverage >= 0.3 and numeric.search(s.text)) or (
            coverage >= 0.75 and (numeric.search(s.text) or "why" in a.cues)
        ):
            return s
    if (not labels or len(labels) > 3) and scored[0][1] >= 0.35:
        return scored[0][2]  # a question about the whole chart: the report's own summary of it
    return None


def _defines(text: str, term: str) -> bool:
    """Is `term` defined here: 「Xとは」「X：」「Xを指す」「…を“X”と称している」."""
    t = re.escape(term)
    return bool(re.search(rf"{t}”?(とは|：|を指|のこと)|を“?{t}”?、?(と称|と呼)|“{t}”と称", text))


def _subject_variants(subject: str | None) -> list[str]:
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


def _core(label: str) -> str:
    return re.sub(r"[（(]※?\d*[)）]|から$", "", label).strip()
