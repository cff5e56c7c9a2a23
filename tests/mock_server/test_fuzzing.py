"""Schemathesis' fuzzing phase against the mock, for every spec: no server error and no lost connection.

Bounded: a few examples per operation, one shared in-process server (seed 0, credential `t`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml

from contracts.report import render_summary
from contracts.runner import RunOptions, run_contracts
from mock_server import Settings, create_app
from tests.conftest import API_NAMES, SPECS
from tests.reference_servers.serving import serve
from tests.spec_checked_client import credentials_for

MAX_EXAMPLES = 25


@pytest.fixture(scope="module")
def fuzzed_mock() -> Iterator[str]:
    with serve(create_app(Settings(seed=0, auth_token="t"))) as root:
        yield root


@pytest.mark.slow
@pytest.mark.parametrize("api", API_NAMES)
def test_fuzzing_finds_no_server_error(fuzzed_mock: str, api: str) -> None:
    spec = SPECS / f"{api}.yaml"
    headers = credentials_for(yaml.safe_load(spec.read_text()))
    result = run_contracts(RunOptions(spec=spec, base_url=f"{fuzzed_mock}/{api}", headers=headers,
                                      max_examples=MAX_EXAMPLES, seed=5, phases=("fuzzing",)))
    assert sum(outcome.cases for outcome in result.operations) > 0
    server_errors = [v for v in result.violations if v.check == "not_a_server_error" or (v.status or 0) >= 500]
    assert server_errors == [], render_summary(result)
    assert result.errors == (), render_summary(result)
