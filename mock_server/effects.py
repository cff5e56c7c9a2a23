"""What an `action` operation does to its target, step by step, as its `x-mock.effects` list says."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mock_server.errors import SpecError
from mock_server.messages import MockRequest
from mock_server.models import ApiModel, Operation
from mock_server.store import Record

if TYPE_CHECKING:
    from mock_server.engine import Engine

__all__ = ["Outcome", "apply_effects"]

CHILD_LIMIT = 10_000


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
    id_param = b.id_param or "id"
    body = request.body if isinstance(request.body, Mapping) else {}
    outcome = Outcome()
    changed: dict[str, Any] = {}
    for effect in b.effects:
        if "create" in effect:
            fields = dict(body) if effect.get("from") == "body" else {}
            fields.update(effect.get("set") or {})
            scope = {**{p: str(v) for p, v in request.path_params.items()}, id_param: target.id}
            record = await engine._store_new(api, effect["create"], fields, scope, None)
            if record is not None:
                outcome.created.append(record)
        elif "clear" in effect:
            for child in await _children(engine, api, effect["clear"], id_param, target.id):
                await engine.store.delete(api.name, effect["clear"], child.id)
        elif effect.get("copy"):
            outcome.copy = await _copy(engine, api, resource, id_param, target, effect.get("children") or ())
        elif "set" in effect:
            changed.update(effect["set"])
        elif "regenerate" in effect:
            props = (api.resource_schemas.get(resource) or {}).get("properties") or {}
            for name in effect["regenerate"]:
                changed[name] = engine.gen.value(props.get(name, {"type": "string"}), name)
        elif effect.get("update") == "body":
            changed.update(body)
        elif "increment" in effect:
            name = effect["increment"]
            changed[name] = int(target.data.get(name) or 0) + 1
        else:
            raise SpecError(f"{api.name}: {op.operation_id}: unknown x-mock effect {dict(effect)!r}")
    if changed:
        engine._merge(api, resource, target, changed)
        await engine.store.put(api.name, resource, target)
    return outcome


async def _children(engine: Engine, api: ApiModel, resource: str, by: str, parent_id: str) -> list[Record]:
    records, _ = await engine.store.list(api.name, resource, {by: parent_id}, 0, CHILD_LIMIT)
    return records


async def _copy(engine: Engine, api: ApiModel, resource: str, id_param: str, target: Record,
                children: Any) -> Record | None:
    fields = {k: v for k, v in target.data.items() if k != "id"}
    fields = {k: v for k, v in fields.items() if not k.lower().startswith(("created", "updated", "modified"))}
    copy = await engine._store_new(api, resource, fields, dict(target.scope), None)
    if copy is None:
        return None
    for child_resource in children:
        for child in await _children(engine, api, child_resource, id_param, target.id):
            child_fields = {k: v for k, v in child.data.items() if k != "id"}
            await engine._store_new(api, child_resource, child_fields, {**child.scope, id_param: copy.id}, None)
    return copy
