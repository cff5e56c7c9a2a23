"""Pure-ASGI middleware that answers 413 for request bodies over a size limit, declared or streamed.

A `Content-Length` over the limit is refused before the app runs. A body without one (chunked) is counted as it
is read; past the limit, reading raises `BodyTooLargeError`, a Starlette `HTTPException` that Connexion's error
handlers render in the API's error shape (and that this middleware answers itself if nothing else did).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.engine import Engine
from mock_server.error_bodies import error_response
from mock_server.models import ApiModel
from mock_server.web.responses import to_starlette

__all__ = ["BodyLimitMiddleware", "BodyTooLargeError", "api_error_renderer"]

Renderer = Callable[[Scope, int, str], Response]


class BodyTooLargeError(HTTPException):
    """The request body passed the configured limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body is larger than the limit of {limit} bytes")


def api_error_renderer(apis: Mapping[str, ApiModel], engine: Engine) -> Renderer:
    """Error responses in the error shape of the API a path belongs to (a plain `{message}` elsewhere)."""

    def render(scope: Scope, status: int, message: str) -> Response:
        api = apis.get(str(scope.get("path", "")).strip("/").split("/", 1)[0])
        if api is None:
            return JSONResponse({"message": message, "status": status}, status_code=status)
        return to_starlette(error_response(api, None, status, message, engine.gen))

    return render


class BodyLimitMiddleware:
    """Refuse bodies larger than `max_bytes` with a 413 in the API's error shape."""

    def __init__(self, app: ASGIApp, max_bytes: int, render: Renderer) -> None:
        self.app, self.max_bytes, self.render = app, max_bytes, render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.max_bytes <= 0:
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self.render(scope, 413, str(BodyTooLargeError(self.max_bytes).detail))(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLargeError(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLargeError as exc:
            if started:
                raise
            await self.render(scope, 413, str(exc.detail))(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers") or ():
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
