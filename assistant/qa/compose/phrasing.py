"""How answers are worded: one template per answer shape, in Japanese and English.

Templates take validated chart records and print their values with `fmt_value`; they never
compute a new number except a difference shown with its formula. Every statement ends with its
citation marker.
"""

from __future__ import annotations

from assistant.records import Chart, Derived, DocumentInfo, Row, fmt_value


def en_period(doc: DocumentInfo) -> str:
    months = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    try:
        y1, m1, d1 = (int(x) for x in doc.period_start.split("-"))
        y2, m2, d2 = (int(x) for x in doc.period_end.split("-"))
    except ValueError:
        return doc.period_label
    return f"{d1} {months[m1 - 1]} to {d2} {months[m2 - 1]} {y2}"


def t_context(chart: Chart, doc: DocumentInfo, en: bool) -> str:
    multi = "multiple answers, " if en else "複数回答、"
    if en:
        return (
            f"From the chart “{chart.title_en}” ({chart.title}; {multi if chart.multiple else ''}"
            f"{chart.base.label('en')}; survey period {en_period(doc)}): "
        )
    return f"「{chart.title}」（{multi if chart.multiple else ''}{chart.base.label('ja')}、調査期間 {chart.period}）によると、"


def t_value(chart: Chart, r: Row, en: bool) -> str:
    v = r.values["value"]
    s = fmt_value(v, chart.unit)
    if en and chart.unit == "件":
        s = f"{int(v or 0)} answers" if chart.multiple else f"{int(v or 0)} companies"
    if r.stated_share:
        s += f" ({r.stated_share} per the report's text)" if en else f"（本文では{r.stated_share}）"
    return s


def t_row(chart: Chart, r: Row, en: bool) -> str:
    if r.values["value"] is None and r.missing:
        m = r.missing
        if en:
            est = (
                (
                    f" Subtracting the printed values from the total gives {int(m.estimate)} ({m.formula}), "
                    "an estimate, not a printed figure."
                )
                if m.estimate is not None
                else ""
            )
            return f"the value for “{r.label_en}” ({r.label}) is not readable in the report: {m.reason_en}.{est} [1]"
        est = (
            f"合計から差し引くと{int(m.estimate)}件ですが（{m.formula}）、これは推定値で、報告書に印字された数値ではありません。"
            if m.estimate is not None
            else ""
        )
        return f"「{r.label}」の数値は報告書から読み取れません（{m.reason}）。{est}[1]"
    if en:
        return f"“{r.label_en}” ({r.label}): {t_value(chart, r, en)} [1]."
    return f"「{r.label}」は{t_value(chart, r, en)}です[1]。"


def t_compare(chart: Chart, rows: list[Row], en: bool) -> str:
    vals = [(r, r.values["value"]) for r in rows if r.values["value"] is not None]
    if len(vals) < 2:
        return ""
    vals.sort(key=lambda x: -(x[1] or 0))
    (r1, v1), (r2, v2) = vals[0], vals[1]
    if v1 == v2:
        return "The two are equal [1]." if en else f"「{r1.label}」と「{r2.label}」は同じ数です[1]。"
    diff = round((v1 or 0) - (v2 or 0), 1)
    d = fmt_value(diff, chart.unit) if chart.unit == "%" else str(int(diff))
    v1s, v2s = (f"{v1:.1f}", f"{v2:.1f}") if chart.unit == "%" else (str(int(v1 or 0)), str(int(v2 or 0)))
    if en:
        return f"“{r1.label_en}” ({r1.label}) is higher, by {d} ({v1s} − {v2s} = {d.rstrip('%')}) [1]."
    return f"「{r1.label}」の方が多く、差は{d}（{v1s} − {v2s} = {d.rstrip('%')}）です[1]。"


def t_ranking(chart: Chart, rows: list[Row], least: bool, en: bool) -> str:
    if not rows:
        return ""
    if en:
        items = ", ".join(f"{r.label_en} ({r.label}) {t_value(chart, r, en)}" for r in rows)
        head = "the least common answers were" if least else "the most common answers were"
        return f"{head}: {items} [1]."
    first, rest = rows[0], rows[1:]
    word = "最も少ないのは" if least else "最も多いのは"
    s = f"{word}「{first.label}」{t_value(chart, first, en)}"
    if rest:
        s += "で、次いで" + "、".join(f"「{r.label}」{t_value(chart, r, en)}" for r in rest)
    return s + "です[1]。"


def t_nth(chart: Chart, r: Row, first: Row, nth: int, least: bool, en: bool) -> str:
    if en:
        word = "least" if least else "most"
        return (
            f"number {nth} by {'fewest' if least else 'most'} answers: {r.label_en} ({r.label}) "
            f"{t_value(chart, r, en)}; the {word} common is {first.label_en} ({first.label}) "
            f"{t_value(chart, first, en)} [1]."
        )
    word = "少ない" if least else "多い"
    return (
        f"{nth}番目に{word}のは「{r.label}」{t_value(chart, r, en)}です"
        f"（1番目は「{first.label}」{t_value(chart, first, en)}）[1]。"
    )


def t_crosstab_row(chart: Chart, r: Row, en: bool) -> str:
    n = f"（n={r.n}）" if r.n is not None else ""
    if en:
        cells = ", ".join(f"{c.label_en} ({c.label}) {fmt_value(r.values[c.key], chart.unit)}" for c in chart.columns)
        who = f"{chart.row_axis_en} = {r.label_en} ({chart.row_axis}「{r.label}」){' n=' + str(r.n) if r.n else ''}"
        return f"for {who}: {cells} [1]."
    cells = "、".join(f"「{c.label}」{fmt_value(r.values[c.key], chart.unit)}" for c in chart.columns)
    # groups with their own n (age bands) are named directly; answer groups by the question
    who = f"{r.label}{n}" if r.n is not None else f"{chart.row_axis}に「{r.label}」と答えた経営者"
    return f"{who}では{cells}です[1]。"


def t_crosstab_top(chart: Chart, rows: list[Row], col: str, en: bool, least: bool = False) -> str:
    c = chart.column(col)
    if en:
        items = ", ".join(f"{r.label_en} ({r.label}) {fmt_value(r.values[col], chart.unit)}" for r in rows)
        order = "lowest first" if least else "highest first"
        return f"ranked by “{c.label_en}” ({c.label}), {order}: {items} [1]."
    first, rest = rows[0], rows[1:]
    word = "最も低い" if least else "最も高い"
    s = f"「{c.label}」の割合が{word}のは{first.label}" + (f"（n={first.n}）" if first.n else "")
    s += f"で{fmt_value(first.values[col], chart.unit)}"
    if rest:
        s += "、次いで" + "、".join(f"{r.label} {fmt_value(r.values[col], chart.unit)}" for r in rest)
    return s + "です[1]。"


def t_crosstab_column(chart: Chart, rows: list[Row], col: str, en: bool) -> str:
    c = chart.column(col)
    if en:
        items = ", ".join(f"{r.label_en} ({r.label}) {fmt_value(r.values[col], chart.unit)}" for r in rows)
        return f"“{c.label_en}” ({c.label}) by {chart.row_axis_en}: {items} [1]."
    items = "、".join(f"{r.label} {fmt_value(r.values[col], chart.unit)}" for r in rows)
    return f"「{c.label}」の割合は{items}です[1]。"


def t_all(chart: Chart, rows: list[Row], en: bool) -> str:
    def value(r: Row) -> str:
        if r.values["value"] is None:
            return "not readable in the report" if en else "数値は報告書から読み取れません"
        return t_value(chart, r, en)

    if en:
        return "all answers: " + ", ".join(f"{r.label_en} ({r.label}) {value(r)}" for r in rows) + " [1]."
    return "全項目は" + "、".join(f"「{r.label}」{value(r)}" for r in rows) + "です[1]。"


def t_derived(d: Derived, en: bool) -> str:
    stated = " (stated in the report's text)" if en and d.stated_in_text else ("、本文記載" if d.stated_in_text else "")
    if en:
        return f"{d.label_en}: {fmt_value(d.value, '%')} ({d.formula}{stated}) [1]."
    return f"{d.label}は{fmt_value(d.value, '%')}です（{d.formula}{stated}）[1]。"


def t_missing_note(chart: Chart, en: bool) -> str:
    miss = [r for r in chart.rows if r.missing]
    if en:
        return " ".join(f"Note: the value for “{r.label_en}” ({r.label}) is not readable in the report." for r in miss)
    return "".join(f"※「{r.label}」の数値は報告書から読み取れません。" for r in miss)


# --- meta and abstention -------------------------------------------------------------------
