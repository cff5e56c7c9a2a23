"""Credentials as each spec's security schemes say: oauth2 and openIdConnect take a Bearer token, a declared scheme
word (`x-mock: {scheme: token}`) is enforced, and a failure is a 401 in the API's shape even where the operation
documents only 400/422. Through real HTTP, with and without `--auth-token`, with and without the fast path."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mock_server import Settings, create_app
from tests.conftest import SPECS
from tests.reference_servers.serving import serve

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "specs"
SHELTER = FIXTURES / "shelter.yaml"
PULUMI = SPECS / "pulumi-ai.yaml"
ADOPTER = {"name": "Ann", "email": "ann@example.com", "homepage": "https://example.com/ann"}


@pytest.fixture(scope="module", params=[(None, True), ("s3cret", True), ("s3cret", False)],
                ids=["any-token", "auth-token", "auth-token-connexion"])
def server(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    token, fast = request.param
    settings = Settings(specs=(SHELTER, PULUMI), seed=2, auth_token=token, fast_path=fast)
    with serve(create_app(settings)) as root:
        yield root, token or "anything"


def test_oauth2_and_open_id_connect_take_a_bearer_token(server: tuple[str, str]) -> None:
    root, token = server
    base = f"{root}/shelter/api/v2"
    assert httpx.get(f"{base}/pets", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    created = httpx.post(f"{base}/adopters", json=ADOPTER, headers={"Authorization": f"bearer {token}"})
    assert created.status_code == 201
    for wrong in ({}, {"Authorization": token}, {"Authorization": "Basic " + base64.b64encode(b"u:p").decode()}):
        assert httpx.get(f"{base}/pets", headers=wrong).status_code == 401


def test_a_missing_credential_is_401_even_where_only_400_is_documented(server: tuple[str, str]) -> None:
    root, _ = server
    refused = httpx.post(f"{root}/shelter/api/v2/adopters", json={})
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    assert refused.json() == {"detail": "missing credential: send an `Authorization: Bearer <token>` header",
                              "field": "authorization"}


def test_a_declared_scheme_word_is_enforced(server: tuple[str, str]) -> None:
    root, token = server
    conversations = f"{root}/pulumi-ai/api/orgs/acme/ai/conversations"
    assert httpx.get(conversations, headers={"Authorization": f"token {token}"}).status_code == 200
    for wrong in (f"Bearer {token}", token, f"Basic {token}", "token"):
        refused = httpx.get(conversations, headers={"Authorization": wrong})
        assert refused.status_code == 401, wrong
        body = refused.json()
        assert body["code"] == 401 and "token <secret>" in body["message"]


def test_the_auth_token_is_required_when_set(server: tuple[str, str]) -> None:
    root, token = server
    if token == "anything":
        pytest.skip("no --auth-token on this server")
    refused = httpx.get(f"{root}/shelter/api/v2/pets", headers={"Authorization": "Bearer other"})
    assert refused.status_code == 401
    note = httpx.post(f"{root}/shelter/api/v2/staff/notes", data={"text": "hi"},
                      headers={"Authorization": "token other"})
    assert note.status_code == 401
    assert httpx.post(f"{root}/shelter/api/v2/staff/notes", data={"text": "hi"},
                      headers={"Authorization": f"TOKEN {token}"}).status_code == 200
