"""Loading specs: line numbers per JSON pointer, YAML read the JSON way, `$ref` resolution, `git:REF:path`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from contracts.errors import SpecLoadError, SpecSyntaxError
from contracts.specfile import join_pointer, load_spec_document, parse_spec_text, resolve_pointer

TEXT = """\
openapi: 3.0.3
paths:
  /a/{id}:
    get:
      responses:
        200: {description: ok}
tags:
  - name: first
  - {name: second}
components:
  schemas:
    A: {$ref: '#/components/schemas/B'}
    B: {$ref: '#/components/schemas/C'}
    C: {type: string, example: 2024-01-01T00:00:00Z}
    Loop: {$ref: '#/components/schemas/Loop'}
"""


def test_lines_per_pointer() -> None:
    doc = parse_spec_text(TEXT, name="t.yaml")
    assert doc.lines["/paths/~1a~1{id}/get"] == 4
    assert doc.lines["/paths/~1a~1{id}/get/responses/200"] == 6
    assert doc.lines["/tags/1"] == 9
    assert doc.line_of("/tags/1/name") == 9
    assert doc.line_of("/components/schemas/C/example") == 14
    assert doc.line_of("/paths/~1a~1{id}/get/responses/404/description") == 5  # nearest existing ancestor


def test_yaml_is_read_the_json_way() -> None:
    doc = parse_spec_text(TEXT, name="t.yaml")
    assert "200" in doc.data["paths"]["/a/{id}"]["get"]["responses"]
    assert doc.data["components"]["schemas"]["C"]["example"] == "2024-01-01T00:00:00Z"


def test_duplicate_keys_are_recorded_and_the_last_one_wins() -> None:
    doc = parse_spec_text("a: 1\nb: 2\na: 3\n", name="t.yaml")
    assert doc.data == {"a": 3, "b": 2}
    assert doc.duplicate_keys == (("/a", 3),)
    assert doc.line_of("/a") == 3


def test_resolve_follows_chains_and_detects_loops() -> None:
    doc = parse_spec_text(TEXT, name="t.yaml")
    value, pointer = doc.resolve("#/components/schemas/A")
    assert (value["type"], pointer) == ("string", "/components/schemas/C")
    with pytest.raises(LookupError, match="loop"):
        doc.resolve("#/components/schemas/Loop")
    with pytest.raises(LookupError, match="does not exist"):
        doc.resolve("#/components/schemas/Nope")
    with pytest.raises(LookupError, match="cannot reference other files"):
        doc.resolve("other.yaml#/A")
    assert doc.deref({"$ref": "#/components/schemas/Nope"}, "/x") == (None, "/x")


def test_pointers_escape_and_resolve() -> None:
    pointer = join_pointer("/paths", "/a/{id}", "get")
    assert pointer == "/paths/~1a~1{id}/get"
    assert resolve_pointer(parse_spec_text(TEXT, name="t").data, pointer + "/responses/200/description") == "ok"
    assert resolve_pointer({"a~b": [1, 2]}, "/a~0b/1") == 2


def test_invalid_yaml_raises_with_the_line() -> None:
    with pytest.raises(SpecSyntaxError) as error:
        parse_spec_text("a: 1\nb: [1, 2\nc: 3\n", name="t.yaml")
    assert error.value.line == 3


@pytest.mark.parametrize("text", ["- a list\n", "just text\n", ""])
def test_top_level_must_be_a_mapping(text: str) -> None:
    with pytest.raises(SpecLoadError, match="mapping at the top level"):
        parse_spec_text(text, name="t.yaml")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SpecLoadError, match="cannot read"):
        load_spec_document(tmp_path / "nope.yaml")


def git(cwd: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false", *args]
    return subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True).stdout


def test_load_from_git(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "spec.yaml").write_text("openapi: 3.0.3\ninfo: {title: one}\n")
    git(tmp_path, "add", "spec.yaml")
    git(tmp_path, "commit", "-q", "-m", "one")
    (tmp_path / "spec.yaml").write_text("openapi: 3.0.3\ninfo: {title: two}\n")
    doc = load_spec_document("git:HEAD:spec.yaml", cwd=tmp_path)
    assert doc.name == "git:HEAD:spec.yaml"
    assert doc.data["info"] == {"title": "one"}
    assert doc.lines["/info"] == 2
    with pytest.raises(SpecLoadError, match="git:HEAD:missing.yaml"):
        load_spec_document("git:HEAD:missing.yaml", cwd=tmp_path)
    with pytest.raises(SpecLoadError, match="expected git:REF:path"):
        load_spec_document("git:HEAD", cwd=tmp_path)


SHARED = "components:\n  schemas:\n    Owner: {$ref: '#/components/schemas/Person'}\n    Person: {type: object}\n"
ROOT = "openapi: 3.0.3\nx-owner: {$ref: 'common/shared.yaml#/components/schemas/Owner'}\n"


def test_refs_into_other_files_resolve_relative_to_the_file_that_holds_them(tmp_path: Path) -> None:
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "shared.yaml").write_text(SHARED)
    (tmp_path / "spec.yaml").write_text(ROOT)
    doc = load_spec_document(tmp_path / "spec.yaml")
    value, location = doc.resolve("common/shared.yaml#/components/schemas/Owner")
    assert (value, location) == ({"type": "object"}, "common/shared.yaml#/components/schemas/Person")
    assert doc.line_of(location) == 4  # in the other file
    assert doc.deref({"$ref": "#/components/schemas/Person"}, "common/shared.yaml#/x")[1] == location
    assert doc.resolve("spec.yaml#/openapi") == ("3.0.3", "/openapi")  # back into the root, by its file name
    with pytest.raises(LookupError, match="cannot read missing.yaml"):
        doc.resolve("missing.yaml#/A")
    with pytest.raises(LookupError, match="remote references are not followed"):
        doc.resolve("https://schemas.test/a.yaml#/A")


def test_refs_into_other_files_of_a_git_revision(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "specs" / "common").mkdir(parents=True)
    (tmp_path / "specs" / "common" / "shared.yaml").write_text(SHARED)
    (tmp_path / "specs" / "spec.yaml").write_text(ROOT)
    git(tmp_path, "add", "specs")
    git(tmp_path, "commit", "-q", "-m", "one")
    (tmp_path / "specs" / "common" / "shared.yaml").write_text(SHARED.replace("object", "string"))
    doc = load_spec_document("git:HEAD:specs/spec.yaml", cwd=tmp_path)
    assert doc.resolve("common/shared.yaml#/components/schemas/Owner")[0] == {"type": "object"}
    relative = load_spec_document("git:HEAD:./spec.yaml", cwd=tmp_path / "specs")
    assert relative.resolve("common/shared.yaml#/components/schemas/Owner")[0] == {"type": "object"}
