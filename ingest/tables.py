"""Chart tables: load them from YAML and validate every value against the report text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from assistant import yamlio
from assistant.errors import IngestError
from assistant.records import Chart, fmt_number

PERCENT_TOLERANCE = 0.2  # rounding in the printed percentages (e.g. 99.9, 100.1)


def load_tables(path: Path, doc_id: str) -> list[Chart]:
    """Parse a *.tables.yaml file into Chart records; a malformed file is an IngestError."""
    try:
        raw = yamlio.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise IngestError(f"cannot read chart tables {path}: {e.strerror or e}") from None
    except yaml.YAMLError as e:
        raise IngestError(f"chart tables {path} are not valid YAML: {e}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("charts"), list) or not raw["charts"]:
        raise IngestError(f"chart tables {path} have no 'charts' list")
    period = raw.get("period", "")
    charts: list[Chart] = []
    for i, c in enumerate(raw["charts"]):
        try:
            charts.append(Chart.from_dict({"doc": doc_id, "period": period, **c}))
        except (KeyError, TypeError, ValueError) as e:
            name = c.get("id", f"#{i + 1}") if isinstance(c, dict) else f"#{i + 1}"
            raise IngestError(f"chart {name} in {path} is malformed: {e!r}") from None
    ids = [c.id for c in charts]
    if len(set(ids)) != len(ids):
        raise IngestError(f"chart tables {path} repeat an id: {ids}")
    return charts


def _present(number: str, text: str) -> bool:
    """Is this printed number a token of the text (not part of a longer number)?"""
    return re.search(rf"(?<![\d.]){re.escape(number)}(?![\d]|\.\d)", text) is not None


def validate_chart(chart: Chart, section_text: str) -> None:
    """Every value must be printed in the chart's section; totals must match; derived values must add up."""
    where = f"chart {chart.id} ({chart.title})"
    if not section_text.strip():
        raise IngestError(f"{where}: its section {chart.section} has no text to validate against")
    for row in chart.rows:
        for col in chart.columns:
            if col.key not in row.values:
                raise IngestError(f"{where}: row {row.label} has no value for column {col.label}")
            v = row.values[col.key]
            if v is None:
                if row.missing is None:
                    raise IngestError(f"{where}: value of {row.label} is empty but not marked missing")
                continue
            printed = fmt_number(v, chart.unit)
            token = printed + "%" if chart.unit == "%" else printed
            if not _present(token, section_text):
                raise IngestError(
                    f"{where}: value {token} for {row.label}"
                    f"{'/' + col.label if chart.is_crosstab else ''} does not appear in section {chart.section}"
                )
        if row.n is not None and not _present(f"n={row.n}", section_text):
            raise IngestError(f"{where}: group size n={row.n} for {row.label} does not appear in the text")
    _validate_base(chart, section_text, where)
    _validate_totals(chart, where)
    _validate_derived(chart, section_text, where)


def _validate_base(chart: Chart, text: str, where: str) -> None:
    b = chart.base
    if b.n is not None and not _present(f"n={b.n}", text):
        raise IngestError(f"{where}: base n={b.n} does not appear in section {chart.section}")
    if b.companies is not None and not _present(f"回答企業数{b.companies}", text):
        raise IngestError(f"{where}: 回答企業数{b.companies} does not appear in section {chart.section}")
    if b.responses is not None and not _present(f"回答総数{b.responses}", text):
        raise IngestError(f"{where}: 回答総数{b.responses} does not appear in section {chart.section}")


def _validate_totals(chart: Chart, where: str) -> None:
    if chart.unit == "%":
        # each respondent group's shares add up to 100 (within rounding)
        if chart.is_crosstab:
            groups = [(r.label, [r.values[c.key] for c in chart.columns]) for r in chart.rows]
        else:
            groups = [("all rows", [r.values["value"] for r in chart.rows])]
        for label, vals in groups:
            if any(v is None for v in vals):
                continue
            total = sum(float(v) for v in vals if v is not None)
            if abs(total - 100.0) > PERCENT_TOLERANCE:
                raise IngestError(f"{where}: shares of {label} add up to {total:.1f}%, not 100%")
        return
    values = [r.values["value"] for r in chart.rows]
    known = sum(int(v) for v in values if v is not None)
    expected = chart.base.responses if chart.multiple else chart.base.n
    if expected is None:
        raise IngestError(f"{where}: a count chart needs a total (回答総数 or n) to check against")
    missing = [r for r in chart.rows if r.values["value"] is None]
    if not missing:
        if known != expected:
            raise IngestError(f"{where}: values add up to {known}, but the stated total is {expected}")
        return
    if len(missing) > 1:
        raise IngestError(f"{where}: more than one missing value; the total cannot account for them")
    gap = expected - known
    m = missing[0].missing
    assert m is not None
    if gap < 0 or (m.estimate is not None and int(m.estimate) != gap):
        raise IngestError(
            f"{where}: the printed values add up to {known}; with the total {expected} the missing "
            f"{missing[0].label} would be {gap}, but the table says {m.estimate}"
        )


def _validate_derived(chart: Chart, text: str, where: str) -> None:
    for d in chart.derived:
        operands = [float(x) for x in re.findall(r"\d+(?:\.\d+)?(?=%)", d.formula.split("=")[0])]
        if not operands:
            raise IngestError(f"{where}: derived {d.label} has no operands in its formula {d.formula!r}")
        if abs(sum(operands) - d.value) > 0.05:
            raise IngestError(f"{where}: derived {d.label}: {d.formula} does not add up")
        printed = [fmt_number(v, "%") + "%" for v in operands]
        for p in printed:
            if not _present(p, text):
                raise IngestError(f"{where}: derived {d.label} uses {p}, which is not printed in the section")
        if d.stated_in_text and not _present(fmt_number(d.value, "%") + "%", text):
            raise IngestError(f"{where}: derived {d.label} = {d.value}% is marked as stated, but the text lacks it")


def validate_all(charts: list[Chart], sections: Mapping[str, str]) -> None:
    for chart in charts:
        validate_chart(chart, sections.get(chart.section, ""))


def chart_summary(chart: Chart) -> dict[str, Any]:
    return {"id": chart.id, "section": chart.section, "title": chart.title, "rows": len(chart.rows)}
