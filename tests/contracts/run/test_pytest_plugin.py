"""The pytest plugin, run the documented way in a child pytest:
`pytest --pyargs contracts.pytest_plugin --contract-spec FILE --contract-base-url URL --contract-header ...`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.reference_servers import notes
from tests.reference_servers.serving import serve

pytestmark = pytest.mark.slow


def _pytest(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def _contract_args(base_url: str) -> list[str]:
    return [
        "--pyargs",
        "contracts.pytest_plugin",
        "--contract-spec",
        str(notes.SPEC),
        "--contract-base-url",
        base_url,
        "--contract-header",
        f"Authorization: Bearer {notes.TOKEN}",
        "--contract-max-examples",
        "5",
        "--contract-seed",
        "1",
    ]


def test_the_contract_item_passes_on_a_correct_server(tmp_path: Path) -> None:
    with serve(notes.create_app()) as root:
        run = _pytest(tmp_path, *_contract_args(root + notes.PREFIX))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout


def test_the_contract_item_fails_with_the_summary(tmp_path: Path) -> None:
    with serve(notes.create_app("field_changed")) as root:
        run = _pytest(tmp_path, *_contract_args(root + notes.PREFIX), "--junitxml", str(tmp_path / "junit.xml"))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "contract[" in run.stdout and "create_read_round_trip" in run.stdout
    assert "Traceback" not in run.stdout
    assert notes.TOKEN not in run.stdout + run.stderr + (tmp_path / "junit.xml").read_text()


def test_without_options_the_plugin_does_nothing(tmp_path: Path) -> None:
    (tmp_path / "test_plain.py").write_text("def test_plain():\n    assert True\n")
    plain = _pytest(tmp_path, "test_plain.py")
    assert plain.returncode == 0 and "1 passed" in plain.stdout
    assert "contract" not in plain.stdout
    named = _pytest(tmp_path, "--pyargs", "contracts.pytest_plugin", "-rs")
    assert named.returncode == 0 and "1 skipped" in named.stdout
    assert "--contract-base-url" in named.stdout


def test_options_without_the_module_warn(tmp_path: Path) -> None:
    (tmp_path / "test_plain.py").write_text("def test_plain():\n    assert True\n")
    run = _pytest(tmp_path, "test_plain.py", "--contract-api", "pulumi-ai", "--contract-base-url", "http://127.0.0.1:9")
    assert run.returncode == 0
    assert "--pyargs contracts.pytest_plugin" in run.stdout
