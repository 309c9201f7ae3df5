"""The statistics tab's table as HTML: a real <table> that wraps on a phone, and a copy button
that gives the table with its header row as tab-separated text (pastes into a spreadsheet).

Pure, no Gradio; every cell is HTML-escaped.
"""

from __future__ import annotations

import html

from assistant import ui_format as fmt
from assistant.answer_view import axis_top, bars_html
from assistant.records import Chart


def table_rows(chart: Chart) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of the chart's table, as the statistics tab shows them."""
    frame = fmt.chart_table(chart)
    header = [str(c) for c in frame.columns]
    rows = [["" if v is None else str(v) for v in rec] for rec in frame.itertuples(index=False, name=None)]
    return header, rows


def table_tsv(chart: Chart) -> str:
    """Header row first, then one line per row; tabs and newlines inside a cell become spaces."""
    header, rows = table_rows(chart)

    def line(cells: list[str]) -> str:
        return "\t".join(" ".join(c.split()) for c in cells)

    return "\n".join([line(header), *(line(r) for r in rows)])


def table_html(chart: Chart) -> str:
    e = html.escape
    header, rows = table_rows(chart)
    head = "".join(f'<th scope="col">{e(h)}</th>' for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            (
                f'<th scope="row">{e(c)}</th>'
                if i == 0
                else f'<td class="{"num" if _numeric(c) else "text"}">{e(c)}</td>'
            )
            for i, c in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    caption = f"{chart.section}　{chart.title}（{chart.base.label('ja')}）"
    return (
        f'<div class="stats-table"><table><caption>{e(caption)}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
        f'<button type="button" class="copy-plain" data-copy="{e(table_tsv(chart), quote=True)}" '
        f'data-done="コピーしました">表をコピー（見出し行つき）</button></div>'
    )


def _numeric(cell: str) -> bool:
    stripped = cell.rstrip("%件").replace(".", "", 1)
    return stripped.isdigit()


def chart_html(chart: Chart) -> str:
    """The chart as horizontal bars with their values. A cross-tab is drawn as one panel per
    series on one shared scale, so there is no legend to collide and every label stays readable."""
    values = [v for r in chart.rows for v in r.values.values() if v is not None]
    if not values:
        return ""
    top = axis_top(max(values))
    panels = [bars_html(chart, c.key, (), "ja", f"chart-{i}", top) for i, c in enumerate(chart.columns)]
    return f'<div class="stats-chart">{"".join(panels)}</div>'
