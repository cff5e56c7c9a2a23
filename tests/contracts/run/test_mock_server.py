"""`contracts run` against our own mock server (`mock_server.create_app`), one spec at a time, served by uvicorn."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.report import render_summary
from contracts.runner import RunOptions, run_contracts
from tests.reference_servers.serving import serve

pytestmark = pytest.mark.slow

SPECS = Path(__file__).resolve().parents[3] / "specs"
TOKEN = "mock-contract-token"
# The mock compares the secret after an optional scheme word, so `token <secret>` and `<secret>` both pass.
TOKENS = {"pulumi-ai": f"token {TOKEN}"}
NAMES = sorted(path.stem for path in SPECS.glob("*.yaml"))


@pytest.mark.parametrize("name", NAMES)
def test_the_mock_server_keeps_the_contract(name: str) -> None:
    from mock_server import Settings, create_app  # here, so a mock being rewritten fails this test, not collection

    spec = SPECS / f"{name}.yaml"
    app = create_app(Settings(specs=(spec,), seed=1, auth_token=TOKEN))
    with serve(app) as root:
        result = run_contracts(
            RunOptions(spec=spec, base_url=f"{root}/{name}", token=TOKENS.get(name, TOKEN), max_examples=5, seed=1)
        )
    assert result.exit_code == 0, render_summary(result)
    assert all(outcome.cases > 0 for outcome in result.operations), render_summary(result)
