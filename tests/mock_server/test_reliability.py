"""Durability under load, shared state across processes, and hostile input: real servers on 127.0.0.1.

Subprocess servers (`mock-server serve`) where processes matter (workers, two instances, SIGKILL); the in-process
`serve()` for hostile input. Bounded: a few thousand requests in all.
"""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from mock_server import Settings, create_app
from tests.mock_server.processes import mock_server_process
from tests.reference_servers.serving import serve

NOTES = Path(__file__).resolve().parent.parent / "fixtures" / "specs" / "notes.yaml"
HEADERS = {"X-Api-Key": "k"}
CONCURRENCY = 32
CREATES = 800  # many times CONCURRENCY, so every worker takes creates while others write

pytestmark = pytest.mark.slow


async def _create_many(base: str, count: int, acknowledged: list[str] | None = None) -> list[httpx.Response]:
    """POST `count` notes with at most CONCURRENCY in flight; ids answered 2xx go to `acknowledged` as they come."""
    limit = asyncio.Semaphore(CONCURRENCY)
    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, headers=HEADERS, timeout=30.0, limits=limits) as client:

        async def one(i: int) -> httpx.Response:
            async with limit:
                response = await client.post("/notes", json={"title": f"note {i}"})
                if acknowledged is not None and response.is_success:
                    acknowledged.append(response.json()["id"])
                return response

        return list(await asyncio.gather(*(one(i) for i in range(count))))


async def _read_all(base: str, ids: list[str]) -> list[int]:
    limit = asyncio.Semaphore(CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, headers=HEADERS, timeout=30.0) as client:

        async def one(id: str) -> int:
            async with limit:
                return (await client.get(f"/notes/{id}")).status_code

        return list(await asyncio.gather(*(one(id) for id in ids)))


@pytest.fixture(params=["sqlite", "redis"])
def shared_state(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/state.db"
    return f"{request.getfixturevalue('redis_url')}?prefix=rel{uuid.uuid4().hex[:8]}"


def test_concurrent_creates_across_four_workers_are_all_kept(shared_state: str, tmp_path: Path) -> None:
    # with --seed, each worker derives its own seed: otherwise all four would generate the same ids
    args = ["--specs", str(NOTES), "--seed-items", "0", "--seed", "3", "--state", shared_state, "--workers", "4"]
    with mock_server_process(args, tmp_path) as server:
        base = f"{server.url}/notes/v1"
        responses = asyncio.run(_create_many(base, CREATES))
        assert [r.status_code for r in responses if not r.is_success] == []
        ids = [r.json()["id"] for r in responses]
        assert len(set(ids)) == CREATES
        assert set(asyncio.run(_read_all(base, ids))) == {200}
        with httpx.Client(base_url=base, headers=HEADERS) as client:
            assert client.get("/notes", params={"limit": 1}).json()["total"] == CREATES


def test_memory_state_with_workers_warns_that_state_is_per_process(tmp_path: Path) -> None:
    with mock_server_process(["--specs", str(NOTES), "--workers", "2"], tmp_path) as server:
        assert "every worker process keeps its own state" in server.log.read_text().replace("\n", " ")


def test_two_instances_share_redis_and_reset_clears_only_mock_keys(redis_url: str, tmp_path: Path) -> None:
    prefix = f"ab{uuid.uuid4().hex[:8]}"
    state = f"{redis_url}?prefix={prefix}"
    raw = redis.Redis.from_url(redis_url, decode_responses=True)
    raw.set(f"unrelated:{prefix}", "keep me")
    args = ["--specs", str(NOTES), "--seed-items", "2", "--seed", "1", "--state", state]
    try:
        with mock_server_process(args, tmp_path) as a, mock_server_process(args, tmp_path) as b, \
                httpx.Client(headers=HEADERS) as client:
            created = client.post(f"{a.url}/notes/v1/notes", json={"title": "made on A"})
            assert created.status_code == 201
            note = created.json()["id"]
            assert client.get(f"{b.url}/notes/v1/notes/{note}").json()["title"] == "made on A"
            listed = client.get(f"{b.url}/notes/v1/notes", params={"limit": 50}).json()
            assert note in [n["id"] for n in listed["items"]]
            assert listed["total"] == 3  # seeded once (2 items), not once per instance, plus ours
            assert client.delete(f"{b.url}/notes/v1/notes/{note}").status_code == 204
            assert client.get(f"{a.url}/notes/v1/notes/{note}").status_code == 404

            doomed = client.post(f"{a.url}/notes/v1/notes", json={"title": "gone after reset"}).json()["id"]
            assert client.post(f"{a.url}/__mock/reset").status_code == 200
            assert raw.get(f"unrelated:{prefix}") == "keep me"
            # the reset seeds again at once, so the other instance sees fresh data on its very next request
            after_b = client.get(f"{b.url}/notes/v1/notes").json()
            assert after_b["total"] == 2 and doomed not in {n["id"] for n in after_b["items"]}
            assert client.get(f"{a.url}/notes/v1/notes").json() == after_b
    finally:
        raw.delete(f"unrelated:{prefix}")
        raw.close()


def test_sigkill_during_creates_loses_no_acknowledged_write(tmp_path: Path) -> None:
    state = f"sqlite:///{tmp_path}/crash.db"
    args = ["--specs", str(NOTES), "--seed-items", "0", "--state", state]
    acknowledged: list[str] = []
    with mock_server_process(args, tmp_path) as server:

        async def load_then_kill() -> None:
            load = asyncio.ensure_future(_create_many(f"{server.url}/notes/v1", 5000, acknowledged))
            while len(acknowledged) < 300 and not load.done():
                await asyncio.sleep(0.01)
            server.kill()  # mid-load: requests in flight get no answer
            await asyncio.gather(load, return_exceptions=True)

        asyncio.run(load_then_kill())
    assert 300 <= len(acknowledged) < 5000
    with mock_server_process(args, tmp_path) as restarted:
        statuses = asyncio.run(_read_all(f"{restarted.url}/notes/v1", acknowledged))
        assert set(statuses) == {200}


# -- hostile input ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def notes_root() -> Iterator[str]:
    with serve(create_app(Settings(specs=(NOTES,), seed=0, max_body_bytes=1024 * 1024))) as root:
        yield root


def _raw_request(root: str, request: bytes) -> tuple[int, bytes]:
    """Send bytes as they are (no client-side URL normalisation); the status and body of the answer."""
    host, port = root.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


HOSTILE: dict[str, dict[str, Any]] = {
    "malformed JSON": {"content": b'{"title": ', "headers": {"Content-Type": "application/json"}, "status": 400},
    "wrong content type": {"content": b"title=x", "headers": {"Content-Type": "text/plain"}, "status": 400},
    "JSON nested 10,000 deep": {"content": b"[" * 10_000 + b"]" * 10_000,
                                "headers": {"Content-Type": "application/json"}, "status": 400},
    "invalid UTF-8": {"content": b'{"title": "\xff\xfe"}', "headers": {"Content-Type": "application/json"},
                      "status": 400},
    "body over --max-body": {"content": b'{"title": "' + b"a" * (2 * 1024 * 1024) + b'"}',
                             "headers": {"Content-Type": "application/json"}, "status": 413},
}


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_hostile_bodies_get_a_4xx_in_the_api_error_shape(notes_root: str, case: str) -> None:
    spec = HOSTILE[case]
    with httpx.Client(base_url=f"{notes_root}/notes/v1", headers=HEADERS, timeout=30) as client:
        response = client.post("/notes", content=spec["content"], headers=spec["headers"])
        assert response.status_code == spec["status"]
        assert set(response.json()) == {"error"} and response.json()["error"]  # the spec's Problem shape
        assert client.post("/notes", json={"title": "still serving"}).status_code == 201


def test_chunked_body_over_the_limit_is_413(notes_root: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"title": "'
        for _ in range(40):
            yield b"a" * 65536
        yield b'"}'

    with httpx.Client(base_url=f"{notes_root}/notes/v1", headers=HEADERS, timeout=30) as client:
        response = client.post("/notes", content=chunks(), headers={"Content-Type": "application/json"})
        assert response.status_code in (400, 413)  # 413 once read; a body Connexion never reads is a 400
        assert set(response.json()) == {"error"}
        assert client.get("/notes").status_code == 200


@pytest.mark.parametrize("path", [
    "/notes/notes/../../../etc/passwd",
    "/notes/notes/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/notes/notes/..%2f..%2f",
    "/notes/nowhere",
    "/elsewhere/entirely",
])
def test_unknown_paths_and_traversal_are_404(notes_root: str, path: str) -> None:
    status, body = _raw_request(notes_root, f"GET {path} HTTP/1.1\r\nHost: x\r\nX-Api-Key: k\r\n"
                                            "Connection: close\r\n\r\n".encode())
    assert status in (400, 404)
    assert b"root:" not in body


def test_method_not_allowed_and_unknown_method(notes_root: str) -> None:
    with httpx.Client(base_url=f"{notes_root}/notes/v1", headers=HEADERS) as client:
        response = client.put("/notes")
        assert response.status_code == 405 and set(response.json()) == {"error"}
        assert "GET" in response.headers["allow"]
    status, _ = _raw_request(notes_root, b"BREW /notes/notes HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert 400 <= status < 500  # refused by the HTTP parser or the router, never a 500
    with httpx.Client(base_url=f"{notes_root}/notes/v1", headers=HEADERS) as client:
        assert client.get("/notes").status_code == 200


def test_huge_query_string_is_a_4xx_and_the_server_keeps_serving(notes_root: str) -> None:
    query = "x=" + "a" * 100_000
    status, _ = _raw_request(notes_root, f"GET /notes/notes?{query} HTTP/1.1\r\nHost: x\r\nX-Api-Key: k\r\n"
                                         "Connection: close\r\n\r\n".encode())
    assert 400 <= status < 500
    with httpx.Client(base_url=f"{notes_root}/notes/v1", headers=HEADERS) as client:
        assert client.get("/notes", params={"limit": 5}).status_code == 200
