"""`contracts proxy` in front of each reference server: a scripted client session (tests/reference_servers/
sessions.py) is clean through a correct server, and each response-side fault of the catalogue shows up in the
response headers under the check that `contracts run` names for it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.reference_servers.catalogue import SCENARIOS, SERVERS, Scenario
from tests.reference_servers.sessions import PROXY_CHECKS, SESSIONS, Session, Step

Start = Callable[[Any, Path, str], Any]
Exchange = tuple[Step, httpx.Response]
REQUEST_CHECKS = ("unknown_operation", "request_parameters", "request_body", "request_security")


def run_session(proxy_url: str, session: Session) -> list[Exchange]:
    """Send every step of `session` through the proxy; the responses in order."""
    exchanges: list[Exchange] = []
    captured: dict[str, str] = {}
    with httpx.Client(base_url=proxy_url, timeout=30, trust_env=False) as client:
        for step in session.steps:
            headers = dict(session.credentials if step.headers is None else step.headers)
            for _ in range(step.repeat):
                response = client.request(step.method, step.path.format(**captured), json=step.json, headers=headers)
                exchanges.append((step, response))
            if step.capture is not None:
                captured[step.capture] = response.json()["id"]
    return exchanges


def violations(response: httpx.Response) -> tuple[int, list[str]]:
    """The proxy's verdict on one response: the count, and the checks named by the `x-contract-violation` lines."""
    lines = response.headers.get_list("x-contract-violation")
    return int(response.headers["x-contract-violations"]), [line.split(":", 1)[0] for line in lines]


def describe(exchanges: list[Exchange]) -> str:
    return "\n".join(
        f"{step.method} {response.request.url.path} -> {response.status_code}: "
        f"{response.headers.get_list('x-contract-violation')}"
        for step, response in exchanges
    )


@pytest.mark.parametrize("name", sorted(SESSIONS))
def test_a_session_through_a_correct_server_is_clean(proxied: Start, name: str) -> None:
    server, session = SERVERS[name], SESSIONS[name]
    proxy = proxied(server.create_app(), server.spec, server.prefix)
    exchanges = run_session(proxy.url, session)
    report = describe(exchanges)
    for step, response in exchanges:
        count, checks = violations(response)
        if step.probe:  # refused, and only the request is at fault (or it breaks only the spec's decisions)
            assert response.status_code >= 400, report
            assert set(checks) <= set(REQUEST_CHECKS), report
            assert checks or "x-contract-assumptions" in response.headers, report
        else:
            assert response.status_code < 500 and count == 0, report
    assert not any(finding.check in PROXY_CHECKS for _, finding in proxy.log.violations), report


def _proxy_scenarios() -> list[Any]:
    found = []
    for scenario in SCENARIOS:
        if scenario.server in SESSIONS and scenario.expected & PROXY_CHECKS and not scenario.assumption:
            found.append(pytest.param(scenario, id=scenario.id))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("scenario", _proxy_scenarios())
def test_a_response_side_fault_is_counted_under_its_check(proxied: Start, scenario: Scenario) -> None:
    server, session = SERVERS[scenario.server], SESSIONS[scenario.server]
    proxy = proxied(server.create_app(scenario.fault, **scenario.app_options), server.spec, server.prefix)
    exchanges = run_session(proxy.url, session)
    expected = scenario.expected & PROXY_CHECKS
    flagged = [(count, checks) for _, response in exchanges for count, checks in [violations(response)]]
    assert any(count > 0 and expected & set(checks) for count, checks in flagged), (
        f"expected {sorted(expected)}\n{describe(exchanges)}"
    )


def test_every_response_side_fault_of_a_proxied_server_is_exercised() -> None:
    exercised = {(param.values[0].server, param.values[0].fault) for param in _proxy_scenarios()}
    assert len(exercised) >= 15
    assert {fault for _, fault in exercised} >= {
        "wrong_type", "missing_field", "undocumented_status", "server_error_on_edge", "wrong_content_type",
        "missing_header", "auth_not_enforced", "accepts_invalid", "rejects_valid",
    }


def test_a_value_only_a_decision_forbids_is_an_assumption_not_a_violation(proxied: Start) -> None:
    [scenario] = [s for s in SCENARIOS if s.assumption and s.server in SESSIONS]
    server, session = SERVERS[scenario.server], SESSIONS[scenario.server]
    accepted = [s for s in session.steps if s.probe and "pageSize=101" in s.path]
    assert accepted, "the session sends the decided-invalid value"
    correct = proxied(server.create_app(), server.spec, server.prefix)
    faulty = proxied(server.create_app(scenario.fault), server.spec, server.prefix)
    outcomes = {}
    for name, proxy in (("correct", correct), ("faulty", faulty)):
        exchanges = run_session(proxy.url, Session(tuple(accepted), session.credentials))
        [(_, response)] = exchanges
        assert violations(response)[0] == 0, describe(exchanges)
        assert response.headers["x-contract-assumptions"] >= "1"
        outcomes[name] = {finding.check: finding for _, finding in proxy.log.assumptions}
    assert "negative_data_rejection" not in outcomes["correct"]
    served = outcomes["faulty"]["negative_data_rejection"]
    assert [decision.pointer for decision in served.decisions] == [scenario.decision]
    assert not [finding for exchange in faulty.exchanges for finding in exchange.findings if not finding.is_assumption]


def test_a_cors_preflight_is_forwarded_unchecked_and_a_head_is_checked_as_its_get(proxied: Start) -> None:
    server = SERVERS["pulumi-ai"]
    proxy = proxied(server.create_app(), server.spec, server.prefix)
    preflight = {"Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET"}
    credentials = SESSIONS["pulumi-ai"].credentials
    with httpx.Client(base_url=proxy.url, timeout=30, trust_env=False) as client:
        options = client.options("/api/user/ai/usage", headers=preflight)
        head = client.head("/api/user/ai/usage", headers=credentials)
        head_of_nothing = client.head("/api/no-such-path", headers=credentials)
    assert options.headers["x-contract-violations"] == "0"
    assert head.status_code == 200 and head.headers["x-contract-violations"] == "0"
    assert violations(head_of_nothing) == (1, ["unknown_operation"])
