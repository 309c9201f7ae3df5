"""Load: both systems served the same way (`python -m assistant.loadtest serve`), the same
questions asked by many clients at once."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.bench.common import Measurements, _note, child_env
from assistant.loadtest import run_load

LOAD_CLIENTS = 50
LOAD_QUESTIONS = 40  # per client


def measure_load(m: Measurements, store: Path, bdir: Path, items: Sequence[dict[str, Any]]) -> None:
    _note(f"load: {LOAD_CLIENTS} clients x {LOAD_QUESTIONS} questions")
    questions = [it["question"] for it in items if not it.get("history")]
    serve = [sys.executable, "-m", "assistant.loadtest", "serve"]
    for name, cmd in (
        ("ours", [*serve, "--store", str(store)]),
        ("baseline", [*serve, "--baseline-dir", str(bdir)]),
    ):
        m.load[name] = run_load(cmd, child_env(keep_bansou=name == "ours"), questions, LOAD_CLIENTS, LOAD_QUESTIONS)
