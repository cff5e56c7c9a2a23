"""Answer with a paced Server-Sent Event stream instead of JSON, when the operation and the request ask for it.

The engine has already produced (and stored) the JSON answer; the stream carries the same answer. A client that
goes away mid-stream stops the stream at once; if the answer was stored (a created reply), the stored text is cut
to what was sent, so the state holds exactly what the client saw. The same happens with `Prefer: stream-error`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from mock_server.engine import Engine
from mock_server.error_bodies import error_response
from mock_server.jsontext import dump_json_text
from mock_server.messages import MockRequest, MockResponse
from mock_server.models import Action, ApiModel, Operation
from mock_server.pointers import get_pointer, set_pointer
from mock_server.prefer import Preferences
from mock_server.replies import Reply, cut_reply, stored_reply_rule
from mock_server.settings import Settings
from mock_server.streaming import (
    EVENT_STREAM,
    SseEvent,
    SsePlan,
    StreamOptions,
    build_events,
    error_event,
    sse_plan,
    wants_stream,
)
from mock_server.web.journal import STREAM_STATS_KEY

__all__ = ["EventStreamResponse", "encode_event", "event_stream"]
_OWN_HEADERS = {"content-type", "cache-control", "x-accel-buffering", "content-length"}


def encode_event(event: SseEvent) -> bytes:
    """The wire form of one event: optional `event:` line, one `data:` line, blank line."""
    data = event.data if event.raw else dump_json_text(event.data)
    head = f"event: {event.name}\n" if event.name else ""
    return f"{head}data: {data}\n\n".encode()


def event_stream(engine: Engine, api: ApiModel, op: Operation, request: MockRequest, answer: MockResponse,
                 prefs: Preferences, settings: Settings, *, reply: Reply | None = None,
                 options: StreamOptions | None = None) -> EventStreamResponse | None:
    """The streamed form of `answer` if this request asks for a stream, else None (answer as JSON).

    A stub's scripted `reply` and stream `options` shape it; the client's `Prefer` still wins over the options.
    """
    plan = sse_plan(api, op)
    if plan is None or not wants_stream(op, plan, request.body, request.headers.get("accept")):
        return None
    options = options or StreamOptions()
    events = build_events(plan, answer.body, request.body, engine.gen, reply=reply, chunk_chars=options.chunk_chars)
    delay = next(d for d in (prefs.stream_delay_ms, options.delay_ms, settings.stream_delay_ms) if d is not None)
    failure = None
    error_after = prefs.stream_error_after if prefs.stream_error_after is not None else options.error_after
    if error_after is not None:
        body = error_response(api, op, _failure_status(api), f"stream failed after {error_after} events (mock)",
                              engine.gen).body
        failure = (error_after, error_event(plan, body))

    async def finish(sent_text: str, complete: bool) -> None:
        if not complete:
            await _keep_sent_text(engine, api, op, plan, answer, sent_text)

    return EventStreamResponse(events, delay / 1000, failure, finish, answer.headers)


class EventStreamResponse(Response):
    """An ASGI response that sends events one by one, `delay` seconds apart, and stops when the client leaves."""

    def __init__(self, events: list[SseEvent], delay: float, failure: tuple[int, SseEvent] | None,
                 finish: Any, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status_code=200, media_type=EVENT_STREAM)
        self.extra_headers = [(k.lower().encode("latin-1"), str(v).encode("latin-1"))
                              for k, v in (headers or {}).items() if k.lower() not in _OWN_HEADERS]
        # Encoded now: a stream holds bytes and text for its lifetime, not event dicts, so hundreds of open
        # streams give the garbage collector nothing to walk (full collections stalled every stream for ~40 ms).
        self.frames = [(encode_event(event), event.text) for event in events]
        self.failure = (failure[0], encode_event(failure[1])) if failure is not None else None
        self.delay, self.finish, self.finished = delay, finish, False
        self.sent = 0
        self.sent_text: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        stats: dict[str, Any] = {"kind": "sse", "events": 0, "duration_ms": 0.0, "outcome": "complete"}
        extensions = scope.get("extensions")
        if isinstance(extensions, dict):
            extensions[STREAM_STATS_KEY] = stats
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-cache"),
            (b"x-accel-buffering", b"no"), *self.extra_headers]})
        start = 0
        if self.frames and (self.failure is None or self.failure[0] > 0):
            await self._send(send, *self.frames[0])  # now, not after every request queued behind this one
            start = 1
        sender = asyncio.create_task(self._send_events(send, start))
        watcher = asyncio.create_task(_disconnected(receive))
        try:
            done, _ = await asyncio.wait({sender, watcher}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sender, watcher):
                task.cancel()
            await asyncio.gather(sender, watcher, return_exceptions=True)
        complete = sender in done and not sender.cancelled() and sender.exception() is None and sender.result()
        if sender in done and sender.exception() is None and not sender.cancelled():
            stats["outcome"] = "complete" if complete else "error"
        else:
            stats["outcome"] = "disconnected"
        stats["events"] = self.sent
        stats["duration_ms"] = round((time.perf_counter() - started) * 1000, 2)
        if not self.finished:
            await self.finish("".join(self.sent_text), bool(complete))

    async def _send_events(self, send: Send, start: int) -> bool:
        """Send the events from `start` on (or up to the forced failure); True when the stream ended normally."""
        for index in range(start, len(self.frames)):
            frame, text = self.frames[index]
            if self.failure is not None and index == self.failure[0]:
                await self._send(send, self.failure[1])
                # The chat holds the sent text before the stream ends: a client that reads the end and then the
                # chat sees the cut reply.
                await self.finish("".join(self.sent_text), False)
                self.finished = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return False
            if index and self.delay:
                await asyncio.sleep(self.delay)
            await self._send(send, frame, text)
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return True

    async def _send(self, send: Send, frame: bytes, text: str = "") -> None:
        await send({"type": "http.response.body", "body": frame, "more_body": True})
        self.sent += 1
        self.sent_text.append(text)


def _failure_status(api: ApiModel) -> int:
    """A server-side failure status the API documents, else 500 (its body still has the API's error shape)."""
    documented = {code for other in api.operations for code in other.responses}
    return next((int(code) for code in ("500", "503", "502") if code in documented), 500)


async def _disconnected(receive: Receive) -> None:
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            return


async def _keep_sent_text(engine: Engine, api: ApiModel, op: Operation, plan: SsePlan, answer: MockResponse,
                          sent_text: str) -> None:
    """Cut the stored answer's text to what the client received (only answers the operation stored)."""
    b = op.behaviour
    if plan.text is None or not isinstance(answer.body, Mapping):
        return
    resource = None
    if b.action is Action.CREATE:
        resource = b.resource
    elif b.action is Action.ACTION and b.respond.startswith("created"):
        created = [e["create"] for e in b.effects if "create" in e]
        resource = (created[0] if b.respond == "created:first" else created[-1]) if created else None
    if resource is None:
        return
    prefix = f"/{b.body}" if b.body else ""
    record_id = get_pointer(answer.body, f"{prefix}/{b.id_field if b.action is Action.CREATE else 'id'}")
    source = plan.text.source
    if prefix and not source.startswith(prefix + "/"):
        return
    record = await engine.store.get(api.name, resource, str(record_id)) if record_id is not None else None
    if record is None:
        return
    rule = stored_reply_rule(api, resource)
    if rule is not None and rule.text == source[len(prefix):]:
        cut_reply(rule, record.data, sent_text)  # the text, and its token usage counted again
    else:
        set_pointer(record.data, source[len(prefix):], sent_text)
    await engine.store.put(api.name, resource, record)
