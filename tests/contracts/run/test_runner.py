"""`contracts.runner.run_contracts` against the notes reference server (tests/reference_servers/notes.yaml)."""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from contracts.errors import ServerUnreachableError, SpecLoadError, UsageError
from contracts.report import render_summary
from contracts.runner import REDACTED, RunOptions, RunResult, run_contracts
from tests.reference_servers import notes

pytestmark = pytest.mark.slow

Start = Callable[..., tuple[str, Any]]


def _options(base_url: str, **overrides: Any) -> RunOptions:
    options = RunOptions(spec=notes.SPEC, base_url=base_url, token=notes.TOKEN, max_examples=8, seed=7)
    return replace(options, **overrides)


def _checks(result: RunResult) -> set[str]:
    return {violation.check for violation in result.violations}


def test_a_correct_server_passes_every_operation(notes_server: Start) -> None:
    base_url, _ = notes_server()
    result = run_contracts(_options(base_url))
    assert result.exit_code == 0, render_summary(result)
    assert [outcome.label for outcome in result.operations] == [
        "POST /notes",
        "GET /notes",
        "GET /notes/{noteId}",
        "DELETE /notes/{noteId}",
    ]
    assert all(outcome.cases > 0 for outcome in result.operations)
    assert result.seed == 7
    assert "PASSED" in render_summary(result)


def test_a_wrong_response_type_fails_schema_conformance_with_a_reproduction(notes_server: Start) -> None:
    base_url, _ = notes_server("wrong_type")
    result = run_contracts(_options(base_url))
    assert result.exit_code == 1
    assert "response_schema_conformance" in _checks(result)
    violation = next(v for v in result.violations if v.check == "response_schema_conformance")
    assert violation.status in (200, 201)
    assert '"pinned":"yes"' in violation.body
    assert violation.reproduction.startswith("curl -X ")
    assert base_url in violation.reproduction
    summary = render_summary(result)
    assert "response_schema_conformance" in summary and "Reproduce:" in summary and "FAILED" in summary


def test_a_field_changed_on_create_fails_the_round_trip_check(notes_server: Start) -> None:
    base_url, _ = notes_server("field_changed")
    result = run_contracts(_options(base_url))
    assert result.exit_code == 1
    [violation] = [v for v in result.violations if v.check == "create_read_round_trip"]
    assert violation.operation == "POST /notes"
    assert violation.title == "Created resource differs when read back"
    assert "`title`: sent" in violation.message
    assert _checks(result) == {"create_read_round_trip"}, "only the round trip sees a well-typed change"


def test_a_create_that_is_not_stored_is_reported(notes_server: Start) -> None:
    base_url, _ = notes_server("create_not_persisted")
    result = run_contracts(_options(base_url))
    assert result.exit_code == 1
    titles = {v.title for v in result.violations if v.check == "create_read_round_trip"}
    assert titles == {"Created resource is not readable"}


def test_a_missing_required_retry_after_header_is_reported(notes_server: Start) -> None:
    correct_url, _ = notes_server(rate_limit=3)
    assert run_contracts(_options(correct_url)).exit_code == 0
    faulty_url, _ = notes_server("missing_header", rate_limit=3)
    result = run_contracts(_options(faulty_url))
    assert "response_headers_conformance" in _checks(result)
    assert any(v.status == 429 and "Retry-After" in v.message for v in result.violations)


def test_secrets_never_appear_in_the_result(notes_server: Start) -> None:
    base_url, _ = notes_server("auth_not_enforced")
    extra = "x-extra-secret-value-81"
    result = run_contracts(_options(base_url, headers={"X-Extra": extra, "Accept": "application/json"}))
    assert result.exit_code == 1 and "ignored_auth" in _checks(result)
    texts = [render_summary(result), result.junit_xml, *result.errors]
    texts += [v.reproduction + v.message + v.body for v in result.violations]
    for text in texts:
        assert notes.TOKEN not in text
        assert extra not in text
    assert REDACTED in render_summary(result) or "Authorization" not in render_summary(result)


def test_read_only_sends_only_safe_methods(notes_server: Start) -> None:
    base_url, app = notes_server()
    result = run_contracts(_options(base_url, read_only=True))
    assert result.exit_code == 0, render_summary(result)
    assert {outcome.label for outcome in result.operations} == {"GET /notes", "GET /notes/{noteId}"}
    assert app.state.methods, "the server saw no request"
    assert set(app.state.methods) <= {"GET", "HEAD", "OPTIONS"}


def test_operations_selects_by_operation_id_or_path(notes_server: Start) -> None:
    base_url, _ = notes_server()
    by_id = run_contracts(_options(base_url, operations="^getNote$", phases=("examples", "fuzzing")))
    assert [outcome.label for outcome in by_id.operations] == ["GET /notes/{noteId}"]
    by_path = run_contracts(_options(base_url, operations=r"\{noteId\}$", phases=("fuzzing",)))
    assert {outcome.label for outcome in by_path.operations} == {"GET /notes/{noteId}", "DELETE /notes/{noteId}"}


def test_junit_xml_has_one_case_per_operation_and_the_failures(notes_server: Start) -> None:
    base_url, _ = notes_server("wrong_type")
    result = run_contracts(_options(base_url))
    root = ElementTree.fromstring(result.junit_xml)
    names = {case.get("name") for case in root.iter("testcase")}
    assert {"POST /notes", "GET /notes", "GET /notes/{noteId}"} <= names
    failed = {case.get("name") for case in root.iter("testcase") if case.find("failure") is not None}
    assert "GET /notes/{noteId}" in failed
    assert notes.TOKEN not in result.junit_xml


def test_a_fixed_seed_repeats_the_same_cases(notes_server: Start) -> None:
    base_url, _ = notes_server()
    first = run_contracts(_options(base_url, operations="^listNotes$", phases=("examples", "coverage", "fuzzing")))
    second = run_contracts(_options(base_url, operations="^listNotes$", phases=("examples", "coverage", "fuzzing")))
    assert [o.cases for o in first.operations] == [o.cases for o in second.operations]


def test_an_unreachable_server_is_reported_before_any_test() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ServerUnreachableError, match=f"127.0.0.1:{port}"):
        run_contracts(_options(f"http://127.0.0.1:{port}/notes-api"))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"phases": ("examples", "fuzz")}, "unknown phases"),
        ({"operations": "("}, "not a valid regular expression"),
        ({"operations": "^nothing-matches$"}, "no operation"),
        ({"base_url": "ftp://example.com"}, "http"),
        ({"max_examples": 0}, "positive"),
        ({"rate_limit": "ten per second"}, "invalid run option"),
    ],
)
def test_bad_options_are_usage_errors(notes_server: Start, overrides: dict[str, Any], message: str) -> None:
    base_url, _ = notes_server()
    with pytest.raises(UsageError, match=message):
        run_contracts(replace(_options(base_url), **overrides))


def test_an_unreadable_spec_is_a_spec_load_error(tmp_path: Any) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: [unclosed\n")
    with pytest.raises(SpecLoadError):
        run_contracts(RunOptions(spec=broken, base_url="http://127.0.0.1:9"))
    with pytest.raises(SpecLoadError):
        run_contracts(RunOptions(spec=tmp_path / "missing.yaml", base_url="http://127.0.0.1:9"))


def test_rate_limit_and_workers_are_accepted(notes_server: Start) -> None:
    base_url, _ = notes_server()
    result = run_contracts(_options(base_url, rate_limit="200/s", workers=2, phases=("examples", "fuzzing")))
    assert result.exit_code == 0, render_summary(result)
