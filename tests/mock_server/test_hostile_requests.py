"""Hostile requests never get a 5xx, and the server keeps serving: lone surrogates, untyped form fields, wrong
discriminator types, huge numbers, deep nesting, broken multipart; over every spec (ours, the serving fixtures,
and the real-world corpus when `../shared/conformance` is present). Bounded: a fixed list per operation."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from mock_server import Settings, create_app
from mock_server.web.app import find_server
from mock_server.web.security import compile_security
from tests.mock_server.hostile import credentials, hostile_bodies, spec_files
from tests.reference_servers.serving import serve


@pytest.mark.parametrize("spec", spec_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_hostile_bodies_get_a_client_error_and_the_server_keeps_serving(spec: Path) -> None:
    app = create_app(Settings(specs=(spec,), seed=1, seed_items=1))
    [api] = find_server(app).apis.values()
    security = compile_security(api)
    server_errors: list[str] = []
    with serve(app) as root, httpx.Client(timeout=10) as client:
        for op in api.operations:
            if not op.request_media_types or op.websocket is not None:
                continue
            path = re.sub(r"\{[^}]+\}", "x1", op.path)
            headers, query = credentials(security[op.operation_id])
            for label, extra, raw in hostile_bodies(op):
                response = client.request(op.method.upper(), f"{root}{api.spec.mount}{path}", params=query,
                                          headers={**headers, **extra}, content=raw)
                if response.status_code >= 500:
                    server_errors.append(f"{op.method.upper()} {op.path} [{label}] -> {response.status_code} "
                                         f"{response.text[:200]}")
        assert client.get(f"{root}/__mock/health").status_code == 200
    assert server_errors == []



def test_a_crash_is_logged_in_a_few_lines_and_answered_in_the_api_shape(caplog: pytest.LogCaptureFixture) -> None:
    from mock_server.generation import FakeGenerator
    from mock_server.web.problems import crash_response

    def deep(n: int) -> int:
        return deep(n + 1) + 1

    try:
        deep(0)
    except RecursionError as exc:
        crash = exc
    app = create_app(Settings(specs=(spec_files()[0],), seed=1))
    [api] = find_server(app).apis.values()
    with caplog.at_level("ERROR"):
        response = crash_response(api, api.operations[0], crash, "GET", "/x", FakeGenerator(1))
    assert response.status_code == 500 and b"RecursionError" in response.body
    assert sum(record.getMessage().count("\n") for record in caplog.records) < 40
