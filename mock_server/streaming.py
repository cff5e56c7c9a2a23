"""Server-Sent Event streams described by a response's `x-sse`: when to stream, and which events to send.

No web framework here. `sse_plan` reads an operation's `text/event-stream` media type; `build_events` turns the
JSON answer the engine produced into the events that carry it (pieces of its text, then the whole answer), so a
streamed reply and a plain one say the same thing. See docs/spec-conventions.md, "Streaming".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mock_server.accept import prefers
from mock_server.extensions import raw_operation
from mock_server.generation import FakeGenerator
from mock_server.jsontext import copy_json
from mock_server.models import ApiModel, Operation
from mock_server.pointers import get_pointer, set_pointer
from mock_server.replies import Reply, fill_tool_call, schema_at, split_text
from mock_server.schemas import inline_schema, is_valid

__all__ = ["EVENT_STREAM", "AskRule", "SseEvent", "SsePlan", "StreamOptions", "TextRule", "ToolsRule", "build_events",
           "error_event", "prefers_event_stream", "split_text", "sse_plan", "wants_stream"]

EVENT_STREAM = "text/event-stream"
GENERATED_EVENTS = 3
ANSWER_VALUE = "$response.body#"  # a `final` value read from the JSON answer: `$response.body#/choices/0/...`
Schema = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class SseEvent:
    """One event: its name (None for plain `data:` events), its data (JSON, or raw text), the reply text it adds."""

    name: str | None
    data: Any
    raw: bool = False
    text: str = ""


@dataclass(frozen=True, slots=True)
class StreamOptions:
    """How one answer is streamed, as a stub asks (`respond.stream`): piece size, pause, forced failure."""

    chunk_chars: int | None = None  # pieces of this many characters (default: word-sized)
    delay_ms: int | None = None  # pause between events (default: `Prefer: stream-delay`, then --stream-delay)
    error_after: int | None = None  # end with the API's error after this many events


@dataclass(frozen=True, slots=True)
class TextRule:
    """`x-sse.text`: the answer's text (`from`, a pointer into the JSON answer) sent in pieces at `to`."""

    source: str
    target: str
    event: str | None = None
    link: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ToolsRule:
    """`x-sse.tools`: each tool call of the answer's array at `source` sent in an event of its own, as a one-item
    array at `target` (numbered by its `index` where the event's item has one)."""

    source: str
    target: str


@dataclass(frozen=True, slots=True)
class AskRule:
    """`x-sse.ask`: a named event sent after the text when a request field contains a marker."""

    event: str
    field: str
    contains: str
    link: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SsePlan:
    """Everything `x-sse` says about one operation's event stream."""

    data: Schema | None
    events: Mapping[str, Schema]
    terminator: str | None = None
    text: TextRule | None = None
    template: Mapping[str, Any] = field(default_factory=dict)
    first: Mapping[str, Any] = field(default_factory=dict)
    final: Mapping[str, Any] | None = None
    done: str | None = None
    error: str | None = None
    ask: AskRule | None = None
    tools: ToolsRule | None = None

    def schema_for(self, name: str | None) -> Schema | None:
        """The schema of an event's data: a named event's own, else the plain `data` schema."""
        return self.events.get(name) if name else self.data


_PLANS: dict[int, tuple[Operation, SsePlan | None]] = {}


def sse_plan(api: ApiModel, op: Operation) -> SsePlan | None:
    """The stream plan of the operation's success response, or None when it documents no event stream."""
    cached = _PLANS.get(id(op))
    if cached is None or cached[0] is not op:  # held, so an id is never another (collected) operation's
        cached = _PLANS[id(op)] = (op, _read_plan(api, op))
    return cached[1]


def _read_plan(api: ApiModel, op: Operation) -> SsePlan | None:
    spec = api.spec
    raw_op = raw_operation(api, op)
    response = spec.resolve((raw_op.get("responses") or {}).get(str(op.success_status)) or {})
    media = (response.get("content") or {}).get(EVENT_STREAM)
    if not isinstance(media, Mapping):
        return None
    x: Mapping[str, Any] = media.get("x-sse") or {}

    def schema(node: Any) -> Schema | None:
        return inline_schema(node, spec.lookup) if isinstance(node, Mapping) else None

    text, ask, tools = x.get("text"), x.get("ask"), x.get("tools")
    return SsePlan(
        data=schema(x.get("data")),
        events={name: schema(s) or {} for name, s in (x.get("events") or {}).items()},
        terminator=x.get("terminator"),
        text=TextRule(text["from"], text["to"], text.get("event"), text.get("link") or {})
        if isinstance(text, Mapping) else None,
        template=x.get("template") or {},
        first=x.get("first") or {},
        final=x.get("final"),
        done=x.get("done"),
        error=x.get("error"),
        ask=AskRule(ask["event"], ask["when"]["field"], ask["when"]["contains"], ask.get("link") or {})
        if isinstance(ask, Mapping) else None,
        tools=ToolsRule(tools["from"], tools["to"]) if isinstance(tools, Mapping) else None,
    )


def prefers_event_stream(accept: str | None) -> bool:
    """Whether an Accept header names `text/event-stream` and ranks it no lower than JSON."""
    return prefers(accept, EVENT_STREAM)


def wants_stream(op: Operation, plan: SsePlan | None, body: Any, accept: str | None) -> bool:
    """Stream when the operation documents a stream and the request's switch field is true or Accept prefers it."""
    if plan is None:
        return False
    switch = op.behaviour.stream_when
    if switch and isinstance(body, Mapping) and body.get(switch) is True:
        return True
    return prefers_event_stream(accept)


def build_events(plan: SsePlan, answer: Any, request_body: Any, gen: FakeGenerator, *, reply: Reply | None = None,
                 chunk_chars: int | None = None) -> list[SseEvent]:
    """Every event of the stream that delivers `answer` (the JSON body the plain response would have).

    With a scripted `reply` (a stub's), the `ask` events are its tool calls, one each, instead of the generated
    one the request's marker asks for; `chunk_chars` cuts the text into pieces of that many characters.
    """
    events: list[SseEvent] = []
    if plan.text is not None:
        events += _text_events(plan, plan.text, answer, gen, chunk_chars)
    else:
        events += _generated_events(plan, gen)
    if plan.ask is not None:
        events += _ask_events(plan, plan.ask, answer, request_body, gen, reply)
    if plan.done and answer is not None:
        events.append(SseEvent(plan.done, answer))
    if plan.terminator is not None:
        events.append(SseEvent(None, plan.terminator, raw=True))
    return events


def _ask_events(plan: SsePlan, rule: AskRule, answer: Any, request_body: Any, gen: FakeGenerator,
                reply: Reply | None) -> list[SseEvent]:
    schema = plan.schema_for(rule.event)
    if reply is None:
        if not _asks(rule, request_body):
            return []
        payload = _base(schema, {}, answer, gen)
        _link(payload, rule.link, answer)
        return [SseEvent(rule.event, payload)]
    events = []
    for call in reply.tool_calls:
        payload = _base(schema, {}, answer, gen)
        if isinstance(payload, dict):
            fill_tool_call(schema or {}, call, gen, payload)
        _link(payload, rule.link, answer)
        events.append(SseEvent(rule.event, payload))
    return events


def error_event(plan: SsePlan, body: Any) -> SseEvent:
    """The event that ends a stream with the API's error body: the named `error` event, else plain data."""
    return SseEvent(plan.error, body)


def _text_events(plan: SsePlan, rule: TextRule, answer: Any, gen: FakeGenerator,
                 chunk_chars: int | None = None) -> list[SseEvent]:
    text = get_pointer(answer, rule.source)
    pieces = split_text(text if isinstance(text, str) else "", chunk_chars)
    base = _base(plan.schema_for(rule.event), plan.template, answer, gen)
    _link(base, rule.link, answer)
    events = []
    for index, piece in enumerate(pieces):
        data = copy_json(base)
        if index == 0:
            for pointer, value in plan.first.items():
                set_pointer(data, pointer, copy_json(value))
        set_pointer(data, rule.target, piece)
        events.append(SseEvent(rule.event, data, text=piece))
    if plan.tools is not None:
        events += _tool_events(plan, plan.tools, rule.event, base, answer)
    if plan.final is not None:
        data = copy_json(base)
        for pointer, value in plan.final.items():
            set_pointer(data, pointer, _final_value(value, answer))
        events.append(SseEvent(rule.event, data))
    return events


def _tool_events(plan: SsePlan, rule: ToolsRule, event: str | None, base: Any, answer: Any) -> list[SseEvent]:
    calls = get_pointer(answer, rule.source)
    if not isinstance(calls, list):
        return []
    item = schema_at(plan.schema_for(event), f"{rule.target}/0") or {}
    numbered = "index" in (item.get("properties") or {})
    events = []
    for index, call in enumerate(calls):
        data = copy_json(base)
        piece = {"index": index, **copy_json(call)} if numbered and isinstance(call, dict) else copy_json(call)
        set_pointer(data, rule.target, [piece])
        events.append(SseEvent(event, data))
    return events


def _final_value(value: Any, answer: Any) -> Any:
    """A `final` value: as written, or (`$response.body#/pointer`) read from the JSON answer."""
    if isinstance(value, str) and value.startswith(ANSWER_VALUE):
        return copy_json(get_pointer(answer, value[len(ANSWER_VALUE):]))
    return copy_json(value)


def _generated_events(plan: SsePlan, gen: FakeGenerator) -> list[SseEvent]:
    events = []
    if plan.data is not None:
        events += [SseEvent(None, _base(plan.data, plan.template, None, gen)) for _ in range(GENERATED_EVENTS)]
    for name, schema in plan.events.items():
        if name not in (plan.error, plan.done) and (plan.ask is None or name != plan.ask.event):
            events.append(SseEvent(name, gen.value(schema, name)))
    return events


def _base(schema: Schema | None, template: Mapping[str, Any], answer: Any, gen: FakeGenerator) -> Any:
    """A generated event payload with the template on top and the answer's matching top-level fields copied."""
    value = gen.value(schema, omit=frozenset(template)) if schema else {}
    if not isinstance(value, dict):
        return value
    props: Mapping[str, Any] = (schema or {}).get("properties") or {}
    if isinstance(answer, Mapping):
        for key, sub in props.items():
            if key in answer and not isinstance(answer[key], (dict, list)) and is_valid(answer[key], sub):
                value[key] = answer[key]
    value.update(copy_json(dict(template)))
    return value


def _link(payload: Any, link: Mapping[str, str], answer: Any) -> None:
    if isinstance(payload, dict):
        for target, source in link.items():
            found = get_pointer(answer, source)
            if found is not None:
                set_pointer(payload, target, found)


def _asks(rule: AskRule, request_body: Any) -> bool:
    value = get_pointer(request_body, rule.field)
    if isinstance(value, list):
        value = " ".join(str(get_pointer(v, "/text", v)) for v in value)
    return isinstance(value, str) and rule.contains in value
