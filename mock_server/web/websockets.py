"""Serve the operations that declare `x-websocket` as real WebSocket endpoints (ASGI `websocket` scopes).

The handshake is checked like any other call: the operation's security scheme (401), its path parameters (400)
and its target resource (404). A refusal is a real HTTP response through the ASGI `websocket.http.response`
extension when the server offers it (uvicorn does), else the socket is accepted and closed with 4000 + status.
A plain GET of such an operation answers 426 (`upgrade_required`).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import Receive, Scope, Send

from mock_server.engine import Engine
from mock_server.error_bodies import error_response
from mock_server.events import EventBus, StateEvent
from mock_server.generation import FakeGenerator
from mock_server.jsontext import dump_json, dump_json_text
from mock_server.messages import MockResponse
from mock_server.models import ApiModel, Operation
from mock_server.pointers import get_pointer, set_pointer
from mock_server.prefer import parse_prefer
from mock_server.replies import cut_reply, stored_reply_rule
from mock_server.schemas import is_valid
from mock_server.settings import Settings
from mock_server.sockets import (
    SocketPlan,
    error_frame,
    generated_frame,
    is_reply,
    reply_frames,
    socket_plan,
    status_frame,
    watch_frame,
)
from mock_server.streaming import StreamOptions
from mock_server.web.journal import Journal

__all__ = ["WebSocketRoutes", "upgrade_required"]

_PARAM = re.compile(r"\{([^}]+)\}")
# (api, resource, target id) -> how the next reply under that target is streamed, if a stub said (mock_server/stubs/)
StreamLookup = Callable[[str, str, str], Awaitable[StreamOptions | None]]


def upgrade_required(api: ApiModel, op: Operation, gen: FakeGenerator) -> MockResponse:
    """The 426 a WebSocket operation answers to a plain GET."""
    response = error_response(api, op, 426, "this endpoint is a WebSocket: send an Upgrade: websocket handshake", gen)
    response.headers = {**response.headers, "Upgrade": "websocket", "Connection": "Upgrade"}
    return response


class WebSocketRoutes:
    """The ASGI app for `websocket` scopes: finds the operation by path and runs a session for it."""

    def __init__(self, apis: Mapping[str, ApiModel], engine: Engine, bus: EventBus, settings: Settings,
                 journal: Journal) -> None:
        self.engine, self.bus, self.settings, self.journal = engine, bus, settings, journal
        self.stream_options: StreamLookup | None = None
        self.routes: list[tuple[re.Pattern[str], ApiModel, Operation, SocketPlan]] = []
        for name, api in apis.items():
            for op in api.operations:
                if op.websocket is not None and op.method == "get":
                    pattern = _PARAM.sub(lambda m: f"(?P<{_group(m.group(1))}>[^/]+)", re.escape(op.path)
                                         .replace(r"\{", "{").replace(r"\}", "}"))
                    self.routes.append((re.compile(f"^/{re.escape(name)}{pattern}/?$"), api, op,
                                        socket_plan(api, op)))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        entry: dict[str, Any] = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "method": "GET",
                                 "path": scope["path"], "query": scope.get("query_string", b"").decode("latin-1"),
                                 "api": scope["path"].strip("/").split("/")[0], "status": 101,
                                 "stream": {"kind": "websocket", "events": 0}}
        try:
            await self._serve(scope, receive, send, entry)
        finally:
            entry["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
            entry["stream"]["duration_ms"] = entry["latency_ms"]
            self.journal.add(entry)

    async def _serve(self, scope: Scope, receive: Receive, send: Send, entry: dict[str, Any]) -> None:
        if (await receive())["type"] != "websocket.connect":
            return
        found = self._match(scope["path"])
        if found is None:
            entry["status"] = 404
            await _refuse(scope, send, 404, {"message": "no WebSocket operation at this path"})
            return
        api, op, plan, params = found
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        query = {k.lower(): v for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1"))}
        status, message, target_id = await self._check(api, op, params, headers, query)
        if status:
            entry["status"] = status
            await _refuse(scope, send, status, error_response(api, op, status, message, self.engine.gen).body)
            return
        prefs = parse_prefer(headers.get("prefer"))
        if prefs.problem is not None:
            entry["status"] = 400
            await _refuse(scope, send, 400, error_response(api, op, 400, prefs.problem, self.engine.gen).body)
            return
        delay = (prefs.stream_delay_ms if prefs.stream_delay_ms is not None else self.settings.stream_delay_ms) / 1000
        session = _Session(self.engine, api, op, plan, target_id, send, delay, prefs.stream_error_after,
                           self.stream_options)
        async with self.bus.subscribe() as queue:
            await send({"type": "websocket.accept"})
            try:
                await session.run(receive, queue)
            except (OSError, _StreamFailed):  # the client went away, or the forced failure ended the socket
                pass
            finally:
                entry["stream"]["events"] = session.sent

    def _match(self, path: str) -> tuple[ApiModel, Operation, SocketPlan, dict[str, str]] | None:
        for pattern, api, op, plan in self.routes:
            m = pattern.match(path)
            if m:
                names = _PARAM.findall(op.path)
                return api, op, plan, {name: m.group(_group(name)) for name in names}
        return None

    async def _check(self, api: ApiModel, op: Operation, params: dict[str, str], headers: Mapping[str, str],
                     query: Mapping[str, str]) -> tuple[int, str, str | None]:
        """(status, message, target id): status 0 when the handshake may proceed.

        Browsers cannot set headers on a WebSocket, so the credential may also come as a query parameter named
        like the header (`?X-Session-Token=...`, `?authorization=Bearer%20...`).
        """
        if op.secured and not _credential_ok(api, op, {**query, **headers}, self.settings.auth_token):
            return 401, "missing or invalid credentials", None
        for param in op.parameters:
            if param.location == "path" and not is_valid(params.get(param.name), param.schema):
                return 400, f"invalid path parameter {param.name}: {params.get(param.name)!r}", None
        await self.engine.ensure_seeded(api)
        b = op.behaviour
        target_id = params.get(b.id_param or "") if b.id_param else None
        if target_id is not None and b.resource:
            if await self.engine.store.get(api.name, b.resource, target_id) is None:
                return 404, f"{b.resource} {target_id!r} not found", None
        return 0, "", target_id


class _StreamFailed(Exception):
    """The forced failure (`Prefer: stream-error=after:N`) ended the socket."""


class _Session:
    """One open socket: sends frames on connect, on client frames and on state events, until the client leaves."""

    def __init__(self, engine: Engine, api: ApiModel, op: Operation, plan: SocketPlan, target_id: str | None,
                 send: Send, delay: float, error_after: int | None = None,
                 stream_options: StreamLookup | None = None) -> None:
        self.engine, self.api, self.op, self.plan, self.target_id = engine, api, op, plan, target_id
        self._send, self.delay, self.error_after = send, delay, error_after
        self._stream_options = stream_options
        self.sent = 0
        self._lock = asyncio.Lock()
        self._reply: asyncio.Task[None] | None = None
        self._replies: asyncio.Queue[StateEvent] = asyncio.Queue()
        self._current: StateEvent | None = None  # the reply being streamed
        self._streamed: list[str] = []  # its pieces sent so far

    async def run(self, receive: Receive, queue: asyncio.Queue[StateEvent]) -> None:
        for _ in range(self.plan.connect):
            await self.send(generated_frame(self.plan, self.engine.gen))
        tasks = [asyncio.create_task(self._read(receive)), asyncio.create_task(self._follow(queue))]
        if self.plan.replies is not None:
            tasks.append(asyncio.create_task(self._stream_replies()))
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
        finally:
            for task in [*tasks, self._reply]:
                if task is not None:
                    task.cancel()
            await asyncio.gather(*[t for t in [*tasks, self._reply] if t is not None], return_exceptions=True)

    async def send(self, frame: Any) -> None:
        message = {"type": "websocket.send", "bytes": frame} if isinstance(frame, bytes) else \
            {"type": "websocket.send", "text": dump_json_text(frame)}
        async with self._lock:
            if self.error_after is not None and self.sent >= self.error_after:
                await self._close_failed(f"stream failed after {self.error_after} frames (mock)")
            await self._send(message)
            self.sent += 1

    async def _read(self, receive: Receive) -> None:
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            if self.plan.receive:
                await self.send(generated_frame(self.plan, self.engine.gen))

    async def _follow(self, queue: asyncio.Queue[StateEvent]) -> None:
        b, plan = self.op.behaviour, self.plan
        while True:
            event = await queue.get()
            if event.api != self.api.name:
                continue
            if plan.watch is not None and event.resource == plan.watch.resource:
                await self.send(watch_frame(plan.watch, event))
            is_target = event.resource == b.resource and event.id == self.target_id
            under_target = b.id_param is not None and event.scope.get(b.id_param) == self.target_id
            if self.target_id is None or not (is_target or under_target):
                continue
            if plan.change:
                await self.send(generated_frame(plan, self.engine.gen))
            rule = plan.replies
            if rule is None:
                continue
            if is_reply(rule, event, b.id_param or "", self.target_id):
                self._replies.put_nowait(event)
            elif is_target and event.kind == "updated":
                status = event.data.get(rule.status_field)
                stopped = status != rule.busy and (rule.status_field in event.changed or status == rule.idle)
                if stopped and self._reply is not None and not self._reply.done():
                    self._reply.cancel()  # interrupted: stop mid-reply, keep what was streamed, say the new status
                    await asyncio.gather(self._reply, return_exceptions=True)
                    await self._keep_streamed()
                    await self.send(status_frame(rule, status, self.target_id))

    async def _stream_replies(self) -> None:
        while True:
            reply = await self._replies.get()
            self._reply = asyncio.create_task(self._stream_reply(reply))
            [outcome] = await asyncio.gather(self._reply, return_exceptions=True)
            if isinstance(outcome, (_StreamFailed, OSError)):
                raise outcome

    async def _stream_reply(self, reply: StateEvent) -> None:
        rule = self.plan.replies
        if rule is None or self.target_id is None:
            return
        self._current, self._streamed = reply, []
        options = StreamOptions()
        if self._stream_options is not None and self.op.behaviour.resource:  # a stub's, for this reply
            options = await self._stream_options(self.api.name, self.op.behaviour.resource, self.target_id) \
                or options
        delay = options.delay_ms / 1000 if options.delay_ms is not None else self.delay
        deltas, whole = reply_frames(rule, reply.data, self.target_id, options.chunk_chars)
        frames = [status_frame(rule, rule.busy, self.target_id), *deltas, whole,
                  status_frame(rule, rule.idle, self.target_id)]
        try:
            for index, frame in enumerate(frames):
                if index == options.error_after:
                    await self._fail(f"stream failed after {index} frames (mock)")
                if frame is whole:
                    self._current = None
                elif 0 < index <= len(deltas):
                    await asyncio.sleep(delay)
                await self.send(frame)
                if 0 < index <= len(deltas):
                    self._streamed.append(get_pointer(frame, rule.delta_text, ""))
        except _StreamFailed:
            await self._keep_streamed()  # the chat holds what the socket sent
            raise

    async def _fail(self, message: str) -> None:
        async with self._lock:
            await self._close_failed(message)

    async def _close_failed(self, message: str) -> None:
        """End the socket with the API's error frame (if it names one) and close 1011 (the lock is held)."""
        failure = error_frame(self.plan, message)
        if failure is not None:
            await self._send({"type": "websocket.send", "text": dump_json_text(failure)})
            self.sent += 1
        await self._send({"type": "websocket.close", "code": 1011, "reason": "forced stream error"})
        raise _StreamFailed

    async def _keep_streamed(self) -> None:
        """The reply stopped mid-stream: the stored reply holds exactly the text the socket sent."""
        rule, reply, self._current = self.plan.replies, self._current, None
        if rule is None or reply is None:
            return
        record = await self.engine.store.get(self.api.name, reply.resource, reply.id)
        if record is None:
            return
        text = "".join(self._streamed)
        stored = stored_reply_rule(self.api, reply.resource)
        if stored is not None:
            cut_reply(stored, record.data, text)
        else:
            set_pointer(record.data, rule.text, text)
        await self.engine.store.put(self.api.name, reply.resource, record)


def _credential_ok(api: ApiModel, op: Operation, headers: Mapping[str, str], required: str | None) -> bool:
    """Whether the handshake carries a credential for one of the security schemes the spec requires."""
    doc = api.spec.document
    schemes: Mapping[str, Any] = ((doc.get("components") or {}).get("securitySchemes")) or {}
    requirements = doc.get("security") or []
    names = [name for req in requirements for name in req] or list(schemes)
    for name in names:
        scheme = api.spec.resolve(schemes.get(name) or {})
        value = None
        if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
            value = headers.get(str(scheme.get("name", "")).lower())
        elif scheme.get("type") == "http":
            prefix = f"{scheme.get('scheme', 'bearer')} ".lower()
            auth = headers.get("authorization", "")
            value = auth[len(prefix):] if auth.lower().startswith(prefix) else None
        value = (value or "").strip()
        secret = value.split(None, 1)[-1] if " " in value else value
        if value and (required is None or required in (value, secret)):
            return True
    return False


async def _refuse(scope: Scope, send: Send, status: int, body: Any) -> None:
    """Turn the handshake down with an HTTP response, or (without the extension) accept and close 4000 + status."""
    if "websocket.http.response" in (scope.get("extensions") or {}):
        payload = dump_json(body)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
        await send({"type": "websocket.http.response.start", "status": status, "headers": headers})
        await send({"type": "websocket.http.response.body", "body": payload})
        return
    await send({"type": "websocket.accept"})
    with contextlib.suppress(OSError):
        await send({"type": "websocket.close", "code": 4000 + status, "reason": str(body)[:100]})


def _group(name: str) -> str:
    return "p_" + re.sub(r"\W", "_", name)
