"""The chat's answer message, the statistics table and feedback votes: pure functions, no browser."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from assistant.answer_view import answer_html, answer_plain, axis_top, bars_html, sentences
from assistant.feedback import FeedbackLog, current_votes, feedback_record
from assistant.records import Answer, Chart, Citation, Figure
from assistant.stats_view import chart_html, table_html, table_tsv
from tests.fakes import FakeService

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def service() -> FakeService:
    return FakeService()


def _answer(service: FakeService, text: str = "", language: str = "ja", **kw: object) -> Answer:
    chart = service.chart("2-3")
    data = Citation(
        n=1,
        doc="d",
        section="2-3",
        title=chart.title,
        quote=f"◼ {chart.title}（{chart.base.label()}）: 必要性を感じないから 162件",
        chart="2-3",
        base=chart.base.label(),
        period=chart.period,
    )
    prose = Citation(
        n=2, doc="d", section="2-3", title=chart.title, quote="最も多かったのは…だった。", period=chart.period
    )
    fig = Figure(
        table="2-3", label="必要性を感じないから", label_en="they see no need", value=162, unit="件", base="b", cite=1
    )
    text = text or "最も多いのは「必要性を感じないから」162件です[1]。本文には「最も多かったのは…」とあります[2]。"
    fields = dict(question="q", answer=text, abstained=False, citations=[data, prose], figures=[fig], language=language)
    fields.update(kw)
    return Answer(**fields)  # type: ignore[arg-type]


def _view(service: FakeService, answer: Answer, prefix: str = "a0") -> str:
    chart = service.chart("2-3")
    return answer_html(answer, service.document, service.chart, prefix, (chart, None, ["必要性を感じないから"]))


def test_markers_link_to_their_sources_with_ids_unique_per_turn(service: FakeService) -> None:
    html = _view(service, _answer(service), prefix="a3")
    assert '<a class="cite" href="#a3-s1" aria-label="出典1へ">[1]</a>' in html
    assert 'id="a3-s1"' in html and 'id="a3-s2"' in html
    ids = re.findall(r'id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert "[7]" in _view(service, _answer(service, text="x[7]。"))  # no source 7: left as text, not a dead link
    assert 'href="#a0-s7"' not in _view(service, _answer(service, text="x[7]。"))


def test_app_built_figures_are_data_and_only_report_sentences_are_quoted(service: FakeService) -> None:
    html = _view(service, _answer(service))
    data_item = html[html.index('id="a0-s1"') : html.index('id="a0-s2"')]
    assert "図表の数値（アプリで整理）" in data_item and "必要性を感じないから 162件" in data_item
    assert "<q" not in data_item and "「必要性を感じないから 162件」" not in data_item and "◼" not in data_item
    prose_item = html[html.index('id="a0-s2"') :]
    assert "本文より" in prose_item and '<q class="src-quote">最も多かったのは…だった。</q>' in prose_item
    assert "図表" not in re.sub(r"<[^>]+>", "", prose_item.split("</li>")[0]).replace(
        "「伴走支援を受けていない理由」", ""
    )


def test_no_internal_ids_in_what_the_user_reads(service: FakeService) -> None:
    for chart_id in ("1-2-dx", "1-2-age"):
        chart = service.chart(chart_id)
        a = _answer(service)
        a.citations[0] = Citation(
            n=1, doc="d", section=chart.section, title=chart.title, quote="◼ t: x", chart=chart.id
        )
        text = re.sub(r"<[^>]+>", " ", answer_html(a, service.document, service.chart, "a0", (chart, None, [])))
        assert chart_id not in text and "図表1" not in text


def test_everything_from_outside_is_escaped(service: FakeService) -> None:
    a = _answer(service, text=f"echo {XSS} [1]")
    a.citations[1] = Citation(n=2, doc="d", section="2-3", title="<i>t</i>", quote=XSS)
    html = _view(service, a)
    assert "<img" not in html and "<i>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert (
        'data-copy="' in html and "\n" in html.split('data-copy="')[1].split('"')[0]
    )  # newlines kept in the attribute


def test_plain_text_copy_is_the_answer_then_pasteable_source_lines(service: FakeService) -> None:
    text = answer_plain(_answer(service), service.document, service.chart)
    lines = text.splitlines()
    assert lines[0].startswith("最も多いのは「必要性を感じないから」162件です[1]。")
    assert "出典:" in lines
    assert (
        "[1] フォーバル GDXリサーチ研究所『中小企業と伴走支援』2-3「伴走支援を受けていない理由」"
        "（調査期間 2023年8月21日～9月15日、回答企業数347、回答総数576、複数回答）" in lines
    )
    assert "    図表の数値（アプリで整理）: 必要性を感じないから 162件" in lines
    assert "    本文より: 「最も多かったのは…だった。」" in lines
    assert "<" not in text and "\\" not in text and "&" not in text  # no markup, no escapes


def test_english_answer_has_english_labels_with_the_japanese_beside(service: FakeService) -> None:
    html = _view(service, _answer(service, text="The top reason is “they see no need” [1].", language="en"))
    assert 'lang="en"' in html and "Sources" in html and "Copy answer" in html
    assert 'they see no need <span class="ja" lang="ja">必要性を感じないから</span>' in html
    assert "Reasons" in html.split("<figcaption")[1].split("</figcaption>")[0]
    assert "Chart figures (arranged by this app)" in html


def test_bars_are_horizontal_rows_with_values_inside_their_track(service: FakeService) -> None:
    chart = service.chart("2-3")
    html = bars_html(chart, None, ["必要性を感じないから"], "ja", "a0")
    rows = re.findall(r'<div class="bar-row( hit)?">.*?style="width:([\d.]+)%".*?class="bar-value">([^<]+)<', html)
    assert len(rows) == sum(1 for r in chart.rows if r.values["value"] is not None)
    assert rows[0] == (" hit", rows[0][1], "162件") and all(h == "" for h, _, _ in rows[1:])
    assert all(0 < float(w) <= 100 for _, w, _ in rows)
    assert max(float(w) for _, w, _ in rows) < 100  # the scale ends above the tallest bar
    crosstab = service.chart("1-2-age")
    col = crosstab.columns[0]
    assert col.label in bars_html(crosstab, col.key, [], "ja", "a1")


def test_axis_top_covers_the_data() -> None:
    for v in (162, 53.1, 9.8, 100, 0.4):
        assert axis_top(v) >= v * 1.05
    assert axis_top(None) == axis_top(0) == axis_top("x") == 1.0


def test_sentences_keep_quotes_whole_and_markers_with_their_sentence() -> None:
    assert sentences("Aです[1]。本文には「B。C。」とあります[2]。") == [
        "Aです[1]。",
        "本文には「B。C。」とあります[2]。",
    ]
    assert sentences("It is 37.1% [1]. The text adds “x. y” [2].") == ["It is 37.1% [1].", "The text adds “x. y” [2]."]
    assert sentences("") == [] and sentences("「unclosed。") == ["「unclosed。"]


def test_statistics_table_is_a_real_table_and_its_copy_has_the_header(service: FakeService) -> None:
    chart: Chart = service.chart("2-3")
    html = table_html(chart)
    assert "<thead><tr>" in html and '<th scope="col">' in html
    assert '<th scope="row">必要性を感じないから</th><td class="num">162件</td>' in html
    tsv = table_tsv(chart).splitlines()
    assert tsv[0].split("\t")[0] == (chart.row_axis or "項目")  # the header row comes first
    assert "回答企業数に対する割合（計算値）" in tsv[0]
    assert tsv[1].split("\t")[:2] == ["必要性を感じないから", "162件"]
    assert len(tsv) == len(chart.rows) + 1


def test_votes_are_corrected_and_withdrawn_never_left_empty(tmp_path, service: FakeService) -> None:  # type: ignore[no-untyped-def]
    log = FeedbackLog(tmp_path / "f" / "feedback.jsonl")
    answer = _answer(service).to_dict()
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    log.append(feedback_record(answer, "like", now, session="s1", turn=0))
    log.append(feedback_record(answer, "withdrawn", now, session="s1", turn=0))
    log.append(feedback_record(answer, "dislike", now, session="s1", turn=1))
    log.append(feedback_record(answer, "dislike", now, session="s1", turn=1, reason="wrong_number"))
    log.append(feedback_record(answer, "like", now, session="s2", turn=0))
    (tmp_path / "f" / "feedback.jsonl").open("a", encoding="utf-8").write("{broken\n")
    records = log.records()
    assert all(r["vote"] in ("like", "dislike", "withdrawn") for r in records)  # never an empty vote
    votes = current_votes(records)
    assert set(votes) == {("s1", 1), ("s2", 0)}
    assert votes[("s1", 1)]["reason"] == "wrong_number" and votes[("s2", 0)]["vote"] == "like"
    assert records[0]["time"] == "2026-01-02T03:04:05+00:00" and records[0]["question"] == "q"


def test_statistics_chart_draws_a_cross_tab_as_panels_on_one_scale(service: FakeService) -> None:
    chart = service.chart("1-2-age")
    html = chart_html(chart)
    assert html.count('<figure class="bars"') == len(chart.columns)
    widths = {float(w) for w in re.findall(r'style="width:([\d.]+)%"', html)}
    top = max(v for r in chart.rows for v in r.values.values() if v is not None)
    assert max(widths) == pytest.approx(top / axis_top(top) * 100, abs=0.1)  # one scale for every panel
    assert chart_html(service.chart("2-3")).count('<figure class="bars"') == 1
