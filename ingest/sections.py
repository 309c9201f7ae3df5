"""Assign the report's lines to its sections by page start, not by heading line.

In this extraction a page's body text usually comes *before* the page's "N - M ." heading,
then the chart. So each page goes whole to the section whose heading it contains. A page
without a heading continues the previous page's section, unless the previous page closed its
chart (its last line is the 調査期間 line): then it opens the next section (text printed
above the next heading).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.load import RawDocument
from ingest.normalize import is_letter_spaced, normalize_line

SUBSECTION = re.compile(r"^(\d)-(\d)\.\s*(.+)$")
CHAPTER = re.compile(r"^(\d)\.\s*(.+)$")
CLOSES_CHART = re.compile(r"^調査期間")
INTRO, COLUMN = "intro", "column"


@dataclass
class Line:
    page: int  # 1-based page (block) number
    text: str  # normalized
    raw: str


@dataclass
class Section:
    id: str
    title: str
    lines: list[Line] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines if line.text)


def heading_of(raw: str, norm: str, chapters_with_subsections: set[str]) -> tuple[str, str] | None:
    """(section id, title) when the line is a section heading."""
    m = SUBSECTION.match(norm)
    if m:
        return f"{m.group(1)}-{m.group(2)}", m.group(3).strip()
    if norm == "コラム":
        return COLUMN, "コラム"
    if is_letter_spaced(raw.strip()):
        m = CHAPTER.match(norm)
        if m and m.group(1) not in chapters_with_subsections:
            return m.group(1), m.group(2).strip()
    return None


def split_sections(doc: RawDocument, intro_title: str = "はじめに") -> list[Section]:
    pages = [[Line(i + 1, normalize_line(raw), raw) for raw in page] for i, page in enumerate(doc.pages)]
    chapters = {m.group(1) for p in pages for ln in p if (m := SUBSECTION.match(ln.text))}
    page_heading: list[tuple[str, str] | None] = []
    for p in pages:
        found = None
        for ln in p:
            h = heading_of(ln.raw, ln.text, chapters)
            if h:
                found = h
                break
        page_heading.append(found)

    sections: dict[str, Section] = {}
    order: list[str] = []
    pending_banner: list[Line] = []
    carried: dict[str, list[Line]] = {}
    current = (INTRO, intro_title)
    for i, p in enumerate(pages):
        if page_heading[i]:
            current = page_heading[i]  # type: ignore[assignment]
        elif i > 0 and _closes_chart(pages[i - 1]):
            nxt = next((h for h in page_heading[i:] if h), None)
            if nxt:
                current = nxt
        sid, title = current
        if sid not in sections:
            sections[sid] = Section(sid, title)
            order.append(sid)
        body, banner = _split_banner(p, chapters)
        sections[sid].lines.extend(body)
        pending_banner.extend(banner)
        if pending_banner and page_heading[i + 1 if i + 1 < len(pages) else i]:
            nxt = page_heading[i + 1] if i + 1 < len(pages) else None
            if nxt and nxt[0] == _banner_section(pending_banner[0]):
                carried.setdefault(nxt[0], []).extend(pending_banner)
            else:
                sections[sid].lines.extend(pending_banner)
            pending_banner = []
        if sid in carried:
            sections[sid].lines[:0] = carried.pop(sid)
    return [sections[s] for s in order]


def _banner_section(line: Line) -> str | None:
    m = CHAPTER.match(line.text)
    return m.group(1) if m else None


def _split_banner(page: list[Line], chapters: set[str]) -> tuple[list[Line], list[Line]]:
    """A chapter banner printed at the foot of a page ('3. まとめ・あとがき' under the column)
    belongs to the chapter it names, which starts on the next page."""
    texts = [i for i, ln in enumerate(page) if ln.text]
    if not texts:
        return page, []
    last = page[texts[-1]]
    m = CHAPTER.match(last.text)
    if m and m.group(1) not in chapters and not is_letter_spaced(last.raw.strip()):
        return page[: texts[-1]] + page[texts[-1] + 1 :], [last]
    return page, []


def _closes_chart(page: list[Line]) -> bool:
    texts = [ln.text for ln in page if ln.text]
    return bool(texts) and bool(CLOSES_CHART.match(texts[-1]))
