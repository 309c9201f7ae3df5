"""The one assistant service that the CLI, the HTTP API, the Gradio UI and the eval all call.

`AssistantService` is the seam: surfaces depend on this protocol only, tests pass a fake.
`build_service(settings)` opens the store and returns the real implementation.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from typing import Any, Protocol, runtime_checkable

from assistant.records import Answer, Chart, DocumentInfo, Turn, fmt_number
from assistant.settings import Settings


@runtime_checkable
class AssistantService(Protocol):
    document: DocumentInfo

    def ask(self, question: str, history: Sequence[Turn | str | dict[str, Any]] = ()) -> Answer:
        """Answer one question; raises InputError for bad input. Never raises on an unanswerable one."""
        ...

    def stream(self, question: str, history: Sequence[Turn | str | dict[str, Any]] = ()) -> Iterator[Answer]:
        """Yield partial answers (growing text), the last one complete."""
        ...

    def charts(self) -> list[Chart]: ...

    def chart(self, chart_id: str) -> Chart:
        """Raises NotFound for an unknown id."""
        ...

    def health(self) -> dict[str, Any]: ...


CSV_BOM = "\ufeff"  # Excel on Japanese Windows reads UTF-8 only with it


def chart_csv_bytes(chart: Chart) -> bytes:
    """The CSV file both the API and the UI hand out: UTF-8 with a BOM, so Excel opens it ungarbled."""
    return (CSV_BOM + chart_csv(chart)).encode("utf-8")


def chart_csv(chart: Chart) -> str:
    """A chart as CSV (UTF-8 with the columns a spreadsheet needs), with its source in the last lines."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    value_cols = [c for c in chart.columns]
    header = ["chart", "label", "label_en"]
    if any(r.n is not None for r in chart.rows):
        header.append("n")
    for c in value_cols:
        header.append(f"{c.label} ({c.label_en}) [{chart.unit}]" if chart.is_crosstab else f"{chart.unit}")
    share = chart.company_share(0.0) is not None
    if share:  # computed here, not printed in the report: the header says how
        header.append(f"share_of_companies_% (computed: count / {chart.base.companies} companies x 100)")
    header.append("note")
    w.writerow(header)
    for r in chart.rows:
        line: list[Any] = [chart.id, r.label, r.label_en]
        if "n" in header:
            line.append(r.n if r.n is not None else "")
        for c in value_cols:
            v = r.values.get(c.key)
            line.append(fmt_number(v, chart.unit))
        if share:
            pct = chart.company_share(r.values.get("value"))
            line.append(f"{pct:.1f}" if pct is not None else "")
        line.append(r.missing.reason if r.missing else "")
        w.writerow(line)
    w.writerow([])
    w.writerow(["title", chart.title])
    w.writerow(["base", chart.base.label("ja")])
    w.writerow(["period", chart.period])
    w.writerow(["multiple_answers", "yes" if chart.multiple else "no"])
    return buf.getvalue()


def build_service(settings: Settings, *, warm: bool = False) -> AssistantService:
    """Open the store named by `settings` and return the real service (StoreMissing if absent).

    `warm`: also open what a first question may need (the vector store, the lexical index, the
    embedder), so a server's first answer is as fast as its others and a broken vector store
    stops it at start. Without it (the CLI) they open on first use, and a question that needs
    none of them never pays for them."""
    from assistant.engine import Engine

    engine = Engine.open(settings)
    if warm:
        engine.warm()
    return engine
