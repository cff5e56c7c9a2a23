"""Reference server for `streams.yaml` next to this module (bearer auth, mounted at `/streams-api`): a correct
Server-Sent Events completion stream and a WebSocket of tick events, plus the stream faults of the catalogue."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from tests.reference_servers.common import BadInput, api_app, error, json_body
from tests.reference_servers.faults import FaultSwitch

__all__ = ["PREFIX", "SPEC", "SUPPORTED_FAULTS", "TOKEN", "create_app"]

SPEC = Path(__file__).resolve().with_name("streams.yaml")
PREFIX = "/streams-api"
TOKEN = "streams-secret-token-77a1"
SUPPORTED_FAULTS = ("chunk_missing_field", "no_terminator", "malformed_frame", "undocumented_kind", "endless_stream")
WORDS = ("Hello ", "from ", "the ", "reference ", "stream.")
ENDLESS = 600  # more events than the stream check reads


def _validate(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or set(body) - {"prompt", "stream"}:
        raise BadInput("the body must be an object with prompt and stream")
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not 1 <= len(prompt) <= 200:
        raise BadInput("prompt must be a string of 1 to 200 characters")
    if "stream" in body and not isinstance(body["stream"], bool):
        raise BadInput("stream must be a boolean")
    return body


def create_app(fault: str | None = None) -> Starlette:
    """The streams API, correct unless `fault` names one of SUPPORTED_FAULTS."""
    faults = FaultSwitch(fault)

    def authorised(headers: Any) -> bool:
        return headers.get("authorization") == f"Bearer {TOKEN}"

    async def chunks() -> AsyncIterator[bytes]:
        words = [f"w{i} " for i in range(ENDLESS)] if faults("endless_stream") else WORDS
        for index, word in enumerate(words):
            chunk: dict[str, Any] = {"id": "cmpl-1", "choices": [{"delta": {"content": word}}]}
            if faults("chunk_missing_field") and index == 1:
                del chunk["choices"]
            data = "{oops" if faults("malformed_frame") and index == 2 else json.dumps(chunk)
            yield f"data: {data}\n\n".encode()
        if not faults("no_terminator"):
            yield b"data: [DONE]\n\n"

    async def completions(request: Request) -> Response:
        if not authorised(request.headers):
            return error(faults, 401, {"message": "unauthorized"})
        try:
            body = _validate(await json_body(request))
        except BadInput as exc:
            return error(faults, 400, {"message": str(exc)})
        if body.get("stream"):
            return StreamingResponse(chunks(), media_type="text/event-stream")
        return JSONResponse({"text": "".join(WORDS)})

    async def events(websocket: WebSocket) -> None:
        if not authorised(websocket.headers):
            await websocket.send_denial_response(JSONResponse({"message": "unauthorized"}, status_code=401))
            return
        await websocket.accept()
        kind = "tock" if faults("undocumented_kind") else "tick"
        try:
            for value in range(3):
                await websocket.send_text(json.dumps({"type": kind if value == 1 else "tick", "value": value}))
            await websocket.receive()  # until the client leaves
        except WebSocketDisconnect:
            return

    async def plain_events(request: Request) -> Response:
        if not authorised(request.headers):
            return error(faults, 401, {"message": "unauthorized"})
        return error(faults, 426, {"message": "upgrade required"})

    return api_app(
        [
            Route(f"{PREFIX}/completions", completions, methods=["POST"]),
            WebSocketRoute(f"{PREFIX}/events", events),
            Route(f"{PREFIX}/events", plain_events, methods=["GET"]),
        ],
        faults,
        lambda status, message: {"message": message},
    )
