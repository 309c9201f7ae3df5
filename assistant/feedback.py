"""Chat feedback: 👍/👎 with an optional reason, kept as an append-only JSON-lines log.

Every record names its conversation and turn, so a later record about the same answer
supersedes the earlier one: un-liking writes a `withdrawn` record (never an empty vote), and
a reason given after 👎 corrects that 👎. `current_votes` reads the log back as the votes
that stand. Lines are appended whole under a lock with O_APPEND, so several threads (or
processes on one file) never interleave inside a line.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

VOTES = ("like", "dislike", "withdrawn")
# the reasons offered after 👎: key -> what the user reads
REASONS = {
    "wrong_number": "数値が違う",
    "wrong_chart": "図表が違う",
    "not_answered": "質問に答えていない",
    "other": "その他",
}
_SESSION_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def like_vote(liked: Any) -> str | None:
    """The vote Gradio sent: True/False (or "Like"/"Dislike"), "" when a thumb is clicked again
    (withdrawn); anything else is not a vote."""
    if liked is True or liked in ("like", "Like"):
        return "like"
    if liked is False or liked in ("dislike", "Dislike"):
        return "dislike"
    if liked == "":
        return "withdrawn"
    return None


def reason_key(choice: Any) -> str | None:
    """A reason the user picked, as its key; None for anything not offered."""
    if not isinstance(choice, str):
        return None
    if choice in REASONS:
        return choice
    return next((k for k, v in REASONS.items() if v == choice), None)


def session_key(value: Any) -> str:
    """The client's session id, kept only if it looks like one (it is the client's to send)."""
    if isinstance(value, str) and 0 < len(value) <= 64 and set(value) <= _SESSION_CHARS:
        return value
    return ""


def feedback_record(
    answer: Mapping[str, Any], vote: str, now: datetime, *, session: str = "", turn: int = 0, reason: str | None = None
) -> dict[str, Any]:
    """One JSONL line: which answer (conversation and turn), the vote and the optional reason."""
    return {
        "time": now.isoformat(timespec="seconds"),
        "session": session,
        "turn": turn,
        "vote": vote,
        "reason": reason,
        "question": answer.get("question", ""),
        "answer": answer.get("answer", ""),
        "citations": list(answer.get("citations", [])),
    }


def current_votes(records: Iterable[Mapping[str, Any]]) -> dict[tuple[str, int], Mapping[str, Any]]:
    """The votes that stand: the latest record per (conversation, turn), withdrawn ones dropped."""
    latest: dict[tuple[str, int], Mapping[str, Any]] = {}
    for r in records:
        if r.get("vote") in VOTES:
            latest[(str(r.get("session", "")), int(r.get("turn", 0)))] = r
    return {k: r for k, r in latest.items() if r.get("vote") != "withdrawn"}


class FeedbackLog:
    """Appends feedback records as JSON lines; creates the parent folder on first write."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def append(self, record: Mapping[str, Any]) -> None:
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)

    def records(self) -> list[dict[str, Any]]:
        """Every readable record (a damaged line is skipped, not fatal)."""
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(rec, dict):
                out.append(rec)
        return out
