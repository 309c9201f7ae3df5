"""Grounded answer composition: every figure comes from a validated chart, every quote from the
report's sentences, each with a citation marker. No number is written that the store does not
hold, and a derived number only appears with its formula."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from assistant.index import Hit, StoreIndex
from assistant.phrasing import (
    en_period,
    t_all,
    t_compare,
    t_context,
    t_crosstab_column,
    t_crosstab_row,
    t_crosstab_top,
    t_derived,
    t_missing_note,
    t_nth,
    t_ranking,
    t_row,
)
from assistant.qa.grammar import Analysis, Understander
from assistant.qa.lexicon import generic_ja
from assistant.records import Answer, Chart, Citation, Figure, Row, fmt_value

CHART_THRESHOLD = 1.0
DEFERRED = re.compile(r"次号.*(予定|報告したい|報告する)")
CONTINUES = re.compile(r"^(これ|それ|この|その|こうした|このような|そうした)")
REFERS_BACK = re.compile(r"このような|こうした|そうした|これら|この(制度|事業|状況|背景)")
FINDINGS = re.compile(r"分かりました|明らかになった|示された|上位の回答")
VIEWS = re.compile(r"だろう|と言える|言えない|ではないか|かもしれない|考えられる|べき|望ましい|お勧め|不可欠")
REASONS = re.compile(r"ため|要因|背景|理由|ことから|から、|のは、")


@dataclass(frozen=True)
class SentenceRef:
    chunk: int
    pos: int  # position within the chunk
    text: str
    terms: frozenset[str]


class Composer:
    def __init__(self, index: StoreIndex, understander: Understander) -> None:
        self.index = index
        self.u = understander
        self.doc = next(iter(index.documents.values()))
        self.sentences: list[SentenceRef] = []
        for ci, c in enumerate(index.chunks):
            if c.kind != "text":
                continue
            for pi, text in enumerate(c.sentences):
                self.sentences.append(SentenceRef(ci, pi, text, frozenset(index.tokenizer.tokens(text))))
        n = len(self.sentences) or 1
        df: dict[str, int] = {}
        for ref in self.sentences:
            for t in ref.terms:
                df[t] = df.get(t, 0) + 1
        self.idf = {t: math.log(1 + n / d) for t, d in df.items()}
        self.section_titles = {c.section: c.title for c in index.chunks if c.kind == "text"}
        self.chart_sections = {c.section for c in index.charts.values()}
        # the words of each unnumbered section's title (コラム, まとめ・あとがき), tokenized once
        self.title_parts = {
            sid: [(p, index.tokenizer.tokens(p)) for p in re.split(r"[・、\s]", title) if len(p) >= 2]
            for sid, title in self.section_titles.items()
            if not (sid[0].isdigit() and "-" in sid)  # numbered sections are found through their charts
        }

    # ------------------------------------------------------------------------------------------
    def compose(self, a: Analysis, hits: Callable[[], list[Hit]]) -> Answer:
        """`hits` runs the hybrid retrieval on demand: chart and survey answers never need it."""
        if not a.text.strip():
            return self.abstain(a, reason="empty")
        if a.proper_nouns:
            return self.abstain(a, reason="none")
        if a.missing_facets:
            return self.abstain(a, reason="facet", detail=a.missing_facets[0])
        if "measure" in a.cues:  # averages, prices, amounts: the report counts answers, it prices nothing
            return self.abstain(a, reason="none")
        if "outcome" in a.cues and not any(o.kind == "topic" for m in a.matches for o in m.owners):
            # 「売上は伸びた？」: results of support are what the report defers to its next issue
            later = self.deferred_about(["効果", *a.terms])
            return self.abstain(a, reason="deferred" if later else "none", deferred=later)
        chart_id, score = self.pick_chart(a)
        named = self.section_named(a)
        closing = [t for t in self.section_words(named or "3")]
        asks_more = [t for t in a.terms if t not in closing and t not in generic_ja()]
        if "summary" in a.cues and len(asks_more) <= 1 and (not a.chart_scores or named not in self.chart_sections):
            return self.summary(a)  # 「まとめを教えて」, not 「まとめでは…の理由として何を挙げてる？」
        if "named" in a.cues:  # 「おすすめの会社」: the report names no providers
            return self.abstain(a, reason="none")
        meta = next(
            (k for k in ("period", "respondents", "publisher", "author", "title", "about") if k in a.cues), None
        )
        has_topic = chart_id is not None and any(
            o.chart == chart_id and o.kind in ("topic", "why") for m in a.matches for o in m.owners
        )
        has_row = chart_id is not None and bool(a.rows.get(chart_id) or a.derived.get(chart_id))
        strict_vocab = a.lang == "ja" and bool(
            a.unknown
        )  # a label alone does not answer a question about something else
        chart_ok = chart_id is not None and score >= CHART_THRESHOLD and (has_topic or (has_row and not strict_vocab))
        quantity = bool(a.cues & {"figure", "ranking", "comparison", "least", "all"})
        survey_years = {self.doc.period_start[:4], self.doc.period_end[:4]}
        other_year = [y for y in re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", a.text) if y not in survey_years]
        if other_year and (quantity or chart_ok or "調査" in a.text or "survey" in a.text.lower()):
            return self.abstain(a, reason="year")
        if meta == "respondents" and chart_ok and chart_id is not None and has_topic and not has_row:
            pair = self.comparison_pair(a, chart_id, score, any_section=True)
            return merge_answers(a, [self.base_answer(a, c) for c in (pair or [chart_id])], kind="meta")
        if meta and (not chart_ok or meta in ("period", "publisher", "author", "title", "about") or not has_row):
            return self.meta(a, meta)
        if a.lang == "ja" and len(set(a.unknown)) >= 2 and not chart_ok:
            return self.abstain(a, reason="none")
        if named is not None and named not in self.chart_sections:
            ans = self.concept(a, hits, strict=False)  # 「まとめでは…」「in the column…」: that part's own text
            if ans is not None:
                return ans
        if a.cues & {"concept", "opinion"} and not quantity:
            if chart_ok and chart_id is not None:  # 「支援機関の「その他」って？」: that chart's own text first
                ans = self.concept(a, hits, strict=False, section=self.index.charts[chart_id].section)
                if ans is not None and not ans.abstained:
                    return ans
            ans = self.concept(a, hits, strict=chart_ok and "opinion" not in a.cues)
            if ans is not None:
                return ans
        if chart_ok and chart_id is not None and not has_row and not quantity and not a.cues & {"why", "comparison"}:
            # 「お試しで使える制度ってある？」 names a chart's topic but asks about something its text says
            matched = {t for m in a.matches for t in self.index.tokenizer.tokens(m.phrase)}
            residual = [t for t in a.terms if t not in generic_ja() and t not in matched]
            if residual:
                ans = self.concept(a, hits, strict=True)
                if ans is not None:
                    return ans
        if chart_ok and chart_id is not None:
            if "why" in a.cues and not self.is_why_chart(a, chart_id) and not has_row:
                ans = self.concept(a, hits, strict=False, section=self.index.charts[chart_id].section)
                if ans is not None:
                    return ans
            pair = (
                self.comparison_pair(a, chart_id, score, any_section="both" in a.cues)
                if a.cues & {"comparison", "both"}
                else None
            )
            if pair is not None:
                return self.multi_chart_answer(a, pair)
            return self.chart_answer(a, chart_id)
        ans = self.concept(a, hits, strict=False)
        return ans if ans is not None else self.abstain(a, reason="none")

    def summary(self, a: Analysis) -> Answer:
        """The report's own statements of its findings, from its closing section."""
        last = self.index.chunks[max(i for i, c in enumerate(self.index.chunks) if c.kind == "text")].section
        found = [s for s in self.sentences if self.index.chunks[s.chunk].section == last and FINDINGS.search(s.text)]
        if not found:
            return self.abstain(a, reason="none")
        chosen = found[:3]
        cites = [self.text_citation(i + 1, [s]) for i, s in enumerate(chosen)]
        if a.lang == "en":
            text = "The report sums up its findings in its closing section: " + " ".join(
                f"「{s.text}」[{i + 1}]" for i, s in enumerate(chosen)
            )
        else:
            text = "報告書のまとめでは次のように述べています。" + "".join(
                f"「{s.text}」[{i + 1}]" for i, s in enumerate(chosen)
            )
        return Answer(a.question, text, False, cites, [], a.lang, kind="concept")

    def comparison_pair(self, a: Analysis, chart_id: str, best: float, any_section: bool = False) -> list[str] | None:
        """DX vs GX: a comparison naming two topic-matched charts of one section answers both; with
        「両方」/"both" (or for bases), two charts of any sections."""
        topical = {o.chart for m in a.matches for o in m.owners if o.kind == "topic"}
        floor = max(CHART_THRESHOLD, 0.6 * best)
        by_section: dict[str, list[str]] = {}
        for c, sc in sorted(a.chart_scores.items(), key=lambda x: -x[1]):
            if c in topical and sc >= floor:
                by_section.setdefault("*" if any_section else self.index.charts[c].section, []).append(c)
        own = by_section.get("*" if any_section else self.index.charts[chart_id].section, [])
        if chart_id in own and len(own) >= 2:
            return own[:2]
        close = [cs[:2] for cs in by_section.values() if len(cs) >= 2 and a.chart_scores[cs[1]] >= 0.8 * best]
        if close:
            return max(close, key=lambda p: sum(a.chart_scores[c] for c in p))
        if not any_section and "comparison" in a.cues:  # "DX-keen owners vs all firms": 1-2 beside 1-1
            return self.comparison_pair(a, chart_id, best, any_section=True)
        return None

    def deferred_about(self, terms: list[str]) -> SentenceRef | None:
        """The report's 「次号で報告」 sentence that shares most terms with the question, if any."""
        best: tuple[int, SentenceRef] | None = None
        for s in self.sentences:
            if DEFERRED.search(s.text):
                shared = len(set(terms) & s.terms)
                if shared and (best is None or shared > best[0]):
                    best = (shared, s)
        return best[1] if best else None

    def is_why_chart(self, a: Analysis, chart_id: str) -> bool:
        return any(o.chart == chart_id and o.kind == "why" for m in a.matches for o in m.owners)

    def pick_chart(self, a: Analysis) -> tuple[str | None, float]:
        if not a.chart_scores:
            return None, 0.0
        if "why" in a.cues:
            why = {o.chart for m in a.matches for o in m.owners if o.kind == "why"}
            why = {c for c in why if a.chart_scores.get(c, 0.0) >= CHART_THRESHOLD}
            if why:
                cid = max(why, key=lambda c: a.chart_scores.get(c, 0.0))
                return cid, a.chart_scores.get(cid, 0.0)
        return a.best_chart()

    # --- citations -----------------------------------------------------------------------------
    def chart_citation(self, n: int, chart: Chart, rows: list[Row], lang: str) -> Citation:
        shown = rows or list(chart.rows)
        parts = []
        for r in shown:
            if chart.is_crosstab:
                cells = "、".join(f"{c.label} {fmt_value(r.values[c.key], chart.unit)}" for c in chart.columns)
                parts.append(f"{r.label}：{cells}")
            else:
                parts.append(
                    f"{r.label} {fmt_value(r.values['value'], chart.unit) if r.values['value'] is not None else '（数値なし）'}"
                )
        quote = f"◼ {chart.title}（{chart.base.label('ja')}）: " + " / ".join(parts)
        chunk = next((c for c in self.index.chunks if c.chart_id == chart.id), None)
        return Citation(
            n=n,
            doc=chart.doc,
            section=chart.section,
            title=chart.title,
            quote=quote,
            page=chunk.page if chunk else None,
            chart=chart.id,
            base=chart.base.label("ja"),
            period=chart.period,
        )

    def text_citation(self, n: int, sents: list[SentenceRef]) -> Citation:
        chunk = self.index.chunks[sents[0].chunk]
        return Citation(
            n=n,
            doc=chunk.doc,
            section=chunk.section,
            title=self.section_titles.get(chunk.section, chunk.title),
            quote="".join(s.text for s in sents),
            page=chunk.page,
            chart=None,
            base=None,
            period=self.doc.period_label,
        )

    # --- sentences -----------------------------------------------------------------------------
    def score_sentences(
        self, a: Analysis, hits: list[Hit], section: str | None = None, drop: set[str] | None = None
    ) -> list[tuple[float, float, SentenceRef]]:
        quoted_terms = [t for q in re.findall(r"「([^」]{2,20})」", a.question) for t in self.index.tokenizer.tokens(q)]
        terms = [t for t in dict.fromkeys(a.terms + quoted_terms) if t not in (drop or set())]
        if not terms:
            return []
        weights = {t: (0.3 if t in generic_ja() else 1.0) * self.idf.get(t, 2.0) for t in terms}
        total = sum(weights.values()) or 1.0
        core = [t for t in terms if t not in generic_ja()] or terms
        unknown_weight = 2.0 if a.lang == "ja" else 1.0  # English has many words the report never uses
        core_total = (sum(weights[t] for t in core) + unknown_weight * len(set(a.unknown))) or 1.0
        rank = {h.chunk: r for r, h in enumerate(hits)}
        subjects = _subject_variants(a.subject)
        quoted = [q for q in re.findall(r"「([^」]{2,20})」", a.question) if q not in generic_ja()]
        out = []
        for s in self.sentences:
            chunk = self.index.chunks[s.chunk]
            if section is not None and chunk.section != section:
                continue
            found = {t for t in weights if t in s.terms or (len(t) >= 2 and t in s.text)}  # 年齢 in 年齢層
            got = sum(weights[t] for t in found)
            coverage = sum(weights[t] for t in core if t in found) / core_total
            score = got / total + 0.15 / (1 + rank.get(s.chunk, 20))
            present = [subj for subj in subjects if subj in s.text]
            if present:
                score += 0.3
                if "concept" in a.cues and any(_defines(s.text, subj) for subj in present):
                    score += 0.5
                elif "concept" in a.cues and any(
                    re.search(rf"(とする|という|といった|ような|ための)“?{re.escape(subj)}", s.text) for subj in present
                ):
                    score += 0.2  # 「自ら変革していこうとする自走化」: described where it is used
            if quoted and any(q in s.text for q in quoted):
                score += 0.4  # 「その他」って…: the words the asker put in brackets
            if "opinion" in a.cues and VIEWS.search(s.text):
                score += 0.2  # the authors' own judgement: 「…とは言えないだろう」「…をお勧めしたい」
            if "why" in a.cues and REASONS.search(s.text):
                score += 0.2
            out.append((score, coverage, s))
        out.sort(key=lambda x: -x[0])
        return out

    def concept(
        self, a: Analysis, hits: Callable[[], list[Hit]], *, strict: bool, section: str | None = None
    ) -> Answer | None:
        if not a.subject and all(t in generic_ja() for t in a.terms) and section is None:
            return None  # only 「伴走支援」「企業」: any passage would do, so none answers
        named = self.section_named(a) if section is None else None
        section = section or named
        scored = self.score_sentences(a, hits(), section, drop=self.section_words(named) if named else set())
        if not scored:
            return None
        need = 0.75 if (a.unknown if a.lang == "ja" else len(set(a.unknown)) >= 2) else 0.5
        if strict:
            need = max(need, 0.75)
        if named or (section is not None and "opinion" in a.cues):
            need = min(need, 0.4)  # the search is already scoped to one part of the report
        scored = [x for x in scored if x[1] >= need]  # only passages that cover the question can answer it
        if not scored:
            return None
        best_score, coverage, best = scored[0]
        deferred = next((x for x in scored[:5] if DEFERRED.search(x[2].text)), None)
        if deferred is not None and deferred[1] >= coverage and deferred[0] >= 0.8 * best_score:
            best = deferred[2]  # the report itself says this comes in a later issue
        if DEFERRED.search(best.text) and "次号" not in a.text and "next issue" not in a.text.lower():
            return self.abstain(a, reason="deferred", deferred=best)
        if a.cues & {"figure", "when"} and not re.search(r"\d|割|半数|約半分", best.text):
            return None  # a number or a date was asked for, and the best passage has none
        chunk_sents = [s for s in self.sentences if s.chunk == best.chunk]
        prv = next((s for s in chunk_sents if s.pos == best.pos - 1), None)
        nxt = next((s for s in chunk_sents if s.pos == best.pos + 1), None)
        lead = (
            [prv, best] if prv is not None and REFERS_BACK.search(best.text) else [best]
        )  # 「このような…」 needs its antecedent
        rest: list[SentenceRef] = [nxt] if nxt is not None and CONTINUES.match(nxt.text) else []
        siblings = [s for sc, _cov, s in scored[1:] if s.chunk == best.chunk and sc >= 0.7 * best_score]
        for s in siblings:
            if len(lead) + len(rest) >= 3 or sum(len(c.text) for c in lead + rest) + len(s.text) > 320:
                break
            if s not in lead and s not in rest and not DEFERRED.search(s.text):
                rest.append(s)
        chosen = lead + sorted(rest, key=lambda s: s.pos)  # the best passage first, then the others in report order
        cite = self.text_citation(1, chosen)
        quote = "".join(s.text for s in chosen)
        if a.lang == "en":
            where = self.section_label(cite.section, "en")
            text = f"The report answers this in {where} [1]: 「{quote}」"
        else:
            text = f"{quote}[1]"
        return Answer(a.question, text, False, [cite], [], a.lang, kind="concept")

    def section_named(self, a: Analysis) -> str | None:
        """「コラムで…」, "in the closing remarks": a question that names a section of the report."""
        for sid, parts in self.title_parts.items():
            for p, words in parts:
                if p in a.text or (len(words) == 1 and words[0] in a.terms):  # まとめ, コラム, "column"
                    return sid
        return None

    def section_words(self, section: str) -> set[str]:
        return {t for _p, words in self.title_parts.get(section, []) for t in words}

    def section_label(self, section: str, lang: str) -> str:
        title = self.section_titles.get(section, "")
        if lang == "en":
            return f"section {section} ({title})" if section[0].isdigit() else f"the {section} ({title})"
        return f"{section}「{title}」"

    def support_sentence(self, a: Analysis, chart: Chart, labels: list[str]) -> SentenceRef | None:
        """The report's own sentence about this chart that best matches the question, if any."""
        scored = [x for x in self.score_sentences(a, [], chart.section) if not DEFERRED.search(x[2].text)]
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

    # --- charts --------------------------------------------------------------------------------
    def chart_answer(self, a: Analysis, chart_id: str) -> Answer:
        chart = self.index.charts[chart_id]
        rows = [chart.row(k) for k in a.rows.get(chart_id, [])]
        derived = [d for d in chart.derived if d.key in a.derived.get(chart_id, [])]
        cues = a.cues
        en = a.lang == "en"
        lines: list[str] = []
        figures: list[Figure] = []
        stated: list[Row] = []
        if chart.is_crosstab:
            kind = "crosstab"
            ranked = not rows and bool(cues & {"ranking", "least"})
            if ranked:
                col = (a.columns.get(chart_id) or ["current"])[0]
                order = sorted(
                    (r for r in chart.rows if r.values.get(col) is not None),
                    key=lambda r: r.values[col] or 0.0,
                    reverse="least" not in cues,
                )
                rows = order[:1]
                lines.append(t_crosstab_top(chart, order[:3], col, en, least="least" in cues))
            elif rows:
                if cues & {"comparison", "both"} and len(rows) == 1:  # 「意欲がある人とない人で」: the other groups too
                    rows = rows + [r for r in chart.rows if r not in rows]
                lines.extend(t_crosstab_row(chart, r, en) for r in rows)
            else:
                rows = list(chart.rows)
                col = (a.columns.get(chart_id) or ["current"])[0]
                lines.append(t_crosstab_column(chart, rows, col, en))
            for r in rows:
                for d in chart.derived:
                    if d.row == r.key:
                        lines.append(t_derived(d, en))
            stated = rows
        elif not rows and not derived and ("all" in cues or (len(chart.rows) <= 4 and not cues & {"ranking", "least"})):
            kind = "ranking"
            stated = list(chart.rows)
            lines.append(t_all(chart, stated, en))
        elif rows and "exclude" in cues:
            # 「必要性を感じない」を除くと一番多いのは: the ranking without the rows named
            kind = "ranking"
            least = "least" in cues
            stated = _ranked(chart, least, without=rows)[:3]
            lines.append(t_ranking(chart, stated, least, en))
        elif rows and "superlative" in cues and "comparison" not in cues and len(rows) == 1:
            # 「一番多いのは広告だよね？」: the ranking, then the row asked about
            kind = "ranking"
            least = "least" in cues
            order = _ranked(chart, least)
            stated = order[:3] + [r for r in rows if r not in order[:3]]
            lines.append(t_ranking(chart, order[:3], least, en))
            lines.extend(t_row(chart, r, en) for r in rows if r not in order[:3])
        elif rows:
            kind = "comparison" if len(rows) > 1 and "comparison" in cues else "figure"
            for r in rows:
                lines.append(t_row(chart, r, en))
            if kind == "comparison":
                lines.append(t_compare(chart, rows, en))
            stated = rows
        elif derived:
            kind = "figure"
            lines.extend(t_derived(d, en) for d in derived)
        else:
            kind = "ranking"
            least = "least" in cues
            order = _ranked(chart, least)
            stated = order[: _top_n(a.text) or 3]
            nth = _ordinal(a.text)
            if nth and nth <= len(order):
                stated = [order[nth - 1], order[0]]
                lines.append(t_nth(chart, order[nth - 1], order[0], nth, least, en))
            else:
                lines.append(t_ranking(chart, stated, least, en))
        for d in derived:
            if d.row is None and t_derived(d, en) not in lines:
                lines.append(t_derived(d, en))
        if kind == "ranking" and any(r.missing for r in chart.rows) and not any(r.missing for r in stated):
            lines.append(t_missing_note(chart, en))  # a stated row that is missing says so itself
        for r in stated:
            for c in chart.columns:
                v = r.values.get(c.key)
                figures.append(
                    Figure(
                        table=chart.id,
                        label=r.label,
                        label_en=r.label_en,
                        value=v,
                        unit=chart.unit,
                        base=chart.base.label("ja"),
                        column=c.key if chart.is_crosstab else None,
                        formula=r.missing.formula if r.missing else None,
                        cite=1,
                    )
                )
        for d in chart.derived:
            if any(d.row == r.key for r in stated) or d in derived:
                figures.append(
                    Figure(
                        table=chart.id,
                        label=d.label,
                        label_en=d.label_en,
                        value=d.value,
                        unit="%",
                        base=chart.base.label("ja"),
                        column=None,
                        formula=d.formula,
                        cite=1,
                    )
                )
        citations = [self.chart_citation(1, chart, stated, a.lang)]
        body = " ".join(x for x in lines if x) if en else "".join(x for x in lines if x)
        text = f"{t_context(chart, self.doc, en)}{body}"
        support = self.support_sentence(a, chart, [r.label for r in stated])
        if support is not None:
            citations.append(self.text_citation(2, [support]))
            text += (
                f" The report's text adds [2]: 「{support.text}」"
                if en
                else f"本文には「{support.text}」とあります[2]。"
            )
        return Answer(a.question, text, False, citations, figures, a.lang, kind=kind, charts=[chart.id])

    # --- templates -----------------------------------------------------------------------------
    def base_answer(self, a: Analysis, chart_id: str) -> Answer:
        chart = self.index.charts[chart_id]
        en = a.lang == "en"
        b = chart.base
        if en:
            text = (
                f"The base of “{chart.title_en}” ({chart.title}) is {b.label('en')}"
                f"{' (multiple answers allowed)' if chart.multiple else ''}; survey period {en_period(self.doc)} [1]."
            )
        else:
            text = (
                f"「{chart.title}」の基数は{b.label('ja')}です{'（複数回答可）' if chart.multiple else ''}"
                f"（調査期間 {chart.period}）[1]。"
            )
        about_base = [n for n in (chart.notes_en if en else chart.notes) if re.search(r"n=|10|除外|left out|fewer", n)]
        if about_base:
            text += (" " if en else "") + " ".join(about_base)
        return Answer(
            a.question,
            text,
            False,
            [self.chart_citation(1, chart, [], a.lang)],
            [],
            a.lang,
            kind="meta",
            charts=[chart.id],
        )

    def multi_chart_answer(self, a: Analysis, chart_ids: list[str]) -> Answer:
        """Two charts in one answer (DX vs GX, a purpose count beside an attitude share)."""
        parts = [self.chart_answer(a, cid) for cid in chart_ids]
        return merge_answers(a, parts, kind="comparison")

    def meta(self, a: Analysis, kind: str) -> Answer:
        d = self.doc
        en = a.lang == "en"
        main = self.index.charts.get("1-1") or next(iter(self.index.charts.values()), None)
        cites = [self.chart_citation(1, main, [], a.lang)] if main else []
        if kind == "period":
            text = (
                f"The survey ran from {en_period(d)} ({d.period_label}) [1]."
                if en
                else f"調査期間は{d.period_label}です[1]。"
            )
        elif kind == "respondents":
            text = (
                f"{d.respondents} companies answered the survey (n={d.respondents}; survey period {en_period(d)}) [1]."
                if en
                else f"この調査の回答企業数はn={d.respondents}（{d.respondents}社）です（調査期間 {d.period_label}）[1]。"
            )
        elif kind in ("publisher", "author"):
            cites = [
                Citation(
                    n=1,
                    doc=d.id,
                    section="3",
                    title=self.section_titles.get("3", ""),
                    quote="フォーバル GDXリサーチ研究所 所長 平良 学",
                    page=None,
                    period=d.period_label,
                )
            ]
            text = (
                f"The report was published by {d.publisher_en} ({d.publisher}); its author is {d.author} [1]."
                if en
                else f"発行は{d.publisher}で、著者は{d.author}です[1]。"
            )
        elif kind == "title":
            text = (
                f"The report is 『{d.title}』 ({d.title_en}) by {d.publisher_en} [1]."
                if en
                else f"レポートのタイトルは『{d.title}』（{d.publisher}）です[1]。"
            )
        else:
            topics = "、".join(c.title for c in self.index.charts.values())
            topics_en = "; ".join(c.title_en for c in self.index.charts.values())
            text = (
                f"『{d.title}』 ({d.title_en}, {d.publisher_en}) reports a survey of n={d.respondents} SMEs "
                f"({en_period(d)}). It covers: {topics_en} [1]."
                if en
                else f"『{d.title}』は{d.publisher}による中小企業への調査（n={d.respondents}、調査期間 {d.period_label}）の報告です。"
                f"扱っている内容：{topics}[1]。"
            )
        return Answer(a.question, text, False, cites, [], a.lang, kind="meta")

    def abstain(self, a: Analysis, *, reason: str, detail: str = "", deferred: SentenceRef | None = None) -> Answer:
        d = self.doc
        en = a.lang == "en"
        topics = "、".join(dict.fromkeys(c.title for c in self.index.charts.values()))
        topics_en = "; ".join(dict.fromkeys(c.title_en for c in self.index.charts.values()))
        cites: list[Citation] = []
        if deferred is not None:
            cites = [self.text_citation(1, [deferred])]
            lead = (
                "The report does not cover this; it says it will be reported in a later issue (次号) [1]: "
                f"「{deferred.text}」"
                if en
                else f"この点はこの報告書では扱っていません。報告書には「{deferred.text}」とあり、次号で報告される予定です[1]。"
            )
        elif reason == "year":
            lead = (
                f"This report only covers its own survey ({en_period(d)}); it has no figures for other years."
                if en
                else f"この報告書は調査期間{d.period_label}の調査だけを扱っており、ほかの年の数値はありません。"
            )
        elif reason == "facet":
            lead = (
                f"The report has no breakdown by “{detail}” (「{detail}別」)."
                if en
                else f"この報告書には「{detail}別」の集計はありません。"
            )
        elif reason == "empty":
            lead = "I could not find a question in that." if en else "質問の内容を読み取れませんでした。"
        else:
            lead = (
                "The report does not answer that question."
                if en
                else "申し訳ありませんが、この報告書にはそのご質問に答える内容がありません。"
            )
        scope = (
            f" The report (『{d.title}』, {d.publisher_en}, n={d.respondents}) covers: {topics_en}."
            if en
            else f"この報告書（『{d.title}』、{d.publisher}、n={d.respondents}）で分かるのは、{topics}です。"
        )
        return Answer(a.question, lead + scope, True, cites, [], a.lang, kind="out_of_scope")


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
}


def merge_answers(a: Analysis, parts: list[Answer], kind: str) -> Answer:
    """Several answers as one: texts joined, citation numbers renumbered in order."""
    citations: list[Citation] = []
    figures: list[Figure] = []
    texts: list[str] = []
    for part in parts:
        offset = len(citations)
        renumber = {c.n: c.n + offset for c in part.citations}
        texts.append(_renumber(part.answer, renumber))
        citations.extend(replace(c, n=renumber[c.n]) for c in part.citations)
        figures.extend(replace(f, cite=renumber.get(f.cite, f.cite) if f.cite else f.cite) for f in part.figures)
    text = (" " if a.lang == "en" else "").join(texts)
    charts = [c for part in parts for c in part.charts]
    return Answer(a.question, text, False, citations, figures, a.lang, kind=kind, charts=charts)


def _ranked(chart: Chart, least: bool, without: list[Row] | None = None) -> list[Row]:
    """The rows with a printed value, most answers first (least first for "least"); その他 left out."""
    pool = [r for r in chart.rows if r.values["value"] is not None and r.key != "other" and r not in (without or [])]
    return sorted(pool, key=lambda r: r.values["value"] or 0.0, reverse=not least)


def _renumber(text: str, table: dict[int, int]) -> str:
    """[1] -> [3] when two answers are joined."""
    return re.sub(r"\[(\d+)\]", lambda m: f"[{table.get(int(m.group(1)), int(m.group(1)))}]", text)


def _top_n(text: str) -> int | None:
    """「上位5つ」, "top five": how many to list."""
    words = {"three": 3, "four": 4, "five": 5, "six": 6, "ten": 10, "三": 3, "四": 4, "五": 5, "十": 10}
    m = re.search(r"(?:上位|トップ|ベスト|top)\s*(\d+|three|four|five|six|ten|三|四|五|十)", text.lower())
    if not m:
        return None
    g = m.group(1)
    return int(g) if g.isdigit() else words[g]


def _ordinal(text: str) -> int | None:
    m = re.search(
        r"([2-9])\s*(?:番目|位)|([二三四五])(?:番目|位)|\b(second|third|fourth|fifth|2nd|3rd|4th|5th)\b", text.lower()
    )
    if not m:
        return None
    g = m.group(1) or m.group(2) or m.group(3)
    return int(g) if g.isdigit() else ORDINALS[g]


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
