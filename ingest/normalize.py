"""Normalize PDF-extraction text: close letter-spaced headings, a meaning-preserving NFKC,
and rejoin wrapped lines into sentences."""

from __future__ import annotations

import re
import unicodedata

CJK = r"\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\u30fc々〆・"
_SPACED = re.compile(rf"(?<=[{CJK}、，])[ \u3000](?=[{CJK}、，])")
_FULLWIDTH_SAFE = {chr(c) for c in range(0xFF10, 0xFF1A)}  # digits
_FULLWIDTH_SAFE |= {chr(c) for c in range(0xFF21, 0xFF3B)} | {chr(c) for c in range(0xFF41, 0xFF5B)}  # letters
_FULLWIDTH_SAFE |= set("％＝＋－．／＆＃＠＜＞")


def nfkc_safe(text: str) -> str:
    """NFKC only where it cannot change meaning: full-width ASCII letters, digits and a few
    symbols, and half-width katakana. Japanese punctuation (「」（）：、。～) stays as printed."""
    out = []
    for ch in text:
        if ch in _FULLWIDTH_SAFE or "\uff61" <= ch <= "\uff9f":
            out.append(unicodedata.normalize("NFKC", ch))
        else:
            out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def is_letter_spaced(line: str) -> bool:
    """'1 .  伴 走 支 援 の …': most tokens are single characters."""
    tokens = line.split()
    if len(tokens) >= 3 and all(len(t) == 1 for t in tokens):
        return True
    if len(tokens) < 4:
        return False
    singles = sum(1 for t in tokens if len(t) == 1)
    return singles / len(tokens) >= 0.6


def close_spacing(line: str) -> str:
    """Remove the spaces a PDF put between letters: '1 .  伴 走 支 援' -> '1. 伴走支援'."""
    s = _SPACED.sub("", line)
    s = _SPACED.sub("", s)  # overlapping pairs
    s = re.sub(r"(\d)\s*\.\s+", r"\1. ", s)
    s = re.sub(r"(\d)\s+-\s+(\d)", r"\1-\2", s)
    return re.sub(r"\s{2,}", " ", s).strip()


def normalize_line(line: str) -> str:
    line = nfkc_safe(line.rstrip())
    stripped = line.strip()
    if is_letter_spaced(stripped) or re.match(r"^\d\s+-\s+\d\s*\.", stripped):
        return close_spacing(stripped)
    return stripped


def join_lines(a: str, b: str) -> str:
    """Join a wrapped line: no space in Japanese, one space between two Latin words."""
    if a and b and re.match(r"[A-Za-z0-9]", a[-1]) and re.match(r"[A-Za-z]", b[0]):
        return a + " " + b
    return a + b


def split_sentences(text: str) -> list[str]:
    """Split on Japanese sentence ends; a closing bracket right after the end stays with it."""
    parts = re.split(r"(?<=[。！？])(?![」』）)])|(?<=[。！？][」』）)])", text)
    return [p.strip() for p in parts if p.strip()]
