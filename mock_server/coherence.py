"""What the engine calls so that new items look new and every answer agrees with the request that asked for it.

- `answering(engine, api, op, request)`: the async context of one request's handler. Items created inside it are
  new (the fresh-object rules); outside it (seeding) they are old data.
- `new_item_omit` and `shape_new`: a new item before the client's fields go in (items.py calls them): the rules of
  freshness.py, fields named like a path parameter (at any depth) holding its value, fields naming the item
  itself holding its id, and, for the reply an operation stores (replies.py), the reply's shape plus the
  request's fields of the same name (the `model` asked for).
- `agree`: the answer: request fields and path ids echoed into generated answers, `include_*` switches honoured
  (`include_requests: false` leaves `requests` out), and the reply shape of an operation whose answer is the reply.
- `hold_reply`: a read whose answer holds a reply (a conversation with its logged responses) keeps a scripted
  reply in the item it reads; a read never makes up a reply of its own.

A scripted reply (a stub's `respond.reply`, mock_server/stubs/) is handed to `answering` and written wherever a
generated one would be: in the stored reply, or in the answer.

Every plan is compiled once per operation or resource, on first use.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mock_server.extensions import x_mock
from mock_server.freshness import EMPTY_PLAN, FreshPlan, compile_fresh, name_words
from mock_server.inference import success_schema, unwrap
from mock_server.messages import MockRequest, MockResponse
from mock_server.models import Action, ApiModel, Operation
from mock_server.pointers import get_pointer
from mock_server.replies import Reply, ReplyRule, reply_rule, write_reply
from mock_server.schemas import is_valid

if TYPE_CHECKING:
    from mock_server.engine import Engine

__all__ = ["agree", "answering", "hold_reply", "new_item_omit", "shape_new"]

_MAX_DEPTH = 5


@dataclass(slots=True)
class _Call:
    api: ApiModel
    op: Operation
    request: MockRequest
    reply: Reply | None = None  # a scripted reply, written instead of a generated one


_CURRENT: ContextVar[_Call | None] = ContextVar("mock_server_call", default=None)


class answering:  # noqa: N801  (used as `async with answering(...)`, like a function)
    """The context of one request: new items made inside it are the request's."""

    __slots__ = ("_call", "_token")

    def __init__(self, engine: Engine, api: ApiModel, op: Operation, request: MockRequest,
                 reply: Reply | None = None) -> None:
        self._call = _Call(api, op, request, reply)
        self._token: Token[_Call | None] | None = None

    async def __aenter__(self) -> None:
        self._token = _CURRENT.set(self._call)

    async def __aexit__(self, *exc: object) -> None:
        if self._token is not None:
            _CURRENT.reset(self._token)


# -- new items --------------------------------------------------------------------------------------------------
def new_item_omit(api: ApiModel, resource: str) -> frozenset[str]:
    """Fields of a new item that the fresh-object rules set or remove: not worth generating."""
    return _new_plan(api, resource, _CURRENT.get()).fresh.omit


async def shape_new(engine: Engine, api: ApiModel, resource: str, data: dict[str, Any], fields: Mapping[str, Any],
                    new_id: str | None, id_field: str = "id") -> None:
    """Make a generated item new (or coherent old data), before the client's fields and the parent links go in."""
    current = _CURRENT.get()
    plan = _new_plan(api, resource, current)
    plan.fresh.apply(data, fields)
    if plan.echoes:
        # The item's own id, when known now: a generated integer id is counted later (items.py).
        own_id = new_id if new_id is not None else fields.get(id_field, None if id_field in plan.integers
                                                                else data.get(id_field))
        values = _path_values(api, current.request) if current is not None else {}
        if own_id is not None:
            values.update({name: own_id for name in plan.self_names})
        for template, name, leaf in plan.echoes:
            if name in values:
                _set_each(data, template, values[name], leaf)
    rule = plan.reply
    if rule is not None and current is not None and all(fields.get(k, data.get(k)) == v for k, v in rule.where.items()):
        _echo_request(data, plan.props, current.request.body, rule.top_fields() | {id_field})
        reply = current.reply or Reply(engine.gen.paragraph())
        write_reply(rule, data, reply, current.request.body, engine.gen)


@dataclass(frozen=True, slots=True)
class _NewPlan:
    """Everything about a new item of one resource, made by one operation (or seeded): compiled once."""

    fresh: FreshPlan
    props: Mapping[str, Any]
    integers: frozenset[str]  # integer fields (an integer id is counted when the item is stored)
    self_names: tuple[str, ...]  # names of a field holding the item's own id (`chat_id` inside a chat)
    echoes: tuple[_Template, ...]  # nested fields named like a path parameter or like the item's own id
    reply: ReplyRule | None  # the operation's reply, when it is stored as an item of this resource


_NEW_PLANS: dict[tuple[int, str, int, bool], tuple[ApiModel, _NewPlan]] = {}


def _new_plan(api: ApiModel, resource: str, current: _Call | None) -> _NewPlan:
    seeded = current is None  # made outside any request: start-up data
    op = current.op if current is not None else None
    key = (id(api), resource, id(op), seeded)
    cached = _NEW_PLANS.get(key)
    if cached is None or cached[0] is not api:
        cached = _NEW_PLANS[key] = (api, _compile_new(api, resource, op, seeded))
    return cached[1]


def _compile_new(api: ApiModel, resource: str, op: Operation | None, seeded: bool) -> _NewPlan:
    schema = api.resource_schemas.get(resource) or {}
    props: Mapping[str, Any] = schema.get("properties") or {}
    creates = op is not None and op.behaviour.action is Action.CREATE and op.behaviour.resource == resource
    overrides = x_mock(api, op).get("fresh") if op is not None and creates else None  # the create's own word
    fresh = compile_fresh(schema, resources=api.resource_schemas, seeded=seeded, overrides=overrides) \
        if schema else EMPTY_PLAN
    singular = resource[:-1] if resource.endswith("s") else resource
    self_names = (f"{singular}_id", f"{singular}Id")
    names = set(self_names) | {name for other in api.operations for p in other.parameters if p.location == "path"
                               for name in _link_names(api, p.name)}
    echoes = tuple(t for t in _templates(schema, names) if len(t[0]) > 1 or t[1] not in self_names)
    rule = reply_rule(api, op) if op is not None else None
    return _NewPlan(
        fresh=fresh, props=props,
        integers=frozenset(k for k, sub in props.items() if isinstance(sub, Mapping) and sub.get("type") == "integer"),
        self_names=self_names, echoes=echoes,
        reply=rule if rule is not None and rule.store == resource else None,
    )


# -- answers ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _OpPlan:
    echo: tuple[tuple[str, Mapping[str, Any]], ...] = ()  # top-level fields the request body has too, their schemas
    paths: tuple[_Template, ...] = ()  # fields named like a path parameter
    switches: tuple[tuple[str, str, bool, str], ...] = ()  # (query|body, request field, default, answer field)
    reply: ReplyRule | None = None  # the answer is the reply
    needed: bool = False  # anything to do for an answer


_OP_PLANS: dict[int, tuple[Operation, _OpPlan]] = {}


def _op_plan(api: ApiModel, op: Operation) -> _OpPlan:
    cached = _OP_PLANS.get(id(op))
    if cached is None or cached[0] is not op:
        cached = _OP_PLANS[id(op)] = (op, _compile_op(api, op))
    return cached[1]


def _compile_op(api: ApiModel, op: Operation) -> _OpPlan:
    b = op.behaviour
    answer = success_schema(op) or {}
    doc = (unwrap(answer, b.body) or {}) if b.body else answer
    props: Mapping[str, Any] = doc.get("properties") or {}
    request_props: Mapping[str, Any] = (op.request_schema or {}).get("properties") or {}
    rule = reply_rule(api, op)
    # A read's answer is the stored item: its reply is the item's (see `hold_reply`), never made up on the way out.
    answer_rule = rule if rule is not None and rule.store is None and b.action is not Action.READ else None
    generated = b.action is Action.STATIC or (b.action is Action.ACTION and b.respond == "generated")  # not stored
    owned = answer_rule.top_fields() if answer_rule is not None else frozenset()
    echo = tuple((name, sub) for name, sub in props.items()
                 if name in request_props and name not in owned and isinstance(sub, Mapping)) if generated else ()
    names = {name for param in op.path_params for name in _link_names(api, param)}
    paths = tuple(_templates(answer, names)) if generated else ()
    switches = []
    sources = [("body", name, sub) for name, sub in request_props.items()] + \
              [("query", p.name, p.schema) for p in op.parameters if p.location == "query"]
    required = set(doc.get("required") or ())
    for source, name, sub in sources:
        target = _switched(name, props)
        if target is not None and isinstance(sub, Mapping) and sub.get("type") == "boolean" \
                and target not in required:
            switches.append((source, name, bool(sub.get("default", False)), target))
    needed = bool(echo or paths or switches or answer_rule)
    return _OpPlan(echo, paths, tuple(switches), answer_rule, needed)


def agree(engine: Engine, api: ApiModel, op: Operation, request: MockRequest, response: MockResponse,
          reply: Reply | None = None) -> MockResponse:
    """The answer, made to agree with the request (see the module docstring); other answers pass unchanged.
    `reply` is a scripted reply, for an operation whose answer is the reply."""
    plan = _op_plan(api, op)
    if not plan.needed or response.status >= 300 or type(response.body) is not dict:
        return response
    body = response.body
    doc = body.get(op.behaviour.body) if op.behaviour.body else body
    if type(doc) is not dict:
        return response
    sent = request.body if type(request.body) is dict else {}
    for name, schema in plan.echo:
        if name in sent and is_valid(sent[name], schema):
            doc[name] = sent[name]
    if plan.paths:
        values = _path_values(api, request)
        for template, name, leaf in plan.paths:
            if name in values:
                _set_each(body, template, values[name], leaf)
    if plan.reply is not None:
        if reply is None:
            text = get_pointer(body, plan.reply.text)
            reply = Reply(text if isinstance(text, str) and text else engine.gen.paragraph())
        write_reply(plan.reply, body, reply, request.body, engine.gen)
    for source, name, default, target in plan.switches:
        given = (request.query if source == "query" else sent).get(name)
        if (given if isinstance(given, bool) else default) is False:
            doc.pop(target, None)
    return response


def hold_reply(engine: Engine, api: ApiModel, op: Operation, data: dict[str, Any]) -> bool:
    """Write the call's scripted reply into `data`, the item a read answers, when the operation's reply lives in
    its answer (the answer being the item); True when `data` changed and must be stored."""
    current = _CURRENT.get()
    if current is None or current.reply is None or op.behaviour.body:
        return False
    rule = reply_rule(api, op)
    if rule is None or rule.store is not None:
        return False
    write_reply(rule, data, current.reply, current.request.body, engine.gen)
    return True


def _switched(name: str, props: Mapping[str, Any]) -> str | None:
    """The answer field an `include_X` / `with_X` request switch turns on (`include_requests` -> `requests`)."""
    words = name_words(name)
    if len(words) < 2 or words[0] not in ("include", "with"):
        return None
    rest = words[1:]
    for candidate in props:
        if name_words(candidate) == rest:
            return candidate
    return None


def _echo_request(data: dict[str, Any], props: Mapping[str, Any], body: Any, exclude: frozenset[str]) -> None:
    """Request fields of the same name as fields of a stored reply (the model asked for) go into the reply."""
    if not isinstance(body, Mapping):
        return
    for name, value in body.items():
        if name in props and name not in exclude and is_valid(value, props[name]):
            data[name] = value


# -- fields at any depth ----------------------------------------------------------------------------------------
_Template = tuple[tuple[str, ...], str, Mapping[str, Any]]  # (path, `*` for any array item; field name; its schema)


def _link_names(api: ApiModel, param: str) -> tuple[str, ...]:
    """Names of a field holding a path parameter's value: the parameter's, and `<item>_id` / `<item>Id` of the
    resource it identifies (`chat` -> `chat_id`)."""
    resource = api.id_params.get(param)
    if not resource:
        return (param,)
    singular = resource[:-1] if resource.endswith("s") else resource
    return (param, f"{singular}_id", f"{singular}Id")


def _path_values(api: ApiModel, request: MockRequest) -> dict[str, Any]:
    return {name: value for param, value in request.path_params.items() for name in _link_names(api, param)}


def _templates(schema: Mapping[str, Any], names: set[str], prefix: tuple[str, ...] = (),
               depth: int = 0) -> list[_Template]:
    """Every string or integer field named in `names`, at any depth."""
    found: list[_Template] = []
    if depth > _MAX_DEPTH or not isinstance(schema, Mapping):
        return found
    kind = schema.get("type") or ("object" if "properties" in schema else None)
    if kind == "array" and isinstance(schema.get("items"), Mapping):
        return _templates(schema["items"], names, (*prefix, "*"), depth + 1)
    for key, sub in (schema.get("properties") or {}).items():
        if not isinstance(sub, Mapping):
            continue
        if key in names and sub.get("type") in ("string", "integer"):
            found.append(((*prefix, key), key, sub))
        else:
            found += _templates(sub, names, (*prefix, key), depth + 1)
    return found


def _set_each(doc: Any, template: tuple[str, ...], value: Any, schema: Mapping[str, Any]) -> None:
    """Set `value` wherever the template reaches a field that is there (never adding one), if the schema takes it."""
    if not template:
        return
    head, rest = template[0], template[1:]
    if head == "*":
        if isinstance(doc, list):
            for item in doc:
                _set_each(item, rest, value, schema)
        return
    if not isinstance(doc, dict) or head not in doc:
        return
    if rest:
        _set_each(doc[head], rest, value, schema)
        return
    if schema.get("type") == "integer" and isinstance(value, str) and value.isdigit():
        value = int(value)
    if is_valid(value, schema):
        doc[head] = value
