"""`contracts.report`: the human summary and the JUnit file of a run."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.errors import UsageError
from contracts.report import render_summary, write_junit
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
