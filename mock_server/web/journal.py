"""Pure-ASGI middleware that records the last N requests: method, path, status, latency."""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["OPERATION_KEY", "STREAM_STATS_KEY", "STUB_KEY", "Journal", "JournalMiddleware"]

# What the request path notes in scope["extensions"] for the journal: the operation and the stub that answered
# (web/resolver.py), and a stream's figures (web/sse.py).
OPERATION_KEY, STUB_KEY, STREAM_STATS_KEY = "mock.operation", "mock.stub", "mock.stream"


class Journal:
    """A bounded list of recent requests, newest last."""

    def __init__(self, size: int) -> None:
        self.entries: deque[dict[str, Any]] = deque(maxlen=size)

    def add(self, entry: dict[str, Any]) -> None:
        self.entries.append(entry)

    def clear(self) -> None:
        self.entries.clear()


class JournalMiddleware:
    """Times every HTTP request and notes its final status (admin calls and the dashboard at `/` are left out)."""

    def __init__(self, app: ASGIApp, journal: Journal) -> None:
        self.app, self.journal = app, journal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/__mock") or scope["path"] == "/":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        scope.setdefault("extensions", {})  # a streamed response notes its event count here (web/sse.py)
        status = {"code": 500}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            path = scope["path"]
            self.journal.add({
                "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "method": scope["method"],
                "path": path,
                "query": scope.get("query_string", b"").decode("latin-1"),
                "api": path.strip("/").split("/")[0],
                "status": status["code"],
                "latency_ms": round((time.perf_counter() - started) * 1000, 2),
                **({"stream": stream} if (stream := scope["extensions"].get(STREAM_STATS_KEY)) else {}),
                **_operation_and_stub(scope["extensions"]),
            })


def _operation_and_stub(extensions: dict[str, Any]) -> dict[str, Any]:
    """The operation that answered and the stub that matched, as the resolver noted them (web/resolver.py)."""
    noted: dict[str, Any] = {}
    if (operation := extensions.get(OPERATION_KEY)) is not None:
        noted["operation"] = operation
    if (stub := extensions.get(STUB_KEY)) is not None:
        noted["stub"] = stub["id"]
        if stub["invalid_allowed"]:
            noted["stub_allow_invalid"] = True  # the answer may break the spec: the stub said so
    return noted
