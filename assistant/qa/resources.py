"""The package's data files (`assistant/data/*.yaml`), read from the installed package."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.resources import files
from typing import Any

from assistant import yamlio


@cache
def load_yaml(name: str) -> Any:
    """One data file, parsed once per process. Callers must not modify what is returned."""
    return yamlio.safe_load(files("assistant").joinpath("data", name).read_text(encoding="utf-8"))


def understanding_fingerprint(root: Any = None) -> str:
    """A hash of the code and data that turn a text into features (assistant/qa/*.py and
    assistant/data/*): caches built from features (the intent model, the passage index) are keyed
    on it, so a changed normalizer or cue list never serves a model trained on the old one."""
    if root is None:
        return _installed_fingerprint()
    h = hashlib.sha256()
    for folder, suffix in (("qa", ".py"), ("data", "")):
        for item in sorted(root.joinpath(folder).iterdir(), key=lambda p: p.name):
            if item.is_file() and item.name.endswith(suffix) and not item.name.startswith("."):
                h.update(item.name.encode())
                h.update(item.read_bytes())
    return h.hexdigest()[:16]


@cache
def _installed_fingerprint() -> str:
    return understanding_fingerprint(files("assistant"))
