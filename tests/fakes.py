"""Test fakes: a deterministic service for surface tests (UI, API) that need no store."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import InputError, NotFound
from assistant.records import Answer, Chart, Citation, DocumentInfo, Figure, Turn

ROOT = Path(__file__).resolve().parents[1]


def load_corpus_charts() -> tuple[DocumentInfo, list[Chart]]:
    """The real charts and document info from corpus/, without ingest or a store."""
    from ingest.tables import load_tables

    manifest = yaml.safe_load((ROOT / "corpus" / "manifest.yaml").read_text(encoding="utf-8"))
    d = dict(manifest["documents"][0])
    doc = DocumentInfo.from_dict(d)
    charts = load_tables(ROOT / "corpus" / d["tables"], doc.id)
    return doc, charts


class FakeService:
    """Answers every question with the 2-3 chart's top row; records the calls it got."""

    def __init__(self) -> None:
        self.document, self._charts = load_corpus_charts()
        self.calls: list[tuple[str, list[Turn]]] = []

    def ask(self, question: str, history: Sequence[Turn | str | dict[str, Any]] = ()) -> Answer:
        if not question or not question.strip():
            raise InputError("質問が空です。 / The question is empty.")
        turns = [Turn.coerce(t) for t in history]
        self.calls.append((question, turns))
        chart = self.chart("2-3")
        row = chart.rows[0]
        cite = Citation(
            n=1,
            doc=self.document.id,
            section=chart.section,
            title=chart.title,
            quote=f"{row.label}: {row.values['value']}",
            chart=chart.id,
            base=chart.base.label(),
            period=chart.period,
        )
        fig = Figure(
            table=chart.id,
            label=row.label,
            label_en=row.label_en,
            value=row.values["value"],
            unit=chart.unit,
            base=chart.base.label(),
            cite=1,
        )
        return Answer(
            question=question,
            answer=f"最も多いのは「{row.label}」162件です[1]。",
            abstained=False,
            citations=[cite],
            figures=[fig],
            language="ja",
            elapsed_ms=1.0,
            kind="ranking",
            charts=[chart.id],
        )

    def stream(self, question: str, history: Sequence[Turn | str | dict[str, Any]] = ()) -> Iterator[Answer]:
        yield self.ask(question, history)

    def charts(self) -> list[Chart]:
        return list(self._charts)

    def chart(self, chart_id: str) -> Chart:
        for c in self._charts:
            if c.id == chart_id:
                return c
        raise NotFound(f"unknown chart {chart_id!r}")

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "store": "fake", "charts": len(self._charts)}
