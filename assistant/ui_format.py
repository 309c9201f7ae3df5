"""Pure formatting for the surfaces: chat markdown, source blocks, chart frames, about text.

No Gradio here, so every helper is testable on its own. Anything that came from a user or
from an answer is escaped before it reaches markdown: HTML-escaped (so no tag survives) and
markdown-escaped (so no link, image, emphasis or LaTeX is made from it).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from assistant.records import Answer, Chart, DocumentInfo, fmt_value

if TYPE_CHECKING:
    import pandas as pd

# CommonMark backslash-escapable punctuation, minus & < > which html.escape handles.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$=:])")


def escape_md(text: str) -> str:
    """Text that renders literally in markdown and can never become HTML."""
    return html.escape(_MD_SPECIAL.sub(r"\\\1", text), quote=False)


def escape_html(text: str) -> str:
    """Text for inside an HTML block (markdown is not parsed there); whitespace collapsed
    so a blank line cannot end the block."""
    return html.escape(" ".join(str(text).split()), quote=True)


def user_markdown(question: str) -> str:
    return escape_md(question)


def error_markdown(message: str) -> str:
    return f"⚠️ {escape_md(message)}"


# --- charts -----------------------------------------------------------------------------------


def chart_choices(charts: Iterable[Chart]) -> list[tuple[str, str]]:
    """Dropdown choices: (label shown, chart id)."""
    return [(f"{c.section}　{c.title}", c.id) for c in charts]  # the value is internal; the label is printed


def citation_line(doc: DocumentInfo, chart: Chart | None = None) -> str:
    return doc.citation_line(chart)


def chart_caption(chart: Chart) -> str:
    """Markdown under the statistics title: question, base, period, answer type, notes."""
    lines = [
        f"**{escape_md(chart.section)}　{escape_md(chart.title)}**（{escape_md(chart.title_en)}）",
        "",
        f"- 設問: {escape_md(chart.question)}",
        f"- ベース: {escape_md(chart.base.label('ja'))}",
        f"- 調査期間: {escape_md(chart.period)}",
        f"- 単位: {escape_md(chart.unit)}" + ("（複数回答）" if chart.multiple else ""),
    ]
    note = share_note(chart)
    if note:
        lines.append(f"- {escape_md(note)}")
    for d in chart.derived:
        lines.append(f"- 算出値: {escape_md(d.label)} = {escape_md(d.formula)}")
    for note in chart.notes:
        lines.append(f"- 注: {escape_md(note)}")
    return "\n".join(lines)


SHARE_COLUMN = "回答企業数に対する割合（計算値）"


def company_share(chart: Chart, value: float | None) -> str | None:
    """For a multiple-answer chart, a count as a share of the responding companies (件数 ÷ 回答企業数),
    computed here, never printed in the report; None where it does not apply."""
    share = chart.company_share(value)
    return None if share is None else f"{share:.1f}%"


def share_note(chart: Chart) -> str | None:
    """The formula under a table that has the computed share column."""
    if company_share(chart, 0.0) is None:
        return None
    return f"※「{SHARE_COLUMN}」は報告書の数値から計算：件数 ÷ 回答企業数（{chart.base.companies}）× 100。報告書に印刷された値ではありません。"


def chart_table(chart: Chart) -> pd.DataFrame:
    """The chart as a table: one row per bar, one column per series, values as printed."""
    import pandas as pd

    has_n = any(r.n is not None for r in chart.rows)
    label_col = chart.row_axis or "項目"
    records = []
    for r in chart.rows:
        rec: dict[str, Any] = {label_col: r.label}
        if has_n:
            rec["n"] = r.n if r.n is not None else ""
        for c in chart.columns:
            name = c.label if chart.is_crosstab else f"{c.label}（{chart.unit}）"
            rec[name] = fmt_value(r.values.get(c.key), chart.unit)
        share = company_share(chart, r.values.get("value"))
        if share is not None:
            rec[SHARE_COLUMN] = share
        if r.missing:
            rec["注"] = r.missing.reason
        records.append(rec)
    frame = pd.DataFrame.from_records(records)
    if "注" in frame.columns:
        frame["注"] = frame["注"].fillna("")
    return frame


def answered_chart(answer: Answer) -> tuple[str, str | None, list[str]] | None:
    """(chart id, column key, highlighted row labels) for the first chart an answer's figures cite."""
    figures = [f for f in answer.figures if f.table]
    if not figures:
        return None
    table = figures[0].table
    same = [f for f in figures if f.table == table]
    column = next((f.column for f in same if f.column), None)
    return table, column, [f.label for f in same]


# --- about, feedback, docs ----------------------------------------------------------------------


def about_markdown(doc: DocumentInfo) -> str:
    return "\n".join(
        [
            "### このアシスタントについて",
            "",
            f"- レポート: {escape_md(doc.publisher)}『{escape_md(doc.title)}』",
            f"- 著者: {escape_md(doc.author)}",
            f"- 調査期間: {escape_md(doc.period_label)}",
            f"- 回答数: n={doc.respondents}",
            f"- 出典表記: {escape_md(doc.citation_line())}",
            "",
            "### 回答の読み方",
            "",
            "- 回答中の **\\[1\\]** などの番号は、回答の下の「出典」に並ぶ引用箇所を指します。"
            "出典には章・節、図表のタイトル、ベース（n）、調査期間と引用文が示されます。",
            "- **ベース**: 割合の分母です。単一回答の図表は n（回答者数）、複数回答の図表は"
            "「回答企業数」と「回答総数」で示します。複数回答の件数を足し合わせても回答企業数にはなりません。",
            "- **算出値**: レポートに印字された値から計算した数値には、計算式（例: 37.1% + 9.8% = 46.9%）を添えます。",
            "- **回答を控える場合**: レポートに根拠が見つからない質問には、推測で答えずにその旨をお伝えします。",
            "- 英語で質問すると英語で回答します（出典はレポートの日本語のままです）。",
            "",
            "### 担当者向け",
            "",
            "「統計」タブで図表ごとの数値・ベース・調査期間を確認し、CSVのダウンロードと出典表記のコピーができます。",
        ]
    )


def openapi_html(spec: Mapping[str, Any]) -> str:
    """A self-contained, script-free page describing an OpenAPI document (offline /docs fallback)."""
    e = escape_html
    info = spec.get("info", {})
    out = [
        '<!doctype html><html lang="ja"><head><meta charset="utf-8">',
        f"<title>{e(info.get('title', 'API'))} - API</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;"
        "line-height:1.5}code,pre{background:#f4f5f7;padding:.1em .3em;border-radius:4px}"
        "pre{padding:.6em;overflow:auto}.m{font-weight:700;text-transform:uppercase;margin-right:.5em}"
        "section{border-top:1px solid #ddd;padding:.5em 0}</style></head><body>",
        f"<h1>{e(info.get('title', 'API'))} <small>{e(info.get('version', ''))}</small></h1>",
        f"<p>{e(info.get('summary', '') or info.get('description', ''))}</p>",
        '<p>Machine-readable spec: <a href="openapi.json">openapi.json</a></p>',
    ]
    for path, ops in spec.get("paths", {}).items():
        for method, op in ops.items():
            out.append("<section>")
            out.append(f'<h2><span class="m">{e(method)}</span><code>{e(path)}</code></h2>')
            desc = op.get("description") or op.get("summary") or ""
            if desc:
                out.append(f"<p>{e(desc)}</p>")
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body:
                out.append(f"<p>Request body: <code>{e(_ref_name(body))}</code></p>")
            codes = ", ".join(f"{e(code)} {e(r.get('description', ''))}" for code, r in op.get("responses", {}).items())
            out.append(f"<p>Responses: {codes}</p>")
            out.append("</section>")
    schemas = spec.get("components", {}).get("schemas", {})
    if schemas:
        out.append("<h2>Schemas</h2>")
        for name, schema in schemas.items():
            out.append(f"<h3>{e(name)}</h3><pre>{html.escape(json.dumps(schema, ensure_ascii=False, indent=2))}</pre>")
    out.append("</body></html>")
    return "\n".join(out)


def _ref_name(schema: Mapping[str, Any]) -> str:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else json.dumps(schema, ensure_ascii=False)
