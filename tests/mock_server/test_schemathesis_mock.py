"""Schemathesis (all phases, all checks, stateful link sequences) against the mock finds nothing, for every spec.

This is the proof that mock and specs agree, also while a stubs file answers some of the calls with scripted
replies. The mock requires the credential `t` here so that Schemathesis' `ignored_auth` check has something to find
if auth were not enforced.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import yaml

from contracts.report import render_summary
from contracts.runner import PHASES
from tests.conftest import API_NAMES
from tests.mock_server.contract_runs import run_against, strict_mock
from tests.stubs.conftest import STUBS


@pytest.fixture(scope="module")
def mock_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    stubs = tmp_path_factory.mktemp("stubs") / "stubs.yaml"
    stubs.write_text(yaml.safe_dump(STUBS, sort_keys=False))
    with strict_mock(seed=3, stubs=stubs) as root:
        yield root


def _stub_hits(root: str, api: str) -> int:
    return sum(stub["hits"] for stub in httpx.get(f"{root}/__mock/stubs").json()["stubs"] if stub["api"] == api)


@pytest.mark.slow
@pytest.mark.parametrize("api", API_NAMES)
def test_mock_keeps_its_contract(mock_root: str, api: str) -> None:
    before = _stub_hits(mock_root, api)
    result = run_against(mock_root, api, max_examples=12, seed=11, phases=PHASES)
    assert result.passed, render_summary(result)
    if any(stub["api"] == api for stub in STUBS):
        assert _stub_hits(mock_root, api) > before  # the stubs answered some of Schemathesis' calls
