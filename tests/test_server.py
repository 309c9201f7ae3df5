"""Serving on every core: `python -m assistant.server --workers N` answers from N processes on one
port and stops cleanly; the feedback log stays whole lines when several processes append."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from assistant.feedback import FeedbackLog
from assistant.loadtest import free_port, wait_ready

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def hash_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from assistant.settings import load_settings
    from ingest.pipeline import ingest

    store = tmp_path_factory.mktemp("server") / "store"
    ingest([ROOT / "corpus"], load_settings(env={}, store=store, embedder="hash"), force=True)
    return store


def test_two_workers_answer_on_one_port_and_stop(hash_store: Path) -> None:
    port = free_port()
    env = {**os.environ, "BANSOU_STORE": str(hash_store), "BANSOU_EMBEDDER": "hash"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant.server", "--workers", "2", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_ready(port, proc, timeout=90)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=20) as http:
            for _ in range(20):  # new connections each time: the kernel spreads them over the workers
                r = http.post(
                    "/api/ask", json={"question": "伴走支援を受けている企業の割合は？"}, headers={"Connection": "close"}
                )
                assert r.status_code == 200 and "37.1" in r.json()["answer"]
            assert http.get("/healthz").json()["status"] == "ok"
            assert http.post("/api/ask", json={"question": ""}).status_code == 400  # the same guards in every worker
        workers = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        assert len([w for w in workers if b"resource_tracker" not in Path(f"/proc/{w}/cmdline").read_bytes()]) == 2
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert proc.returncode == 0


def test_a_missing_store_is_one_line_before_any_worker_starts(tmp_path: Path) -> None:
    env = {**os.environ, "BANSOU_STORE": str(tmp_path / "none")}
    r = subprocess.run(
        [sys.executable, "-m", "assistant.server", "--workers", "2", "--port", str(free_port())],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 3 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_feedback_lines_stay_whole_when_processes_append_at_once(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from assistant.feedback import FeedbackLog\n"
        "log = FeedbackLog(Path(sys.argv[1]))\n"
        "for i in range(200):\n"
        "    log.append({'vote': 'like', 'who': sys.argv[2], 'i': i, 'answer': 'あ' * 3000})\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path), str(k)], cwd=ROOT) for k in range(4)]
    for p in procs:
        assert p.wait(timeout=60) == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 800
    records = [json.loads(line) for line in lines]  # every line whole
    assert {(r["who"], r["i"]) for r in records} == {(str(k), i) for k in range(4) for i in range(200)}
    assert len(FeedbackLog(path).records()) == 800
