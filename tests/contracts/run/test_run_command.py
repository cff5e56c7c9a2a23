"""`contracts run` through the command line (`contracts.cli.main`): exit codes, output, JUnit file, secrets."""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from contracts.cli import main
from tests.reference_servers import pulumi_ai
from tests.reference_servers.serving import serve

pytestmark = pytest.mark.slow

TOKEN_VALUE = f"token {pulumi_ai.TOKEN}"  # the spec's apiKey scheme wants the `token ` prefix in the value


def _run(*args: str) -> int:
    return main(["run", "--api", "pulumi-ai", "--max-examples", "3", "--seed", "3", *args])


def test_the_ci_command_passes_on_a_correct_server_and_writes_junit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PULUMI_TOKEN", TOKEN_VALUE)
    junit = tmp_path / "reports" / "out.xml"
    with serve(pulumi_ai.create_app()) as root:
        code = _run("--base-url", root, "--token-env", "PULUMI_TOKEN", "--read-only", "--junit-xml", str(junit))
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "PASSED" in out
    assert "POST " not in out, "--read-only lists only safe operations"
    cases = [case.get("name") for case in ElementTree.parse(junit).getroot().iter("testcase")]
    assert "GET /api/user/ai/usage" in cases
    for text in (out, err, junit.read_text()):
        assert pulumi_ai.TOKEN not in text


def test_violations_exit_1_with_the_check_name_and_no_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PULUMI_TOKEN", TOKEN_VALUE)
    junit = tmp_path / "out.xml"
    with serve(pulumi_ai.create_app("wrong_content_type")) as root:
        code = _run("--base-url", root, "--token-env", "PULUMI_TOKEN", "--junit-xml", str(junit), "--workers", "2")
    out, err = capsys.readouterr()
    assert code == 1
    assert "content_type_conformance" in out
    assert "curl -X" in out and "Authorization: [Filtered]" in out
    failures = list(ElementTree.parse(junit).getroot().iter("failure"))
    assert failures
    for text in (out, err, junit.read_text()):
        assert pulumi_ai.TOKEN not in text


def test_a_header_credential_is_redacted_too(capsys: pytest.CaptureFixture[str]) -> None:
    with serve(pulumi_ai.create_app("wrong_type")) as root:
        code = _run("--base-url", root, "-H", f"Authorization: {TOKEN_VALUE}", "--operations", "Conversation$")
    out, err = capsys.readouterr()
    assert code == 1 and "response_schema_conformance" in out
    assert pulumi_ai.TOKEN not in out + err


def test_an_unreachable_server_exits_2_with_a_clean_message(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code = _run("--base-url", f"http://127.0.0.1:{port}")
    out, err = capsys.readouterr()
    assert code == 2
    assert "cannot reach" in err and "Traceback" not in out + err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--token-env", "CONTRACTS_TEST_UNSET_VARIABLE"], "CONTRACTS_TEST_UNSET_VARIABLE"),
        (["-H", "no-colon-super-secret-value"], "--header #1"),
        (["--phases", "examples,fuzz"], "unknown phases"),
        (["--operations", "^nothing$"], "no operation"),
    ],
)
def test_bad_usage_exits_2(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with serve(pulumi_ai.create_app()) as root:
        code = _run("--base-url", root, *args)
    out, err = capsys.readouterr()
    assert code == 2
    assert message in err
    assert "super-secret" not in out + err
    assert "Traceback" not in out + err


def test_an_unknown_api_name_exits_2_listing_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", "--api", "no-such-api", "--base-url", "http://127.0.0.1:9"])
    assert code == 2
    assert "pulumi-ai" in capsys.readouterr().err


def test_missing_required_arguments_are_argparse_errors() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--api", "pulumi-ai"])
    assert exit_info.value.code == 2
