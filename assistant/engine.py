"""The real assistant service: store index + understanding + composition, as a LangChain
Runnable chain (analyze | retrieve | compose) so callers can invoke, stream or batch."""

from __future__ import annotations

import functools
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from assistant.embedders import embedder_id, make_embedder
from assistant.errors import InputError, NotFound
from assistant.index import Hit, StoreIndex
from assistant.lexical import SudachiTokenizer
from assistant.qa.analysis import Analysis
from assistant.qa.compose import Composer
from assistant.qa.followup import leans_on_thread, resolve
from assistant.qa.grammar import Understander
from assistant.qa.reader import QuestionReader, bounded
from assistant.records import Answer, Chart, Turn, clean_text
from assistant.settings import Settings
from assistant.storage import open_build

log = logging.getLogger(__name__)
MAX_QUERY_CHARS = 300
TOKENIZER_MEMO = "tokenizer-memo.json"
FOLLOWUP_TURNS = 3
HISTORY_ANALYSIS_CHARS = 100  # what is read of an earlier turn: what it was about, not every word


class Engine:
    def __init__(self, settings: Settings, index: StoreIndex) -> None:
        self.settings = settings
        self.index = index
        self.document = next(iter(index.documents.values()))
        report_text = "\n".join(c.text for c in index.chunks)
        self.understander = Understander(index.charts, index.glossary, index.vocab, index.tokenizer, report_text)
        self.reader = QuestionReader(self.understander, index.charts, report_text, index.build)
        self.composer = Composer(index, self.understander, self.reader.normalize, self.reader.read)
        self._cache: dict[str, Analysis] = {}
        self._lock = threading.Lock()

    @functools.cached_property
    def chain(self) -> Any:
        """The same three steps as a LangChain runnable (analyze | retrieve | compose), for callers
        that compose, trace or batch LangChain runnables. Built on first use: `ask` calls the steps
        directly, which keeps LangChain's runnables (about 0.9 s of imports, most of it tracing)
        off the answering path and saves about 0.8 ms a question."""
        from langchain_core.runnables import RunnableLambda

        return (
            RunnableLambda(self._analyze_step, name="analyze")
            | RunnableLambda(self._retrieve_step, name="retrieve")
            | RunnableLambda(self._compose_step, name="compose")
        )

    @classmethod
    def open(cls, settings: Settings) -> Engine:
        embedder = make_embedder(settings.embedder, settings.threads)
        build, manifest = open_build(settings.store, embedder_id(embedder))
        tokenizer = SudachiTokenizer()
        tokenizer.remember(build / TOKENIZER_MEMO)  # start-up's own texts, analysed by an earlier start
        try:
            index = StoreIndex(build, manifest, settings, embedder, tokenizer)
            return cls(settings, index)
        finally:
            tokenizer.forget()

    def warm(self) -> None:
        """Load now, not on a first question: the lexical index, the embedder with the report's
        views (what an advice question ranks), and the vector store when dense fusion is on (a
        missing or unreachable one then stops a server at start; otherwise `/healthz` opens it on
        its first call)."""
        self.index.bm25_scores(["支援"])
        self.composer.warm()
        s = self.settings
        if s.dense_weight > 0 or s.en_dense_weight > 0:
            self.index.open_vectors()
            self.index.query_vector("伴走支援")

    def retriever(self, lang: str = "ja") -> Any:
        """A LangChain retriever (`assistant.retriever.HybridRetriever`) over this engine's index."""
        from assistant.retriever import HybridRetriever

        return HybridRetriever(index=self.index, lang=lang, k=self.settings.top_k)

    # --- the service protocol ------------------------------------------------------------------
    def ask(self, question: str, history: Sequence[Turn | str | dict[str, Any]] = ()) -> Answer:
        started = time.perf_counter()
        q, turns = self._check(question, history)
        answer = self._compose_step(self._retrieve_step(self._analyze_step({"question": q, "history": turns})))
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
        """The truth about the store and its backends: "ok" only when the vectors answer too."""
        m = self.index.manifest
        problem = self.index.vectors_ok()
        return {
            "status": "ok" if problem is None else "unavailable",
            "vectors": "ok" if problem is None else problem,
            "chroma": self.settings.chroma,
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
        q = clean_text(question).strip()
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
            cached = self.reader.read(question)
            with self._lock:
                if len(self._cache) > 2048:
                    self._cache.clear()
                self._cache[question] = cached
        return cached

    def understand(self, question: str, history: Sequence[Turn] = ()) -> Analysis:
        """Steps 1–3 for a question and its thread, nothing retrieved or composed (what `make bench`
        times on hostile input). The question and turns are taken as given: `ask` checks them."""
        return self._analyze_step({"question": question, "history": list(history)})

    def _analyze_step(self, inp: dict[str, Any]) -> Analysis:
        a = self.analyze(inp["question"])
        if a.injected:
            log.info("ignored instructions inside a question: %r", inp["question"][:200])
        if not leans_on_thread(a):
            return a  # a question complete in itself: the turns before it are not read
        prev: Analysis | None = None
        for t in inp.get("history", [])[-FOLLOWUP_TURNS:]:  # a follow-up leans on the latest turns
            ta = self.analyze(bounded(t.question, HISTORY_ANALYSIS_CHARS))
            prev = self.resolve(ta, prev) if prev is not None else ta
        return self.resolve(a, prev) if prev is not None else a

    def resolve(self, a: Analysis, prev: Analysis) -> Analysis:
        """Read a follow-up against the previous turn (see `assistant.qa.followup`)."""
        return resolve(self.understander, self.index.charts, a, prev)

    def _retrieve_step(self, a: Analysis) -> tuple[Analysis, Callable[[], list[Hit]]]:
        """Hybrid retrieval, run once and only when the composer asks for passages."""
        query = (f"{a.inherited} {a.text}" if a.inherited else a.text)[-MAX_QUERY_CHARS:]  # the embedder's window
        memo: list[list[Hit]] = []

        def hits() -> list[Hit]:
            if not memo:
                memo.append(self.index.search(query, a.tokens, a.lang) if query.strip() else [])
            return memo[0]

        return a, hits

    def _compose_step(self, pair: tuple[Analysis, Callable[[], list[Hit]]]) -> Answer:
        a, hits = pair
        return self.composer.compose(a, hits)
