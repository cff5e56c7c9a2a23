"""What `mock-server serve` prints: at `--log-level info` one line per request, at the default level nothing for
requests that went as expected for the server (client mistakes included): no tracebacks, no ERROR lines, no
library chatter (Connexion's "multiple content types", uvicorn's refused-handshake error)."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

import httpx
import pytest
import websockets

from tests.conftest import SPECS
from tests.mock_server.processes import mock_server_process

SPEC_ARGS = ["--specs", str(SPECS / "coder-chats.yaml"), str(SPECS / "devs-ai.yaml"), "--seed", "2"]
ORG = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
UPLOAD = f"/coder-chats/api/experimental/chats/files?organization={ORG}"
CODER = {"Coder-Session-Token": "t"}
DEVS = {"Authorization": "Bearer t"}
NOISE = ("Traceback", "ERROR", "multiple content types", "Validation error", "connection rejected",
         "connection open", "without completing handshake")


def _exercise(root: str) -> list[str]:
    """Requests a frontend developer makes on a normal day, mistakes included; the paths they use, in order."""
    with httpx.Client(base_url=root, timeout=10) as client:
        assert client.post(UPLOAD, headers={**CODER, "Content-Type": "text/plain"}, content=b"hello").status_code == 201
        assert client.post("/devs-ai/api/v1/files", headers=DEVS, files={"other": b"x"}).status_code == 400
        assert client.post("/devs-ai/api/v1/ai", headers={**DEVS, "Content-Type": "application/json"},
                           content=b"{not json").status_code == 400
        assert client.get("/devs-ai/api/v1/me/ai", headers={**DEVS, "Prefer": "code=abc"}).status_code == 400
        assert client.get("/devs-ai/api/v1/me/ai").status_code == 401

    async def refused_sockets() -> None:
        for path, headers in (("/coder-chats/api/experimental/chats/watch", {}),
                              ("/coder-chats/api/experimental/nowhere", CODER)):
            with pytest.raises(websockets.InvalidStatus):
                async with websockets.connect(root.replace("http", "ws") + path, additional_headers=headers):
                    pass

    asyncio.run(refused_sockets())
    # A client that goes away before sending the whole body it announced.
    host, port = root.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(f"POST {UPLOAD} HTTP/1.1\r\nHost: x\r\nCoder-Session-Token: t\r\nContent-Type: text/plain\r\n"
                     "Content-Length: 1000\r\n\r\nabc".encode())
        time.sleep(0.2)  # let the server start reading the body before the client leaves
    return ["/chats/files", "/api/v1/files", "/api/v1/ai", "/api/v1/me/ai", "/api/v1/me/ai", "/chats/watch",
            "/experimental/nowhere", "/chats/files"]


def _lines_after_start(log: Path, wanted: int, timeout: float = 10.0) -> list[str]:
    """The log lines printed after start-up, once `wanted` of them are there (or the timeout passed)."""
    deadline = time.monotonic() + timeout
    while True:
        lines = log.read_text().splitlines()
        started = next(i for i, line in enumerate(lines) if "Application startup" in line)
        after = [line for line in lines[started + 1:]
                 if "Uvicorn running on" not in line and "/__mock/health" not in line]  # the readiness probes
        if len(after) >= wanted or time.monotonic() > deadline:
            return after
        time.sleep(0.1)


def test_info_prints_one_line_per_request_and_nothing_else(tmp_path: Path) -> None:
    with mock_server_process([*SPEC_ARGS, "--log-level", "info"], tmp_path) as server:
        paths = _exercise(server.url)
        lines = _lines_after_start(server.log, len(paths))
        time.sleep(0.3)  # anything printed late would still be caught
        lines = _lines_after_start(server.log, len(paths))
    assert not [line for line in lines if any(noise in line for noise in NOISE)], lines
    assert len(lines) == len(paths), lines
    for line, path in zip(lines, paths, strict=True):
        assert path in line, (path, line)


def test_the_default_level_prints_nothing_for_expected_requests(tmp_path: Path) -> None:
    with mock_server_process(SPEC_ARGS, tmp_path) as server:
        _exercise(server.url)
        time.sleep(0.5)  # give a late line the chance to show up
        text = server.log.read_text()
    banner = [line for line in text.splitlines() if "http://127.0.0.1" in line]
    assert len(banner) == 3  # two APIs and the admin line
    assert text.strip().splitlines() == banner
