"""Stream checks: open every streaming operation of a spec (SSE and WebSocket) and check each event it sends.

An operation streams when its success response has a `text/event-stream` media type with `x-sse`, or when it has
`x-websocket` (docs/spec-conventions.md, "Streaming"). Path parameters come from the OpenAPI links that point at
the operation (the linking operation is called first, with its example body); request bodies are the documented
examples. A WebSocket is also sent the events of the operations that link to it (e.g. "send a message" links
to the chat's stream) while it is open.

Checks, each its own name in the summary and the JUnit report:
`stream_handshake` (the stream could not be opened), `stream_malformed_frame` (an event whose data is not JSON),
`stream_event_schema` (an event breaking its schema), `stream_event_kind` (an event name or kind the spec does not
document), `stream_terminator` (an SSE stream that ends without its terminator or `done` event) and
`stream_unbounded` (a stream still going after the event or time bound).
"""

from __future__ import annotations

import codecs
import json
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from jsonschema import FormatChecker
from openapi_schema_validator import OAS30Validator
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.sync.client import connect as ws_connect

__all__ = [
    "CHECKS",
    "SseParser",
    "StreamFinding",
    "StreamLimits",
    "StreamOutcome",
    "check_streams",
    "ends_stream",
    "event_findings",
    "frame_findings",
    "needs_end",
    "sse_contract",
    "streaming_operations",
    "websocket_contract",
]

CHECKS = ("stream_handshake", "stream_malformed_frame", "stream_event_schema", "stream_event_kind",
          "stream_terminator", "stream_unbounded")
EVENT_STREAM = "text/event-stream"
_METHODS = ("get", "put", "post", "delete", "patch")
_PARAM = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True, slots=True)
class StreamLimits:
    """How much of a stream is read: events, seconds for a whole SSE stream, seconds a WebSocket is watched."""

    max_events: int = 500
    sse_seconds: float = 20.0
    ws_seconds: float = 1.5
    request_timeout: float = 10.0


@dataclass(frozen=True, slots=True)
class StreamFinding:
    """One violation found on one stream."""

    check: str
    title: str
    message: str
    reproduction: str


@dataclass(frozen=True, slots=True)
class StreamOutcome:
    """What reading one operation's stream found."""

    label: str
    events: int
    findings: tuple[StreamFinding, ...] = ()
    skipped: str | None = None


@dataclass(slots=True)
class _Spec:
    raw: Mapping[str, Any]
    ops: dict[str, tuple[str, str, Mapping[str, Any]]] = field(default_factory=dict)  # id -> (method, path, op)

    def __post_init__(self) -> None:
        for path, item in (self.raw.get("paths") or {}).items():
            for method in _METHODS:
                op = item.get(method)
                if isinstance(op, Mapping) and op.get("operationId"):
                    self.ops[op["operationId"]] = (method, path, op)

    def resolve(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and seen < 20:
            target: Any = self.raw
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node, seen = target, seen + 1
        return node

    def inline(self, node: Any, depth: int = 0) -> Any:
        if depth > 30:
            return {}
        node = self.resolve(node)
        if isinstance(node, Mapping):
            return {k: self.inline(v, depth + 1) for k, v in node.items()}
        if isinstance(node, list):
            return [self.inline(v, depth + 1) for v in node]
        return node


def streaming_operations(raw: Mapping[str, Any]) -> list[str]:
    """The operationIds of the spec's streaming operations (SSE responses and WebSockets), in spec order."""
    spec = _Spec(raw)
    return [op_id for op_id, (_, _, op) in spec.ops.items() if _sse(spec, op) is not None or "x-websocket" in op]


def check_streams(raw: Mapping[str, Any], base_url: str, headers: Mapping[str, str],
                  limits: StreamLimits | None = None, read_only: bool = False,
                  selected: Any = None) -> list[StreamOutcome]:
    """Open each streaming operation once and check what it sends; `selected(op_id, path)` filters operations."""
    limits = limits or StreamLimits()
    spec = _Spec(raw)
    outcomes = []
    with httpx.Client(base_url=base_url.rstrip("/"), headers=dict(headers), timeout=limits.request_timeout) as http:
        for op_id in streaming_operations(raw):
            method, path, op = spec.ops[op_id]
            if selected is not None and not selected(op_id, path):
                continue
            label = f"{method.upper()} {path}"
            if read_only and (method != "get" or "x-websocket" not in op):
                outcomes.append(StreamOutcome(label, 0, skipped="read-only run"))
                continue
            params = _params_for(spec, http, op_id, depth=0)
            if params is None:
                outcomes.append(StreamOutcome(label, 0, skipped="no value for a path parameter (no link to it)"))
                continue
            url = path.format(**params)
            if "x-websocket" in op:
                outcomes.append(_check_socket(spec, http, op_id, op, label, url, params, headers, limits, read_only))
            else:
                outcomes.append(_check_sse(spec, http, method, op, label, url, limits))
    return outcomes


# -- SSE ----------------------------------------------------------------------------------------------------
def _sse(spec: _Spec, op: Mapping[str, Any]) -> Mapping[str, Any] | None:
    responses = op.get("responses") or {}
    for status in sorted(str(s) for s in responses):
        if status.startswith("2"):
            media = (spec.resolve(responses[status]).get("content") or {}).get(EVENT_STREAM)
            if isinstance(media, Mapping):
                return spec.inline(media.get("x-sse") or {})
    return None


def _check_sse(spec: _Spec, http: httpx.Client, method: str, op: Mapping[str, Any], label: str, url: str,
               limits: StreamLimits) -> StreamOutcome:
    x = _sse(spec, op) or {}
    body = _example_body(spec, op)
    switch = ((op.get("x-mock") or {}).get("stream") or {}).get("when")
    if switch and isinstance(body, dict):
        body[switch] = True
    repro = f"curl -N -X {method.upper()} '{http.base_url}{url}' -H 'Accept: text/event-stream'" + (
        f" -H 'Content-Type: application/json' -d '{json.dumps(body)}'" if body is not None else "")
    findings: list[StreamFinding] = []
    events = 0
    named: Mapping[str, Any] = x.get("events") or {}
    ended = False
    last: tuple[str | None, str] | None = None
    try:
        with http.stream(method.upper(), url, json=body, headers={"Accept": EVENT_STREAM}) as response:
            if response.status_code >= 300 or not response.headers.get("content-type", "").startswith(EVENT_STREAM):
                return StreamOutcome(label, 0, (StreamFinding(
                    "stream_handshake", "The stream could not be opened",
                    f"status {response.status_code}, content-type {response.headers.get('content-type')!r}", repro),))
            started = time.monotonic()
            for name, data in _sse_events(response.iter_lines()):
                events += 1
                last = (name, data)
                if events > limits.max_events or time.monotonic() - started > limits.sse_seconds:
                    findings.append(StreamFinding("stream_unbounded", "The stream did not end within the bound",
                                                  f"still sending after {events - 1} events / "
                                                  f"{time.monotonic() - started:.1f}s", repro))
                    break
                if name is None and x.get("terminator") is not None and data == x["terminator"]:
                    ended = True
                    break
                findings += _check_event(name, data, x.get("data"), named, repro)
                if name is not None and name in (x.get("done"), x.get("error")):
                    ended = True
            else:
                ended = ended or (x.get("terminator") is None and x.get("done") is None)
    except httpx.HTTPError as exc:
        reason = str(exc) or type(exc).__name__
        findings.append(StreamFinding("stream_unbounded", "The stream failed or stalled", reason, repro))
        ended = True
    if not ended and not any(f.check == "stream_unbounded" for f in findings):
        expected = f"data {x['terminator']!r}" if x.get("terminator") is not None else f"event {x.get('done')!r}"
        findings.append(StreamFinding("stream_terminator", "The stream ended without its terminator",
                                      f"expected a final {expected}; the last event was {last!r}", repro))
    return StreamOutcome(label, events, tuple(_unique(findings)))


def _sse_events(lines: Iterator[str]) -> Iterator[tuple[str | None, str]]:
    parser = SseParser()
    for line in lines:
        event = parser.line(line)
        if event is not None:
            yield event
    yield from parser.close()


class SseParser:
    """Server-Sent Events, incrementally: `feed(bytes)` as they arrive returns the (event name, data) pairs
    completed so far; `close()` the last one when the stream ends without a blank line."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending = ""
        self._name: str | None = None
        self._data: list[str] = []

    def feed(self, chunk: bytes) -> list[tuple[str | None, str]]:
        text = self._pending + self._decoder.decode(chunk)
        held = "\r" if text.endswith("\r") and chunk else ""  # maybe the first half of a CRLF
        lines = text[: len(text) - len(held)].replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self._pending = lines.pop() + held
        return [event for event in map(self.line, lines) if event is not None]

    def close(self) -> list[tuple[str | None, str]]:
        events = self.feed(b"") + ([] if not self._pending else [e for e in [self.line(self._pending)] if e])
        self._pending = ""
        if self._data:
            events.append((self._name, "\n".join(self._data)))
            self._name, self._data = None, []
        return events

    def line(self, line: str) -> tuple[str | None, str] | None:
        """One line of the stream; the event it completes, if any."""
        if not line:
            event = (self._name, "\n".join(self._data)) if self._data else None
            self._name, self._data = None, []
            return event
        if not line.startswith(":"):
            key, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if key == "event":
                self._name = value
            elif key == "data":
                self._data.append(value)
        return None


def sse_contract(raw: Mapping[str, Any], operation: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The operation's `x-sse` (inlined), when a success response streams `text/event-stream`."""
    return _sse(_Spec(raw), operation)


def websocket_contract(raw: Mapping[str, Any], operation: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The operation's `x-websocket` (inlined), when it has one."""
    return _Spec(raw).inline(operation["x-websocket"]) if "x-websocket" in operation else None


def event_findings(contract: Mapping[str, Any], name: str | None, data: str) -> list[StreamFinding]:
    """What is wrong with one SSE event under an `x-sse` contract (the terminator is never wrong)."""
    if name is None and contract.get("terminator") is not None and data == contract["terminator"]:
        return []
    return _check_event(name, data, contract.get("data"), contract.get("events") or {}, "")


def ends_stream(contract: Mapping[str, Any], name: str | None, data: str) -> bool:
    """Whether this event is the stream's documented end (its terminator, `done` or `error` event)."""
    if name is None:
        return contract.get("terminator") is not None and data == contract["terminator"]
    return name in (contract.get("done"), contract.get("error"))


def needs_end(contract: Mapping[str, Any]) -> bool:
    """Whether the contract documents an end the stream must send."""
    return contract.get("terminator") is not None or contract.get("done") is not None


def frame_findings(contract: Mapping[str, Any], frame: str | bytes) -> list[StreamFinding]:
    """What is wrong with one WebSocket frame under an `x-websocket` contract."""
    schema = contract.get("messages") or {}
    binary = schema.get("type") == "string" and schema.get("format") == "binary"
    return _check_frame(frame, schema, binary, contract.get("kind") or {}, "")


def _check_event(name: str | None, data: str, data_schema: Any, named: Mapping[str, Any],
                 repro: str) -> list[StreamFinding]:
    schema = named.get(name) if name is not None else data_schema
    if name is not None and name not in named:
        return [StreamFinding("stream_event_kind", "An undocumented event",
                              f"event {name!r} is not one of {sorted(named)}", repro)]
    if schema is None:
        return []
    try:
        value = json.loads(data)
    except ValueError:
        return [StreamFinding("stream_malformed_frame", "An event whose data is not JSON",
                              f"event {name or 'message'}: {data[:200]!r}", repro)]
    return _schema_findings(value, schema, f"event {name or 'message'}", repro)


def _schema_findings(value: Any, schema: Mapping[str, Any], what: str, repro: str) -> list[StreamFinding]:
    error = next(iter(OAS30Validator(schema, format_checker=FormatChecker()).iter_errors(value)), None)
    if error is None:
        return []
    where = "/".join(str(p) for p in error.absolute_path) or "(root)"
    return [StreamFinding("stream_event_schema", "An event that breaks its schema",
                          f"{what} at {where}: {error.message[:300]}", repro)]


# -- WebSocket ----------------------------------------------------------------------------------------------
def _check_socket(spec: _Spec, http: httpx.Client, op_id: str, op: Mapping[str, Any], label: str, url: str,
                  params: Mapping[str, str], headers: Mapping[str, str], limits: StreamLimits,
                  read_only: bool) -> StreamOutcome:
    x = spec.inline(op.get("x-websocket") or {})
    schema = x.get("messages") or {}
    binary = schema.get("type") == "string" and schema.get("format") == "binary"
    kind = x.get("kind") or {}
    ws_url = re.sub(r"^http", "ws", str(http.base_url).rstrip("/")) + url
    repro = f"websocat '{ws_url}'"
    findings: list[StreamFinding] = []
    events = 0
    try:
        with ws_connect(ws_url, additional_headers=dict(headers), open_timeout=limits.request_timeout,
                        proxy=None) as ws:
            if not read_only:
                for trigger in _triggers(spec, op_id):
                    _call(spec, http, trigger, params)
            deadline = time.monotonic() + limits.ws_seconds
            while time.monotonic() < deadline:
                try:
                    frame = ws.recv(timeout=max(0.01, deadline - time.monotonic()))
                except TimeoutError:
                    break
                events += 1
                if events > limits.max_events:
                    findings.append(StreamFinding("stream_unbounded", "The socket kept sending past the bound",
                                                  f"more than {limits.max_events} frames", repro))
                    break
                findings += _check_frame(frame, schema, binary, kind, repro)
    except InvalidStatus as exc:
        findings.append(StreamFinding("stream_handshake", "The WebSocket handshake was refused",
                                      f"status {exc.response.status_code}", repro))
    except (InvalidHandshake, ConnectionClosed, OSError) as exc:
        findings.append(StreamFinding("stream_handshake", "The WebSocket failed", str(exc) or type(exc).__name__,
                                      repro))
    return StreamOutcome(label, events, tuple(_unique(findings)))


def _check_frame(frame: str | bytes, schema: Mapping[str, Any], binary: bool, kind: Mapping[str, Any],
                 repro: str) -> list[StreamFinding]:
    if binary:
        return [] if isinstance(frame, bytes) else [StreamFinding(
            "stream_malformed_frame", "A text frame on a binary stream", repr(frame[:200]), repro)]
    try:
        value = json.loads(frame)
    except ValueError:
        return [StreamFinding("stream_malformed_frame", "A frame that is not JSON", repr(frame[:200]), repro)]
    findings = _schema_findings(value, schema, "frame", repro) if schema else []
    if kind.get("field") and kind.get("values"):
        from_frame = _pointer(value, kind["field"])
        if from_frame not in kind["values"]:
            findings.append(StreamFinding("stream_event_kind", "A frame of an undocumented kind",
                                          f"{kind['field']} = {from_frame!r} is not one of {kind['values']}", repro))
    return findings


def _triggers(spec: _Spec, op_id: str) -> list[str]:
    """Operations whose success response links to `op_id` and that take no more path parameters than it has."""
    found = []
    for other, (_, _, op) in spec.ops.items():
        for status, response in (op.get("responses") or {}).items():
            links = (spec.resolve(response).get("links") or {}) if str(status).startswith("2") else {}
            if any(spec.resolve(link).get("operationId") == op_id for link in links.values()):
                found.append(other)
    own = set(_PARAM.findall(spec.ops[op_id][1]))
    return [t for t in found if set(_PARAM.findall(spec.ops[t][1])) <= own and own]


# -- requests: path parameters through links, example bodies -------------------------------------------------
def _params_for(spec: _Spec, http: httpx.Client, op_id: str, depth: int) -> dict[str, str] | None:
    """Path parameter values for `op_id`: from a linking operation's call, else the parameter's example."""
    _, path, op = spec.ops[op_id]
    names = _PARAM.findall(path)
    if not names:
        return {}
    examples = {p["name"]: p["example"] for p in map(spec.resolve, op.get("parameters") or [])
                if p.get("in") == "path" and "example" in p}
    if depth < 4:
        for source, link in _links_to(spec, op_id):
            source_params = _params_for(spec, http, source, depth + 1)
            if source_params is None:
                continue
            call = _call(spec, http, source, source_params)
            if call is None:
                continue
            values = {name: _evaluate(expr, call) for name, expr in (link.get("parameters") or {}).items()}
            if all(values.get(n) is not None for n in names):
                return {n: str(values[n]) for n in names}
    if all(n in examples for n in names):
        return {n: str(examples[n]) for n in names}
    return None


def _links_to(spec: _Spec, op_id: str) -> list[tuple[str, Mapping[str, Any]]]:
    found = []
    for source, (_, _, op) in spec.ops.items():
        if source == op_id or "x-websocket" in op:
            continue
        for status, response in (op.get("responses") or {}).items():
            if not str(status).startswith("2"):
                continue
            for link in (spec.resolve(response).get("links") or {}).values():
                link = spec.resolve(link)
                if link.get("operationId") == op_id:
                    found.append((source, link))
    return sorted(found, key=lambda pair: spec.ops[pair[0]][0] != "post")  # creating operations first


def _call(spec: _Spec, http: httpx.Client, op_id: str, params: Mapping[str, str]) -> dict[str, Any] | None:
    method, path, op = spec.ops[op_id]
    names = _PARAM.findall(path)
    values = {n: params.get(n) for n in names}
    if any(v is None for v in values.values()):
        return None
    body = _example_body(spec, op)
    try:
        response = http.request(method.upper(), path.format(**values), json=body)
    except httpx.HTTPError:
        return None
    if response.status_code >= 300:
        return None
    try:
        payload = response.json() if response.content else None
    except ValueError:
        payload = None
    return {"path": values, "body": body, "response": payload}


def _evaluate(expression: Any, call: Mapping[str, Any]) -> Any:
    if not isinstance(expression, str):
        return expression
    if expression.startswith("$request.path."):
        return call["path"].get(expression.removeprefix("$request.path."))
    for prefix, key in (("$request.body#", "body"), ("$response.body#", "response")):
        if expression.startswith(prefix):
            return _pointer(call[key], expression.removeprefix(prefix))
    return None


def _example_body(spec: _Spec, op: Mapping[str, Any]) -> Any:
    request = spec.resolve(op.get("requestBody") or {})
    media = (request.get("content") or {}).get("application/json")
    if not isinstance(media, Mapping):
        return None
    if "example" in media:
        return json.loads(json.dumps(media["example"]))
    for example in (media.get("examples") or {}).values():
        return json.loads(json.dumps(spec.resolve(example).get("value")))
    schema = spec.resolve(media.get("schema") or {})
    return json.loads(json.dumps(schema["example"])) if "example" in schema else {}


def _pointer(doc: Any, pointer: str) -> Any:
    for token in [t for t in pointer.lstrip("/").split("/") if t]:
        if isinstance(doc, Mapping):
            doc = doc.get(token)
        elif isinstance(doc, list) and token.isdigit() and int(token) < len(doc):
            doc = doc[int(token)]
        else:
            return None
    return doc


def _unique(findings: list[StreamFinding]) -> list[StreamFinding]:
    seen: dict[tuple[str, str], StreamFinding] = {}
    for finding in findings:
        seen.setdefault((finding.check, finding.title), finding)
    return list(seen.values())
