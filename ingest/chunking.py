"""Sections -> sentences -> ~500-character chunks (never mid-sentence), and one chunk per chart."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.records import Chart, Chunk, content_id, fmt_value
from ingest.normalize import is_letter_spaced, join_lines, split_sentences
from ingest.sections import CHAPTER, SUBSECTION, Section

_NUMERIC = re.compile(r"^[\d\s.,%~～\-]+$")
_MARKERS = ("◼", "■", "○", "〇", "●", "◆")
_NOTE_LABEL = re.compile(r"^※\d+[:：]\s*(\S.*)$")
_CLOSERS = ("調査期間", "回答企業数", "回答総数")
_GROUP_LABEL = re.compile(r"[（(]n=\d+[）)]$")


@dataclass(frozen=True)
class Sentence:
    text: str
    page: int


def is_structural(raw: str, text: str, titles: frozenset[str] = frozenset()) -> bool:
    """Lines that are not running prose: titles, headings, chart captions, values, axis ticks,
    bases and group labels."""
    return (
        text in titles
        or bool(_GROUP_LABEL.search(text))
        or bool(SUBSECTION.match(text))
        or bool(CHAPTER.match(text))
        or text == "コラム"
        or text.startswith(_MARKERS)
        or text.startswith(_CLOSERS)
        or bool(_NUMERIC.match(text))
        or is_letter_spaced(raw.strip())
    )


def section_sentences(section: Section, titles: frozenset[str] = frozenset()) -> tuple[list[Sentence], list[str]]:
    """The prose sentences of a section, and the fragments dropped as chart labels/captions."""
    sentences: list[Sentence] = []
    dropped: list[str] = []
    pending, page, prev_page = "", 0, None

    def flush() -> None:
        nonlocal pending
        if not pending:
            return
        parts = split_sentences(pending)
        for part in parts:
            if re.search(r"[。！？]$", part):
                sentences.append(Sentence(part, page))
            else:
                dropped.append(part)
        pending = ""

    for line in section.lines:
        if line.page != prev_page:
            flush()
            prev_page = line.page
        if not line.text:
            continue
        if is_structural(line.raw, line.text, titles):
            flush()
            continue
        note = _NOTE_LABEL.match(line.text)
        if note:  # "※1：課題解決型" labels the definition that follows it
            flush()
            page = line.page
            pending = line.text.rstrip("：:") + "："
            continue
        if not pending or line.text.startswith("※"):  # a note starts afresh
            flush()
            page = line.page
            pending = line.text
            continue
        pending = join_lines(pending, line.text)
    flush()
    return sentences, dropped


def text_chunks(
    doc_id: str, section: Section, max_chars: int, with_pages: bool, titles: frozenset[str] = frozenset()
) -> list[Chunk]:
    sentences, _ = section_sentences(section, titles)
    heading = section_heading(section)
    chunks: list[Chunk] = []
    group: list[Sentence] = []

    def emit() -> None:
        if not group:
            return
        body = "".join(s.text for s in group)
        text = f"{heading}\n{body}"
        chunks.append(
            Chunk(
                id=content_id(doc_id, section.id, text),
                doc=doc_id,
                section=section.id,
                title=section.title,
                text=text,
                body=body,
                kind="text",
                page=group[0].page if with_pages else None,
                sentences=tuple(s.text for s in group),
            )
        )

    for s in sentences:
        if group and sum(len(g.text) for g in group) + len(s.text) > max_chars:
            emit()
            group = []
        group.append(s)
    emit()
    return chunks


def section_heading(section: Section) -> str:
    if section.id in ("intro", "column", "3"):
        return section.title
    return f"{section.id} {section.title}"


def chart_text(chart: Chart) -> str:
    """Everything a reader needs from one chart, in Japanese with English labels."""
    lines = [
        f"{chart.section} {chart.title}{'（複数回答可）' if chart.multiple else ''} / {chart.title_en}",
        f"設問: {chart.question}",
        f"基数: {chart.base.label('ja')} / 調査期間: {chart.period}",
    ]
    for r in chart.rows:
        n = f"（n={r.n}）" if r.n is not None else ""
        if chart.is_crosstab:
            cells = " / ".join(f"{c.label} {fmt_value(r.values[c.key], chart.unit)}" for c in chart.columns)
            lines.append(f"- {r.label}{n} ({r.label_en}): {cells}")
        else:
            v = r.values["value"]
            shown = fmt_value(v, chart.unit) if v is not None else "数値なし（読み取れない）"
            share = f"（{r.stated_share}）" if r.stated_share else ""
            lines.append(f"- {r.label} ({r.label_en}): {shown}{share}")
    for d in chart.derived:
        lines.append(f"- {d.label} ({d.label_en}): {fmt_value(d.value, '%')}（{d.formula}）")
    lines.extend(f"注: {n}" for n in chart.notes)
    return "\n".join(lines)


def chart_chunks(charts: Iterable[Chart], section_pages: dict[str, int | None]) -> list[Chunk]:
    out = []
    for c in charts:
        text = chart_text(c)
        out.append(
            Chunk(
                id=content_id(c.doc, "chart", c.id, text),
                doc=c.doc,
                section=c.section,
                title=c.title,
                text=text,
                body=text,
                kind="chart",
                chart_id=c.id,
                page=section_pages.get(c.section),
            )
        )
    return out
