"""A stub's definition, read from JSON (admin API) or YAML (stubs file) and checked against the spec.

```json
{"api": "assistant", "operation": "createCompletion",              // or "method" + "path"
 "match": {"path": {"chatId": "c1"}, "query": {"q": {"matches": "^a"}}, "headers": {"x-team": "blue"},
           "body": {"/model": {"equals": "gpt-4o"}}, "prompt": {"contains": "weather"}},
 "respond": {"status": 200, "headers": {"x-stub": "1"},
             "body": {...} | "merge": {...} | "example": "NAME" | "reply": {"text": "...", "tool_calls": [...]},
             "stream": {"chunk_chars": 5, "delay_ms": 10, "error_after": 3}},
 "times": 1, "priority": 5, "scenario": "chat", "state": "Started", "next": "asked", "allow_invalid": false}
```

A stubbed answer must conform to the operation's documented response for its status, checked here, once: a
refusal names the field (`respond.body/choices/0/index: ...`). `allow_invalid` skips that check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mock_server.generation import FakeGenerator
from mock_server.jsontext import copy_json
from mock_server.models import ApiModel, Operation
from mock_server.replies import Reply, ToolCall, reply_rule, schema_at, write_reply
from mock_server.schemas import schema_errors
from mock_server.streaming import StreamOptions, sse_plan

__all__ = ["DEFAULT_STATE", "Condition", "Respond", "Stub", "StubError", "deep_merge", "parse_stub"]

DEFAULT_STATE = "Started"  # a scenario's state before any stub moved it (as WireMock names it)
_KEYS = {"id", "api", "operation", "method", "path", "match", "respond", "times", "priority", "scenario", "state",
         "next", "allow_invalid"}
_MATCH_KEYS = {"path", "query", "headers", "body", "prompt"}
_RESPOND_KEYS = {"status", "headers", "body", "merge", "example", "reply", "stream"}
_ANSWERS = ("body", "merge", "example", "reply")
_OPERATORS = ("equals", "contains", "matches")


class StubError(ValueError):
    """A stub that cannot be registered; the message names the field."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field, self.reason = field_name, reason


@dataclass(frozen=True, slots=True)
class Condition:
    """One matching rule: a value equal to, containing, or matching (regex) the given one."""

    operator: str
    value: Any
    pattern: re.Pattern[str] | None = None

    def test(self, actual: Any) -> bool:
        if self.operator == "equals":
            return actual == self.value or (isinstance(actual, (str, int, float, bool)) and not isinstance(
                self.value, (dict, list)) and str(actual) == str(self.value))
        if not isinstance(actual, str):
            return False
        if self.operator == "contains":
            return str(self.value) in actual
        assert self.pattern is not None
        return self.pattern.search(actual) is not None


@dataclass(frozen=True, slots=True)
class Respond:
    """What a matched stub answers."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    has_body: bool = False
    merge: Mapping[str, Any] | None = None
    example: str | None = None
    reply: Reply | None = None
    stream: StreamOptions | None = None


@dataclass(frozen=True, slots=True)
class Stub:
    """A registered stub: where it applies, what it matches and what it answers."""

    id: str
    api: str
    operation: str
    respond: Respond
    path: Mapping[str, Condition] = field(default_factory=dict)
    query: Mapping[str, Condition] = field(default_factory=dict)
    headers: Mapping[str, Condition] = field(default_factory=dict)
    body: Mapping[str, Condition] = field(default_factory=dict)
    prompt: Condition | None = None
    times: int | None = None
    priority: int = 0
    scenario: str | None = None
    state: str | None = None
    next: str | None = None
    allow_invalid: bool = False
    definition: Mapping[str, Any] = field(default_factory=dict)  # as given, with its id: what GET lists


def parse_stub(data: Any, apis: Mapping[str, ApiModel], stub_id: str, gen: FakeGenerator) -> Stub:
    """The stub `data` defines, checked against its API's spec; `StubError` naming the field otherwise."""
    if not isinstance(data, Mapping):
        raise StubError("(stub)", "must be an object")
    _known_keys(data, _KEYS, "")
    api = apis.get(str(data.get("api")))
    if api is None:
        raise StubError("api", f"unknown api {data.get('api')!r}; known: {sorted(apis)}")
    op = _operation(api, data)
    match = _object(data.get("match", {}), "match")
    _known_keys(match, _MATCH_KEYS, "match.")
    rule = reply_rule(api, op)
    prompt = None
    if "prompt" in match:
        if rule is None or rule.prompt is None:
            raise StubError("match.prompt", f"{op.operation_id} has no prompt (x-mock.reply.prompt)")
        prompt = _condition(match["prompt"], "match.prompt")
    respond = _respond(api, op, _object(data.get("respond", {}), "respond"), gen,
                       allow_invalid=_flag(data, "allow_invalid"))
    scenario = _text(data, "scenario")
    if scenario is None and ("state" in data or "next" in data):
        raise StubError("scenario", "required with state or next")
    return Stub(
        id=stub_id, api=api.name, operation=op.operation_id, respond=respond,
        path=_conditions(match.get("path", {}), "match.path"),
        query=_conditions(match.get("query", {}), "match.query"),
        headers={k.lower(): c for k, c in _conditions(match.get("headers", {}), "match.headers").items()},
        body=_pointer_conditions(match.get("body", {})),
        prompt=prompt,
        times=_integer(data, "times", minimum=1),
        priority=_integer(data, "priority", minimum=-(2**31)) or 0,
        scenario=scenario,
        state=(_text(data, "state") or DEFAULT_STATE) if scenario is not None else None,
        next=_text(data, "next"),
        allow_invalid=_flag(data, "allow_invalid"),
        definition={**copy_json(dict(data)), "id": stub_id, "api": api.name, "operation": op.operation_id},
    )


def deep_merge(target: Any, extra: Any) -> Any:
    """`extra` laid over `target`: objects merged key by key, anything else replaced."""
    if isinstance(target, dict) and isinstance(extra, Mapping):
        for key, value in extra.items():
            target[key] = deep_merge(target.get(key), value)
        return target
    return copy_json(extra)


# -- parts -------------------------------------------------------------------------------------------------------
def _operation(api: ApiModel, data: Mapping[str, Any]) -> Operation:
    name = data.get("operation")
    if name is not None:
        op = next((o for o in api.operations if o.operation_id == name), None)
        if op is None:
            raise StubError("operation", f"{api.name} has no operation {name!r}")
        return op
    method, path = str(data.get("method", "")).lower(), data.get("path")
    if not method or not path:
        raise StubError("operation", "required (or method and path)")
    op = next((o for o in api.operations if o.method == method and o.path == path), None)
    if op is None:
        raise StubError("path", f"{api.name} has no operation {method.upper()} {path}")
    return op


def _respond(api: ApiModel, op: Operation, data: Mapping[str, Any], gen: FakeGenerator, *,
             allow_invalid: bool) -> Respond:
    _known_keys(data, _RESPOND_KEYS, "respond.")
    given = [k for k in _ANSWERS if k in data]
    if len(given) > 1:
        raise StubError(f"respond.{given[1]}", f"give one of {', '.join(_ANSWERS)}, not {' and '.join(given)}")
    example = _text(data, "example", "respond.")
    status = _integer(data, "status", "respond.", minimum=100)
    if example is not None:
        found = [(s, d) for s, d in op.responses.items() if example in d.examples and s.isdigit()
                 and (status is None or int(s) == status)]
        if not found:
            names = sorted({n for d in op.responses.values() for n in d.examples})
            raise StubError("respond.example", f"{example!r} is not an example of {op.operation_id}; its examples: "
                            f"{', '.join(names) or 'none'}")
        status = int(found[0][0])
    status = status or op.success_status
    definition = op.response_for(status)
    if definition is None and not allow_invalid:
        raise StubError("respond.status", f"{status} is not documented for {op.operation_id}; documented: "
                        f"{op.documented_statuses()}")
    headers = _object(data.get("headers", {}), "respond.headers")
    if not all(isinstance(v, (str, int, float)) for v in headers.values()):
        raise StubError("respond.headers", "values must be strings")
    schema = definition.json_schema if definition is not None else None
    reply = _reply(api, op, data["reply"], gen) if "reply" in data else None
    merge = _object(data["merge"], "respond.merge") if "merge" in data else None
    if reply is not None and status >= 300:
        raise StubError("respond.status", "a reply is a successful answer (2xx)")
    if not allow_invalid and schema is not None:
        if "body" in data:
            _conform(data["body"], schema, "respond.body")
        if merge is not None:
            _conform(deep_merge(gen.value(schema), merge), schema, "respond.merge")
        if reply is not None and (rule := reply_rule(api, op)) is not None and rule.store is None:
            doc = gen.value(schema)
            write_reply(rule, doc, reply, None, gen)
            _conform(doc, schema, "respond.reply")
    return Respond(
        status=status, headers={str(k): str(v) for k, v in headers.items()}, body=copy_json(data.get("body")),
        has_body="body" in data, merge=merge, example=example, reply=reply,
        stream=_stream(data["stream"]) if "stream" in data else None,
    )


def _reply(api: ApiModel, op: Operation, data: Any, gen: FakeGenerator) -> Reply:
    rule = reply_rule(api, op)
    if rule is None:
        raise StubError("respond.reply", f"{op.operation_id} answers no reply (x-mock.reply); use body or merge")
    data = _object(data, "respond.reply")
    _known_keys(data, {"text", "tool_calls", "finish_reason"}, "respond.reply.")
    text = data.get("text", "")
    if not isinstance(text, str):
        raise StubError("respond.reply.text", "must be a string")
    calls = data.get("tool_calls") or []
    if not isinstance(calls, list):
        raise StubError("respond.reply.tool_calls", "must be a list")
    plan = sse_plan(api, op)
    if calls and rule.tool_calls is None and (plan is None or plan.ask is None):
        raise StubError("respond.reply.tool_calls", f"{op.operation_id}'s reply has no tool calls in its spec")
    tools = []
    for index, call in enumerate(calls):
        where = f"respond.reply.tool_calls/{index}"
        call = _object(call, where)
        if not isinstance(call.get("name"), str) or not call["name"]:
            raise StubError(f"{where}/name", "required, a string")
        arguments = _object(call.get("arguments", {}), f"{where}/arguments")
        tools.append(ToolCall(call["name"], copy_json(dict(arguments)), _text(call, "id", where + "/")))
    finish = data.get("finish_reason")
    if finish is not None and rule.finish_reason:
        success = op.response_for(op.success_status)
        allowed = (schema_at(success.json_schema if success else None, rule.finish_reason) or {}).get("enum")
        if allowed and finish not in allowed:
            raise StubError("respond.reply.finish_reason", f"{finish!r} is not one of {allowed}")
    return Reply(text, tuple(tools), finish if isinstance(finish, str) else None)


def _stream(data: Any) -> StreamOptions:
    data = _object(data, "respond.stream")
    _known_keys(data, {"chunk_chars", "delay_ms", "error_after"}, "respond.stream.")
    return StreamOptions(chunk_chars=_integer(data, "chunk_chars", "respond.stream.", minimum=1),
                         delay_ms=_integer(data, "delay_ms", "respond.stream."),
                         error_after=_integer(data, "error_after", "respond.stream."))


def _conform(value: Any, schema: Mapping[str, Any], where: str) -> None:
    errors = schema_errors(value, schema)
    if errors:
        location, _, message = errors[0].partition(": ")
        raise StubError(where if location == "(root)" else f"{where}/{location}", message)


def _conditions(data: Any, where: str) -> dict[str, Condition]:
    return {str(name): _condition(value, f"{where}.{name}") for name, value in _object(data, where).items()}


def _pointer_conditions(data: Any) -> dict[str, Condition]:
    conditions = _conditions(data, "match.body")
    for pointer in conditions:
        if pointer and not pointer.startswith("/"):
            raise StubError(f"match.body.{pointer}", "keys are JSON pointers, like /messages/0/content")
    return conditions


def _condition(value: Any, where: str) -> Condition:
    if not isinstance(value, Mapping):
        return Condition("equals", copy_json(value))
    operators = [k for k in _OPERATORS if k in value]
    if len(operators) != 1 or len(value) != 1:
        raise StubError(where, f"give exactly one of {', '.join(_OPERATORS)}")
    operator = operators[0]
    if operator == "matches":
        try:
            return Condition(operator, value[operator], re.compile(str(value[operator])))
        except re.error as exc:
            raise StubError(f"{where}.matches", f"not a regular expression: {exc}") from None
    if operator == "contains" and not isinstance(value[operator], str):
        raise StubError(f"{where}.contains", "must be a string")
    return Condition(operator, copy_json(value[operator]))


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise StubError(where, "must be an object")
    return value


def _known_keys(data: Mapping[str, Any], known: set[str], prefix: str) -> None:
    unknown = sorted(str(k) for k in data if k not in known)
    if unknown:
        raise StubError(f"{prefix}{unknown[0]}", f"unknown field; known: {', '.join(sorted(known))}")


def _integer(data: Mapping[str, Any], name: str, prefix: str = "", minimum: int = 0) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if type(value) is not int or value < minimum:
        raise StubError(f"{prefix}{name}", f"must be an integer >= {minimum}")
    return value


def _text(data: Mapping[str, Any], name: str, prefix: str = "") -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise StubError(f"{prefix}{name}", "must be a string")
    return value


def _flag(data: Mapping[str, Any], name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise StubError(name, "must be true or false")
    return value

