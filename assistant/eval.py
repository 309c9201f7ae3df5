"""Score the assistant on a QA set: expected figures, cited sections, abstention, invented numbers, latency.

    python -m assistant.eval tests/qa.jsonl [more.jsonl ...] [--json] [--store DIR] [--min-pass 0.95]

Every function below works without a store; `run(items, service, report_numbers)` takes any object
with the service's `ask`, so tests pass a fake.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant import yamlio
from assistant.errors import AssistantError, ConfigError, InputError
from assistant.records import SECTION_IDS
from assistant.service import build_service
from assistant.settings import Settings, load_settings

KINDS = (
    "figure",
    "ranking",
    "crosstab",
    "comparison",
    "concept",
    "meta",
    "followup",
    "out_of_scope",
    "adversarial",
    "why",
    "support_citation",
    "derived",
    "advice",
    "partial",
    "injection",
)
LANGS = ("ja", "en")
WARMUP_QUESTION = "伴走支援とは何ですか？"
FIELDS: dict[str, Any] = {
    "id": str,
    "question": str,
    "lang": str,
    "kind": str,
    "section": (str, type(None)),
    "expect_all": list,
    "expect_any": list,
    "forbid": list,
    "answerable": bool,
}
_FOLD = str.maketrans({"〜": "~", "−": "-", "–": "-", "—": "-", "‐": "-", "‑": "-"})
_NUM = re.compile(r"\d+(?:\.\d+)?")
_MARKER = re.compile(r"\[(\d+(?:\s*[,、]\s*\d+)*)\]")
_FORMULA = re.compile(r"([\d.%()\s+\-×÷*/]+)=\s*(\d+(?:\.\d+)?)\s*(%?)")


class QAFileError(InputError):
    """A QA file that cannot be read or holds a malformed item; the message names file:line."""


def read_items(paths: Iterable[Path | str]) -> list[dict[str, Any]]:
    files = [Path(p) for p in paths]
    items: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for path in files:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as e:
            raise QAFileError(f"{path}: cannot read QA file ({e.strerror or e})") from None
        for lineno, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                item = json.loads(line)
            except json.JSONDecodeError as e:
                raise QAFileError(f"{where}: not valid JSON ({e.msg}, column {e.colno})") from None
            items.append(_check_item(item, where))
            if item["id"] in seen:
                raise QAFileError(f"{where}: duplicate id {item['id']!r} (first at {seen[item['id']]})")
            seen[item["id"]] = where
    if not items:
        raise QAFileError("no QA items in " + ", ".join(map(str, files)))
    return items


def _check_item(item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise QAFileError(f"{where}: an item must be a JSON object")
    missing = [k for k in FIELDS if k not in item]
    unknown = [k for k in item if k not in FIELDS and k != "history"]
    if missing:
        raise QAFileError(f"{where}: missing field(s) {', '.join(missing)}")
    if unknown:
        raise QAFileError(f"{where}: unknown field(s) {', '.join(unknown)}")
    for key, typ in FIELDS.items():
        if not isinstance(item[key], typ):
            raise QAFileError(f"{where}: field {key!r} has the wrong type ({type(item[key]).__name__})")
    for key in ("expect_all", "expect_any", "forbid", "history"):
        if not all(isinstance(s, str) and s.strip() for s in item.get(key, [])):
            raise QAFileError(f"{where}: field {key!r} must be a list of non-empty strings")
    checks = [
        (item["question"].strip(), "the question is empty"),
        (item["lang"] in LANGS, f"lang must be one of {', '.join(LANGS)}"),
        (item["kind"] in KINDS, f"kind must be one of {', '.join(KINDS)}"),
        (
            item["section"] is None or item["section"] in SECTION_IDS,
            f"section must be null or one of {', '.join(SECTION_IDS)}",
        ),
    ]
    for ok, message in checks:
        if not ok:
            raise QAFileError(f"{where} ({item['id']}): {message}")
    return item


def norm(text: str) -> str:
    """NFKC, wave dashes and minus signs folded, whitespace removed, case folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(_FOLD)).casefold()


def strip_markers(text: str) -> str:
    return _MARKER.sub(" ", unicodedata.normalize("NFKC", text).translate(_FOLD))


def number_tokens(text: str) -> list[str]:
    """The numbers written in a text (NFKC, citation markers dropped): 2023年8月21日 -> 2023, 8, 21."""
    return _NUM.findall(strip_markers(text))


def contains(answer: str, expected: str) -> bool:
    """Normalized substring match; a bare number must be a whole number token (40 is not in 140)."""
    e = norm(expected)
    if _NUM.fullmatch(e):
        return float(e) in {float(t) for t in number_tokens(answer)}
    a = norm(strip_markers(answer))
    for m in re.finditer(re.escape(e), a):
        if e[0].isdigit() and re.search(r"\d\.?$", a[: m.start()]):
            continue
        if e[-1].isdigit() and re.match(r"\.?\d", a[m.end() :]):
            continue
        return True
    return False


def markers(text: str) -> list[int]:
    found = _MARKER.findall(unicodedata.normalize("NFKC", text))
    return [int(n) for group in found for n in re.findall(r"\d+", group)]


def _evaluate(expr: str) -> tuple[float, list[float]] | None:
    """Value and operands of an arithmetic expression over numbers (+ − × ÷, parentheses), else None.
    In a product or quotient a percentage is a fraction (552 × 53.1% = 293.1)."""
    expr = expr.replace("×", "*").replace("÷", "/")
    scaled = "*" in expr or "/" in expr
    expr = re.sub(r"(\d+(?:\.\d+)?)\s*%", r"(\1/100)" if scaled else r"\1", expr)
    try:
        body = ast.parse(" ".join(expr.split()), mode="eval").body
    except SyntaxError:
        return None
    operands: list[float] = []
    ops = {ast.Add: float.__add__, ast.Sub: float.__sub__, ast.Mult: float.__mul__, ast.Div: float.__truediv__}

    def ev(node: ast.AST, scale: bool = False) -> float:
        if isinstance(node, ast.BinOp) and type(node.op) in ops:
            if (
                scaled
                and isinstance(node.op, ast.Div)
                and isinstance(node.right, ast.Constant)
                and node.right.value == 100
            ):
                return ev(node.left) / 100.0  # the fraction a percentage stands for
            left, right = ev(node.left), ev(node.right)
            if isinstance(node.op, ast.Div) and right == 0:
                raise ValueError
            return ops[type(node.op)](left, right)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            operands.append(float(node.value))
            return float(node.value)
        raise ValueError

    try:
        return (ev(body), operands) if isinstance(body, ast.BinOp) else None
    except ValueError:
        return None


ORDINAL = re.compile(
    r"(?<![\d.])\d{1,2}(?=\s*(?:番目|位\b|位[^置]|st\b|nd\b|rd\b|th\b))|(?<=\bnumber )\d{1,2}\b|(?<=\brank )\d{1,2}\b"
)


TENTHS = re.compile(r"(\d+(?:\.\d+)?)%、約(\d{1,2})割")


def unsupported_numbers(answer: str, report_numbers: frozenset[float] | set[float]) -> list[str]:
    """Numbers in the answer that the report does not print and no correct formula in the answer derives.
    A position in a chart's order (「7番目」, "number 7", "2nd") is a place, not a figure: it is not checked."""
    text = ORDINAL.sub(" ", strip_markers(answer))
    supported = set(report_numbers)
    for m in _FORMULA.finditer(text):
        lhs = m.group(1)
        starts = [
            i for i, ch in enumerate(lhs) if ch == "(" or ch.isdigit() and (i == 0 or lhs[i - 1] not in "0123456789.")
        ]
        for start in starts:  # the longest expression that parses, so "1-3 148 + 40 = 188" reads 148 + 40
            result = _evaluate(lhs[start:])
            if result is not None:
                value, operands = result
                if m.group(3) and ("÷" in lhs or "/" in lhs):
                    value *= 100  # 162 ÷ 347 = 46.7%
                if all(o in supported for o in operands) and abs(value - float(m.group(2))) <= 0.05:
                    supported.add(float(m.group(2)))
                    supported.add(float(round(value)))  # 約293社 beside 552 × 53.1% = 293.1
                break
    for m in TENTHS.finditer(text):  # 「148 ÷ 205 = 72.2%、約7割」: the same share in the unit 何割 asks in
        if float(m.group(1)) in supported and int(m.group(2)) == int(float(m.group(1)) / 10 + 0.5):
            supported.add(float(m.group(2)))
    return list(dict.fromkeys(t for t in _NUM.findall(text) if float(t) not in supported))


def load_report_numbers(corpus: Path) -> frozenset[float]:
    """Every number token of the NFKC'd text of the documents listed in corpus/manifest.yaml."""
    manifest = corpus / "manifest.yaml"
    try:
        docs = yamlio.safe_load(manifest.read_text(encoding="utf-8"))["documents"]
        texts = [_read_document(corpus / d["file"]) for d in docs]
    except (OSError, KeyError, TypeError, yaml.YAMLError) as e:
        raise ConfigError(f"cannot read the report text via {manifest}: {e}; pass --corpus DIR") from None
    return frozenset(float(t) for text in texts for t in number_tokens(text))


def _read_document(path: Path) -> str:
    if path.suffix.lower() == ".pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return path.read_text(encoding="utf-8")


@dataclass
class ItemResult:
    item: dict[str, Any]
    answer: dict[str, Any]
    passed: bool
    why: list[str]
    cited_ok: bool | None  # None when the item names no section or is unanswerable
    unsupported: list[str]
    wall_ms: float = 0.0


def score_item(
    item: dict[str, Any], answer: dict[str, Any], report_numbers: frozenset[float] | set[float]
) -> ItemResult:
    text, abstained = answer.get("answer", ""), bool(answer.get("abstained"))
    cites = answer.get("citations", [])
    why: list[str] = []
    if item["answerable"] and abstained:
        why.append("abstained, but the report answers this")
    if not item["answerable"] and not abstained:
        why.append("answered, but should have abstained")
    if miss := [e for e in item["expect_all"] if not contains(text, e)]:
        why.append("missing " + " | ".join(miss))
    if item["expect_any"] and not any(contains(text, e) for e in item["expect_any"]):
        why.append("none of " + " | ".join(item["expect_any"]))
    if bad := [f for f in item["forbid"] if contains(text, f)]:
        why.append("forbidden " + " | ".join(bad))
    numbers = {c.get("n") for c in cites}
    if dangling := sorted({n for n in markers(text) if n not in numbers}):
        why.append(f"marker(s) {dangling} point to no citation (have {sorted(n for n in numbers if n is not None)})")
    cited_ok = None
    if item["answerable"] and item["section"] is not None:
        sections = [c.get("section") for c in cites]
        if item["section"] not in sections:
            why.append(f"no citation in section {item['section']} (cited {sections})")
        cited_ok = item["section"] in sections and not dangling
    return ItemResult(item, answer, not why, why, cited_ok, unsupported_numbers(text, report_numbers))


def run(
    items: Sequence[dict[str, Any]], service: Any, report_numbers: frozenset[float] | set[float], warmup: bool = True
) -> list[ItemResult]:
    """Ask every item (after one untimed warm-up question) and score it."""
    if warmup:
        service.ask(WARMUP_QUESTION)
    results = []
    for item in items:
        t0 = time.perf_counter()
        try:
            got = service.ask(item["question"], history=list(item.get("history", [])))
            answer = got.to_dict() if hasattr(got, "to_dict") else dict(got)
        except InputError as e:
            answer = {"answer": f"{type(e).__name__}: {e}", "abstained": False, "citations": [], "elapsed_ms": 0.0}
        wall = (time.perf_counter() - t0) * 1000
        result = score_item(item, answer, report_numbers)
        result.wall_ms = wall
        results.append(result)
    return results


def percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return round(s[lo] + (s[hi] - s[lo]) * (k - lo), 2)


def _share(flags: list[bool]) -> dict[str, Any]:
    return {"items": len(flags), "ok": sum(flags), "rate": round(sum(flags) / len(flags), 4) if flags else None}


def summarize(results: Sequence[ItemResult]) -> dict[str, Any]:
    def group(key: str) -> dict[str, Any]:
        return {
            v: _share([r.passed for r in results if r.item[key] == v])
            for v in dict.fromkeys(r.item[key] for r in results)
        }

    elapsed = [float(r.answer.get("elapsed_ms", 0.0)) for r in results]
    wall = [r.wall_ms for r in results]
    overall = _share([r.passed for r in results])
    return {
        "items": overall["items"],
        "passed": overall["ok"],
        "pass_rate": overall["rate"],
        "by_kind": group("kind"),
        "by_lang": group("lang"),
        "citation_accuracy": _share([r.cited_ok for r in results if r.cited_ok is not None]),
        "abstention_accuracy": _share([bool(r.answer.get("abstained")) for r in results if not r.item["answerable"]]),
        "false_abstentions": [r.item["id"] for r in results if r.item["answerable"] and r.answer.get("abstained")],
        "unsupported_numbers": [{"id": r.item["id"], "numbers": r.unsupported} for r in results if r.unsupported],
        "language_match": _share([r.answer.get("language") == r.item["lang"] for r in results]),
        "latency_ms": {
            name: {"p50": percentile(v, 0.5), "p95": percentile(v, 0.95), "max": round(max(v), 2) if v else None}
            for name, v in (("elapsed", elapsed), ("wall", wall))
        },
        "failures": [
            {
                "id": r.item["id"],
                "question": r.item["question"],
                "answer": r.answer.get("answer", ""),
                "why": "; ".join(r.why),
            }
            for r in results
            if not r.passed
        ],
    }


def format_report(s: dict[str, Any], show_failures: bool = False) -> str:
    def pct(d: dict[str, Any]) -> str:
        return f"{d['ok']}/{d['items']}" + (f" ({d['rate']:.1%})" if d["rate"] is not None else "")

    lat = s["latency_ms"]
    lines = [f"pass rate            {pct({'ok': s['passed'], 'items': s['items'], 'rate': s['pass_rate']})}"]
    lines += [f"  {k:<18} {pct(v)}" for k, v in {**s["by_kind"], **s["by_lang"]}.items()]
    lines += [
        f"citation accuracy    {pct(s['citation_accuracy'])}",
        f"abstention accuracy  {pct(s['abstention_accuracy'])}",
        f"false abstentions    {len(s['false_abstentions'])} {' '.join(s['false_abstentions'])}".rstrip(),
        f"unsupported numbers  {len(s['unsupported_numbers'])} "
        + " ".join(f"{u['id']}:{','.join(u['numbers'])}" for u in s["unsupported_numbers"]),
        f"language match       {pct(s['language_match'])}",
        *(f"latency {k:<8} ms  p50 {v['p50']}  p95 {v['p95']}  max {v['max']}" for k, v in lat.items()),
    ]
    if show_failures:
        for f in s["failures"]:
            lines += [f"\n✗ {f['id']}  {f['question']}", f"  why:    {f['why']}", f"  answer: {f['answer'][:300]}"]
    return "\n".join(line.rstrip() for line in lines)


def main(argv: Sequence[str] | None = None, factory: Callable[[Settings], Any] = build_service) -> int:
    """The CLI; `factory` turns settings into a service (tests pass one that returns a fake)."""
    p = argparse.ArgumentParser(prog="python -m assistant.eval", description=(__doc__ or "").splitlines()[0])
    p.add_argument("qa", nargs="+", type=Path, help="QA files (JSONL)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--store", type=Path, help="the store directory (default: settings)")
    p.add_argument("--corpus", type=Path, help="the corpus directory holding manifest.yaml (default: settings)")
    p.add_argument("--min-pass", type=float, default=0.0, help="exit 1 below this pass rate")
    p.add_argument("--show-failures", action="store_true", help="list failing items in the table")
    args = p.parse_args(argv)
    try:
        items = read_items(args.qa)
        settings = load_settings(store=args.store, corpus=args.corpus)
        numbers = load_report_numbers(settings.corpus)
        results = run(items, factory(settings), numbers)
    except AssistantError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    summary = summarize(results)
    print(
        json.dumps(summary, ensure_ascii=False, indent=2) if args.json else format_report(summary, args.show_failures)
    )
    return 0 if (summary["pass_rate"] or 0.0) >= args.min_pass else 1


if __name__ == "__main__":
    sys.exit(main())
