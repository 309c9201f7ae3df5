"""python -m assistant ask "質問" [--json | --jsonl] [--history Q ...] [--store DIR]

The command line maps domain errors to one-line messages and exit codes; never a traceback.

Exit status: 0 when every question was answered (an abstention is an answer); 1 when, with
--jsonl, at least one line was reported as an error object (the other lines are still
answered, each on its own output line); 2 for bad input or settings; 3 when the store or a
backend (a Chroma server) is missing or does not answer; 4 for ingest errors.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from assistant.answer_view import data_summary, words
from assistant.errors import AssistantError, InputError
from assistant.records import Answer, clean_text


def render(answer: Answer) -> str:
    """A readable answer with numbered sources, for a terminal."""
    en = answer.language == "en"
    w = words(answer.language)
    lines = [answer.answer, ""]
    if answer.citations:
        lines.append("Sources:" if en else "出典:")
        for c in answer.citations:
            where = f"{c.section} {c.title}"
            extra = "、".join(x for x in (c.base, f"調査期間 {c.period}" if c.period else None) if x)
            lines.append(f"[{c.n}] {where}" + (f"（{extra}）" if extra else ""))
            if c.chart:  # figures this app put together from a chart: data, not a quotation
                lines.append(f"    {w.data}: {data_summary(c)}")
            elif c.quote:  # the report's own sentence
                lines.append(f"    {w.text}: 「{c.quote}」")
    if answer.abstained:
        lines.append("(no answer in the report)" if en else "（報告書に該当する内容がないため回答を控えました）")
    return "\n".join(lines).rstrip() + "\n"


def _history_of(obj: dict[str, Any]) -> list[Any]:
    h = obj.get("history", [])
    if not isinstance(h, list):
        raise InputError("'history' must be a list")
    return h


def run_jsonl(service: Any, stdin: TextIO, stdout: TextIO) -> int:
    """One question per line (plain text or {"question", "history"}); one JSON object per line."""
    failures = 0
    for lineno, raw in enumerate(stdin, start=1):
        line = raw.strip()
        if not line:
            continue
        question: Any = line
        history: list[Any] = []
        try:
            if line.startswith("{"):
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as e:
                    raise InputError(f"line {lineno}: not valid JSON ({e.msg})") from None
                if not isinstance(obj, dict):
                    raise InputError(f"line {lineno}: expected an object")
                question, history = obj.get("question"), _history_of(obj)
            out = service.ask(question, history).to_dict()
        except AssistantError as e:  # one bad line (or one timed-out backend call) is reported, not fatal
            failures += 1
            out = {
                "line": lineno,
                "question": clean_text(question) if isinstance(question, str) else None,
                "error": str(e),
            }
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    return 1 if failures else 0


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    p = argparse.ArgumentParser(
        prog="python -m assistant", description="Cited answers from the 伴走支援 survey report."
    )
    sub = p.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer a question (or questions on stdin with --jsonl)")
    ask.add_argument("question", nargs="?", help="the question, in Japanese or English")
    fmt = ask.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print one JSON object")
    fmt.add_argument("--jsonl", action="store_true", help="read one question per stdin line, print JSON lines")
    ask.add_argument(
        "--history",
        action="append",
        default=[],
        metavar="Q",
        help="an earlier question of the conversation (repeat, oldest first)",
    )
    ask.add_argument("--store", help="store folder (default .data/store or BANSOU_STORE)")
    args = p.parse_args(argv)
    try:
        from assistant.service import build_service
        from assistant.settings import load_settings

        settings = load_settings(store=args.store)
        if args.jsonl:
            service = build_service(settings)
            if hasattr(sys.stdin, "reconfigure"):  # a line of broken UTF-8 is read as U+FFFD, not a crash
                sys.stdin.reconfigure(errors="replace")
            return run_jsonl(service, sys.stdin, sys.stdout)
        if not args.question:
            raise InputError('質問を指定してください / give a question: python -m assistant ask "質問"')
        service = build_service(settings)
        answer = service.ask(args.question, args.history)
    except AssistantError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
    else:
        sys.stdout.write(render(answer))
    return 0
