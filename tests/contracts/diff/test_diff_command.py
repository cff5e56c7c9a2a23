"""`contracts diff`: text, JSON and markdown output, exit codes, and `git:REF:path` inputs."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from contracts.cli import main

ITEMS = "/paths/~1chats/get/responses/200/content/application~1json/schema/items"


def test_text_output_and_exit_code(fixtures_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = str(fixtures_dir / "chat-v1.yaml"), str(fixtures_dir / "chat-v2.yaml")
    assert main(["diff", old, new]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{new}:30: {ITEMS}/properties/id/type [response-type-changed] BREAKING: "
        "GET /chats 200 application/json: response field '[].id' type string -> null|string",
        f"{old}:30: {ITEMS}/properties/title [response-field-removed] BREAKING: "
        "GET /chats 200 application/json: response field '[].title' removed",
        f"{new}:31: {ITEMS}/properties/status/enum [response-enum-value-added] BREAKING: "
        "GET /chats 200 application/json: response field '[].status' enum value 'archived' added",
        f"{new}:10: /paths/~1chats/get/summary [documentation-changed] non-breaking: summary changed",
        f"{new}:13: /paths/~1chats/get/parameters/1 [optional-parameter-added] non-breaking: "
        "GET /chats: optional query parameter 'cursor' added",
        "5 changes: 3 breaking, 2 non-breaking",
    ]


def test_only_non_breaking_changes_exit_0(fixtures_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(fixtures_dir / "chat-v1.yaml"), str(fixtures_dir / "chat-v1-docs.yaml")]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 change: 0 breaking, 1 non-breaking"


def test_no_changes(fixtures_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = str(fixtures_dir / "chat-v1.yaml")
    assert main(["diff", spec, spec]) == 0
    assert capsys.readouterr().out == "no changes\n"


def test_json_output(fixtures_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["diff", "--format", "json", str(fixtures_dir / "chat-v1.yaml"), str(fixtures_dir / "chat-v2.yaml")]) == 1
    )
    document = json.loads(capsys.readouterr().out)
    assert document["summary"] == {"breaking": 3, "non_breaking": 2}
    assert [(c["rule"], c["breaking"], c["severity"]) for c in document["changes"]][::4] == [
        ("response-type-changed", True, "error"),
        ("optional-parameter-added", False, "info"),
    ]


def test_markdown_is_a_table_with_breaking_changes_first(
    fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = str(fixtures_dir / "chat-v1.yaml"), str(fixtures_dir / "chat-v2.yaml")
    assert main(["diff", "--format", "markdown", old, new]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[:6] == [
        f"### API changes: `{old}` → `{new}`",
        "",
        "**3 breaking changes**, 2 non-breaking.",
        "",
        "| | Change | Where | Details |",
        "|---|---|---|---|",
    ]
    rows = lines[6:]
    assert [row.split(" | ")[0] for row in rows] == ["| **breaking**"] * 3 + ["| non-breaking"] * 2
    assert rows[0].endswith("response field '[].id' type string -> null\\|string |")  # pipes escaped


def git(cwd: Path, *args: str) -> None:
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run([*command, *args], cwd=cwd, check=True, capture_output=True)


def test_git_ref_inputs(
    fixtures_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    shutil.copy(fixtures_dir / "chat-v1.yaml", tmp_path / "chat.yaml")
    git(tmp_path, "add", "chat.yaml")
    git(tmp_path, "commit", "-q", "-m", "v1")
    git(tmp_path, "tag", "v1")
    shutil.copy(fixtures_dir / "chat-v2.yaml", tmp_path / "chat.yaml")
    monkeypatch.chdir(tmp_path)

    assert main(["diff", "git:v1:chat.yaml", "chat.yaml"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[1].startswith(f"git:v1:chat.yaml:30: {ITEMS}/properties/title [response-field-removed]")
    assert out.splitlines()[-1] == "5 changes: 3 breaking, 2 non-breaking"

    assert main(["diff", "git:v1:chat.yaml", "git:HEAD:chat.yaml"]) == 0
    assert capsys.readouterr().out == "no changes\n"

    assert main(["diff", "git:v9:chat.yaml", "chat.yaml"]) == 2
    assert "cannot read git:v9:chat.yaml" in capsys.readouterr().err


def test_changes_in_a_referenced_file_are_found(
    fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    external = fixtures_dir.parent / "lint" / "external"
    shutil.copytree(external, tmp_path / "new")
    shared = tmp_path / "new" / "common" / "shared.yaml"
    shared.write_text(shared.read_text().replace("name: {type: string}", "name: {type: integer}"))
    assert main(["diff", str(external / "spec.yaml"), str(tmp_path / "new" / "spec.yaml"), "--format", "json"]) == 1
    [change] = json.loads(capsys.readouterr().out)["changes"]
    owner = "/paths/~1things~1{thingId}/get/responses/200/content/application~1json/schema/properties/owner"
    assert (change["rule"], change["pointer"], change["line"]) == (
        "response-type-changed",
        f"{owner}/properties/name/type",
        None,
    )
