"""WebSocket operations described by `x-websocket`: which frames they send, built from state events.

No web framework here: `socket_plan` reads the extension, and the `*_frame` functions build frames. The
vocabulary (docs/spec-conventions.md, "Streaming"):

- `send.connect: N` sends N generated frames when the socket opens;
- `send.receive: true` answers each client frame with a generated frame;
- `send.change: true` sends a generated frame whenever the target resource or one of its children changes;
- `send.watch` sends one frame per change (created / updated / deleted) of a resource;
- `send.replies` streams each generated reply stored under the target: status busy, text pieces, the reply, idle;
- `error` is the frame sent before closing (1011) when the client asks for `Prefer: stream-error=after:N`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mock_server.events import StateEvent
from mock_server.extensions import raw_operation
from mock_server.generation import FakeGenerator
from mock_server.jsontext import copy_json
from mock_server.models import ApiModel, Operation
from mock_server.pointers import get_pointer, set_pointer
from mock_server.replies import split_text
from mock_server.schemas import inline_schema

__all__ = ["RepliesRule", "SocketPlan", "WatchRule", "error_frame", "generated_frame", "is_reply", "reply_frames",
           "socket_plan", "status_frame", "watch_frame"]

Schema = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class WatchRule:
    """`on.watch`: a frame per change of `resource`, the record at `record`, the change's name at `kind`."""

    resource: str
    record: str
    kind: str
    names: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class RepliesRule:
    """`on.replies`: replies (items of `resource` under the target matching `where`) streamed piece by piece."""

    resource: str
    where: Mapping[str, Any]
    text: str
    target: str | None
    delta: Mapping[str, Any]
    delta_text: str
    message: Mapping[str, Any]
    message_record: str
    status: Mapping[str, Any]
    status_value: str
    status_field: str
    busy: str
    idle: str


@dataclass(frozen=True, slots=True)
class SocketPlan:
    """Everything `x-websocket` says about one operation."""

    messages: Schema | None
    binary: bool
    template: Mapping[str, Any] = field(default_factory=dict)
    connect: int = 0
    receive: bool = False
    change: bool = False
    watch: WatchRule | None = None
    replies: RepliesRule | None = None
    error: Mapping[str, Any] | None = None
    error_message: str | None = None


def socket_plan(api: ApiModel, op: Operation) -> SocketPlan:
    """The plan of a WebSocket operation (one with `x-websocket`)."""
    spec = api.spec
    x: Mapping[str, Any] = raw_operation(api, op).get("x-websocket") or {}
    messages = inline_schema(x.get("messages"), spec.lookup) if isinstance(x.get("messages"), Mapping) else None
    on: Mapping[str, Any] = x.get("send") or {}
    watch, replies = on.get("watch"), on.get("replies")
    return SocketPlan(
        messages=messages,
        binary=bool(messages and messages.get("type") == "string" and messages.get("format") == "binary"),
        template=x.get("template") or {},
        connect=int(on.get("connect") or 0),
        receive=bool(on.get("receive")),
        change=bool(on.get("change")),
        watch=WatchRule(watch["resource"], watch["record"], watch["kind"], watch.get("names") or {})
        if isinstance(watch, Mapping) else None,
        replies=_replies(replies) if isinstance(replies, Mapping) else None,
        error=(x.get("error") or {}).get("set") if isinstance(x.get("error"), Mapping) else None,
        error_message=(x.get("error") or {}).get("message") if isinstance(x.get("error"), Mapping) else None,
    )


def _replies(raw: Mapping[str, Any]) -> RepliesRule:
    delta, message, status = raw.get("delta") or {}, raw.get("message") or {}, raw.get("status") or {}
    return RepliesRule(
        resource=raw["resource"], where=raw.get("where") or {}, text=raw["text"], target=raw.get("target"),
        delta=delta.get("set") or {}, delta_text=delta["text"],
        message=message.get("set") or {}, message_record=message["record"],
        status=status.get("set") or {}, status_value=status["value"], status_field=status.get("field", "status"),
        busy=status.get("busy", "running"), idle=status.get("idle", "idle"),
    )


def generated_frame(plan: SocketPlan, gen: FakeGenerator) -> Any:
    """A generated frame valid for the message schema (bytes for a binary stream), with the template applied."""
    if plan.binary:
        return bytes(gen.random.getrandbits(8) for _ in range(64))
    value = gen.value(plan.messages) if plan.messages else {}
    if isinstance(value, dict):
        _apply(value, plan.template)
    return value


def error_frame(plan: SocketPlan, message: str) -> dict[str, Any] | None:
    """The frame that ends a socket on a forced failure (`x-websocket.error`), if the spec names one."""
    if plan.error is None:
        return None
    frame: dict[str, Any] = {}
    _apply(frame, plan.error)
    if plan.error_message:
        set_pointer(frame, plan.error_message, message)
    return frame


def watch_frame(rule: WatchRule, event: StateEvent) -> dict[str, Any]:
    """The frame telling a watcher about one change."""
    name = rule.names.get(event.kind, event.kind)
    if event.kind == "updated":
        name = next((rule.names[f"updated.{f}"] for f in event.changed if f"updated.{f}" in rule.names), name)
    frame: dict[str, Any] = {}
    set_pointer(frame, rule.record, copy_json(dict(event.data)))
    set_pointer(frame, rule.kind, name)
    return frame


def is_reply(rule: RepliesRule, event: StateEvent, id_param: str, target_id: str) -> bool:
    """Whether a state event is a new reply under the watched target."""
    return (event.kind == "created" and event.resource == rule.resource and event.scope.get(id_param) == target_id
            and all(event.data.get(k) == v for k, v in rule.where.items()))


def reply_frames(rule: RepliesRule, reply: Mapping[str, Any], target_id: str,
                 chunk_chars: int | None = None) -> tuple[list[Any], Any]:
    """The text-piece frames of a reply (word-sized, or `chunk_chars` long), and the frame carrying the whole
    reply."""
    text = get_pointer(reply, rule.text)
    pieces = split_text(text, chunk_chars) if isinstance(text, str) and text else []
    deltas = []
    for piece in pieces:
        frame = _frame(rule, rule.delta, target_id)
        set_pointer(frame, rule.delta_text, piece)
        deltas.append(frame)
    whole = _frame(rule, rule.message, target_id)
    set_pointer(whole, rule.message_record, copy_json(dict(reply)))
    return deltas, whole


def status_frame(rule: RepliesRule, status: Any, target_id: str) -> dict[str, Any]:
    """The frame announcing the target's status."""
    frame = _frame(rule, rule.status, target_id)
    set_pointer(frame, rule.status_value, status)
    return frame


def _frame(rule: RepliesRule, fields: Mapping[str, Any], target_id: str) -> dict[str, Any]:
    frame: dict[str, Any] = {}
    _apply(frame, fields)
    if rule.target:
        set_pointer(frame, rule.target, target_id)
    return frame


def _apply(frame: dict[str, Any], fields: Mapping[str, Any]) -> None:
    for pointer, value in fields.items():
        set_pointer(frame, pointer, copy_json(value))
