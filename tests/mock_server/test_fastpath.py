"""The fast path answers exactly as Connexion would: the same requests, with it and without it, same responses.

On devs-ai with hand-picked requests, and on every other spec (ours, the serving fixtures, the real-world corpus
when `../shared/conformance` is present) with a few requests per operation: valid, without credentials, with a
wrong-typed query value, an unknown query parameter, invalid bodies. Also guards the Connexion 3.3 internals it
relies on (the request context variables the handlers read).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server import Settings, create_app
from mock_server.web.app import find_server
from mock_server.web.fastpath import FastPath
from mock_server.web.security import compile_security
from tests.conftest import SPECS
from tests.mock_server.hostile import credentials, spec_files
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


OPERATIONS_PER_SPEC = 8
_NUMBERS = ("integer", "number")


def _fill_path(path: str, typed: set[str], value: str) -> str:
    """The path with `value` for the parameters in `typed` and `x1` for the others."""
    return re.sub(r"\{([^}]+)\}", lambda m: value if m.group(1) in typed else "x1", path)


def _probes(app: Any) -> list[tuple[str, str, dict[str, str], Any]]:
    """A few requests per operation of the app's one API (the first OPERATIONS_PER_SPEC), each a rule both paths
    apply."""
    [api] = find_server(app).apis.values()
    security = compile_security(api)
    probes: list[tuple[str, str, dict[str, str], Any]] = []
    for op in [op for op in api.operations if op.websocket is None][:OPERATIONS_PER_SPEC]:
        headers, query = credentials(security[op.operation_id])
        path = api.spec.mount + re.sub(r"\{[^}]+\}", "x1", op.path)
        url = path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
        joiner = "&" if "?" in url else "?"
        method = op.method.upper()
        json_body = any("json" in m for m in op.request_media_types)
        body: Any = {} if json_body else None
        probes.append((method, url, headers, body))
        probes.append((method, url + joiner + "_=123", {}, body))  # ignored parameter, missing credential
        for p in op.parameters:
            if p.location == "query" and p.schema.get("type") in ("integer", "number", "boolean"):
                probes.append((method, f"{url}{joiner}{p.name}=not-a-value", headers, body))
        typed = {p.name for p in op.parameters if p.location == "path" and p.schema.get("type") in _NUMBERS}
        for value in ("-5", "1_0", "007") if typed else ():  # Connexion's converters decide what routes
            probes.append((method, api.spec.mount + _fill_path(op.path, typed, value), headers, body))
        if json_body:
            probes.append((method, url, headers, b"{not json"))
            probes.append((method, url, headers, {"id": [["x"]], "name": 12345}))
            probes.append((method, url, headers, b'{"name": "\\ud806"}'))
    return probes


@pytest.mark.parametrize("spec", [s for s in spec_files() if s.name != "devs-ai.yaml"],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fast_path_and_connexion_answer_alike_on_every_spec(spec: Path) -> None:
    fast_app = create_app(Settings(specs=(spec,), seed=4, auth_token="t", fast_path=True))
    probes = _probes(fast_app)
    slow_app = create_app(Settings(specs=(spec,), seed=4, auth_token="t", fast_path=False))
    with serve(fast_app) as fast_root, serve(slow_app) as slow_root, \
            httpx.Client(base_url=fast_root) as fast, httpx.Client(base_url=slow_root) as slow:
        for method, url, headers, body in probes:
            a, b = _send(fast, method, url, headers, body), _send(slow, method, url, headers, body)
            assert (a.status_code, a.headers.get("content-type")) == (b.status_code, b.headers.get("content-type")), \
                (method, url, a.text[:300], b.text[:300])
            assert a.content == b.content, (method, url, a.text[:300], b.text[:300])


def test_connexion_context_variables_still_exist() -> None:
    from connexion import context

    assert hasattr(context, "_scope") and hasattr(context, "_receive")
