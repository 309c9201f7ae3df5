"""Formatting helpers for the surfaces: escaping, sources, chart frames, citation line, about text."""

from __future__ import annotations

import re

import pytest

from assistant import ui_format as fmt
from assistant.records import Answer, Citation, Figure
from tests.fakes import FakeService

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def service() -> FakeService:
    return FakeService()


def _answer(text: str = "最も多いのは「必要性を感じないから」162件です[1]。", **kw) -> Answer:
    cite = Citation(
        n=1,
        doc="d",
        section="2-3",
        title="伴走支援を受けていない理由",
        quote="必要性を感じないから: 162",
        chart="2-3",
        base="回答企業数347、回答総数576",
        period="2023年8月21日～9月15日",
    )
    fig = Figure(
        table="2-3",
        label="必要性を感じないから",
        label_en="they see no need",
        value=162,
        unit="件",
        base="回答企業数347、回答総数576",
        cite=1,
    )
    defaults = dict(question="q", answer=text, abstained=False, citations=[cite], figures=[fig], language="ja")
    defaults.update(kw)
    return Answer(**defaults)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", [XSS, "<script>alert(1)</script>", "<b>bold</b>", "</details><img src=x>"])
def test_escape_md_leaves_no_tag(text: str) -> None:
    out = fmt.escape_md(text)
    assert "<" not in out and ">" not in out
    assert "&lt;" in out


@pytest.mark.parametrize(
    "text",
    [
        "![x](http://evil/x.png)",
        "[click](javascript:alert(1))",
        "**bold** _it_ `code`",
        "$$x^2$$",
        "# heading",
        "a | b",
        "~~s~~",
        "www.example.com",
    ],
)
def test_escape_md_neutralises_markdown(text: str) -> None:
    out = fmt.escape_md(text)
    # every markdown-active character is backslash-escaped, so nothing becomes a link, image or emphasis
    for ch in "![]()*_`$#|~":
        assert re.search(rf"(?<!\\){re.escape(ch)}", out) is None, (ch, out)


def test_escape_md_keeps_japanese_and_entities_intact() -> None:
    assert fmt.escape_md("必要性を感じないから「162件」") == "必要性を感じないから「162件」"
    assert fmt.escape_md("A & B") == "A &amp; B"
    assert fmt.escape_md("37.1%") == "37\\.1%"


def test_escape_html_collapses_blank_lines() -> None:
    out = fmt.escape_html('a\n\n<b onclick="x">b</b>')
    assert "\n" not in out
    assert out == "a &lt;b onclick=&quot;x&quot;&gt;b&lt;/b&gt;"


def test_user_and_error_markdown_escape() -> None:
    assert fmt.user_markdown(XSS) == "&lt;img src\\=x onerror\\=alert\\(1\\)&gt;"
    assert "&lt;b&gt;" in fmt.error_markdown("<b>x</b>")


def test_answered_chart_picks_first_table_and_its_rows() -> None:
    assert fmt.answered_chart(_answer()) == ("2-3", None, ["必要性を感じないから"])
    assert fmt.answered_chart(_answer(figures=[])) is None


def test_chart_table(service: FakeService) -> None:
    chart = service.chart("1-2-age")
    table = fmt.chart_table(chart)
    assert "n" in table.columns and "受けている" in table.columns
    assert table.iloc[0]["受けている"] == "34.1%"
    single = fmt.chart_table(service.chart("2-3"))
    assert single.iloc[0]["回答数（件）"] == "162件"
    assert "注" in single.columns  # the unreadable value carries its reason


def test_citation_line_uses_chart_base(service: FakeService) -> None:
    doc = service.document
    assert fmt.citation_line(doc, service.chart("2-3")) == (
        "出典：フォーバル GDXリサーチ研究所『中小企業と伴走支援』2-3「伴走支援を受けていない理由」"
        "（調査期間 2023年8月21日～9月15日、回答企業数347、回答総数576、複数回答）"
    )
    assert fmt.citation_line(doc, service.chart("1-1")).endswith("（調査期間 2023年8月21日～9月15日、n=552）")
    assert "1-2-dx" not in fmt.citation_line(doc, service.chart("1-2-dx"))  # no made-up figure number
    assert fmt.citation_line(doc) == (
        "出典：フォーバル GDXリサーチ研究所『中小企業と伴走支援』（調査期間 2023年8月21日～9月15日、n=552）"
    )


def test_chart_choices_and_caption(service: FakeService) -> None:
    choices = fmt.chart_choices(service.charts())
    assert ("2-3　伴走支援を受けていない理由", "2-3") in choices
    caption = fmt.chart_caption(service.chart("2-3"))
    assert "回答企業数347、回答総数576" in caption and "（複数回答）" in caption


def test_about_mentions_report_and_reading_guide(service: FakeService) -> None:
    about = fmt.about_markdown(service.document)
    for needle in (
        "フォーバル GDXリサーチ研究所",
        "中小企業と伴走支援",
        "2023年8月21日～9月15日",
        "n=552",
        "ベース",
        "算出値",
        "回答を控える",
    ):
        assert needle in about


def test_openapi_html_is_self_contained_and_escaped() -> None:
    spec = {
        "info": {"title": "<T>", "version": "1"},
        "paths": {"/api/ask": {"post": {"summary": "Ask", "responses": {"200": {"description": "OK"}}}}},
        "components": {"schemas": {"AskRequest": {"type": "object", "description": "<script>x</script>"}}},
    }
    page = fmt.openapi_html(spec)
    assert "<script" not in page and "&lt;T&gt;" in page
    assert "/api/ask" in page and "AskRequest" in page
    assert "http" not in page.replace("http-equiv", "")


def test_multiple_answer_tables_show_the_computed_share_of_companies(service: FakeService) -> None:
    chart = service.chart("2-3")
    table = fmt.chart_table(chart)
    assert table[fmt.SHARE_COLUMN].iloc[0] == "46.7%"  # 162 ÷ 347
    assert "件数 ÷ 回答企業数（347）" in fmt.chart_caption(chart)
    assert fmt.SHARE_COLUMN not in fmt.chart_table(service.chart("1-1")).columns  # single answer, %: no share
