"""Load corpus files into pages of raw lines. Text (.txt, .md) and text-layer PDF (.pdf)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import IngestError

log = logging.getLogger(__name__)
SUPPORTED = (".txt", ".md", ".pdf")


@dataclass(frozen=True)
class RawDocument:
    path: Path
    pages: tuple[tuple[str, ...], ...]  # raw lines per page
    has_page_numbers: bool  # True when pages are real pages (PDF), not extraction blocks

    @property
    def text(self) -> str:
        return "\n".join("\n".join(p) for p in self.pages)


def load(path: Path) -> RawDocument:
    """Read one file; an unreadable, unsupported or empty file is an IngestError naming it."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise IngestError(f"{path}: unsupported file type {suffix or '(none)'}; supported: {', '.join(SUPPORTED)}")
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    if suffix == ".pdf":
        doc = _load_pdf(path)
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            raise IngestError(f"{path}: not UTF-8 text (byte {e.start}); save it as UTF-8") from None
        except OSError as e:
            raise IngestError(f"{path}: cannot read: {e.strerror or e}") from None
        doc = RawDocument(path, split_text_pages(text), has_page_numbers=False)
    if not doc.text.strip():
        raise IngestError(f"{path}: the file has no text" + (" layer (scanned PDF?)" if suffix == ".pdf" else ""))
    return doc


def split_text_pages(text: str) -> tuple[tuple[str, ...], ...]:
    """Split a PDF-to-text extraction into pages.

    A form feed always starts a page. Without form feeds, this extraction marks each page
    (text block) start with a leading space on its first line; files without either are one page.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" in text:
        return tuple(tuple(p.split("\n")) for p in text.split("\f") if p.strip())
    pages: list[list[str]] = []
    for line in text.split("\n"):
        if line.startswith(" ") or not pages:
            pages.append([line])
        else:
            pages[-1].append(line)
    return tuple(tuple(p) for p in pages)


def _load_pdf(path: Path) -> RawDocument:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as e:  # pragma: no cover - pypdf is a dependency
        raise IngestError("PDF input needs pypdf: pip install pypdf") from e
    try:
        reader = PdfReader(str(path))
        pages = []
        for page in reader.pages:
            lines = (page.extract_text() or "").replace("\r", "").split("\n")
            if lines:
                lines[0] = " " + lines[0].lstrip()  # keep the page-start convention of the text extraction
            pages.append(tuple(lines))
    except (PdfReadError, OSError, ValueError, KeyError) as e:
        raise IngestError(f"{path}: not a readable PDF ({e})") from None
    return RawDocument(path, tuple(pages), has_page_numbers=True)
