"""The question grammar's data files: every cue pattern compiles, every word list is plain text."""

from __future__ import annotations

import re

import pytest

from assistant.qa.cues import compiled, raw_patterns
from assistant.qa.lexicon import en_stop, generic_ja, ordinary_ja
from assistant.qa.resources import load_yaml


@pytest.mark.parametrize("name", sorted(raw_patterns()))
def test_every_cue_pattern_compiles(name: str) -> None:
    pattern = raw_patterns()[name]
    assert isinstance(pattern, str) and pattern == pattern.strip() and "\n" not in pattern
    re.compile(pattern)


def test_compiled_cues_are_the_data_files_patterns() -> None:
    raw = raw_patterns()
    c = compiled()
    assert {f"ja.{k}": p.pattern for k, p in c.ja.items()} == {k: v for k, v in raw.items() if k.startswith("ja.")}
    assert {f"en.{k}": p.pattern for k, p in c.en.items()} == {k: v for k, v in raw.items() if k.startswith("en.")}
    assert c.facet_named.pattern == raw["facet_named"] and c.facet.pattern == raw["facet"]
    assert c.followup_ja.pattern == raw["followup_ja"] and c.followup_en.pattern == raw["followup_en"]


def test_word_lists_are_plain_strings() -> None:
    groups = load_yaml("lexicon.yaml")["ordinary_ja"]
    assert all(isinstance(w, str) and w for words in groups.values() for w in words)  # no YAML booleans
    assert all(isinstance(w, str) and w for w in load_yaml("lexicon.yaml")["generic_ja"])
    assert {"する", "何", "%"} <= ordinary_ja() and "伴走支援" in generic_ja()
    assert {"on", "no", "the", "what's"} <= en_stop()


def test_caches_built_from_features_change_key_when_the_understanding_code_or_data_changes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil
    from pathlib import Path

    from assistant.qa.resources import understanding_fingerprint

    src = Path(__file__).resolve().parents[1] / "assistant"
    for folder in ("qa", "data"):
        shutil.copytree(src / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    before = understanding_fingerprint(tmp_path)
    assert (
        before == understanding_fingerprint(tmp_path) == understanding_fingerprint()
    )  # stable, and the same as installed
    cues = tmp_path / "data" / "cues.yaml"
    cues.write_text(cues.read_text(encoding="utf-8") + "\n# one more line\n", encoding="utf-8")
    assert understanding_fingerprint(tmp_path) != before  # a changed cue list retrains the intent model
