"""Schemathesis (all phases, all checks, stateful link sequences) against the mock finds nothing, for every spec.

This is the proof that mock and specs agree. The mock requires the credential `t` here so that Schemathesis'
`ignored_auth` check has something to find if auth were not enforced.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml

from contracts.report import render_summary
from contracts.runner import PHASES, RunOptions, run_contracts
from mock_server import Settings, create_app
from tests.conftest import API_NAMES, SPECS
from tests.reference_servers.serving import serve
from tests.spec_checked_client import credentials_for


@pytest.fixture(scope="module")
def strict_mock() -> Iterator[str]:
    with serve(create_app(Settings(seed=3, auth_token="t"))) as root:
        yield root


@pytest.mark.slow
@pytest.mark.parametrize("api", API_NAMES)
def test_mock_keeps_its_contract(strict_mock: str, api: str) -> None:
    spec = SPECS / f"{api}.yaml"
    headers = credentials_for(yaml.safe_load(spec.read_text()))
    result = run_contracts(RunOptions(spec=spec, base_url=f"{strict_mock}/{api}", headers=headers,
                                      max_examples=12, seed=11, phases=PHASES))
    assert sum(outcome.cases for outcome in result.operations) > 0
    assert result.passed, render_summary(result)
