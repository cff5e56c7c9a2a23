"""`contracts lint`: output format, exit codes and spec discovery."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from contracts.cli import main


def test_text_output_is_one_line_per_finding(fixtures_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = str(fixtures_dir / "enum-unique.yaml")
    assert main(["lint", spec]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{spec}:27: /components/schemas/Thing/properties/status/enum/2 [enum-unique] error: "
        "enum value 'open' is listed twice: remove one",
        "linted 1 spec: 1 error, 0 warnings",
    ]


def test_warnings_do_not_fail(fixtures_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(fixtures_dir / "no-unused-components.yaml"), str(fixtures_dir / "valid.yaml")]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "linted 2 specs: 0 errors, 1 warning"


def test_json_output(fixtures_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = str(fixtures_dir / "required-properties.yaml")
    assert main(["lint", "--format", "json", spec]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["summary"] == {"error": 1, "warning": 0, "info": 0}
    assert document["findings"] == [
        {
            "file": spec,
            "line": 24,
            "pointer": "/components/schemas/Thing/required/1",
            "rule": "required-properties",
            "severity": "error",
            "breaking": False,
            "message": "required 'name' is not a property: add it to `properties` or fix the name",
        }
    ]


def test_default_is_every_spec_in_specs_dir(
    fixtures_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "specs").mkdir()
    shutil.copy(fixtures_dir / "valid.yaml", tmp_path / "specs" / "a.yaml")
    shutil.copy(fixtures_dir / "security-defined.yaml", tmp_path / "specs" / "b.yaml")
    (tmp_path / "specs" / "notes.txt").write_text("not a spec")
    monkeypatch.chdir(tmp_path)
    assert main(["lint"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("specs/b.yaml:11: ")
    assert out.splitlines()[-1] == "linted 2 specs: 1 error, 0 warnings"


def test_no_specs_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["lint"]) == 2
    assert "no specs given and no specs/*.yaml" in capsys.readouterr().err


def test_missing_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(tmp_path / "nope.yaml")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_lint_does_not_load_the_contract_run(fixtures_dir: Path) -> None:
    """`contracts lint` imports its own sub-command only: a release check must not pay for Schemathesis."""
    code = ("import sys; from contracts.cli import main; code = main(['lint', sys.argv[1]]); "
            "print(code, 'schemathesis' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(fixtures_dir / "valid.yaml")], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.stdout.splitlines()[-1] == "0 False", done.stdout + done.stderr
