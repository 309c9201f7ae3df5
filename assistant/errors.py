"""Domain errors. Each boundary (CLI, HTTP, UI) maps them to a clean message; none is a traceback."""

from __future__ import annotations


class AssistantError(Exception):
    """Base class: the message is written for the person who will read it."""

    exit_code = 1
    http_status = 500


class ConfigError(AssistantError):
    exit_code = 2
    http_status = 500


class InputError(AssistantError):
    """Bad input from a user: empty or oversized question, malformed history, unknown chart."""

    exit_code = 2
    http_status = 400


class NotFound(InputError):
    http_status = 404


class StoreMissing(AssistantError):
    exit_code = 3
    http_status = 503


class StoreMismatch(AssistantError):
    """The store was built by another embedder or an older schema."""

    exit_code = 3
    http_status = 503


class IngestError(AssistantError):
    """An input file that cannot be read, is empty, or a chart that fails validation."""

    exit_code = 4


class BackendUnavailable(AssistantError):
    """A backend the answer needs (a Chroma server) does not answer in time."""

    exit_code = 3
    http_status = 503
