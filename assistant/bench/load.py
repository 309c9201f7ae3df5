"""Load: the assistant and the naive baseline served the same way (`python -m assistant.loadtest
serve`, the real server's uvicorn options), the same questions asked by many clients at once.

Setups: the assistant in one worker process and in one per core (`python -m assistant.server`);
the same build with its vectors in a Chroma server (`chroma run` on loopback, dense fusion on,
so every prose question queries the server); the baseline in one process.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistant.bench.common import BenchError, Measurements, _note, child_env, run_measured
from assistant.loadtest import free_port, run_load

LOAD_CLIENTS = 50
LOAD_QUESTIONS = 40  # per client
WORKERS = max(2, min(4, os.cpu_count() or 1))
HYBRID = {"BANSOU_DENSE_WEIGHT": "0.25", "BANSOU_EN_DENSE_WEIGHT": "0.5"}  # the fusion that queries vectors


@contextmanager
def chroma_server(folder: Path) -> Iterator[str]:
    """A real `chroma run` on 127.0.0.1, stopped on exit; its URL."""
    exe = Path(sys.executable).with_name("chroma")
    if not exe.exists():
        raise BenchError(f"the chroma command is not installed beside {sys.executable}")
    port = free_port()
    cmd = [str(exe), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(folder)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise BenchError("chroma run did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


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
    with chroma_server(work / "chroma") as url:
        server_store = work / "store-chroma-server"
        env = {**ours, "BANSOU_CHROMA": url, "BANSOU_STORE": str(server_store), **HYBRID}
        env.pop("BANSOU_EMBEDDER", None)
        run_measured([sys.executable, "-m", "ingest", str(m.corpus), "-q"], env)
        cmd = [*serve, "--store", str(server_store), "--workers", str(WORKERS)]
        run(f"assistant, {WORKERS} workers, Chroma server", cmd, env)
    run("naive RAG, 1 process", [*serve, "--baseline-dir", str(bdir)], child_env(keep_bansou=False))
