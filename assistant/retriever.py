"""LangChain's retriever interface over a StoreIndex, for callers that compose LangChain runnables.

Kept out of `assistant.index` so that answering a question never imports LangChain's runnables
(their tracing machinery alone takes most of a second to import).
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.index import StoreIndex


class HybridRetriever(BaseRetriever):
    """LangChain retriever over a StoreIndex: `invoke(question)` -> Documents with scores."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    index: Any
    lang: str = "ja"
    k: int = 6

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        idx: StoreIndex = self.index
        hits = idx.search(query, idx.tokenizer.tokens(query), self.lang, self.k)
        docs = []
        for h in hits:
            c = idx.chunks[h.chunk]
            docs.append(
                Document(
                    id=c.id,
                    page_content=c.text,
                    metadata={
                        "section": c.section,
                        "title": c.title,
                        "kind": c.kind,
                        "chart_id": c.chart_id,
                        "doc": c.doc,
                        "score": h.score,
                        "bm25_rank": h.bm25_rank,
                        "dense_rank": h.dense_rank,
                    },
                )
            )
        return docs
