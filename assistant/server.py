"""Serving the HTTP API and the widget on every core: `python -m assistant.server --workers N`.

One Python process answers on one core (the GIL). Here uvicorn runs N worker processes, each
with its own read-only engine, accepting on one port. Each worker builds its app with `app()`
(a factory, so nothing is built in the supervisor). Each worker's memory is reported by `make bench`.
Most of it is the Sudachi dictionary and the model files, mapped read-only from disk, so the
workers share those pages.

The Gradio UI (`ui.py`, `make run`) stays one process: Gradio keeps its queue and each
session's state in the memory of the process that served the page, so a second worker would
not know a session the first one started. A deployment that needs more than one UI process puts
them behind a proxy with sticky sessions; the API and the widget need no stickiness (every
request carries its whole history) and scale with this command. The feedback log is appended
whole-line with O_APPEND, so any number of processes can write it.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from assistant.errors import AssistantError

# the h11 protocol with JSON errors and a head deadline, by import path (workers import it)
PROTOCOL = "assistant.server:JsonErrorProtocol"


def __getattr__(name: str) -> Any:
    """`JsonErrorProtocol`, made on first access only (it imports uvicorn and h11)."""
    if name == "JsonErrorProtocol":
        from assistant.http_guard import json_error_protocol

        cls = json_error_protocol()
        globals()[name] = cls
        return cls
    raise AttributeError(name)


def app() -> Any:
    """One worker's app: settings from the environment, the store opened and warmed."""
    from assistant.api import create_app
    from assistant.service import build_service
    from assistant.settings import load_settings

    settings = load_settings()
    return create_app(build_service(settings, warm=True), settings)


def uvicorn_options(workers: int) -> dict[str, Any]:
    from assistant.http_guard import server_options

    opts = server_options()
    opts["http"] = PROTOCOL  # a class cannot be handed to worker processes; its import path can
    return {**opts, "workers": workers, "factory": True}


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    p = argparse.ArgumentParser(prog="python -m assistant.server", description=(__doc__ or "").splitlines()[0])
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes (default: cores)")
    p.add_argument("--port", type=int, help="TCP port on 127.0.0.1 (default: BANSOU_PORT or 7860)")
    p.add_argument("--log-level", default="warning")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not 1 <= args.workers <= 64:
        print("error: --workers must be between 1 and 64", file=sys.stderr)
        return 2
    try:
        from assistant.embedders import embedder_id, make_embedder
        from assistant.settings import load_settings
        from assistant.storage import open_build

        settings = load_settings(port=args.port)
        # fail here, once, on a missing store or a bad setting, not in every worker
        open_build(settings.store, embedder_id(make_embedder(settings.embedder)))
    except AssistantError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    if args.port is not None:
        os.environ["BANSOU_PORT"] = str(args.port)  # the workers read their settings from the environment
    import uvicorn

    uvicorn.run(
        "assistant.server:app",
        host="127.0.0.1",
        port=settings.port,
        log_level=args.log_level,
        **uvicorn_options(args.workers),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
