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
    passage_sure,
    section_label,
    section_named,
    section_words,
)
from assistant.qa.compose.meta import abstain
from assistant.qa.compose.ranking import (
    DEFERRED,
    QUOTED,
    REASONS,
    VIEWS,
    defines_term,
    score_sentences,
    subject_variants,
)
from assistant.qa.lexicon import generic_ja
from assistant.records import Answer, Chart

CAUSE_SHARE = 0.25  # share of the best score from which a cause joins a why answer (0.5, 0.25 and 0 score alike on the sets; 0.5 misses paraphrases)
CONTINUES = re.compile(r"^(これ|それ|この|その|こうした|このような|そうした)")
REFERS_BACK = re.compile(r"このような|こうした|そうした|これら|この(制度|事業|状況|背景)")
FINDINGS = re.compile(r"分かりました|明らかになった|示された|上位の回答")


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


def _term_like(ctx: AnswerContext, subject: str | None) -> bool:
    """「認定支援機関」 is a term the report may or may not define; 「ツール入れただけじゃ意味ない」
    (a verb, an adjective) is a claim whose reasoning is asked, not a word to look up."""
    if not subject:
        return False
    return not any(t.pos in ("動詞", "形容詞", "助動詞") for t in ctx.index.tokenizer.analyze(subject[:60]))


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
        if any(defines_term(x.text, term) for x in ctx.sentences):
            a = replace(a, subject=term)  # a term the report defines is asked for
    if not a.subject and all(t in generic_ja() for t in a.terms) and section is None and not passage_sure(ctx, a):
        return None  # only 「伴走支援」「企業」: any passage would do, so none answers
    named = section_named(ctx, a) if section is None else None
    section = section or named
    scored = score_sentences(ctx, a, hits(), section, drop=section_words(ctx, named) if named else set())
    if avoid is not None:
        scored = [x for x in scored if not avoid(x[2])]
    if not scored:
        return None
    variants = subject_variants(a.subject)
    later = any(DEFERRED.search(x.text) for _s, _c, x in scored[:5])  # 「次号で報告」 answers it honestly
    if (
        "concept" in a.cues
        and variants
        and not later
        and _term_like(ctx, a.subject)
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
    ranked = scored  # every passage, for the cause of what the covering one states
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
    if "why" in a.cues and not any(REASONS.search(x.text) or VIEWS.search(x.text) for x in lead + rest):
        # 「モノからコトへ広がった」 states it; 「要因の一つが…」 says why
        cause = _cause(ctx, ranked, best, best_score)
        if cause is not None and cause not in lead + rest:
            rest = [x for x in rest if x.chunk == cause.chunk][:1] + [cause]
    chosen = lead + sorted(rest, key=lambda s: (s.chunk, s.pos))  # the best passage first, then in report order
    cite = text_citation(ctx, 1, chosen)
    quote = cite.quote
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
    cites = [cite]
    first = _introduced(ctx, a, chosen)
    if first is not None:  # 「自走化」 is explained at the end but introduced with the definition
        cites.append(text_citation(ctx, 2, [first]))
        if a.lang == "en":
            where = section_label(ctx, cites[1].section, "en")
            gist = english_of(ctx, first.text)
            text += f" The term first appears in {where} [2]: " + (
                f"{gist} (「{first.text}」)" if gist else f"「{first.text}」"
            )
        else:
            text += f"この語は{section_label(ctx, cites[1].section, 'ja')}で初めて使われています：「{first.text}」[2]"
    return Answer(a.question, text, False, cites, [], a.lang, kind="concept")


def _introduced(ctx: AnswerContext, a: Analysis, chosen: list[SentenceRef]) -> SentenceRef | None:
    """For a concept the quoted passage uses without defining: the sentence where the report first
    uses the term, when that is in another section (where it is introduced)."""
    if "concept" not in a.cues:
        return None
    used = [
        v
        for v in [*subject_variants(a.subject), *QUOTED.findall(a.question)]
        if len(v) >= 2 and v not in generic_ja() and any(v in x.text for x in chosen)  # the term the quote uses
    ]
    if not used or any(defines_term(x.text, used[0]) for x in chosen):
        return None
    first = next(x for x in ctx.sentences if used[0] in x.text)
    if first in chosen:
        return None
    sections = {ctx.index.chunks[x.chunk].section for x in chosen}
    return first if ctx.index.chunks[first.chunk].section not in sections else None


def _cause(
    ctx: AnswerContext, scored: list[tuple[float, float, SentenceRef]], best: SentenceRef, best_score: float
) -> SentenceRef | None:
    """For a why question whose best passage states the fact without a reason: the best-scored
    sentence of the same section that gives a cause or the authors' reading of one, when it scores
    at least half as well."""
    section = ctx.index.chunks[best.chunk].section
    for sc, _cov, s in scored[1:]:
        if sc < CAUSE_SHARE * best_score:
            return None
        if (
            ctx.index.chunks[s.chunk].section == section
            and (REASONS.search(s.text) or VIEWS.search(s.text))
            and not re.search(r"\d", s.text)
            and not DEFERRED.search(s.text)
        ):
            return s
    return None


def support_sentence(ctx: AnswerContext, a: Analysis, chart: Chart, labels: list[str]) -> SentenceRef | None:
    """The report's own sentence about this chart that best matches the question, if any."""
    scored = [x for x in score_sentences(ctx, a, [], chart.section) if not DEFERRED.search(x[2].text)]
    if not scored:
        return None
    numeric = re.compile(r"(?<![※\d])\d|割|半数")  # a note mark (※1) is no figure
    top = _core(labels[0]) if labels else ""
    # 「「その他」ってどんなのが入ってる？」 asks no figure: the sentence about that row answers it
    describes = not a.cues & {"figure", "ranking", "least", "comparison", "all", "superlative", "topn", "nth"}
    for _score, _cov, s in scored:
        if top and top in s.text and (numeric.search(s.text) or "why" in a.cues or describes):
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


def _core(label: str) -> str:
    return re.sub(r"[（(]※?\d*[)）]|から$", "", label).strip()
