"""Proof that `contracts run` catches real drift: independent reference servers pass, and every fault of the
catalogue (tests/reference_servers/catalogue.py) fails the run through the check that should catch it."""

from __future__ import annotations

import pytest

from contracts.report import render_summary
from contracts.runner import run_contracts
from tests.reference_servers.catalogue import SCENARIOS, SERVERS, Scenario, run_options, run_scenario
from tests.reference_servers.faults import FAULTS
from tests.reference_servers.serving import serve

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", sorted(SERVERS))
def test_a_correct_reference_server_passes(name: str) -> None:
    server = SERVERS[name]
    with serve(server.create_app()) as root:
        result = run_contracts(run_options(server, root + server.prefix))
    assert result.exit_code == 0, render_summary(result)
    assert all(outcome.cases > 0 for outcome in result.operations), render_summary(result)


def _marks(scenario: Scenario) -> list[pytest.MarkDecorator]:
    if scenario.expected:
        return []
    return [pytest.mark.xfail(strict=True, reason=f"spec gap: {scenario.note}")]


@pytest.mark.parametrize(
    "scenario",
    [pytest.param(s, id=s.id, marks=_marks(s)) for s in SCENARIOS if not s.assumption],
)
def test_a_fault_fails_the_run_through_its_check(scenario: Scenario) -> None:
    outcome = run_scenario(scenario)
    summary = render_summary(outcome.result)
    assert outcome.result.exit_code == 1, summary
    assert outcome.detected, f"expected one of {sorted(scenario.expected)}, got {sorted(outcome.found)}\n{summary}"
    for check in scenario.expected & outcome.found:
        assert f"| {check}: " in summary
    assert outcome.time_to_detection is not None


def test_every_fault_of_the_catalogue_is_exercised() -> None:
    exercised = {scenario.fault for scenario in SCENARIOS if scenario.expected}
    assert exercised == set(FAULTS)
    assert len(FAULTS) >= 10


@pytest.mark.parametrize(
    "scenario", [pytest.param(scenario, id=scenario.id) for scenario in SCENARIOS if scenario.assumption]
)
def test_a_deployment_breaking_only_a_decision_gets_a_warning_and_fails_under_strict(scenario: Scenario) -> None:
    outcome = run_scenario(scenario)
    summary = render_summary(outcome.result)
    assert outcome.result.exit_code == 0, summary
    assert not outcome.result.violations, summary
    assert outcome.detected, f"expected an assumption through {sorted(scenario.expected)}\n{summary}"
    assumptions = [a for a in outcome.result.assumptions if a.check in scenario.expected]
    assert {decision.pointer for a in assumptions for decision in a.decisions} == {scenario.decision}
    assert "Assumptions contradicted by the deployment" in summary and f"#{scenario.decision}" in summary

    strict = run_scenario(scenario, strict=True)
    strict_summary = render_summary(strict.result)
    assert strict.result.exit_code == 1, strict_summary
    assert scenario.expected & {violation.check for violation in strict.result.violations}, strict_summary
    assert not strict.result.assumptions
