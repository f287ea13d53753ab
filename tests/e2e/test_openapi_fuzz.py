"""Schemathesis against every service's OpenAPI with an operator key: no 5xx, responses match their schemas."""
from __future__ import annotations

import time
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from .conftest import OPERATOR_KEY, System

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

SERVICES = ("intake", "deadline", "scoring", "notify")
EXAMPLES = {GenerationMode.POSITIVE: 15, GenerationMode.NEGATIVE: 8}
AUTH = {"Authorization": f"Bearer {OPERATOR_KEY}"}
CHECKS = [not_a_server_error, response_schema_conformance]
BUDGET_SECONDS = 90.0


def fuzz_operation(operation: Any, mode: GenerationMode, failures: list[str]) -> int:
    """Run one operation in one generation mode; returns the number of calls made."""
    calls = 0

    @settings(max_examples=EXAMPLES[mode], derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        nonlocal calls
        calls += 1
        case.call_and_validate(headers=AUTH, checks=CHECKS, timeout=10)

    try:
        run()
    except Unsatisfiable:
        pass  # no request can be made in this mode (e.g. no parameter to break in negative mode)
    except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup is a BaseExceptionGroup
        failures.append(f"{operation.label} [{mode.value}]: {type(exc).__name__}: {str(exc)[:4000]}")
    return calls


@pytest.mark.parametrize("service", SERVICES)
def test_no_server_error_and_responses_match_the_schema(system: System, service: str) -> None:
    started = time.monotonic()
    schema = schemathesis.openapi.from_url(system.stack.url(service) + "/openapi.json")
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, f"{service} documents no operation"
    calls = 0
    for operation in operations:
        for mode in EXAMPLES:
            calls += fuzz_operation(operation, mode, failures)
    elapsed = time.monotonic() - started
    print(f"{service}: {len(operations)} operations, {calls} calls in {elapsed:.1f} s")
    assert not failures, "\n\n".join(failures)
    assert elapsed < BUDGET_SECONDS / 2
