"""State that reads back with no `x-mock`, through real HTTP: the general rules of mock_server/conventions.py.

Natural keys, a root collection, create-or-replace PUTs, sub-collections shown in their parent, status verbs, a
client-chosen id created twice, a create and a read at different paths, a wrapped resource. The last test runs
the real-world corpus's create -> read-back walks (../shared/conformance/realworld).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mock_server import Settings, create_app
from mock_server.web.app import find_server
from tests.reference_servers.serving import serve
from tests.spec_checked_client import SpecCheckedClient

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "specs"
TICKETS = FIXTURES / "tickets.yaml"
REGISTRY = FIXTURES / "registry.yaml"
REALWORLD = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "realworld"


@pytest.fixture(scope="module")
def tickets() -> Iterator[SpecCheckedClient]:
    with serve(create_app(Settings(specs=(TICKETS,), seed=4))) as root:
        with SpecCheckedClient(TICKETS, f"{root}/tickets") as client:
            yield client


def test_an_item_path_parameter_naming_a_field_makes_it_the_id(tickets: SpecCheckedClient) -> None:
    created = tickets.post("/labels", json={"name": "needs-triage", "color": "red"})
    assert created.status_code == 201
    read = tickets.get("/labels/needs-triage")
    assert read.status_code == 200 and read.json() == {"name": "needs-triage", "color": "red"}
    assert tickets.get("/labels/other-label").status_code == 404


def test_a_wrapped_resource_reads_back_by_its_natural_key(tickets: SpecCheckedClient) -> None:
    created = tickets.post("/articles", json={"article": {"title": "Hello", "body": "World"}})
    assert created.status_code == 201
    article = created.json()["article"]
    assert (article["title"], article["body"]) == ("Hello", "World")
    read = tickets.get(f"/articles/{article['slug']}")
    assert read.status_code == 200 and read.json() == {"article": article}


def test_a_wrapped_child_without_a_read_of_its_own_is_stored_unwrapped(tickets: SpecCheckedClient) -> None:
    slug = tickets.post("/articles", json={"article": {"title": "Notes"}}).json()["article"]["slug"]
    note = tickets.post(f"/articles/{slug}/notes", json={"note": {"text": "first"}}).json()["note"]
    assert tickets.get(f"/articles/{slug}/notes").json() == {"notes": [note]}
    assert tickets.delete(f"/articles/{slug}/notes/{note['id']}").status_code == 204
    assert tickets.get(f"/articles/{slug}/notes").json() == {"notes": []}


def test_a_put_documented_as_create_or_replace_creates(tickets: SpecCheckedClient) -> None:
    created = tickets.put("/tickets/9001", json={"title": "Created by PUT"})
    assert created.status_code == 201 and created.json()["id"] == 9001
    assert tickets.get("/tickets/9001").json()["title"] == "Created by PUT"
    replaced = tickets.put("/tickets/9001", json={"title": "Replaced"})
    assert replaced.status_code == 200 and replaced.json()["title"] == "Replaced"


def test_a_sub_collection_shows_in_its_parent_and_a_status_verb_sets_the_state(tickets: SpecCheckedClient) -> None:
    ticket = tickets.post("/tickets", json={"title": "Printer on fire"}).json()
    assert ticket["comments"] == []
    comment = tickets.post(f"/tickets/{ticket['id']}/comments", json={"body": "Have you tried water?"})
    assert comment.status_code == 201
    read = tickets.get(f"/tickets/{ticket['id']}").json()
    assert [c["body"] for c in read["comments"]] == ["Have you tried water?"]
    assert read["comments"][0]["id"] == comment.json()["id"]

    closed = tickets.post(f"/tickets/{ticket['id']}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert closed.json()["title"] == "Printer on fire"  # the stored ticket, not a generated one
    assert tickets.get(f"/tickets/{ticket['id']}").json()["status"] == "closed"
    assert tickets.post("/tickets/987654/close").status_code == 404


def test_integer_ids_increase(tickets: SpecCheckedClient) -> None:
    first = tickets.post("/tickets", json={"title": "one"}).json()["id"]
    second = tickets.post("/tickets", json={"title": "two"}).json()["id"]
    assert second == first + 1


def test_a_client_chosen_id_created_twice_without_a_documented_409_replaces(tickets: SpecCheckedClient) -> None:
    assert tickets.post("/devices", json={"id": "dev-1", "name": "first"}).status_code == 200
    again = tickets.post("/devices", json={"id": "dev-1", "name": "second"})
    assert again.status_code == 200 and again.json() == {"id": "dev-1", "name": "second"}
    assert tickets.get("/devices/dev-1").json()["name"] == "second"


def test_a_create_and_a_read_at_different_paths_of_one_schema_are_one_resource(tickets: SpecCheckedClient) -> None:
    created = tickets.post("/users/someone/lists", json={"name": "Road trip"})
    assert created.status_code == 201  # a user nobody can create is not a parent that must exist
    read = tickets.get(f"/playlists/{created.json()['id']}")
    assert read.status_code == 200 and read.json()["name"] == "Road trip"


def test_a_collection_at_the_root_path_stores_the_posted_body() -> None:
    with serve(create_app(Settings(specs=(REGISTRY,), seed=2))) as root:
        with SpecCheckedClient(REGISTRY, f"{root}/registry/v2/apps") as client:  # its servers' base path
            created = client.post("/", json={"name": "Billing", "region": "eu"})
            assert created.status_code == 201
            app = created.json()
            assert (app["name"], app["region"]) == ("Billing", "eu")
            assert client.get(f"/{app['id']}").json() == app


SINKS = """
openapi: 3.0.3
info: {title: Sinks, version: "1"}
paths:
  /Sinks:
    post:
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [Description, SinkType]
              properties:
                Description: {type: string}
                SinkType: {type: string, enum: [webhook, queue]}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Sink'}
  /Sinks/{Sid}:
    get:
      parameters:
        - {name: Sid, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: the sink
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Sink'}
        "404": {description: no such sink}
components:
  schemas:
    Sink:
      type: object
      properties:
        sid: {type: string}
        description: {type: string}
        sink_type: {type: string, enum: [webhook, queue]}
"""


def test_form_fields_are_stored_under_the_json_names_they_spell_in_another_case(tmp_path: Path) -> None:
    spec = tmp_path / "sinks.yaml"
    spec.write_text(SINKS)
    with serve(create_app(Settings(specs=(spec,), seed=5))) as root, SpecCheckedClient(spec, f"{root}/sinks") as client:
        created = client.post("/Sinks", data={"Description": "Audit trail", "SinkType": "queue"})
        assert created.status_code == 201
        sink = created.json()
        assert (sink["description"], sink["sink_type"]) == ("Audit trail", "queue")
        assert client.get(f"/Sinks/{sink['sid']}").json() == sink


@pytest.mark.skipif(not (REALWORLD / "corpus.py").exists(), reason="the real-world conformance kit is not here")
@pytest.mark.parametrize("name", [
    "petstore-expanded", "petstore3", "conduit", "typesense", "vonage-subaccounts", "spotify", "twilio-events",
    "vonage-applications"])
def test_realworld_walks_read_back(name: str) -> None:
    sys.path.insert(0, str(REALWORLD))
    try:
        from corpus import CORPUS, TOKEN
    finally:
        sys.path.remove(str(REALWORLD))
    entry = CORPUS[name]
    spec = REALWORLD / "specs" / entry["file"]
    app = create_app(Settings(specs=(spec,), seed=1, auth_token=TOKEN))
    headers = dict(line.split(": ", 1) for line in entry["headers"])
    mount = find_server(app).apis[spec.stem].spec.mount  # /<name><servers' base path>
    with serve(app) as root, httpx.Client(base_url=f"{root}{mount}", headers=headers, timeout=10) as client:
        for walk in entry["walks"]:
            sent = walk["body"]
            created = client.post(walk["post"], data=sent) if walk.get("form") else client.post(walk["post"], json=sent)
            assert 200 <= created.status_code < 300, created.text
            ident = _pointer(created.json(), walk["id"])
            read = client.get(walk["get"].replace("{id}", str(ident)))
            assert read.status_code == 200, read.text
            for sent_pointer, read_pointer in walk["compare"]:
                assert _pointer(read.json(), read_pointer) == _pointer(sent, sent_pointer), (walk["name"], read_pointer)



def _pointer(doc, pointer: str):
    for part in pointer.lstrip("/").split("/"):
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc
