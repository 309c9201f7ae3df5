"""Load: the assistant and the naive baseline served the same way (`python -m assistant.loadtest
serve`, the real server's uvicorn options), the same questions asked by many clients at once.

Setups: the assistant in one worker process and in one per core (`python -m assistant.server`);
the same build with its vectors in a Chroma server (`chroma run` on loopback, dense fusion on,
so every prose question queries the server); the baseline in one process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.bench.common import Measurements, _note, child_env, run_measured
from assistant.loadtest import chroma_server, run_load

LOAD_CLIENTS = 50
LOAD_QUESTIONS = 40  # per client
WORKERS = max(2, min(4, os.cpu_count() or 1))
HYBRID = {"BANSOU_DENSE_WEIGHT": "0.25", "BANSOU_EN_DENSE_WEIGHT": "0.5"}  # the fusion that queries vectors


def measure_load(m: Measurements, store: Path, bdir: Path, items: Sequence[dict[str, Any]], work: Path) -> None:
    _note(f"load: {LOAD_CLIENTS} clients x {LOAD_QUESTIONS} questions")
    questions = [it["question"] for it in items if not it.get("history")]
    serve = [sys.executable, "-m", "assistant.loadtest", "serve"]
    ours = child_env(keep_bansou=True)

    def run(name: str, cmd: list[str], env: dict[str, str]) -> None:
        m.load[name] = run_load(cmd, env, questions, LOAD_CLIENTS, LOAD_QUESTIONS)

    run("assistant, 1 worker", [*serve, "--store", str(store)], ours)
    run(f"assistant, {WORKERS} workers", [*serve, "--store", str(store), "--workers", str(WORKERS)], ours)
    _note("load against a Chroma server")
    with chroma_server(work / "chroma") as (url, _proc):
        server_store = work / "store-chroma-server"
        env = {**ours, "BANSOU_CHROMA": url, "BANSOU_STORE": str(server_store), **HYBRID}
        env.pop("BANSOU_EMBEDDER", None)
        run_measured([sys.executable, "-m", "ingest", str(m.corpus), "-q"], env)
        cmd = [*serve, "--store", str(server_store), "--workers", str(WORKERS)]
        run(f"assistant, {WORKERS} workers, Chroma server", cmd, env)
    baseline = [sys.executable, "-m", "assistant.bench", "--baseline-serve", str(bdir)]
    run("naive RAG, 1 process", baseline, child_env(keep_bansou=False))
