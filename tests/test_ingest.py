"""Ingest: sections (golden), normalization, chart validation, idempotence, atomic rebuild, PDF."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from assistant.errors import IngestError
from assistant.records import fmt_value
from assistant.storage import current_build, read_manifest
from ingest.chunking import section_sentences, text_chunks
from ingest.load import load, split_text_pages
from ingest.normalize import close_spacing, is_letter_spaced, join_lines, nfkc_safe, normalize_line, split_sentences
from ingest.pipeline import build_corpus, discover, ingest
from ingest.sections import split_sections
from ingest.tables import load_tables, validate_chart

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
REPORT = CORPUS / "bansou-shien-report-2023.txt"
TABLES = CORPUS / "bansou-shien-report-2023.tables.yaml"


def test_sections_match_golden_file() -> None:
    golden = [
        line.split("\t")
        for line in (ROOT / "tests/golden/sections.tsv").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    got = [[s.id, str(ln.page), ln.text] for s in split_sections(load(REPORT)) for ln in s.lines if ln.text]
    assert got == golden


def test_text_above_its_heading_belongs_to_that_section() -> None:
    """The trap: body text printed before the page's "N - M ." line, and chart labels after 調査期間."""
    sections = {s.id: s.text for s in split_sections(load(REPORT))}
    assert "伴走支援と言っても提供している機関やその内" in sections["1-3"]  # above the 1-3 heading
    assert "さて、ここでは「伴走支援を現在受けていな" in sections["2-3"]
    assert "必要性を感じないから" in sections["2-3"]  # labels printed on the following page block
    assert "伴走支援と言っても提供している機関やその内" not in sections["1-2"]
    assert "国や行政の中小企業支援施策" in sections["column"]
    assert "次号では、伴走支援による効果に" in sections["3"] or "次号では" in sections["3"]


def test_normalization() -> None:
    assert is_letter_spaced("1 .  伴 走 支 援 の 活 用 状 況")
    assert close_spacing("1 .  伴 走 支 援 の 活 用 状 況") == "1. 伴走支援の活用状況"
    assert normalize_line("1 - 3 . どの機関から伴走支援を受けているか") == "1-3. どの機関から伴走支援を受けているか"
    assert nfkc_safe("（n＝552）１５％") == "（n=552）15%"  # full-width ASCII becomes ASCII
    assert nfkc_safe("「45～49歳」：ｶﾀｶﾅ") == "「45～49歳」：カタカナ"  # Japanese punctuation and ～ stay
    assert join_lines("経営", "者") == "経営者"
    assert join_lines("hands-on", "support") == "hands-on support"
    assert split_sentences("一つ目。二つ目！「三つ目。」四つ目") == ["一つ目。", "二つ目！", "「三つ目。」", "四つ目"]


def test_wrapped_lines_rejoined_and_chart_labels_dropped() -> None:
    sections = {s.id: s for s in split_sections(load(REPORT))}
    sents, dropped = section_sentences(sections["1-1"])
    texts = [s.text for s in sents]
    assert any("一度でも受けたがことがある企業が46.9%" in t for t in texts)
    assert all(t.endswith(("。", "！", "？")) for t in texts)
    assert any("受けている" in d and "過去に受けたことはなく" in d for d in dropped)


def test_chunks_are_sentence_bounded_and_carry_heading() -> None:
    for s in split_sections(load(REPORT)):
        for c in text_chunks("d", s, 500, False):
            assert c.text.startswith(c.title) or c.text.startswith(f"{c.section} {c.title}")
            assert c.body.endswith(("。", "！", "？"))
            assert len(c.body) <= 500 or len(c.sentences) == 1


def test_page_split_on_leading_space_and_form_feed() -> None:
    assert split_text_pages(" a\nb\n c\n") == ((" a", "b"), (" c", ""))
    assert split_text_pages("a\fb") == (("a",), ("b",))


def test_real_charts_validate() -> None:
    charts = load_tables(TABLES, "d")
    assert [c.id for c in charts] == ["1-1", "1-2-dx", "1-2-gx", "1-2-age", "1-3", "1-4", "2-1", "2-2", "2-3"]
    sections = {s.id: s.text for s in split_sections(load(REPORT))}
    for c in charts:
        validate_chart(c, sections[c.section])
    dx = next(c for c in charts if c.id == "1-2-dx")
    assert dx.row("yes").values == {"current": 41.6, "past": 9.9, "never": 48.5}  # the first value block is DX
    age = next(c for c in charts if c.id == "1-2-age")
    assert age.row("45-49").values == {"current": 45.2, "past": 14.4, "never": 40.4}
    reasons = next(c for c in charts if c.id == "2-3")
    gap = reasons.row("bad-reputation")
    assert gap.values["value"] is None and gap.missing is not None and gap.missing.estimate == 11


def _corrupt(tmp_path: Path, chart_id: str, mutate) -> Path:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(TABLES.read_text(encoding="utf-8"))
    chart = next(c for c in data["charts"] if c["id"] == chart_id)
    mutate(chart)
    out = tmp_path / "tables.yaml"
    out.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return out


def _validate_file(path: Path) -> None:
    sections = {s.id: s.text for s in split_sections(load(REPORT))}
    for c in load_tables(path, "d"):
        validate_chart(c, sections.get(c.section, ""))


def test_corrupted_value_is_rejected_with_chart_and_value(tmp_path: Path) -> None:
    path = _corrupt(tmp_path, "1-3", lambda c: c["rows"][0]["values"].update(value=149))
    with pytest.raises(IngestError) as e:
        _validate_file(path)
    assert "chart 1-3" in str(e.value) and "149" in str(e.value)


def test_swapped_percentages_fail_the_total(tmp_path: Path) -> None:
    path = _corrupt(tmp_path, "1-1", lambda c: c["rows"][0]["values"].update(value=9.9))
    with pytest.raises(IngestError, match="chart 1-1"):
        _validate_file(path)


def test_count_total_must_match_stated_total(tmp_path: Path) -> None:
    def drop_row(c):  # type: ignore[no-untyped-def]
        c["rows"] = c["rows"][1:]

    path = _corrupt(tmp_path, "2-2", drop_row)
    with pytest.raises(IngestError, match="577"):
        _validate_file(path)


def test_missing_value_must_be_declared(tmp_path: Path) -> None:
    path = _corrupt(tmp_path, "2-3", lambda c: c["rows"][5].pop("missing"))
    with pytest.raises(IngestError, match="not marked missing"):
        _validate_file(path)


def test_derived_formula_is_checked(tmp_path: Path) -> None:
    path = _corrupt(tmp_path, "1-2-age", lambda c: c["derived"][0].update(value=59.7, formula="45.2% + 14.5% = 59.7%"))
    with pytest.raises(IngestError, match="1-2-age"):
        _validate_file(path)


def test_fmt_value() -> None:
    assert fmt_value(22.0, "%") == "22.0%"
    assert fmt_value(148, "件") == "148件"
    assert fmt_value(None, "件") == "—"


# --- store: idempotence, rebuild, atomic swap --------------------------------------------------


def _copy_corpus(tmp_path: Path) -> Path:
    dst = tmp_path / "corpus"
    shutil.copytree(CORPUS, dst)
    return dst


def test_reingest_unchanged_does_nothing_and_change_rebuilds(tmp_path: Path, hash_settings) -> None:  # type: ignore[no-untyped-def]
    corpus = _copy_corpus(tmp_path)
    first = ingest([corpus], hash_settings)
    assert first.status == "built"
    again = ingest([corpus], hash_settings)
    assert again.status == "unchanged" and again.build == first.build
    with (corpus / "bansou-shien-report-2023.txt").open("a", encoding="utf-8") as f:
        f.write("\n 追記された段落です。\n")
    rebuilt = ingest([corpus], hash_settings)
    assert rebuilt.status == "built" and rebuilt.build != first.build
    assert current_build(hash_settings.store) == rebuilt.build
    assert read_manifest(rebuilt.build).corpus_hash != read_manifest(first.build).corpus_hash


def test_ids_are_content_hashes(tmp_path: Path, hash_settings) -> None:  # type: ignore[no-untyped-def]
    a = build_corpus(discover([CORPUS]).sources, hash_settings)
    b = build_corpus(discover([CORPUS]).sources, hash_settings)
    assert [c.id for c in a.chunks] == [c.id for c in b.chunks]
    assert len({c.id for c in a.chunks}) == len(a.chunks)
    assert sum(1 for c in a.chunks if c.kind == "chart") == 9


def test_failed_rebuild_leaves_previous_store_serving(
    tmp_path: Path,
    hash_settings,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    from assistant.engine import Engine
    from ingest import store

    corpus = _copy_corpus(tmp_path)
    first = ingest([corpus], hash_settings)
    (corpus / "bansou-shien-report-2023.txt").write_text(
        REPORT.read_text(encoding="utf-8") + "\n 追記です。\n", encoding="utf-8"
    )

    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full (injected)")  # after the JSON files, before vectors and manifest

    monkeypatch.setattr(store, "write_vectors", crash)
    with pytest.raises(RuntimeError, match="injected"):
        ingest([corpus], hash_settings)
    assert current_build(hash_settings.store) == first.build
    builds = [p for p in (hash_settings.store / "builds").iterdir() if p.is_dir()]
    assert builds == [first.build]  # the half-written build was removed
    engine = Engine.open(hash_settings)
    assert engine.ask("税理士から伴走支援を受けている企業は何社？").figures[0].value == 40


def test_ingest_cli_reports_progress_and_noop(tmp_path: Path) -> None:
    import subprocess
    import sys

    store = tmp_path / "store"
    cmd = [sys.executable, "-m", "ingest", str(CORPUS), "--store", str(store), "--embedder", "hash"]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "built" in first.stdout and "embed:" in first.stderr
    second = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0 and "up to date" in second.stdout


# --- other inputs ---------------------------------------------------------------------------------

IPA_FONT = Path("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf")


def make_pdf(path: Path) -> None:
    from fpdf import FPDF

    assert IPA_FONT.is_file(), "fonts-ipafont-gothic is missing: run `make browser-deps` (make test does)"
    pdf = FPDF()
    pdf.add_font("ipa", fname=str(IPA_FONT))
    pdf.set_font("ipa", size=11)
    pdf.add_page()
    pdf.multi_cell(
        0, 8, "1 - 1 . 試験用の見出し\n伴走支援は継続的な対話で経営改革を促す取り組みです。調査期間は\n二週間でした。"
    )
    pdf.add_page()
    pdf.multi_cell(0, 8, "2 - 1 . 二つ目の節\n二ページ目の本文です。テスト用の文章が続きます。")
    pdf.output(str(path))


def test_pdf_input_is_loaded_normalized_and_indexed(tmp_path: Path, hash_settings) -> None:  # type: ignore[no-untyped-def]
    pdf = tmp_path / "sample.pdf"
    make_pdf(pdf)
    raw = load(pdf)
    assert raw.has_page_numbers and len(raw.pages) == 2
    corpus = build_corpus(discover([pdf]).sources, hash_settings)
    by_section = {c.section: c for c in corpus.chunks}
    assert set(by_section) == {"1-1", "2-1"}
    assert "伴走支援は継続的な対話で経営改革を促す取り組みです。" in by_section["1-1"].body
    assert "調査期間は二週間でした。" in by_section["1-1"].body  # the wrapped line was rejoined
    assert by_section["1-1"].page == 1 and by_section["2-1"].page == 2
    result = ingest([pdf], hash_settings)
    assert result.manifest.chunk_count == 2 and result.manifest.chart_count == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "no text"),
        ("blank.md", b"   \n\n", "no text"),
        ("latin1.txt", "caf\u00e9 r\u00e9sum\u00e9".encode("latin-1"), "not UTF-8"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "PDF"),
        ("notes.docx", b"PK\x03\x04", "unsupported file type"),
    ],
)
def test_bad_input_files_are_clear_errors(tmp_path: Path, hash_settings, name, content, message) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(IngestError, match=message) as e:
        ingest([f], hash_settings)
    assert name in str(e.value)
    assert current_build(hash_settings.store) is None


def test_missing_input_file(tmp_path: Path, hash_settings) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IngestError, match="no such file"):
        ingest([tmp_path / "nope.txt"], hash_settings)


def test_chart_failure_stops_ingest_via_cli(tmp_path: Path) -> None:
    import subprocess
    import sys

    corpus = _copy_corpus(tmp_path)
    tables = corpus / "bansou-shien-report-2023.tables.yaml"
    tables.write_text(
        tables.read_text(encoding="utf-8").replace("values: {value: 148}", "values: {value: 184}"), encoding="utf-8"
    )
    r = subprocess.run(
        [sys.executable, "-m", "ingest", str(corpus), "--store", str(tmp_path / "s"), "--embedder", "hash"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 4
    assert "chart 1-3" in r.stderr and "184" in r.stderr and "Traceback" not in r.stderr


def test_question_keys_must_name_one_printed_sentence(tmp_path: Path, hash_settings) -> None:  # type: ignore[no-untyped-def]
    corpus = _copy_corpus(tmp_path)
    inputs = discover([corpus])
    built = build_corpus(inputs.sources, hash_settings, inputs.glossaries)
    assert sum(len(v) for v in built.glossary["questions"].values()) >= 500  # the shipped exemplars load
    q = corpus / "questions.yaml"
    for key, message in (("報告書に印刷されていない文", "exactly one sentence"), ("伴走支援", "exactly one sentence")):
        q.write_text(yaml.safe_dump({"questions": {key: ["なに？"]}}, allow_unicode=True), encoding="utf-8")
        with pytest.raises(IngestError, match=message):
            build_corpus(inputs.sources, hash_settings, inputs.glossaries)
    q.write_text("questions: [unclosed", encoding="utf-8")
    with pytest.raises(IngestError, match="not valid YAML"):
        build_corpus(inputs.sources, hash_settings, inputs.glossaries)
