"""What an operation does beyond its own item, step by step, as its `x-mock.effects` list says.

Effects run for `action` operations (on the item the path names), and after a `create` or an `update` (on the item
just created or changed). Their values (`set`, `value`) were compiled at load time (vocabulary.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mock_server.errors import SpecError
from mock_server.expressions import MISSING, Context, evaluate_into
from mock_server.jsontext import copy_json
from mock_server.listing import SCAN_LIMIT, values_equal
from mock_server.messages import MockRequest
from mock_server.models import ApiModel, Operation
from mock_server.pointers import get_pointer, set_pointer
from mock_server.store import Record
from mock_server.uploads import upload_fields

if TYPE_CHECKING:
    from mock_server.engine import Engine

__all__ = ["Outcome", "apply_effects"]

CHILD_LIMIT = SCAN_LIMIT


@dataclass(slots=True)
class Outcome:
    """What the effects produced: records created, and the copy when the target was duplicated."""

    created: list[Record] = field(default_factory=list)
    copy: Record | None = None


async def apply_effects(engine: Engine, api: ApiModel, op: Operation, target: Record,
                        request: MockRequest) -> Outcome:
    """Run each effect in order; the target is saved once at the end if any effect changed it."""
    b = op.behaviour
    resource = b.resource or ""
    id_param = b.id_param or api.item_params.get(resource) or "id"
    body = request.body if isinstance(request.body, Mapping) else {}
    ctx = Context(request, target=target.data)
    outcome = Outcome()
    changed: dict[str, Any] = {}
    last_resource = None
    for effect in b.effects:
        if "create" in effect:
            fields = {**upload_fields(request), **body} if effect.get("from") == "body" else {}
            evaluate_into(fields, effect.get("set") or {}, ctx)
            if "scope" in effect:
                scope = {p: str(request.path_params[p]) for p in effect["scope"] if p in request.path_params}
            else:
                scope = {**{p: str(v) for p, v in request.path_params.items()}, id_param: target.id}
            # A reply stored right after the item it answers (a user message, then the assistant's) is its child.
            last = outcome.created[-1] if outcome.created else None
            previous = last.id if last is not None and last_resource == effect["create"] else None
            record = await engine.items.store_new(api, effect["create"], fields, scope, None, parent_id=previous)
            if record is not None:
                last_resource = effect["create"]
                outcome.created.append(record)
                ctx.created = record.data
                if effect.get("link"):
                    await engine.add_link(api, effect["link"], {id_param: target.id}, record.id)
        elif "clear" in effect:
            for child in await _children(engine, api, effect["clear"], id_param, target.id):
                await engine.store.delete(api.name, effect["clear"], child.id)
        elif effect.get("copy"):
            outcome.copy = await _copy(engine, api, resource, id_param, target, effect.get("children") or ())
        elif "set" in effect:
            evaluate_into(changed, effect["set"], ctx)
        elif "regenerate" in effect:
            props = (api.resource_schemas.get(resource) or {}).get("properties") or {}
            for name in effect["regenerate"]:
                changed[name] = engine.gen.value(props.get(name, {"type": "string"}), name)
        elif effect.get("update") == "body":
            changed.update(body)
        elif "increment" in effect:
            name = effect["increment"]
            changed[name] = int(changed.get(name, target.data.get(name)) or 0) + 1
        elif "add" in effect or "remove" in effect:
            _edit_array(effect, {**target.data, **changed}, changed, ctx)
        elif effect.get("truncate"):
            await _truncate(engine, api, resource, target)
        else:
            raise SpecError(f"{api.name}: {op.operation_id}: unknown x-mock effect {dict(effect)!r}")
    if changed:
        engine.items.merge(api, resource, target, changed)
        await engine.store.put(api.name, resource, target)
    return outcome


def _edit_array(effect: Mapping[str, Any], current: Mapping[str, Any], changed: dict[str, Any], ctx: Context) -> None:
    """`add`: append the values (skipping those whose `key` is already there); `remove`: drop the items whose
    `key` (or whose whole value) equals one of the values."""
    pointer = effect.get("add") or effect.get("remove")
    values = effect["value"](ctx) if "value" in effect else MISSING
    if values is MISSING or values is None or not isinstance(pointer, str):
        return
    values = values if isinstance(values, list) else [values]
    top = pointer.lstrip("/").split("/")[0]
    holder = {top: copy_json(current.get(top))}
    items = get_pointer(holder, pointer)
    items = list(items) if isinstance(items, list) else []
    key = effect.get("key")

    def key_of(item: Any) -> Any:
        return get_pointer(item, key) if key and isinstance(item, Mapping) else item

    if "add" in effect:
        known = [key_of(item) for item in items]
        items += [v for v in values if not any(values_equal(k, key_of(v)) for k in known if k is not None)]
    else:
        unwanted = [key_of(v) if isinstance(v, Mapping) else v for v in values]
        items = [item for item in items if not any(values_equal(key_of(item), u) for u in unwanted)]
    set_pointer(holder, pointer, items)
    changed[top] = holder[top]


async def _truncate(engine: Engine, api: ApiModel, resource: str, target: Record) -> None:
    """Delete the items stored after the target in its own collection (an edit rewinds the conversation)."""
    siblings, _ = await engine.store.list(api.name, resource, target.scope, 0, CHILD_LIMIT)
    later = False
    for sibling in siblings:
        if later:
            await engine.store.delete(api.name, resource, sibling.id)
        later = later or sibling.id == target.id


async def _children(engine: Engine, api: ApiModel, resource: str, by: str, parent_id: str) -> list[Record]:
    records, _ = await engine.store.list(api.name, resource, {by: parent_id}, 0, CHILD_LIMIT)
    return records


async def _copy(engine: Engine, api: ApiModel, resource: str, id_param: str, target: Record,
                children: Any) -> Record | None:
    id_field = api.id_fields.get(resource, "id")
    fields = {k: v for k, v in target.data.items() if k != id_field}
    fields = {k: v for k, v in fields.items() if not k.lower().startswith(("created", "updated", "modified"))}
    copy = await engine.items.store_new(api, resource, fields, dict(target.scope), None)
    if copy is None:
        return None
    for child_resource in children:
        for child in await _children(engine, api, child_resource, id_param, target.id):
            child_id_field = api.id_fields.get(child_resource, "id")
            child_fields = {k: v for k, v in child.data.items() if k != child_id_field}
            await engine.items.store_new(api, child_resource, child_fields, {**child.scope, id_param: copy.id}, None)
    return copy
