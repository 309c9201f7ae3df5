"""`python -m assistant ask`: readable text, --json (the fixed contract) and --jsonl."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CONTRACT = {"question", "answer", "abstained", "citations", "figures", "language", "elapsed_ms"}
CITATION = {"n", "doc", "section", "title", "quote", "page"}


def run(args: list[str], store: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", "ask", *args, "--store", str(store)],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=180,
    )


def test_json_answer_cites_section_1_1(real_store: Path) -> None:
    r = run(["--json", "伴走支援を受けている企業の割合は？"], real_store)
    assert r.returncode == 0, r.stderr
    obj = json.loads(r.stdout)
    assert CONTRACT <= set(obj)
    assert all(CITATION <= set(c) for c in obj["citations"])
    assert "1-1" in {c["section"] for c in obj["citations"]}
    assert "37.1" in obj["answer"] and obj["language"] == "ja" and obj["abstained"] is False


def test_readable_answer_lists_numbered_sources(real_store: Path) -> None:
    r = run(["なぜ企業は伴走支援を使わないのか？"], real_store)
    assert r.returncode == 0, r.stderr
    assert "出典:" in r.stdout and "[1] 2-3 伴走支援を受けていない理由" in r.stdout
    assert "162" in r.stdout


def test_history_option_resolves_follow_up(real_store: Path) -> None:
    r = run(
        ["--json", "--history", "コンサルティング会社から伴走支援を受けている企業は何社？", "税理士は？"], real_store
    )
    obj = json.loads(r.stdout)
    assert "40" in obj["answer"] and obj["citations"][0]["section"] == "1-3"


def test_jsonl_one_object_per_line_and_errors_per_line(real_store: Path) -> None:
    lines = "\n".join(
        [
            "調査期間はいつですか？",
            json.dumps(
                {"question": "それはなぜ？", "history": ["伴走支援を受けていない企業の割合は？"]}, ensure_ascii=False
            ),
            "{broken",
            "   ",
        ]
    )
    r = run(["--jsonl"], real_store, stdin=lines + "\n")
    out = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(out) == 3
    assert "2023年8月21日" in out[0]["answer"]
    assert "162" in out[1]["answer"]
    assert "not valid JSON" in out[2]["error"]
    assert r.returncode == 1  # one line failed; the others were answered
