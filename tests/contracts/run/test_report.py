"""`contracts.report`: the human summary and the JUnit file of a run."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from contracts.decisions import Decision
from contracts.errors import UsageError
from contracts.report import render_json, render_summary, write_json, write_junit
from contracts.runner import OperationOutcome, RunResult, Violation

_VIOLATION = Violation(
    operation="GET /things/{id}",
    check="response_schema_conformance",
    title="Response violates schema",
    message="\n".join(f"line {number}" for number in range(40)),
    reproduction="curl -X GET -H 'Authorization: [Filtered]' http://127.0.0.1:1/things/1",
    status=200,
    body='{"id": 1}',
    occurrences=3,
)


def _result(*outcomes: OperationOutcome, errors: tuple[str, ...] = ()) -> RunResult:
    return RunResult(
        spec="specs/things.yaml",
        base_url="http://127.0.0.1:1",
        seed=42,
        operations=outcomes,
        errors=errors,
        skipped=("GET /things/stream (WebSocket)",),
        elapsed=1.5,
        junit_xml="<testsuites/>",
    )


def test_a_clean_run_lists_every_operation_and_passes() -> None:
    summary = render_summary(_result(OperationOutcome("GET /things", 12), OperationOutcome("POST /things", 0)))
    assert "GET /things" in summary and "12 cases  ok" in summary
    assert "not tested" in summary
    assert "Skipped: GET /things/stream (WebSocket)" in summary
    assert summary.rstrip().endswith("no contract violation.")


def test_a_violation_shows_check_response_and_reproduction_with_a_clipped_message() -> None:
    summary = render_summary(_result(OperationOutcome("GET /things/{id}", 9, (_VIOLATION,))))
    assert "FAILED: response_schema_conformance" in summary
    assert "1. GET /things/{id} | response_schema_conformance: Response violates schema (3 cases)" in summary
    assert "Response: 200 OK" in summary and '{"id": 1}' in summary
    assert "Reproduce:" in summary and "curl -X GET" in summary
    assert "line 13" in summary and "line 14" not in summary and "(26 more lines)" in summary
    assert "rerun with seed 42 to reproduce" in summary


def test_errors_fail_the_run_and_are_clipped() -> None:
    error = "GET /things: Unsupported schema\n" + "x" * 5000
    result = _result(OperationOutcome("GET /things", 3), errors=(error,))
    assert result.exit_code == 1
    summary = render_summary(result)
    assert "Errors" in summary and "Unsupported schema" in summary and "1 error(s)" in summary
    assert "x" * 300 + "..." in summary and "x" * 301 not in summary


def test_junit_is_written_and_unwritable_paths_are_usage_errors(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "out.xml"
    write_junit(_result(), target)
    assert target.read_text() == "<testsuites/>"
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(UsageError, match="cannot write"):
        write_junit(_result(), blocker / "out.xml")


_DECISION = Decision("/components/parameters/limit", frozenset({"maximum"}), "The range is ours.", line=12,
                     broken=frozenset({"maximum"}))
_ASSUMPTION = Violation(
    operation="GET /things",
    check="negative_data_rejection",
    title="Schema-violating request accepted",
    message="Invalid data should have been rejected",
    reproduction="curl -X GET 'http://127.0.0.1:1/things?limit=101'",
    status=200,
    body="[]",
    decisions=(_DECISION,),
)


def test_an_assumption_is_a_warning_with_the_spec_node_to_revisit() -> None:
    result = _result(OperationOutcome("GET /things", 7, assumptions=(_ASSUMPTION,)))
    assert result.exit_code == 0
    summary = render_summary(result)
    assert "7 cases  assumption: negative_data_rejection" in summary
    assert "Assumptions contradicted by the deployment (warnings; --strict makes them failures)" in summary
    assert "Rests only on a decision (maximum): specs/things.yaml:12 #/components/parameters/limit" in summary
    assert "x-decision: The range is ours." in summary
    assert "Spec nodes to revisit:" in summary
    assert summary.rstrip().endswith("no contract violation; 1 assumption(s) contradicted (warnings).")
    document = json.loads(render_json(result))
    assert document["violations"] == [] and document["exit_code"] == 0
    [assumption] = document["assumptions"]
    assert assumption["decisions"] == [{"pointer": "#/components/parameters/limit", "line": 12,
                                        "broken": ["maximum"], "note": "The range is ours."}]


def test_rejected_credentials_make_the_run_not_tested() -> None:
    result = _result(OperationOutcome("GET /things", 5, auth_rejected=True), OperationOutcome("POST /things", 3))
    result = replace(result, credentials="The spec expects `X-Key: <value>`.")
    assert result.exit_code == 2 and not result.passed
    summary = render_summary(result)
    assert "NOT TESTED: every valid case answered 401/403" in summary
    assert "The spec expects `X-Key: <value>`." in summary and "--allow-unauthenticated" in summary
    assert replace(result, allow_unauthenticated=True).exit_code == 0
    assert replace(_result(OperationOutcome("GET /things", 5)), served_any=False).exit_code == 2


def test_json_reports_are_written_and_unwritable_paths_are_usage_errors(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "out.json"
    write_json(_result(OperationOutcome("GET /things", 1)), target)
    assert json.loads(target.read_text())["operations"][0]["operation"] == "GET /things"
    with pytest.raises(UsageError, match="cannot write JSON report"):
        write_json(_result(), tmp_path)
