"""Schemathesis' fuzzing phase against the mock, for every spec: no server error and no lost connection.

Bounded: a few examples per operation, one shared in-process server (seed 0, credential `t`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contracts.report import render_summary
from tests.conftest import API_NAMES
from tests.mock_server.contract_runs import run_against, strict_mock

MAX_EXAMPLES = 25


@pytest.fixture(scope="module")
def fuzzed_mock() -> Iterator[str]:
    with strict_mock(seed=0) as root:
        yield root


@pytest.mark.slow
@pytest.mark.parametrize("api", API_NAMES)
def test_fuzzing_finds_no_server_error(fuzzed_mock: str, api: str) -> None:
    result = run_against(fuzzed_mock, api, max_examples=MAX_EXAMPLES, seed=5, phases=("fuzzing",))
    server_errors = [v for v in result.violations if v.check == "not_a_server_error" or (v.status or 0) >= 500]
    assert server_errors == [], render_summary(result)
    assert result.errors == (), render_summary(result)
