"""`contracts proxy` as a real process: it serves, logs each violation, and on SIGTERM/SIGINT writes the report
and the JUnit file, with every credential redacted, and exits 1 when it saw a violation."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from contracts.cli import main
from tests.contracts.proxy.test_proxy_sessions import run_session
from tests.reference_servers import pulumi_ai
from tests.reference_servers.serving import serve
from tests.reference_servers.sessions import SESSIONS, Session, Step

REPO = Path(__file__).resolve().parents[3]
EXTRA_SECRET = "x-extra-secret-value-5521"
QUERY_SECRET = "query-secret-value-7730"
_STARTUP = 60.0


@contextmanager
def proxy_process(upstream: str, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`contracts proxy --api pulumi-ai` in front of `upstream` on a free port; yields the process and its URL."""
    command = [sys.executable, "-m", "contracts", "proxy", "--api", "pulumi-ai", "--upstream", upstream,
               "--port", "0", "--report", str(tmp_path / "report.json"), "--junit-xml", str(tmp_path / "proxy.xml")]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        ready, _, _ = select.select([process.stdout], [], [], _STARTUP)
        assert ready, "the proxy printed no address"
        line = process.stdout.readline()  # type: ignore[union-attr]
        assert line.startswith("contracts proxy: http://127.0.0.1:"), line + process.stderr.read()  # type: ignore[union-attr]
        yield process, line.split()[2]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _stop(process: subprocess.Popen[str], sig: int) -> tuple[int, str, str]:
    process.send_signal(sig)
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


def test_sigterm_writes_the_report_and_the_junit_file_and_exits_1(tmp_path: Path) -> None:
    session = SESSIONS["pulumi-ai"]
    leaky = Session(
        (*session.steps[:4], Step("GET", f"/api/user/ai/usage?lookbackDuration=60&access_token={QUERY_SECRET}")),
        {**session.credentials, "X-Api-Key": EXTRA_SECRET},
    )
    with serve(pulumi_ai.create_app("wrong_type")) as upstream, proxy_process(upstream, tmp_path) as (process, url):
        exchanges = run_session(url, leaky)
        code, out, err = _stop(process, signal.SIGTERM)
    assert any(response.headers["x-contract-violations"] != "0" for _, response in exchanges)
    assert code == 1, out + err
    assert "violation GET /api/orgs/acme-corp/ai/conversations" in err and "response_schema_conformance" in err
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["exit_code"] == 1 and report["requests"] == len(exchanges)
    [violation, *_] = [v for v in report["violations"]
                       if any(f["check"] == "response_schema_conformance" for f in v["findings"])]
    assert violation["request"]["method"] == "GET" and violation["response"]["status"] == 200
    assert violation["request"]["headers"]["authorization"] == "[Filtered]"
    assert violation["request"]["headers"]["x-api-key"] == "[Filtered]"
    junit = (tmp_path / "proxy.xml").read_text()
    failed = {case.get("name") for case in ElementTree.fromstring(junit.split("\n", 1)[1]).iter("testcase")
              if case.find("failure") is not None}
    assert "GET /api/orgs/{orgName}/ai/conversations" in failed
    for text in (out, err, (tmp_path / "report.json").read_text(), junit):
        assert pulumi_ai.TOKEN not in text
        assert EXTRA_SECRET not in text
        assert QUERY_SECRET not in text


def test_sigint_after_a_clean_session_exits_0(tmp_path: Path) -> None:
    session = SESSIONS["pulumi-ai"]
    clean = Session(tuple(step for step in session.steps if not step.probe), session.credentials)
    with serve(pulumi_ai.create_app()) as upstream, proxy_process(upstream, tmp_path) as (process, url):
        exchanges = run_session(url, clean)
        code, out, err = _stop(process, signal.SIGINT)
    assert all(response.headers["x-contract-violations"] == "0" for _, response in exchanges)
    assert code == 0, out + err
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["violations"] == [] and report["exit_code"] == 0
    assert "no contract violation" in err


def test_an_unreachable_upstream_is_a_502_not_a_crash(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with proxy_process(f"http://127.0.0.1:{port}", tmp_path) as (process, url):
        response = httpx.get(f"{url}/api/user/ai/usage", headers={"Authorization": "token t"}, trust_env=False)
        code, out, err = _stop(process, signal.SIGTERM)
    assert response.status_code == 502 and "upstream" in response.json()["error"]
    assert code == 0 and "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--api", "no-such-api", "--upstream", "http://127.0.0.1:9"], "no spec named"),
        (["--api", "pulumi-ai", "--upstream", "ftp://example.com"], "--upstream must be an http(s) URL"),
        (["--api", "pulumi-ai", "--upstream", "http://127.0.0.1:9", "--port", "70000"], "--port"),
    ],
)
def test_bad_usage_exits_2(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["proxy", *args]) == 2
    assert message in capsys.readouterr().err


def test_a_port_in_use_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code = main(["proxy", "--api", "pulumi-ai", "--upstream", "http://127.0.0.1:9", "--port", str(port)])
    assert code == 2
    assert "in use" in capsys.readouterr().err
