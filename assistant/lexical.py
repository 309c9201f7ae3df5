"""Japanese-aware lexical analysis: Sudachi normalized forms, particles and symbols dropped.

Shared by ingest (to build the BM25 index) and the assistant (to query it), so both sides
tokenize identically.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
MEMO_VERSION = 1

MAX_CHARS = 4000  # Sudachi refuses input over 49,149 bytes; 4,000 characters stay well under it
DROP_POS = {"助詞", "助動詞", "補助記号", "空白", "記号"}


@dataclass(frozen=True)
class Token:
    surface: str
    norm: str
    pos: str
    pos2: str


class SudachiTokenizer:
    """Lazy, thread-safe wrapper around a Sudachi tokenizer (mode C, core dictionary).

    Start-up tokenizes a few thousand known texts (the report, chart labels, exemplar questions)
    to build the assistant's vocabularies. `remember(path)` replays those analyses from a file
    written beside the store build by the first start, so later starts neither spend the time
    nor touch most of the 190 MB dictionary (which would count in the process's memory); only
    texts seen while remembering are kept, and `forget()` drops them once start-up is done.
    """

    def __init__(self) -> None:
        self._tok: Any = None
        self._lock = threading.Lock()
        self._memo: dict[str, list[tuple[str, str, str, str, str]]] = {}
        self._recording = False
        self._dirty = False
        self._memo_path: Path | None = None

    def _get(self) -> Any:
        if self._tok is None:
            from sudachipy import Dictionary, SplitMode

            self._tok = Dictionary(dict="core").tokenizer(mode=SplitMode.C)
        return self._tok

    @staticmethod
    def _version() -> str:
        from importlib.metadata import version

        return f"{MEMO_VERSION}/{version('SudachiPy')}/{version('SudachiDict-core')}"

    def remember(self, path: Path) -> None:
        """Replay analyses recorded in `path` (if it matches this Sudachi) and record new ones."""
        self._memo_path = path
        self._recording = True
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("version") == self._version():
                self._memo = {k: [tuple(m) for m in v] for k, v in data["texts"].items()}  # type: ignore[misc]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self._memo = {}

    def forget(self) -> None:
        """Start-up is over: write what was newly recorded (best effort), then drop the memo."""
        path, dirty = self._memo_path, self._dirty
        memo, self._memo, self._recording, self._dirty = self._memo, {}, False, False
        if path is None or not dirty:
            return
        try:
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"version": self._version(), "texts": memo}, ensure_ascii=False), "utf-8")
            os.replace(tmp, path)
        except OSError as e:  # a read-only store still serves; the next start tokenizes again
            log.info("could not write the tokenizer memo %s: %s", path, e)

    def _morphemes(self, text: str) -> list[tuple[str, str, str, str, str]]:
        """(surface, normalized form, part of speech, its subclass, reading) for every morpheme."""
        text = unicodedata.normalize("NFKC", text)[:MAX_CHARS]
        with self._lock:
            hit = self._memo.get(text) if self._recording else None
            if hit is not None:
                return hit
            out = [
                (m.surface(), m.normalized_form().lower(), *m.part_of_speech()[:2], m.reading_form())
                for m in self._get().tokenize(text)
            ]
            if self._recording:
                self._memo[text] = out
                self._dirty = True
        return out

    def analyze(self, text: str) -> list[Token]:
        return [Token(s, n, p, p2) for s, n, p, p2, _r in self._morphemes(text)]

    def tokens(self, text: str) -> list[str]:
        """Index terms: normalized forms of content morphemes."""
        return [n for _s, n, p, _p2, _r in self._morphemes(text) if p not in DROP_POS and n.strip()]

    def readings(self, text: str) -> list[tuple[str, str, str]]:
        """(surface, reading in katakana, part of speech) for every morpheme."""
        return [(s, r, p) for s, _n, p, _p2, r in self._morphemes(text)]
