"""A run that did not test is not a pass: rejected credentials and runs where nothing was served exit 2, say which
operations and what the spec expects, in the summary, the JUnit and the JSON report; Schemathesis' own warnings
are surfaced; `--allow-unauthenticated` keeps an anonymous run green."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from contracts.cli import main
from contracts.report import render_json, render_summary
from contracts.runner import RunOptions, run_contracts
from tests.reference_servers import notes, pulumi_ai
from tests.reference_servers.serving import serve

pytestmark = pytest.mark.slow

Start = Callable[..., tuple[str, Any]]
WRONG = "wrong-token-0000"


def _options(base_url: str, **overrides: Any) -> RunOptions:
    options = RunOptions(spec=notes.SPEC, base_url=base_url, token=notes.TOKEN, max_examples=5, seed=3)
    return replace(options, **overrides)


def test_a_wrong_token_exits_2_naming_every_operation_and_the_expected_scheme(notes_server: Start) -> None:
    base_url, _ = notes_server()
    result = run_contracts(_options(base_url, token=WRONG))
    summary = render_summary(result)
    assert result.exit_code == 2, summary
    assert set(result.rejected) == {"POST /notes", "GET /notes", "GET /notes/{noteId}", "DELETE /notes/{noteId}"}
    assert "Credentials rejected" in summary
    assert "`Authorization: Bearer <token>` (scheme `bearerAuth`, http bearer)" in summary
    assert summary.rstrip().endswith("NOT TESTED: credentials rejected on 4 operation(s) "
                                     f"({sum(o.cases for o in result.operations)} cases). Exit code 2.")
    assert "missing_auth" in {warning.kind for warning in result.warnings}
    assert "Schemathesis warnings" in summary
    errors = {case.get("name"): case.find("error") for case in ElementTree.fromstring(result.junit_xml).iter("testcase")
              if case.find("error") is not None}
    assert set(result.rejected) <= set(errors)
    assert "credentials rejected" in errors["GET /notes"].get("message", "")
    report = json.loads(render_json(result))
    assert report["exit_code"] == 2 and report["credentials"]["not_tested"]
    assert sorted(report["credentials"]["rejected_operations"]) == sorted(result.rejected)
    for text in (summary, result.junit_xml, render_json(result)):
        assert WRONG not in text


def test_allow_unauthenticated_keeps_an_anonymous_run_green(notes_server: Start) -> None:
    base_url, _ = notes_server()
    result = run_contracts(_options(base_url, token=None, allow_unauthenticated=True))
    summary = render_summary(result)
    assert result.exit_code == 0, summary
    assert result.rejected and "allowed by --allow-unauthenticated" in summary
    assert summary.rstrip().endswith("no contract violation.")


def test_the_right_token_passes_with_no_credentials_section(notes_server: Start) -> None:
    base_url, _ = notes_server()
    result = run_contracts(_options(base_url))
    summary = render_summary(result)
    assert result.exit_code == 0 and not result.rejected and result.served_any, summary
    assert "Credentials rejected" not in summary


def test_a_run_where_nothing_answered_2xx_did_not_test(notes_server: Start) -> None:
    base_url, _ = notes_server()  # an empty store: reading one note answers 404, whatever the id
    result = run_contracts(_options(base_url, operations="^getNote$", phases=("examples", "fuzzing")))
    summary = render_summary(result)
    assert result.exit_code == 2 and not result.rejected and not result.served_any, summary
    assert "No operation answered a single 2xx" in summary
    assert "missing_test_data" in {warning.kind for warning in result.warnings}


def test_the_cli_exits_2_on_rejected_credentials_and_writes_both_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junit, report = tmp_path / "out.xml", tmp_path / "out.json"
    with serve(pulumi_ai.create_app()) as root:
        code = main(["run", "--api", "pulumi-ai", "--base-url", root, "-H", f"Authorization: token {WRONG}",
                     "--max-examples", "3", "--seed", "2", "--phases", "examples,coverage",
                     "--junit-xml", str(junit), "--report", str(report)])
        allowed = main(["run", "--api", "pulumi-ai", "--base-url", root, "--max-examples", "3", "--seed", "2",
                        "--phases", "examples,coverage", "--allow-unauthenticated"])
    out, err = capsys.readouterr()
    assert (code, allowed) == (2, 0), out + err
    assert "GET /api/user/ai/usage" in out and "`Authorization: <value>`" in out and "token <access-token>" in out
    assert json.loads(report.read_text())["exit_code"] == 2
    assert ElementTree.parse(junit).getroot().find("testsuite[@name='credentials']") is not None
    for text in (out, err, junit.read_text(), report.read_text()):
        assert WRONG not in text
