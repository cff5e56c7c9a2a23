"""`contracts release-check` in a temporary git repository: lint + diff against the last tag or --since."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from contracts.cli import main
from contracts.errors import UsageError
from contracts.release import release_check

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CHAT_V1, CHAT_V2 = FIXTURES / "diff" / "chat-v1.yaml", FIXTURES / "diff" / "chat-v2.yaml"
CHAT_DOCS = FIXTURES / "diff" / "chat-v1-docs.yaml"
CLEAN, LINT_ERROR = FIXTURES / "lint" / "valid.yaml", FIXTURES / "lint" / "security-defined.yaml"


def git(cwd: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]
    command += ["-c", "tag.gpgsign=false"]
    return subprocess.run([*command, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def put(repo: Path, name: str, source: Path) -> None:
    (repo / "specs").mkdir(exist_ok=True)
    shutil.copy(source, repo / "specs" / name)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with specs/chat.yaml and specs/things.yaml committed and tagged v1.0."""
    git(tmp_path, "init", "-q", "-b", "main")
    put(tmp_path, "chat.yaml", CHAT_V1)
    put(tmp_path, "things.yaml", CLEAN)
    git(tmp_path, "add", "specs")
    git(tmp_path, "commit", "-q", "-m", "v1")
    git(tmp_path, "tag", "v1.0")
    return tmp_path


def test_unchanged_specs_pass(repo: Path) -> None:
    report = release_check(repo)
    assert report.base == "v1.0"
    assert [(s.path, s.status) for s in report.specs] == [
        ("specs/chat.yaml", "unchanged"),
        ("specs/things.yaml", "unchanged"),
    ]
    assert not report.failed


def test_breaking_change_since_the_last_tag_fails(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    put(repo, "chat.yaml", CHAT_V2)
    monkeypatch.chdir(repo)
    assert main(["release-check"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "comparing 2 specs with v1.0"
    assert "== specs/chat.yaml" in out
    assert any("[response-field-removed] BREAKING" in line for line in out)
    assert any(line.startswith("  specs/chat.yaml ") and "changed: 3 breaking, 2 non-breaking" in line for line in out)
    assert any(line.startswith("  specs/things.yaml ") and line.endswith("unchanged") for line in out)
    assert out[-1] == "release-check: FAIL (0 lint errors, 3 breaking changes)"


def test_non_breaking_changes_and_new_specs_pass(repo: Path) -> None:
    put(repo, "chat.yaml", CHAT_DOCS)
    put(repo, "extra.yaml", CLEAN)
    report = release_check(repo)
    statuses = {s.path: (s.status, s.breaking, len(s.changes)) for s in report.specs}
    assert statuses == {
        "specs/chat.yaml": ("changed", 0, 1),
        "specs/extra.yaml": ("new", 0, 0),
        "specs/things.yaml": ("unchanged", 0, 0),
    }
    assert not report.failed


def test_a_removed_spec_breaks_every_path_it_had(repo: Path) -> None:
    (repo / "specs" / "chat.yaml").unlink()
    report = release_check(repo)
    [removed] = [s for s in report.specs if s.status == "removed"]
    assert removed.path == "specs/chat.yaml"
    assert [(f.rule, f.pointer, f.breaking) for f in removed.changes] == [("path-removed", "/paths/~1chats", True)]
    assert report.failed


def test_lint_errors_fail_even_without_changes(repo: Path) -> None:
    put(repo, "things.yaml", LINT_ERROR)
    git(repo, "commit", "-q", "-am", "broken")
    git(repo, "tag", "v1.1")
    report = release_check(repo)
    assert report.base == "v1.1"
    assert [(s.path, s.status, s.lint_errors) for s in report.specs][1] == ("specs/things.yaml", "unchanged", 1)
    assert report.failed


def test_since_overrides_the_tag(repo: Path) -> None:
    put(repo, "chat.yaml", CHAT_V2)
    git(repo, "commit", "-q", "-am", "v2")
    assert release_check(repo).specs[0].breaking == 3  # against v1.0
    report = release_check(repo, since="HEAD")
    assert report.base == "HEAD"
    assert [s.status for s in report.specs] == ["unchanged", "unchanged"]


def test_unknown_since_ref_is_a_usage_error(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(repo)
    assert main(["release-check", "--since", "v9"]) == 2
    assert "unknown git ref 'v9'" in capsys.readouterr().err


def test_without_a_tag_only_lints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    put(tmp_path, "chat.yaml", CHAT_V1)
    git(tmp_path, "add", "specs")
    git(tmp_path, "commit", "-q", "-m", "v1")
    put(tmp_path, "chat.yaml", CHAT_V2)  # breaking, but there is nothing to compare with
    monkeypatch.chdir(tmp_path)
    assert main(["release-check"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "note: no release tag found (git describe --tags): only linting; pass --since REF to compare with a commit"
    )
    assert out[-1] == "release-check: OK (0 lint errors, 0 breaking changes)"

    put(tmp_path, "broken.yaml", LINT_ERROR)
    assert main(["release-check"]) == 1


def test_outside_a_git_repository_only_lints(tmp_path: Path) -> None:
    put(tmp_path, "chat.yaml", CHAT_V1)
    report = release_check(tmp_path)
    assert report.base is None
    assert report.note is not None and report.note.startswith("no git repository")
    assert [s.status for s in report.specs] == ["linted"]


def test_no_specs_and_no_base_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no specs/"):
        release_check(tmp_path)


def test_json_output(repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    put(repo, "chat.yaml", CHAT_V2)
    monkeypatch.chdir(repo)
    assert main(["release-check", "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert (document["base"], document["failed"]) == ("v1.0", True)
    chat = document["specs"][0]
    assert (chat["path"], chat["status"], chat["lint"]) == ("specs/chat.yaml", "changed", [])
    assert sum(change["breaking"] for change in chat["changes"]) == 3
