"""Error statuses and bodies say the real problem: the documented status that fits, formats enforced, every
missing field in one answer, field/location/type fields naming the real ones. Through real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mock_server import Settings, create_app
from tests.conftest import SPECS
from tests.reference_servers.serving import serve

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "specs"
SHELTER = FIXTURES / "shelter.yaml"
AUTH = {"Authorization": "Bearer t"}
UUID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
ADOPTER = {"name": "Ann", "email": "ann@example.com", "homepage": "https://example.com/ann"}


@pytest.fixture(scope="module", params=[True, False], ids=["fast-path", "connexion"])
def root(request: pytest.FixtureRequest) -> Iterator[str]:
    specs = (SHELTER, SPECS / "pulze.yaml", SPECS / "devs-ai.yaml")
    with serve(create_app(Settings(specs=specs, seed=4, fast_path=request.param))) as url:
        yield url


def test_a_malformed_id_is_not_found_where_only_404_is_documented(root: str) -> None:
    answer = httpx.get(f"{root}/shelter/api/v2/pets/not-a-number", headers=AUTH)
    assert answer.status_code == 404
    assert answer.json() == {"detail": "path parameter 'petId': 'not-a-number' is not of type 'integer'",
                             "field": "petId"}


def test_an_unknown_id_without_documented_404_gets_the_success_but_a_deleted_one_404(root: str) -> None:
    answer = httpx.get(f"{root}/shelter/api/v2/pets/7/vet-visits/v1", headers=AUTH)
    assert answer.status_code == 200 and isinstance(answer.json()["id"], str)
    base = f"{root}/shelter/api/v2/adopters"
    created = httpx.post(base, json=ADOPTER, headers=AUTH).json()
    assert httpx.get(f"{base}/{created['id']}", headers=AUTH).json() == created
    assert httpx.get(f"{base}/nobody", headers=AUTH).status_code == 200  # the contract has no "not found"
    assert httpx.delete(f"{base}/{created['id']}", headers=AUTH).status_code == 204
    assert httpx.get(f"{base}/{created['id']}", headers=AUTH).status_code == 404  # but a deleted id stays gone


def test_an_id_deleted_without_being_known_stays_gone_too(root: str) -> None:
    """A delete answered 2xx for an id the mock never held (no 404 documented) is not contradicted by a read."""
    base = f"{root}/shelter/api/v2/adopters"
    assert httpx.delete(f"{base}/ghost", headers=AUTH).status_code == 204
    assert httpx.get(f"{base}/ghost", headers=AUTH).status_code == 404


def test_formats_are_enforced_on_request_bodies(root: str) -> None:
    base = f"{root}/shelter/api/v2/adopters"
    assert httpx.post(base, json=ADOPTER, headers=AUTH).status_code == 201
    not_a_uri = httpx.post(base, json={**ADOPTER, "homepage": "not a uri"}, headers=AUTH)
    assert not_a_uri.status_code == 400
    assert not_a_uri.json()["field"] == "homepage" and "uri" in not_a_uri.json()["detail"]


def test_every_missing_field_is_reported_at_once(root: str) -> None:
    answer = httpx.post(f"{root}/shelter/api/v2/adopters", json={}, headers=AUTH)
    assert answer.status_code == 400
    detail = answer.json()["detail"]
    for field in ("name", "email", "homepage"):
        assert f"'{field}' is a required property" in detail


def test_fastapi_style_errors_carry_loc_msg_and_type(root: str) -> None:
    answer = httpx.post(f"{root}/shelter/api/v2/pets", json={"kind": "dog"}, headers=AUTH)
    assert answer.status_code == 422
    items = answer.json()["detail"]
    assert {"loc": ["body", "bark"], "msg": "'bark' is a required property", "type": "missing"} in items
    conversation = f"{root}/pulze/v1/apps/{UUID}/conversations/{UUID}"
    pulze = httpx.post(conversation, json={"include_requests": "yes"}, headers=AUTH)
    assert pulze.status_code == 422
    [item] = pulze.json()["detail"]
    assert item["loc"] == ["body", "include_requests"] and item["type"] == "bool_type"
    malformed = httpx.post(conversation.replace(f"/apps/{UUID}", "/apps/app-1"), json={}, headers=AUTH)
    assert malformed.status_code == 422  # the API documents 422 for validation: a malformed path value gets it
    [item] = malformed.json()["detail"]
    assert item["loc"] == ["path", "app_id"] and item["type"] == "value_error"


def test_an_error_list_names_each_offending_field(root: str) -> None:
    answer = httpx.post(f"{root}/devs-ai/api/v1/ai", json={"name": 5}, headers=AUTH)
    assert answer.status_code in (400, 422)
    body = answer.json()
    assert body["error"]["code"] != "" and "name" in body["error"]["message"]
