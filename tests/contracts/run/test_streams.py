"""The stream checks (contracts/streams.py) against our mock: every streaming operation opens and keeps its spec."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from contracts.runner import RunOptions, run_contracts
from contracts.streams import check_streams, streaming_operations
from mock_server import Settings, create_app
from tests.reference_servers.serving import serve

SPECS = Path(__file__).resolve().parents[3] / "specs"
HEADERS = {"devs-ai": {"Authorization": "Bearer t"}, "coder-chats": {"Coder-Session-Token": "t"}}


@pytest.mark.parametrize("api", sorted(HEADERS))
def test_every_stream_of_the_mock_keeps_its_spec(api: str) -> None:
    raw = yaml.safe_load((SPECS / f"{api}.yaml").read_text())
    with serve(create_app(Settings(seed=4, stream_delay_ms=0))) as root:
        outcomes = check_streams(raw, f"{root}/{api}", HEADERS[api])
    assert [o.label.split(" ", 1)[1] for o in outcomes] == [
        next(p for p, item in raw["paths"].items() for op in item.values()
             if isinstance(op, dict) and op.get("operationId") == op_id) for op_id in streaming_operations(raw)]
    assert all(not o.findings and not o.skipped for o in outcomes), outcomes
    assert all(o.events > 0 for o in outcomes if "/watch" not in o.label), outcomes


def test_a_run_reports_streams_in_the_summary_and_junit() -> None:
    spec = SPECS / "devs-ai.yaml"
    with serve(create_app(Settings(specs=(spec,), seed=4, stream_delay_ms=0, auth_token="t"))) as root:
        result = run_contracts(RunOptions(spec=spec, base_url=f"{root}/devs-ai", headers=HEADERS["devs-ai"],
                                          operations="Completion|sendChatMessage", max_examples=2, seed=1,
                                          phases=("examples",)))
    assert result.passed, (result.violations, result.errors, result.junit_xml[-4000:])
    assert '<testsuite name="streams"' in result.junit_xml
    assert "POST /api/v1/chat/completions (stream)" in result.junit_xml
