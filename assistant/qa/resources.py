"""The package's data files (`assistant/data/*.yaml`), read from the installed package."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from assistant import yamlio


@cache
def load_yaml(name: str) -> Any:
    """One data file, parsed once per process. Callers must not modify what is returned."""
    return yamlio.safe_load(files("assistant").joinpath("data", name).read_text(encoding="utf-8"))
