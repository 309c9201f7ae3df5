"""YAML read with libyaml's C loader when PyYAML has it (about 10x faster than the pure-Python
loader; the data files and the corpus tables are read at every start and every ingest)."""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader, C or Python
