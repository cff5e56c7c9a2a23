"""Streams through `contracts proxy`: Server-Sent Events pass through as they arrive (not buffered), WebSockets are
bridged both ways, and what the events break is reported (tests/reference_servers/streams.yaml)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.reference_servers import streams

Start = Callable[[Any, Path, str], Any]
AUTH = {"Authorization": f"Bearer {streams.TOKEN}"}
_WAIT = 10.0  # seconds the held-back server waits for the client to say it saw the first event


def held_back_app() -> Starlette:
    """A streams API whose event stream sends one chunk, then holds the rest until `POST /release` is called
    (directly, not through the proxy): a proxy that buffered the stream would never show the first chunk."""
    released = threading.Event()

    async def completions(request: Request) -> Response:
        async def chunks() -> AsyncIterator[bytes]:
            yield b'data: {"id": "c1", "choices": [{"delta": {"content": "first "}}]}\n\n'
            waited = 0.0
            while not released.is_set() and waited < _WAIT:
                await asyncio.sleep(0.01)
                waited += 0.01
            if released.is_set():
                yield b'data: {"id": "c1", "choices": [{"delta": {"content": "second"}}]}\n\n'
                yield b"data: [DONE]\n\n"

        return StreamingResponse(chunks(), media_type="text/event-stream")

    async def release(request: Request) -> Response:
        released.set()
        return Response(status_code=204)

    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(json.dumps({"type": "tick", "value": 0}))
        try:
            while True:
                number = int(await websocket.receive_text())
                await websocket.send_text(json.dumps({"type": "tick", "value": number}))
        except WebSocketDisconnect:
            return

    return Starlette(routes=[
        Route(f"{streams.PREFIX}/completions", completions, methods=["POST"]),
        Route(f"{streams.PREFIX}/release", release, methods=["POST"]),
        WebSocketRoute(f"{streams.PREFIX}/events", echo),
    ])


def test_an_event_stream_passes_through_as_it_arrives(proxied: Start) -> None:
    proxy = proxied(held_back_app(), streams.SPEC, streams.PREFIX)
    body = {"prompt": "Say hello", "stream": True}
    events = []
    with httpx.Client(timeout=30, trust_env=False) as client:
        with client.stream("POST", f"{proxy.url}/completions", json=body, headers=AUTH) as response:
            assert response.headers["x-contract-violations"] == "0"
            lines = response.iter_lines()
            for line in lines:
                if line.startswith("data: "):
                    events.append(line)
                    break
            client.post(f"{proxy.upstream}/release")  # only now does the server send the rest
            events += [line for line in lines if line.startswith("data: ")]
    assert len(events) == 3 and events[-1] == "data: [DONE]", events
    assert '"second"' in events[1]
    assert not proxy.exchanges, [e.findings for e in proxy.exchanges]


def test_a_websocket_is_bridged_both_ways(proxied: Start) -> None:
    proxy = proxied(held_back_app(), streams.SPEC, streams.PREFIX)
    with connect(proxy.url.replace("http", "ws") + "/events", additional_headers=AUTH, proxy=None) as socket:
        assert socket.response.headers["x-contract-violations"] == "0"
        assert json.loads(socket.recv(timeout=10)) == {"type": "tick", "value": 0}
        for number in (1, 2, 3):
            socket.send(str(number))
            assert json.loads(socket.recv(timeout=10)) == {"type": "tick", "value": number}
    assert not proxy.exchanges


def test_the_reference_streams_pass_through_unchanged(proxied: Start) -> None:
    app = streams.create_app()
    proxy = proxied(app, streams.SPEC, streams.PREFIX)
    body = {"prompt": "Say hello", "stream": True}
    with httpx.Client(timeout=30, trust_env=False) as client:
        direct = client.post(f"{proxy.upstream}/completions", json=body, headers=AUTH)
        through = client.post(f"{proxy.url}/completions", json=body, headers=AUTH)
    assert through.status_code == 200 and through.content == direct.content
    assert through.headers["content-type"] == direct.headers["content-type"]
    frames = []
    with connect(proxy.url.replace("http", "ws") + "/events", additional_headers=AUTH, proxy=None) as socket:
        frames = [json.loads(socket.recv(timeout=10)) for _ in range(3)]
    assert [frame["value"] for frame in frames] == [0, 1, 2]
    assert not proxy.exchanges


def test_a_refused_websocket_handshake_keeps_the_upstream_status(proxied: Start) -> None:
    proxy = proxied(streams.create_app(), streams.SPEC, streams.PREFIX)
    with pytest.raises(InvalidStatus) as refused:
        connect(proxy.url.replace("http", "ws") + "/events", proxy=None, open_timeout=10)
    response = refused.value.response
    assert response.status_code == 401
    assert json.loads(response.body) == {"message": "unauthorized"}
    assert response.headers["x-contract-violation"].startswith("request_security: ")


@pytest.mark.parametrize(
    ("fault", "check"),
    [("chunk_missing_field", "stream_event_schema"), ("malformed_frame", "stream_malformed_frame"),
     ("no_terminator", "stream_terminator"), ("undocumented_kind", "stream_event_kind")],
)
def test_what_a_stream_breaks_is_reported(proxied: Start, fault: str, check: str) -> None:
    proxy = proxied(streams.create_app(fault), streams.SPEC, streams.PREFIX)
    with httpx.Client(timeout=30, trust_env=False) as client:
        response = client.post(f"{proxy.url}/completions", json={"prompt": "Hi", "stream": True}, headers=AUTH)
        assert response.status_code == 200
    with connect(proxy.url.replace("http", "ws") + "/events", additional_headers=AUTH, proxy=None) as socket:
        for _ in range(3):
            socket.recv(timeout=10)
    deadline = 50
    while deadline and check not in {finding.check for _, finding in proxy.log.violations}:
        threading.Event().wait(0.1)  # the WebSocket's last frame is checked right after it is sent
        deadline -= 1
    assert check in {finding.check for _, finding in proxy.log.violations}
