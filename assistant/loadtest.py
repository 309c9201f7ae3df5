"""Load: many clients asking at once over HTTP, against the assistant (or any server started by
the command given to `run_load`, such as the bench's naive baseline).

    python -m assistant.loadtest --store .data/store [--clients 50] [--questions 40]
    python -m assistant.loadtest serve --port P [--store S] [--workers N]   (the server side)

The server runs in its own process on 127.0.0.1 (so the clients' threads do not share its GIL),
with the uvicorn options of the real server; the clients are threads with their own keep-alive
connections. Bounded: `clients x questions` requests, each with a timeout, and the whole run
with a deadline; the server is stopped at the end whatever happens. `make bench` runs it for
both systems and prints errors, answers/s and p50/p95 side by side.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError

REQUEST_TIMEOUT_S = 30.0
START_TIMEOUT_S = 120.0
RUN_DEADLINE_S = 600.0
DEFAULT_QUESTIONS = (
    "伴走支援を受けている企業の割合は？",
    "伴走支援を受けていない理由で一番多いのは？",
    "どこから伴走支援を受けている企業が多い？",
    "Why do firms not use 伴走支援?",
    "45～49歳の経営者で受けている割合は？",
    "伴走支援とは何ですか？",
    "調査期間と回答企業数を教えて",
    "What share of firms have ever used hands-on support?",
)


class LoadError(AssistantError):
    """The server under load could not be started."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str, timeout: float = 2.0) -> int:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        r.read()
        return r.status
    finally:
        c.close()


def wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise LoadError(f"the server under load exited with status {proc.returncode}")
        try:
            if _get(port, "/healthz") == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise LoadError(f"the server under load was not ready within {timeout:.0f}s")


def client(port: int, questions: Sequence[str], n: int, offset: int, out: list[tuple[float, bool]]) -> None:
    """One client: `n` questions over one keep-alive connection (reopened after an error)."""
    conn: http.client.HTTPConnection | None = None
    for i in range(n):
        body = json.dumps({"question": questions[(offset + i) % len(questions)]}).encode()
        started = time.perf_counter()
        ok = False
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
            conn.request("POST", "/api/ask", body=body, headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            ok = r.status == 200 and bool(json.loads(r.read()).get("answer"))
        except (OSError, http.client.HTTPException, ValueError):
            if conn is not None:
                conn.close()
            conn = None
        out.append(((time.perf_counter() - started) * 1000, ok))
    if conn is not None:
        conn.close()


def stop(proc: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """Ask a server process to stop; kill it if it has not within `timeout` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


@contextmanager
def chroma_server(folder: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A real `chroma run` on 127.0.0.1 storing in `folder`, stopped on exit: (its URL, its process)."""
    exe = Path(sys.executable).with_name("chroma")
    if not exe.exists():
        raise LoadError(f"the chroma command is not installed beside {sys.executable}")
    port = free_port()
    cmd = [str(exe), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(folder)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise LoadError("chroma run did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", proc
    finally:
        stop(proc)


def run_load(
    serve_cmd: Sequence[str], env: Mapping[str, str], questions: Sequence[str], clients: int, per_client: int
) -> dict[str, Any]:
    """Start the server, run the clients against it, stop it; errors, answers/s, p50/p95/max (ms)."""
    port = free_port()
    proc = subprocess.Popen([*serve_cmd, "--port", str(port)], env=dict(env), stdout=subprocess.DEVNULL)
    try:
        wait_ready(port, proc)
        results: list[list[tuple[float, bool]]] = [[] for _ in range(clients)]
        threads = [
            threading.Thread(target=client, args=(port, questions, per_client, k, results[k]), daemon=True)
            for k in range(clients)
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        deadline = time.monotonic() + RUN_DEADLINE_S
        for t in threads:
            t.join(timeout=max(0.0, deadline - time.monotonic()))
        wall = time.perf_counter() - started
        memory = server_memory_mb(proc.pid)
    finally:
        stop(proc, 15)
    flat = [x for r in results for x in r]
    lat = sorted(ms for ms, _ok in flat)
    done = len(flat)
    return {
        "clients": clients,
        "requests": clients * per_client,
        "completed": done,
        "errors": sum(1 for _ms, ok in flat if not ok) + (clients * per_client - done),
        "answers_per_s": round(sum(1 for _ms, ok in flat if ok) / wall, 1) if wall else None,
        "p50_ms": round(statistics.median(lat), 1) if lat else None,
        "p95_ms": round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 1) if lat else None,
        "max_ms": round(lat[-1], 1) if lat else None,
        "wall_s": round(wall, 2),
        "memory_mb": memory,  # peak RSS of each server process that answered (the workers)
    }


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            out += [int(x) for x in task.read_text().split()]
        except (OSError, ValueError):
            continue
    return out


def _is_helper(pid: int) -> bool:
    """multiprocessing's resource tracker, which uvicorn's spawned workers bring along."""
    try:
        return b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True


def server_memory_mb(pid: int) -> list[float]:
    """Peak RSS (MB) of the server process, or of each of its workers when it has children
    (uvicorn's supervisor only watches them). Linux /proc; empty where it cannot be read."""
    tree: list[int] = []
    todo = [pid]
    while todo and len(tree) < 64:
        p = todo.pop()
        tree.append(p)
        todo += _children(p)
    workers = [p for p in tree[1:] if not _children(p) and not _is_helper(p)]
    out: list[float] = []
    for p in workers or [pid]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    out.append(round(int(line.split()[1]) / 1024, 1))
        except (OSError, ValueError, IndexError):
            continue
    return out


def format_load(results: Mapping[str, dict[str, Any]]) -> list[str]:
    lines = ["Load: clients asking at once over HTTP on 127.0.0.1 (ms; MB = peak RSS of each server worker)"]
    lines.append(
        f"{'setup':<34}{'clients':>8}{'requests':>10}{'errors':>8}{'answers/s':>11}{'p50':>9}{'p95':>9}{'max':>9}"
        "  MB per worker"
    )
    for name, r in results.items():
        mem = " ".join(str(x) for x in r.get("memory_mb") or []) or "-"
        lines.append(
            f"{name:<34}{r['clients']:>8}{r['requests']:>10}{r['errors']:>8}{r['answers_per_s']!s:>11}"
            f"{r['p50_ms']!s:>9}{r['p95_ms']!s:>9}{r['max_ms']!s:>9}  {mem}"
        )
    return lines + [""]


# --- the server side --------------------------------------------------------------------------


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from assistant.http_guard import server_options

    if args.workers > 1:
        from assistant.server import main as serve_workers

        if args.store:
            os.environ["BANSOU_STORE"] = str(args.store)
        return serve_workers(["--workers", str(args.workers), "--port", str(args.port)])
    from assistant.api import create_app
    from assistant.service import build_service
    from assistant.settings import load_settings

    settings = load_settings(store=args.store)
    app = create_app(build_service(settings, warm=True), settings)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", **server_options())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    p = argparse.ArgumentParser(prog="python -m assistant.loadtest", description=(__doc__ or "").splitlines()[0])
    p.add_argument("mode", nargs="?", choices=["run", "serve"], default="run")
    p.add_argument("--store", type=Path, help="store folder (default: settings)")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--workers", type=int, default=1, help="server worker processes (the assistant only)")
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--questions", type=int, default=40, help="questions per client")
    args = p.parse_args(argv)
    try:
        if args.mode == "serve":
            return serve(args)
        cmd = [sys.executable, "-m", "assistant.loadtest", "serve", "--workers", str(args.workers)] + (
            ["--store", str(args.store)] if args.store else []
        )
        result = run_load(cmd, os.environ, DEFAULT_QUESTIONS, max(1, args.clients), max(1, args.questions))
    except AssistantError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    print("\n".join(format_load({"assistant": result})))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
