"""The fast path answers exactly as Connexion would: the same requests, with it and without it, same responses.

Also guards the Connexion 3.3 internals it relies on (the request context variables the handlers read).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mock_server import Settings, create_app
from mock_server.web.app import find_server
from mock_server.web.fastpath import FastPath
from tests.conftest import SPECS
from tests.reference_servers.serving import serve

DEVS = SPECS / "devs-ai.yaml"
AUTH = {"Authorization": "Bearer t"}
VALID = {"src": "https://example.com/a.png", "name": "A", "description": "d", "instructions": "i"}

# (method, path, headers, json body or raw bytes)
REQUESTS: list[tuple[str, str, dict[str, str], Any]] = [
    ("GET", "/api/v1/me/ai", AUTH, None),
    ("POST", "/api/v1/ai", AUTH, VALID),
    ("POST", "/api/v1/ai", AUTH, {"src": 1}),
    ("POST", "/api/v1/ai", AUTH, {**VALID, "visibility": "nope"}),
    ("POST", "/api/v1/ai", AUTH, b"{not json"),
    ("POST", "/api/v1/ai", {**AUTH, "Content-Type": "text/plain"}, b"hello"),
    ("POST", "/api/v1/ai", AUTH, None),
    ("GET", "/api/v1/me/ai", {}, None),
    ("GET", "/api/v1/me/ai", {"Authorization": "Bearer wrong"}, None),
    ("GET", "/api/v1/me/ai", {"Authorization": "Basic t"}, None),
    ("GET", "/api/v1/me/ai?unknown=1", AUTH, None),
    ("GET", "/api/v1/me/ai?approvedByOrg=maybe", AUTH, None),
    ("GET", "/api/v1/me/ai?approvedByOrg=true&scope=ALL", AUTH, None),
    ("GET", "/api/v1/me/ai?scope=NOPE", AUTH, None),
    ("GET", "/api/v1/ai/does-not-exist", AUTH, None),
    ("DELETE", "/api/v1/me/ai", AUTH, None),
    ("GET", "/api/v1/me/groups", AUTH, None),
    ("GET", "/api/v1/usage/ai", AUTH, None),
]


@pytest.fixture(scope="module")
def roots() -> Iterator[tuple[str, str]]:
    def app(fast: bool) -> Any:
        return create_app(Settings(specs=(DEVS,), seed=4, auth_token="t", fast_path=fast))

    fast_app = app(True)
    with serve(fast_app) as fast, serve(app(False)) as slow:
        yield fast, slow
    fast_path = _fast_path(fast_app)
    assert fast_path.served >= 8  # most of REQUESTS did not need Connexion


def _fast_path(app: Any) -> FastPath:
    server = find_server(app)
    return server._api_app  # type: ignore[attr-defined,no-any-return]


def _send(client: httpx.Client, method: str, path: str, headers: dict[str, str], body: Any) -> httpx.Response:
    if isinstance(body, bytes):
        headers = {"Content-Type": "application/json", **headers}
        return client.request(method, path, headers=headers, content=body)
    return client.request(method, path, headers=headers, json=body)


def test_fast_path_and_connexion_answer_alike(roots: tuple[str, str]) -> None:
    fast_root, slow_root = roots
    with httpx.Client(base_url=f"{fast_root}/devs-ai") as fast, httpx.Client(base_url=f"{slow_root}/devs-ai") as slow:
        first_id = fast.get("/api/v1/me/ai", headers=AUTH).json()["data"][0]["id"]
        assert slow.get("/api/v1/me/ai", headers=AUTH).json()["data"][0]["id"] == first_id
        for method, path, headers, body in [*REQUESTS, ("GET", f"/api/v1/ai/{first_id}", AUTH, None),
                                            ("PATCH", f"/api/v1/ai/{first_id}", AUTH, {"name": "B"})]:
            a, b = _send(fast, method, path, headers, body), _send(slow, method, path, headers, body)
            assert (a.status_code, a.headers.get("content-type")) == (b.status_code, b.headers.get("content-type")), \
                (method, path, a.text, b.text)
            assert a.content == b.content, (method, path)


def test_connexion_context_variables_still_exist() -> None:
    from connexion import context

    assert hasattr(context, "_scope") and hasattr(context, "_receive")
