"""The real assistant service: store index + understanding + composition, as a LangChain
Runnable chain (analyze | retrieve | compose) so callers can invoke, stream or batch."""

from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from langchain_core.runnables import RunnableLambda

from assistant.compose import Composer
from assistant.embedders import embedder_id, make_embedder
from assistant.errors import InputError, NotFound
from assistant.index import Hit, HybridRetriever, StoreIndex
from assistant.lexical import SudachiTokenizer
from assistant.records import Answer, Chart, Language, Turn
from assistant.settings import Settings
from assistant.storage import open_build
from assistant.understand import FOLLOWUP_EN, FOLLOWUP_JA, Analysis, Understander

log = logging.getLogger(__name__)
KIND_CUES = {"ranking", "least", "comparison", "figure", "concept", "why"}


class Engine:
    def __init__(self, settings: Settings, index: StoreIndex) -> None:
        self.settings = settings
        self.index = index
        self.document = next(iter(index.documents.values()))
        report_text = "\n".join(c.text for c in index.chunks)
        self.understander = Understander(index.charts, index.glossary, index.vocab, index.tokenizer, report_text)
        self.composer = Composer(index, self.understander)
        self._cache: dict[str, Analysis] = {}
        self._lock = threading.Lock()
        self.chain = (
            RunnableLambda(self._analyze_step, name="analyze")
            | RunnableLambda(self._retrieve_step, name="retrieve")
            | RunnableLambda(self._compose_step, name="compose")
        )

    @classmethod
    def open(cls, settings: Settings) -> Engine:
        embedder = make_embedder(settings.embedder, settings.threads)
        build, manifest = open_build(settings.store, embedder_id(embedder))
        index = StoreIndex(build, manifest, settings, embedder, SudachiTokenizer())
        return cls(settings, index)

    def retriever(self, lang: str = "ja") -> HybridRetriever:
        return HybridRetriever(index=self.index, lang=lang, k=self.settings.top_k)

    # --- the service protocol ------------------------------------------------------------------
    def ask(self, question: str, history: Sequence[Turn | str | dict[str, Any]] = ()) -> Answer:
        started = time.perf_counter()
        q, turns = self._check(question, history)
        answer: Answer = self.chain.invoke({"question": q, "history": turns})
        answer.elapsed_ms = (time.perf_counter() - started) * 1000
        return answer

    def stream(self, question: str, history: Sequence[Turn | str | dict[str, Any]] = ()) -> Iterator[Answer]:
        answer = self.ask(question, history)
        pieces = re.split(r"(?<=[。．.!?！？\]])", answer.answer)
        text = ""
        for p in pieces[:-1]:
            text += p
            yield replace(answer, answer=text)
        yield answer

    def charts(self) -> list[Chart]:
        return list(self.index.charts.values())

    def chart(self, chart_id: str) -> Chart:
        try:
            return self.index.charts[chart_id]
        except KeyError:
            raise NotFound(f"unknown chart {chart_id!r}; known: {', '.join(self.index.charts)}") from None

    def health(self) -> dict[str, Any]:
        m = self.index.manifest
        return {
            "status": "ok",
            "build": self.index.build.name,
            "embedder": m.embedder,
            "chunks": m.chunk_count,
            "charts": m.chart_count,
            "built_at": m.built_at,
        }

    # --- steps ---------------------------------------------------------------------------------
    def _check(self, question: Any, history: Sequence[Any]) -> tuple[str, list[Turn]]:
        if not isinstance(question, str):
            raise InputError("the question must be text")
        q = "".join(ch for ch in question if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()
        if not q:
            raise InputError("質問が空です。質問を入力してください。 / The question is empty.")
        if len(q) > self.settings.max_question_chars:
            raise InputError(
                f"質問が長すぎます（{len(q)}文字、上限{self.settings.max_question_chars}文字）。 / "
                f"The question is too long ({len(q)} characters; the limit is {self.settings.max_question_chars})."
            )
        if len(history) > self.settings.max_history_turns:
            history = list(history)[-self.settings.max_history_turns :]
        try:
            turns = [Turn.coerce(t) for t in history]
        except TypeError as e:
            raise InputError(str(e)) from None
        for t in turns:
            if len(t.question) > self.settings.max_question_chars:
                raise InputError("a history turn is longer than the question limit")
        return q, turns

    def analyze(self, question: str) -> Analysis:
        with self._lock:
            cached = self._cache.get(question)
        if cached is None:
            cached = self.understander.analyze(question)
            with self._lock:
                if len(self._cache) > 2048:
                    self._cache.clear()
                self._cache[question] = cached
        return cached

    def _analyze_step(self, inp: dict[str, Any]) -> Analysis:
        a = self.analyze(inp["question"])
        if a.injected:
            log.info("ignored instructions inside a question: %r", inp["question"][:200])
        prev: Analysis | None = None
        for t in inp.get("history", []):
            ta = self.analyze(t.question)
            prev = self.resolve(ta, prev) if prev is not None else ta
        return self.resolve(a, prev) if prev is not None else a

    def resolve(self, a: Analysis, prev: Analysis) -> Analysis:
        """Read a follow-up against the previous turn: 「それはなぜ？」, 「税理士は？」, "what about …?"."""
        text = a.text.replace(" ", "")
        switch = re.fullmatch(
            r"(?:(英語|日本語)で(?:教えて|お願い|答えて)?(?:ください|下さい)?[。？?]?)", text
        ) or re.fullmatch(
            r"(?:(?:please )?(?:answer |say that |tell me )?in (english|japanese)(?: please)?[.?!]?)",
            a.text.lower().strip(),
        )
        if switch:  # 「英語で教えて」: the previous question again, in the asked language
            lang: Language = "en" if switch.group(1) in ("英語", "english") else "ja"
            return replace(prev, question=a.question, lang=lang, followup=True, inherited=prev.text)
        own_chart, own_score = a.best_chart()
        anaphoric = bool(re.search(FOLLOWUP_JA, text) or re.search(FOLLOWUP_EN, a.text.lower().strip()))
        short = len(text) <= 14 if a.lang == "ja" else len(a.text.split()) <= 6
        meta = a.cues & {"period", "respondents", "publisher", "author", "title", "about"}
        this_chart = re.search(
            r"(この|その)(質問|設問|項目|グラフ|図)|\b(this|that) (question|chart)\b", a.text.lower()
        )
        anaphoric = anaphoric or this_chart is not None
        if (meta and not this_chart) or (a.subject and not anaphoric):  # 「この質問には何社が回答？」: the last chart
            return a
        compares_one = "comparison" in a.cues and own_chart is not None and len(a.rows.get(own_chart, [])) == 1
        if not anaphoric and not compares_one and not (short and own_score < 2.0):
            return a
        context = f"{prev.inherited}。{prev.text}" if prev.inherited else prev.text  # the whole thread so far
        combined = self.understander.analyze(context + "。" + a.text if a.lang == "ja" else context + " " + a.text)
        cues = set(a.cues)
        if not cues & KIND_CUES:
            cues |= prev.cues & KIND_CUES
        scores = dict(combined.chart_scores)
        for cid, s in a.chart_scores.items():
            scores[cid] = scores.get(cid, 0.0) + s  # the follow-up's own words count twice
        prev_chart, _ = prev.best_chart()
        charts = self.index.charts
        if prev_chart is not None:
            for cid in a.chart_scores:  # 「GXの場合は？」 after a DX question: the sibling chart of the same section
                if cid != prev_chart and charts[cid].section == charts[prev_chart].section:
                    scores[cid] += 4.0
            if a.rows.get(prev_chart):  # 「税理士は？」: a row of the chart just discussed
                scores[prev_chart] = scores.get(prev_chart, 0.0) + 4.0
        rows = {c: list(r) for c, r in prev.rows.items()}
        for c, r in a.rows.items():
            rows[c] = list(r)
        cols = {**prev.columns, **a.columns}
        derived = dict(a.derived) if a.rows or a.derived else {**prev.derived, **a.derived}
        if "comparison" in a.cues:  # 「施策実行型と比べると？」: the row just discussed against the new one
            for c, r in a.rows.items():
                rows[c] = list(dict.fromkeys(prev.rows.get(c, []) + list(r)))
        if a.rows:  # new rows replace the old ones in the chart the follow-up names
            for c in a.rows:
                derived.pop(c, None)
        if "why" in a.cues and not a.rows:
            rows = {}
        if prev_chart is not None:
            best = max(scores, key=lambda c: scores[c]) if scores else None
            if (
                best
                and best != prev_chart
                and best not in a.rows
                and charts[best].section == charts[prev_chart].section
            ):
                keys = {r.key for r in charts[best].rows}
                carried = [k for k in prev.rows.get(prev_chart, []) if k in keys]
                if carried:
                    rows[best] = carried
                    derived[best] = [
                        d for d in prev.derived.get(prev_chart, []) if d in {x.key for x in charts[best].derived}
                    ]
        return replace(
            a,
            cues=cues,
            chart_scores=scores,
            rows=rows,
            columns=cols,
            derived=derived,
            matches=combined.matches if "why" in cues else a.matches + [m for m in prev.matches if m not in a.matches],
            tokens=a.tokens + prev.tokens,
            terms=a.terms + [t for t in prev.terms if t not in a.terms],
            unknown=a.unknown,
            followup=True,
            inherited=context,
        )

    def _retrieve_step(self, a: Analysis) -> tuple[Analysis, Callable[[], list[Hit]]]:
        """Hybrid retrieval, run once and only when the composer asks for passages."""
        query = f"{a.inherited} {a.text}" if a.inherited else a.text
        memo: list[list[Hit]] = []

        def hits() -> list[Hit]:
            if not memo:
                memo.append(self.index.search(query, a.tokens, a.lang) if query.strip() else [])
            return memo[0]

        return a, hits

    def _compose_step(self, pair: tuple[Analysis, Callable[[], list[Hit]]]) -> Answer:
        a, hits = pair
        return self.composer.compose(a, hits)
