"""Schemathesis (all phases, all checks, stateful link sequences) against the mock finds nothing, for every spec.

This is the proof that mock and specs agree. The mock requires the credential `t` here so that Schemathesis'
`ignored_auth` check has something to find if auth were not enforced.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contracts.report import render_summary
from contracts.runner import PHASES
from tests.conftest import API_NAMES
from tests.mock_server.contract_runs import run_against, strict_mock


@pytest.fixture(scope="module")
def mock_root() -> Iterator[str]:
    with strict_mock(seed=3) as root:
        yield root


@pytest.mark.slow
@pytest.mark.parametrize("api", API_NAMES)
def test_mock_keeps_its_contract(mock_root: str, api: str) -> None:
    result = run_against(mock_root, api, max_examples=12, seed=11, phases=PHASES)
    assert result.passed, render_summary(result)
