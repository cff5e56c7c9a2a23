"""The proxy as an ASGI app: forward each request to the upstream unchanged, check it and its response, and
say what was found in the response headers.

- A JSON (or other schema-checked) response is read whole, checked, then sent with `x-contract-violations: N` and
  up to 5 `x-contract-violation: <check>: <message>` headers (assumptions: `x-contract-assumptions: N`).
- Any other response (an event stream, a download) streams through chunk by chunk as it arrives; its headers
  carry what was known when they went out (request, status, content type, headers). Events of a `text/event-stream`
  with `x-sse` are checked as they pass; what they reveal is logged and reported, not counted in the header.
- A WebSocket is bridged frame by frame both ways; frames from the server are checked against `x-websocket`. A
  refused upstream handshake is answered with the upstream's own status and body.
- An upstream that cannot be reached is a 502 with a JSON body saying so (not a contract violation).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from contracts.operations import match_media_type
from contracts.proxy.report import Exchange, ProxyLog
from contracts.proxy.validation import Finding, RequestVerdict, Validator, decode_body
from contracts.streams import SseParser, ends_stream, event_findings, frame_findings, needs_end

__all__ = ["MAX_HEADER_VIOLATIONS", "ProxyApp"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

MAX_HEADER_VIOLATIONS = 5
MAX_BUFFERED = 16 * 1024 * 1024  # a larger body streams through unchecked
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding",
     "upgrade"}
)
# Request headers the upstream connection sets itself.
_REQUEST_DROPPED = _HOP_BY_HOP | {"host", "content-length"}
_WEBSOCKET_DROPPED = _REQUEST_DROPPED | {
    "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol",
}
_EVENT_STREAM = "text/event-stream"


class ProxyApp:
    """Forwards to `upstream` (a base URL: the spec's paths are appended to it), checking against `validator`."""

    def __init__(self, validator: Validator, upstream: str, log: ProxyLog, *, timeout: float = 300.0) -> None:
        self.validator = validator
        self.upstream = upstream.rstrip("/")
        self.log = log
        self._timeout = timeout
        self._client: httpx.AsyncClient | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            timeout = httpx.Timeout(10.0, read=self._timeout)
            # trust_env off: the upstream is named explicitly, never through an environment proxy.
            self._client = httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False)
        return self._client

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # -- HTTP -------------------------------------------------------------------------------------------------
    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await _read_body(receive)
        method, path, query = scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1")
        pairs = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]]
        lowered = {name.lower(): value for name, value in pairs}
        verdict = self.validator.request(method, path, query, lowered, body)
        exchange = self.log.open(method, path, query, pairs, body, verdict.label)
        raw_path = scope.get("raw_path") or path.encode()
        url = self.upstream + raw_path.decode("latin-1") + (f"?{query}" if query else "")
        headers = [(name, value) for name, value in pairs if name.lower() not in _REQUEST_DROPPED]
        request = self.client.build_request(method, url, headers=headers, content=body)
        try:
            upstream = await self.client.send(request, stream=True)
        except httpx.HTTPError as exc:
            self.log.close(exchange, None, None, verdict.findings)
            await _send_bad_gateway(send, f"the upstream did not answer: {exc or type(exc).__name__}")
            return
        try:
            await self._relay(upstream, verdict, exchange, receive, send)
        finally:
            await upstream.aclose()

    async def _relay(self, upstream: httpx.Response, verdict: RequestVerdict, exchange: Exchange, receive: Receive,
                     send: Send) -> None:
        status = upstream.status_code
        lowered = {name.lower(): value for name, value in upstream.headers.items()}
        headers = [(name, value) for name, value in upstream.headers.multi_items() if name.lower() not in _HOP_BY_HOP]
        chunks = upstream.aiter_raw()
        head = b""
        if self._buffers(verdict, status, lowered.get("content-type")):
            try:
                head, complete = await _read_up_to(chunks, MAX_BUFFERED)
            except httpx.HTTPError as exc:
                self.log.close(exchange, None, None, verdict.findings)
                await _send_bad_gateway(send, f"the upstream broke off its answer: {exc or type(exc).__name__}")
                return
            if complete:
                decoded = decode_body(head, lowered.get("content-encoding"))
                findings = [*verdict.findings, *self.validator.response(verdict, status, lowered, decoded)]
                self.log.close(exchange, status, decoded, findings)
                await send(_start(status, headers, self._verdict_headers(findings)))
                await send({"type": "http.response.body", "body": head, "more_body": False})
                return
        # Streamed: the headers say what is known now; the body follows as it arrives.
        findings = [*verdict.findings, *self.validator.response(verdict, status, lowered, None)]
        self.log.close(exchange, status, None, findings)
        await send(_start(status, headers, self._verdict_headers(findings)))
        if head:
            await send({"type": "http.response.body", "body": head, "more_body": True})
        identity = lowered.get("content-encoding", "identity").lower() == "identity"
        is_events = (lowered.get("content-type") or "").lower().startswith(_EVENT_STREAM)
        contract = verdict.sse if is_events and identity and 200 <= status < 300 else None
        await self._stream(chunks, contract, exchange, receive, send)

    def _buffers(self, verdict: RequestVerdict, status: int, content_type: str | None) -> bool:
        """Whether the body is read whole to be checked: a documented JSON media type with a schema."""
        operation = verdict.operation
        response = operation.response_for(status) if operation is not None else None
        if response is None or not content_type or content_type.lower().startswith(_EVENT_STREAM):
            return False
        declared = match_media_type(response.media, content_type)
        return declared is not None and response.media[declared] is not None and "json" in declared.lower()

    async def _stream(self, chunks: AsyncIterator[bytes], contract: Any, exchange: Exchange, receive: Receive,
                      send: Send) -> None:
        """Pass the rest of the body through as it arrives; stop when the client goes away."""
        parser = SseParser() if contract is not None else None
        ended = False

        async def pump() -> None:
            nonlocal ended
            try:
                async for chunk in chunks:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                    if parser is not None:
                        events = parser.feed(chunk)
                        ended = self._check_events(contract, events, exchange) or ended
            except httpx.HTTPError:
                # The upstream broke off: end the body here, as it ended there (not a contract finding).
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            if parser is not None:
                ended = self._check_events(contract, parser.close(), exchange) or ended
                if needs_end(contract) and not ended:
                    self.log.add(exchange, [Finding("stream_terminator", "the event stream ended without its "
                                                                         "documented end event or terminator")])
            await send({"type": "http.response.body", "body": b"", "more_body": False})

        await _until_disconnect(pump(), receive)

    def _check_events(self, contract: Any, events: list[tuple[str | None, str]], exchange: Exchange) -> bool:
        ended = False
        findings = []
        for name, data in events:
            findings += [Finding(f.check, f.message) for f in event_findings(contract, name, data)]
            ended = ended or ends_stream(contract, name, data)
        self.log.add(exchange, findings)
        return ended

    def _verdict_headers(self, findings: list[Finding]) -> list[tuple[str, str]]:
        violations = [finding for finding in findings if not finding.is_assumption]
        assumptions = [finding for finding in findings if finding.is_assumption]
        headers = [("x-contract-violations", str(len(violations)))]
        headers += [("x-contract-violation", line) for line in self.log.header_lines(violations, MAX_HEADER_VIOLATIONS)]
        if assumptions:
            headers.append(("x-contract-assumptions", str(len(assumptions))))
        return headers

    # -- WebSocket --------------------------------------------------------------------------------------------
    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (await receive())["type"] != "websocket.connect":
            return
        path, query = scope["path"], scope.get("query_string", b"").decode("latin-1")
        pairs = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]]
        lowered = {name.lower(): value for name, value in pairs}
        verdict = self.validator.request("GET", path, query, lowered, b"")
        exchange = self.log.open("GET", path, query, pairs, b"", verdict.label)
        raw_path = (scope.get("raw_path") or path.encode()).decode("latin-1")
        url = "ws" + self.upstream.removeprefix("http") + raw_path + (f"?{query}" if query else "")
        headers = [(name, value) for name, value in pairs if name.lower() not in _WEBSOCKET_DROPPED]
        try:
            upstream = await connect(url, additional_headers=headers, subprotocols=scope.get("subprotocols") or None,
                                     proxy=None, max_size=None, compression=None, user_agent_header=None,
                                     open_timeout=10)
        except InvalidStatus as exc:
            response = exc.response
            findings = [*verdict.findings,
                        *self.validator.response(verdict, response.status_code,
                                                 {k.lower(): v for k, v in response.headers.raw_items()},
                                                 response.body)]
            self.log.close(exchange, response.status_code, response.body, findings)
            headers = list(response.headers.raw_items())
            await self._deny(scope, send, response.status_code, headers, response.body or b"", findings)
            return
        except (InvalidHandshake, OSError, TimeoutError) as exc:
            self.log.close(exchange, None, None, verdict.findings)
            await self._deny(scope, send, 502, [("content-type", "application/json")],
                             json.dumps({"error": f"the upstream WebSocket failed: {exc}"}).encode(), [])
            return
        findings = [*verdict.findings, *self.validator.response(verdict, 101, {}, None)]
        self.log.close(exchange, 101, None, findings)
        accept: dict[str, Any] = {"type": "websocket.accept", "headers": _encode(self._verdict_headers(findings))}
        if upstream.subprotocol:
            accept["subprotocol"] = upstream.subprotocol
        await send(accept)
        async with upstream:
            await self._bridge(upstream, verdict.websocket, exchange, receive, send)

    async def _bridge(self, upstream: ClientConnection, contract: Any, exchange: Exchange, receive: Receive,
                      send: Send) -> None:
        async def client_to_upstream() -> None:
            while True:
                message = await receive()
                if message["type"] == "websocket.disconnect":
                    await upstream.close(code=_sendable(message.get("code")))
                    return
                if message.get("bytes") is not None:
                    await upstream.send(message["bytes"])
                elif message.get("text") is not None:
                    await upstream.send(message["text"])

        async def upstream_to_client() -> None:
            try:
                async for frame in upstream:
                    if isinstance(frame, bytes):
                        await send({"type": "websocket.send", "bytes": frame})
                    else:
                        await send({"type": "websocket.send", "text": frame})
                    if contract is not None:
                        self.log.add(exchange, [Finding(f.check, f.message) for f in frame_findings(contract, frame)])
            except ConnectionClosed:
                pass
            with contextlib.suppress(Exception):  # the client may be gone already
                await send({"type": "websocket.close", "code": _sendable(upstream.close_code)})

        tasks = [asyncio.ensure_future(client_to_upstream()), asyncio.ensure_future(upstream_to_client())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _deny(self, scope: Scope, send: Send, status: int, headers: list[tuple[str, str]], body: bytes,
                    findings: list[Finding]) -> None:
        if "websocket.http.response" in (scope.get("extensions") or {}):
            kept = [(n, v) for n, v in headers if n.lower() not in _HOP_BY_HOP | {"content-length"}]
            await send({"type": "websocket.http.response.start", "status": status,
                        "headers": _encode(kept + self._verdict_headers(findings))})
            await send({"type": "websocket.http.response.body", "body": body, "more_body": False})
        else:
            await send({"type": "websocket.close", "code": 1008 if status in (401, 403) else 1011})


def _sendable(code: int | None) -> int:
    """A close code that may go on the wire (1005, 1006 and 1015 only describe a close, they are never sent)."""
    return code if code is not None and (1000 <= code <= 1014 or 3000 <= code <= 4999) and code not in (
        1005, 1006) else 1000


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


async def _read_up_to(chunks: AsyncIterator[bytes], limit: int) -> tuple[bytes, bool]:
    """The body, read until it ends (`True`) or passes `limit` bytes (`False`: the rest is still in `chunks`)."""
    body = b""
    async for chunk in chunks:
        body += chunk
        if len(body) > limit:
            return body, False
    return body, True


async def _until_disconnect(work: Awaitable[None], receive: Receive) -> None:
    """Run `work` (sending a body) until it ends or the client disconnects, whichever comes first."""

    async def disconnected() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    tasks = [asyncio.ensure_future(work), asyncio.ensure_future(disconnected())]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        if not task.cancelled() and task.exception() is not None and task is tasks[0]:
            raise task.exception()  # type: ignore[misc]


def _start(status: int, headers: list[tuple[str, str]], extra: list[tuple[str, str]]) -> dict[str, Any]:
    return {"type": "http.response.start", "status": status, "headers": _encode(headers + extra)}


def _encode(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode("latin-1"), value.encode("latin-1", "replace")) for name, value in headers]


async def _send_bad_gateway(send: Send, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send(_start(502, [("content-type", "application/json"), ("content-length", str(len(body)))], []))
    await send({"type": "http.response.body", "body": body, "more_body": False})
