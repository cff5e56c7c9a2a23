"""Any OpenAPI 3.0 file is served statefully with no code and no `x-mock`: CRUD is inferred from the paths."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from contracts.runner import PHASES, RunOptions, run_contracts
from mock_server import Settings, SpecError, create_app
from mock_server.cli import main as mock_server_main
from tests.reference_servers.serving import serve
from tests.spec_checked_client import SpecCheckedClient

NOTES = Path(__file__).resolve().parents[1] / "fixtures" / "specs" / "notes.yaml"


@pytest.fixture
def notes(tmp_path: Path):
    with serve(create_app(Settings(specs=(NOTES,), seed=5, seed_items=2))) as root:
        with SpecCheckedClient(NOTES, f"{root}/notes/v1") as client:
            yield client


def test_inferred_crud_walk(notes: SpecCheckedClient) -> None:
    seeded = notes.get("/notes").json()
    assert seeded["total"] == 2 and len(seeded["items"]) == 2

    created = notes.post("/notes", json={"title": "Groceries", "body": "milk"})
    assert created.status_code == 201
    note = created.json()
    assert note["title"] == "Groceries" and note["body"] == "milk"
    assert notes.get(f"/notes/{note['id']}").json() == note

    page = notes.get("/notes", params={"limit": 2, "offset": 2}).json()
    assert page["total"] == 3 and [n["id"] for n in page["items"]] == [note["id"]]

    changed = notes.patch(f"/notes/{note['id']}", json={"title": "Shopping"}).json()
    assert changed["title"] == "Shopping" and changed["body"] == "milk"
    assert changed["createdAt"] == note["createdAt"]
    assert changed["updatedAt"] >= note["createdAt"]

    assert notes.delete(f"/notes/{note['id']}").status_code == 204
    gone = notes.get(f"/notes/{note['id']}")
    assert gone.status_code == 404
    assert set(gone.json()) == {"error"} and note["id"] in gone.json()["error"]


def test_invalid_input_names_the_field(notes: SpecCheckedClient) -> None:
    too_long = notes.post("/notes", json={"title": "x" * 81})
    assert too_long.status_code == 400
    assert "title" in too_long.json()["error"]
    bad_limit = notes.get("/notes", params={"limit": 0})
    assert bad_limit.status_code == 400
    assert "limit" in bad_limit.json()["error"]


def test_schemathesis_finds_nothing_on_an_inferred_spec() -> None:
    with serve(create_app(Settings(specs=(NOTES,), seed=1, auth_token="k"))) as root:
        result = run_contracts(RunOptions(spec=NOTES, base_url=f"{root}/notes/v1", headers={"X-Api-Key": "k"},
                                          max_examples=15, seed=2, phases=PHASES))
    assert result.passed, [v.message for v in result.violations]


def test_swagger_2_is_refused_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "old.yaml"
    path.write_text(yaml.safe_dump({"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}}))
    with pytest.raises(SpecError, match="Swagger 2.0 is not served"):
        create_app(Settings(specs=(path,)))


def test_cli_reports_a_bad_spec_path_without_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert mock_server_main(["serve", "--specs", "/no/such/spec.yaml"]) == 2
    err = capsys.readouterr().err
    assert "no such file" in err and "Traceback" not in err
