"""Any real-world document loads: operations without operationId, `$ref`s into other files, OpenAPI 3.1, recursive
schemas in the served document. Through real HTTP, on the fixtures in tests/fixtures/specs/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from mock_server import Settings, create_app
from mock_server.loader import load_spec
from tests.conftest import SPECS
from tests.reference_servers.serving import serve

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "specs"
SHELTER, SHELTER_31 = FIXTURES / "shelter.yaml", FIXTURES / "shelter-31.yaml"
AUTH = {"Authorization": "Bearer t"}


@pytest.fixture(scope="module")
def root() -> Iterator[str]:
    with serve(create_app(Settings(specs=(SHELTER, SHELTER_31, SPECS / "coder-chats.yaml"), seed=3))) as url:
        yield url


def test_an_operation_without_operation_id_is_served_under_a_readable_one(root: str) -> None:
    spec = load_spec(SHELTER)
    assert spec.document["paths"]["/pets"]["post"]["operationId"] == "post_pets"
    created = httpx.post(f"{root}/shelter/api/v2/pets", json={"kind": "cat", "name": "Tom"}, headers=AUTH)
    assert created.status_code == 201 and created.json()["name"] == "Tom"


def test_a_ref_into_another_file_is_bundled(root: str) -> None:
    document = load_spec(SHELTER).document
    assert document["components"]["responses"]["NotFound"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"}
    missing = httpx.get(f"{root}/shelter/api/v2/pets/123456", headers=AUTH)
    assert missing.status_code == 404
    assert set(missing.json()) <= {"detail", "field"} and "123456" in missing.json()["detail"]


def test_openapi_31_is_converted_and_served(root: str) -> None:
    base = f"{root}/shelter-31/v3"
    toy = {"name": "ball", "price": 2.5, "kind": "toy", "nickname": None, "owner": {"name": "Ann"}}
    created = httpx.post(f"{base}/toys", json=toy)
    assert created.status_code == 201, created.text
    body = created.json()
    assert {k: body[k] for k in toy} == toy
    assert httpx.get(f"{base}/toys/{body['id']}").json()["name"] == "ball"
    for wrong in ({**toy, "price": 0}, {**toy, "kind": "food"}, {**toy, "nickname": 5}, {**toy, "legacy": "x"}):
        refused = httpx.post(f"{base}/toys", json=wrong)
        assert refused.status_code == 400, wrong
    document = httpx.get(f"{base}/openapi.json").json()
    assert document["openapi"].startswith("3.0") and "webhooks" not in document
    toy_schema = document["components"]["schemas"]["Toy"]["properties"]
    assert toy_schema["nickname"] == {"type": "string", "nullable": True}
    assert toy_schema["price"] == {"type": "number", "minimum": 0, "exclusiveMinimum": True}
    assert toy_schema["owner"] == {"$ref": "#/components/schemas/Owner"}


@pytest.mark.parametrize("suffix", ["openapi.json", "openapi.yaml"])
def test_a_recursive_schema_is_served_in_the_document(root: str, suffix: str) -> None:
    response = httpx.get(f"{root}/coder-chats/{suffix}")
    assert response.status_code == 200
    document = response.json() if suffix.endswith("json") else yaml.safe_load(response.text)
    assert document["servers"] == [{"url": "/coder-chats"}]
    assert "Chat" in document["components"]["schemas"]


def test_swagger_ui_reads_the_served_document(root: str) -> None:
    page = httpx.get(f"{root}/shelter/api/v2/ui/")
    assert page.status_code == 200 and "/shelter/api/v2/openapi.json" in page.text


def test_31_schemas_convert_to_their_30_equivalents() -> None:
    from mock_server.openapi31 import convert_schema

    assert convert_schema({"type": ["string", "integer", "null"]}) == {
        "anyOf": [{"type": "string"}, {"type": "integer"}, {"nullable": True, "enum": [None]}]}
    assert convert_schema({"$ref": "#/components/schemas/A", "maxLength": 3}) == {
        "allOf": [{"$ref": "#/components/schemas/A"}], "maxLength": 3}
    assert convert_schema({"type": "integer", "exclusiveMaximum": 10, "maximum": 20}) == {
        "type": "integer", "maximum": 10, "exclusiveMaximum": True}
    assert convert_schema({"type": "string", "contentEncoding": "base64"}) == {"type": "string", "format": "byte"}
    assert convert_schema({"prefixItems": [True]}) == {"x-oas31-prefixItems": [{}]}
