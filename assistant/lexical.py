"""Japanese-aware lexical analysis: Sudachi normalized forms, particles and symbols dropped.

Shared by ingest (to build the BM25 index) and the assistant (to query it), so both sides
tokenize identically.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

MAX_CHARS = 4000  # Sudachi refuses input over 49,149 bytes; 4,000 characters stay well under it
DROP_POS = {"助詞", "助動詞", "補助記号", "空白", "記号"}


@dataclass(frozen=True)
class Token:
    surface: str
    norm: str
    pos: str
    pos2: str


class SudachiTokenizer:
    """Lazy, thread-safe wrapper around a Sudachi tokenizer (mode C, core dictionary)."""

    def __init__(self) -> None:
        self._tok: Any = None
        self._lock = threading.Lock()

    def _get(self) -> Any:
        if self._tok is None:
            from sudachipy import Dictionary, SplitMode

            self._tok = Dictionary(dict="core").tokenizer(mode=SplitMode.C)
        return self._tok

    def analyze(self, text: str) -> list[Token]:
        text = unicodedata.normalize("NFKC", text)[:MAX_CHARS]
        with self._lock:
            tok = self._get()
            morphemes = tok.tokenize(text)
            out = [
                Token(m.surface(), m.normalized_form().lower(), m.part_of_speech()[0], m.part_of_speech()[1])
                for m in morphemes
            ]
        return out

    def tokens(self, text: str) -> list[str]:
        """Index terms: normalized forms of content morphemes."""
        return [t.norm for t in self.analyze(text) if t.pos not in DROP_POS and t.norm.strip()]

    def readings(self, text: str) -> list[tuple[str, str, str]]:
        """(surface, reading in katakana, part of speech) for every morpheme."""
        text = unicodedata.normalize("NFKC", text)[:MAX_CHARS]
        with self._lock:
            morphemes = self._get().tokenize(text)
            return [(m.surface(), m.reading_form(), m.part_of_speech()[0]) for m in morphemes]
