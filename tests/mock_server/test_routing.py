"""Routing: each API at `/<name><servers' base path>`, literal paths before templates, object query parameters,
unknown query parameters ignored. Through real HTTP, with and without the fast path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mock_server import Settings, create_app
from tests.reference_servers.serving import serve

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "specs"
SHELTER = FIXTURES / "shelter.yaml"
AUTH = {"Authorization": "Bearer t"}


@pytest.fixture(scope="module", params=[True, False], ids=["fast-path", "connexion"])
def base(request: pytest.FixtureRequest) -> Iterator[str]:
    with serve(create_app(Settings(specs=(SHELTER,), seed=3, fast_path=request.param))) as root:
        yield f"{root}/shelter/api/v2"


def test_the_api_is_mounted_at_its_servers_base_path(base: str) -> None:
    assert httpx.get(f"{base}/pets", headers=AUTH).status_code == 200
    bare = httpx.get(base.replace("/api/v2", "") + "/pets", headers=AUTH)
    assert bare.status_code == 404 and "/shelter/api/v2" in bare.text  # the 404 says where the API lives


def test_the_index_lists_each_base_url(base: str) -> None:
    root = base.removesuffix("/shelter/api/v2")
    listed = {api["name"]: api for api in httpx.get(f"{root}/").json()["apis"]}
    assert listed["shelter"]["base_url"] == "/shelter/api/v2"


def test_a_literal_path_beats_a_template(base: str) -> None:
    literal = httpx.get(f"{base}/pets/adoptable", headers=AUTH)
    assert literal.status_code == 200 and set(literal.json()) <= {"adoptable"}


def test_form_exploded_and_deep_object_query_parameters_are_understood(base: str) -> None:
    assert httpx.get(f"{base}/pets", params={"limit": 2, "offset": 0}, headers=AUTH).status_code == 200
    too_small = httpx.get(f"{base}/pets", params={"limit": 0}, headers=AUTH)
    assert too_small.status_code == 422
    assert too_small.json()["detail"][0]["loc"] == ["query", "page", "limit"]
    assert httpx.get(f"{base}/pets", params={"filter[kind]": "cat"}, headers=AUTH).status_code == 200


def test_unknown_query_parameters_are_ignored(base: str) -> None:
    assert httpx.get(f"{base}/pets", params={"_": "123"}, headers=AUTH).status_code == 200
    assert httpx.get(f"{base}/pets/adoptable", params={"cache": "no"}, headers=AUTH).status_code == 200
