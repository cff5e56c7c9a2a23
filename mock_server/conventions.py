"""Rules that look at one resource across all of its operations, for operations that have no `x-mock`.

Path inference (inference.py) names each operation's resource on its own; these rules then make what a client
creates read back the way the spec's own schemas say it should:

- a wrapper (`{"article": {...}}` in and out) is the resource's envelope, not the resource;
- an item path parameter that names a field of the resource (`/collections/{name}`, `/articles/{slug}`,
  `/user/{username}`) makes that field the id;
- a create and a read at different paths that answer the same schema (`POST /users/{u}/playlists`,
  `GET /playlists/{id}`) are one resource;
- `POST /tickets/{id}/comments` creates comments of that ticket, and the ticket's read shows them when its schema
  has a `comments` array;
- `POST /tickets/{id}/close` sets a status field whose enum has the verb's state (`closed`);
- an action that answers the resource's own schema answers the stored item.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from typing import Any

from mock_server.expressions import compile_values
from mock_server.models import Action, Operation
from mock_server.shapes import success_schema, unwrap

__all__ = ["ROOT_RESOURCE", "natural_key", "refine", "verb_state"]

ROOT_RESOURCE = "root"  # the collection served at the API's root path (`POST /`, `GET /{id}`)
_ITEM_ACTIONS = (Action.READ, Action.UPDATE, Action.DELETE, Action.ACTION)
_STATUS_NAMES = ("status", "state")
_PARAM = re.compile(r"^\{([^}]+)\}$")

SchemasOf = Callable[[list[Operation]], Mapping[str, Mapping[str, Any]]]


def refine(operations: list[Operation], inferred: Collection[str], schemas_of: SchemasOf) -> list[Operation]:
    """The operations with the cross-operation rules applied to those whose behaviour was inferred."""
    if not inferred:
        return operations
    ops = list(operations)
    ops = _merge_same_schema(ops, inferred)
    ops = _wrappers(ops, inferred)
    ops = _sub_collections(ops, inferred)
    schemas = schemas_of(ops)
    ops = _natural_keys(ops, inferred, schemas)
    ops = _status_verbs(ops, inferred, schemas)
    return ops


def natural_key(param: str, props: Collection[str], resource: str) -> str:
    """The field of a resource that its item path parameter names (`id` unless another field fits better)."""
    by_lower = {name.lower(): name for name in props}
    if param.lower() in by_lower:
        return by_lower[param.lower()]
    if "id" in props:
        return "id"
    rest = param
    singular = _singular(resource).lower()
    if param.lower().startswith(singular):
        rest = param[len(singular):].lstrip("_-")
    if rest.lower() in by_lower:
        return by_lower[rest.lower()]
    if rest:
        ending = [name for name in props if name.lower().endswith(rest.lower())]
        if ending:
            return min(ending, key=len)
    return "id"


def verb_state(verb: str, states: Collection[str]) -> str | None:
    """The state an action verb puts an item in: `close` -> `closed`, `open` -> `open`, `cancel` -> `cancelled`."""
    verb = verb.lower()
    forms = {verb, verb + "d", verb + "ed", verb + verb[-1:] + "ed"}
    if verb.endswith("y"):
        forms.add(verb[:-1] + "ied")
    return next((state for state in states if isinstance(state, str) and state.lower() in forms), None)


# -- the rules ----------------------------------------------------------------------------------------------------
def _with(op: Operation, **changes: Any) -> Operation:
    return replace(op, behaviour=replace(op.behaviour, **changes))


def _merge_same_schema(ops: list[Operation], inferred: Collection[str]) -> list[Operation]:
    """A create whose answer is the schema a read elsewhere answers makes that read's resource (Spotify's
    `POST /users/{u}/playlists` and `GET /playlists/{id}`); so does a `POST /things/{id}/other` acting on an item
    when it answers another resource's schema."""
    readers = [(success_schema(op), op.behaviour.resource) for op in ops
               if op.behaviour.action is Action.READ and success_schema(op)]
    read_resources = {resource for _, resource in readers}
    renames: dict[str, str] = {}
    out = []
    for op in ops:
        b = op.behaviour
        answer = success_schema(op) if op.operation_id in inferred else None
        match = next((resource for schema, resource in readers if schema == answer), None) if answer else None
        if match is None or match == b.resource:
            pass
        elif b.action is Action.CREATE and b.resource not in read_resources:
            renames[b.resource or ""] = match
        elif b.action is Action.ACTION and op.method == "post" and not _PARAM.match(op.path.rpartition("/")[2]):
            params = [m.group(1) for seg in op.path.split("/") if (m := _PARAM.match(seg))]
            op = _with(op, action=Action.CREATE, resource=match, id_param=None, scope=tuple(params),
                       respond="generated")
        out.append(op)
    return [_with(op, resource=renames[op.behaviour.resource or ""])
            if op.operation_id in inferred and op.behaviour.resource in renames
            and op.behaviour.action in (Action.CREATE, Action.LIST) else op
            for op in out]


def _wrappers(ops: list[Operation], inferred: Collection[str]) -> list[Operation]:
    """`{"article": {...}}`: when a resource's read (or, with no read, its create in and out) has one object
    property, that property is the resource."""
    wrappers: dict[str, str] = {}
    for op in ops:
        b = op.behaviour
        if op.operation_id in inferred and b.action is Action.READ and b.resource:
            name = _wrapper(success_schema(op))
            if name:
                wrappers.setdefault(b.resource, name)
    for op in ops:  # a resource nobody reads alone: a create that wraps both its body and its answer
        b = op.behaviour
        if op.operation_id in inferred and b.action is Action.CREATE and b.resource not in wrappers:
            name = _wrapper(success_schema(op))
            if name and name == _wrapper(op.request_schema):
                wrappers[b.resource or ""] = name
    out = []
    for op in ops:
        b = op.behaviour
        name = wrappers.get(b.resource or "")
        if op.operation_id in inferred and name and b.action in (Action.READ, Action.CREATE, Action.UPDATE,
                                                                  Action.DELETE, Action.ACTION):
            changes: dict[str, Any] = {}
            if _wrapper(success_schema(op)) == name:
                changes["body"] = name
            if b.action in (Action.CREATE, Action.UPDATE) and _wrapper(op.request_schema) == name:
                changes["input"] = name
            op = _with(op, **changes) if changes else op
        out.append(op)
    return out


def _sub_collections(ops: list[Operation], inferred: Collection[str]) -> list[Operation]:
    """`POST /tickets/{id}/comments` stores comments of the ticket; its read embeds them where it has the array."""
    reads = {op.path: op for op in ops if op.behaviour.action is Action.READ and op.operation_id in inferred}
    embeds: dict[str, dict[str, Any]] = {}
    out = []
    for op in ops:
        b = op.behaviour
        head, _, child = op.path.rpartition("/")
        read = reads.get(head)
        if (op.method == "post" and read is not None and op.operation_id in inferred and not _PARAM.match(child)
                and b.action in (Action.ACTION, Action.CREATE) and _array_property(read, child)):
            params = [m.group(1) for seg in op.path.split("/") if (m := _PARAM.match(seg))]
            op = _with(op, action=Action.CREATE, resource=child, id_param=None, scope=tuple(params), effects=(),
                       respond="generated")
            embeds.setdefault(read.operation_id, {})[child] = {"resource": child, "by": read.behaviour.id_param}
        out.append(op)
    return [_with(op, embed={**op.behaviour.embed, **embeds[op.operation_id]}) if op.operation_id in embeds else op
            for op in out]


def _natural_keys(ops: list[Operation], inferred: Collection[str],
                  schemas: Mapping[str, Mapping[str, Any]]) -> list[Operation]:
    keys: dict[str, str] = {}
    for op in ops:
        b = op.behaviour
        if op.operation_id in inferred and b.action in _ITEM_ACTIONS and b.resource and b.id_param:
            props = (schemas.get(b.resource) or {}).get("properties") or {}
            if props:
                keys.setdefault(b.resource, natural_key(b.id_param, props, b.resource))
    return [_with(op, id_field=keys[op.behaviour.resource or ""])
            if op.operation_id in inferred and keys.get(op.behaviour.resource or "", "id") != "id" else op
            for op in ops]


def _status_verbs(ops: list[Operation], inferred: Collection[str],
                  schemas: Mapping[str, Mapping[str, Any]]) -> list[Operation]:
    read_schemas = {op.behaviour.resource: success_schema(op) for op in ops if op.behaviour.action is Action.READ}
    out = []
    for op in ops:
        b = op.behaviour
        if op.operation_id in inferred and b.action is Action.ACTION and b.resource and not b.effects:
            changes: dict[str, Any] = {}
            verb = re.sub(r"[^a-z]", "", op.path.rstrip("/").rpartition("/")[2].lower())
            props = (schemas.get(b.resource) or {}).get("properties") or {}
            for name, sub in props.items():
                if name.lower().endswith(_STATUS_NAMES) and isinstance(sub, Mapping) and sub.get("enum"):
                    state = verb_state(verb, sub["enum"]) if verb else None
                    if state is not None:
                        changes["effects"] = ({"set": compile_values({name: state}, op.operation_id)},)
                        break
            answer = success_schema(op)
            if answer and answer in (read_schemas.get(b.resource), schemas.get(b.resource)):
                changes["respond"] = "target"
            op = _with(op, **changes) if changes else op
        out.append(op)
    return out


def _wrapper(schema: Mapping[str, Any] | None) -> str | None:
    """The one property of an object schema, when it is itself an object: the envelope's name."""
    props = (schema or {}).get("properties") or {}
    if len(props) != 1:
        return None
    name, sub = next(iter(props.items()))
    return name if isinstance(sub, Mapping) and (sub.get("type") == "object" or "properties" in sub) else None


def _array_property(read: Operation, name: str) -> bool:
    schema = unwrap(success_schema(read), read.behaviour.body) or {}
    sub = (schema.get("properties") or {}).get(name)
    return isinstance(sub, Mapping) and sub.get("type") == "array"


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") else name
