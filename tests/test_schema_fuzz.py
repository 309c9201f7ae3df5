"""A schema-driven fuzzer (schemathesis) over the API's own OpenAPI document, with every check it
has: no 5xx, responses that match the schema, no valid request rejected, no invalid one accepted,
405 for undeclared methods. Bounded and repeatable: a fixed number of examples per operation from a fixed seed, no example
database written to disk."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import CHECKS

from assistant.api import create_app
from assistant.settings import Settings
from tests.fakes import FakeService

pytestmark = pytest.mark.hardening

# The body cap answers 413 before validation, which the fuzzer's negative-data check does not list;
# the cap has its own probes (tests/test_hardening.py), so here it is set above what the fuzzer sends.
FUZZ_SETTINGS = Settings(max_body_bytes=16 * 1024 * 1024)
fake_schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(FakeService(), FUZZ_SETTINGS))


@fake_schema.parametrize()
@settings(max_examples=80, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_holds_to_its_schema(case: Any) -> None:
    case.call_and_validate(checks=CHECKS.get_all())


@pytest.mark.slow
def test_the_real_assistant_answers_whatever_the_schema_allows(real_service: Any) -> None:
    """Questions and histories drawn from the schema, answered by the real engine: never a 5xx,
    never a response outside the schema, never a valid request refused."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(real_service, FUZZ_SETTINGS))
    ask = schema["/api/ask"]["POST"]

    @given(case=ask.as_strategy())
    @settings(max_examples=60, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    def check(case: Any) -> None:
        case.call_and_validate(checks=CHECKS.get_all())

    check()
