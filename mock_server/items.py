"""New items: generated where the client said nothing, the client's fields kept, linked to their parents, with
references that point at stored items and ids that never collide; and changes merged into stored items."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mock_server.coherence import new_item_omit, shape_new
from mock_server.generation import FakeGenerator
from mock_server.listing import SCAN_LIMIT
from mock_server.models import Action, ApiModel
from mock_server.references import Reference, reference_fields, self_arrays
from mock_server.shaping import conform
from mock_server.store import Record, Store

if TYPE_CHECKING:
    from mock_server.engine import Engine

__all__ = ["Items", "singular", "stored_names"]

_CREATED_HINTS = ("created", "added", "inserted")
_UPDATED_HINTS = ("updated", "modified", "changed", "last_")
_ID_ATTEMPTS = 50


class Items:
    """Makes and stores the items of every API of one engine (whose generator a reset replaces)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._next_ids: dict[tuple[str, str], int] = {}  # (api, resource) -> the next integer id
        self._references: dict[tuple[str, str], tuple[tuple[Reference, ...], tuple[str, ...]]] = {}

    @property
    def gen(self) -> FakeGenerator:
        return self._engine.gen

    @property
    def store(self) -> Store:
        return self._engine.store

    def forget_ids(self, api_name: str | None = None) -> None:
        """Count integer ids from the store again (after a reset or an import)."""
        self._next_ids = {k: v for k, v in self._next_ids.items() if api_name is not None and k[0] != api_name}

    async def store_new(self, api: ApiModel, resource: str, fields: Mapping[str, Any], scope: Mapping[str, str],
                         new_id: str | None, id_field: str | None = None, *, parent_id: str | None = None,
                         seeded: Mapping[str, list[str]] | None = None, seed_index: int = 0) -> Record | None:
        """Generate a full resource, keep the client's fields, link it to its parents, and insert it (None: the
        id is taken)."""
        id_field = id_field or api.id_fields.get(resource, "id")
        record = await self.build(api, resource, fields, scope, new_id, id_field=id_field,
                                  parent_id=parent_id, seeded=seeded, seed_index=seed_index)
        client_id = new_id is not None or fields.get(id_field) not in (None, "")
        if not await self.insert(api, resource, record, id_field, retry=not client_id):
            return None
        if parent_id is not None:
            await self._add_to_parent(api, resource, parent_id, record)
        return record

    async def build(self, api: ApiModel, resource: str, fields: Mapping[str, Any], scope: Mapping[str, str],
                         new_id: str | None, id_field: str = "id", *, parent_id: str | None = None,
                         seeded: Mapping[str, list[str]] | None = None, seed_index: int = 0) -> Record:
        """A new record (not stored): generated fields, the client's fields, links to the parents in `scope`."""
        schema = api.resource_schemas.get(resource) or {}
        props: Mapping[str, Any] = schema.get("properties") or {}
        fields = stored_names(fields, props)
        stamped = [key for key in _shape(props).stamps if key not in fields]
        # The client's values win, and the server's own timestamps are set below: neither is worth generating.
        omit = frozenset(key for key in fields if key in props) | frozenset(stamped) | new_item_omit(api, resource)
        data = self.gen.value(schema, singular(resource), omit=omit) if schema else {}
        if not isinstance(data, dict):
            data = {}
        await shape_new(self._engine, api, resource, data, fields, new_id, id_field)  # fresh items (coherence.py)
        for key, value in fields.items():
            if key in props or not props:
                data[key] = value
        linked: set[str] = set(fields)
        for param, value in scope.items():
            for name in _link_names(param, api.id_params.get(param)):
                if name in props and name != id_field:
                    data[name] = _typed_id(value, props[name])
                    linked.add(name)
            parent = api.id_params.get(param)
            summary = props.get(singular(parent)) if parent else None
            if summary and summary.get("type") == "object" and parent != resource:
                parent_record = await self.store.get(api.name, parent, value)  # type: ignore[arg-type]
                if parent_record is not None:  # an embedded summary of the parent, e.g. a chat's `ai`
                    data[singular(parent)] = conform(parent_record.data, summary, self.gen)  # type: ignore[arg-type]
        if schema and any(self._reference_rules(api, resource, schema)):
            await self._point_references(api, resource, schema, data, linked, parent_id, seeded, seed_index)
        id_schema = _schema(props.get(id_field))
        if new_id is None and fields.get(id_field) not in (None, ""):
            new_id = str(fields[id_field])
        if new_id is None and id_schema is not None and id_schema.get("type") == "integer":
            new_id = str(await self._next_id(api, resource, id_field))
        if new_id is None:
            generated = data.get(id_field)
            new_id = str(generated) if generated not in (None, "") else self.gen.uuid()
        if id_field in props or not props:
            data[id_field] = _typed_id(new_id, id_schema)
        now = self.gen.timestamp()
        for key in stamped:
            data[key] = now
        return Record(id=new_id, data=conform(data, schema, self.gen) if schema else data, scope=dict(scope))

    async def insert(self, api: ApiModel, resource: str, record: Record, id_field: str, retry: bool) -> bool:
        """Insert; a generated id that is taken is replaced by a fresh one (a client's id is never changed)."""
        if await self.store.insert(api.name, resource, record):
            return True
        if not retry:
            return False
        id_schema = _schema(((api.resource_schemas.get(resource) or {}).get("properties") or {}).get(id_field))
        original = record.id
        for _ in range(_ID_ATTEMPTS):
            if id_schema is not None and id_schema.get("type") == "integer":
                self._next_ids.pop((api.name, resource), None)  # another process took it: count from the store
                record.id = str(await self._next_id(api, resource, id_field))
            elif id_field == "id":
                record.id = self.gen.uuid()
            else:  # a generated natural key (a slug, a name): keep it readable
                record.id = f"{original}-{self.gen.uuid()[:8]}"
            if id_field in record.data:
                record.data[id_field] = _typed_id(record.id, id_schema)
            if await self.store.insert(api.name, resource, record):
                return True
        return False

    async def _next_id(self, api: ApiModel, resource: str, id_field: str) -> int:
        """Integer ids increase: one past the largest stored (read from the store once, then counted here)."""
        key = (api.name, resource)
        if key not in self._next_ids:
            records, _ = await self.store.list(api.name, resource, {}, 0, SCAN_LIMIT)
            stored = [r.data.get(id_field) for r in records]
            self._next_ids[key] = max([v for v in stored if isinstance(v, int) and not isinstance(v, bool)],
                                      default=0) + 1
        value = self._next_ids[key]
        self._next_ids[key] = value + 1
        return value

    async def _point_references(self, api: ApiModel, resource: str, schema: Mapping[str, Any],
                                data: dict[str, Any], given: set[str], parent_id: str | None,
                                seeded: Mapping[str, list[str]] | None, seed_index: int) -> None:
        """Generated ids of other items point at stored ones, or are left out; a new item is a root."""
        refs, arrays = self._reference_rules(api, resource, schema)
        for name in arrays:
            if name not in given:
                data[name] = []
        for ref in refs:
            if ref.field in given:
                continue
            props = schema.get("properties") or {}
            chosen: str | None = None
            if ref.target == resource:
                chosen = parent_id
            elif seeded is not None and seeded.get(ref.target):
                chosen = seeded[ref.target][seed_index % len(seeded[ref.target])]
            elif ref.required:
                existing, _ = await self.store.list(api.name, ref.target, {}, 0, 1)
                chosen = existing[0].id if existing else None
            if chosen is not None:
                data[ref.field] = _typed_id(chosen, props.get(ref.field))
            elif ref.nullable:
                data[ref.field] = None
            elif not ref.required:
                data.pop(ref.field, None)

    def _reference_rules(self, api: ApiModel, resource: str,
                         schema: Mapping[str, Any]) -> tuple[tuple[Reference, ...], tuple[str, ...]]:
        key = (api.name, resource)
        rules = self._references.get(key)
        if rules is None:
            # Arrays of child items (a tree's own children, or a child collection a read embeds) start empty:
            # generated children would be items that do not exist.
            embedded = {prop for op in api.operations if op.behaviour.resource == resource
                        and op.behaviour.action is Action.READ for prop in op.behaviour.embed}
            arrays = tuple(dict.fromkeys([*self_arrays(schema), *sorted(embedded)]))
            rules = self._references[key] = (reference_fields(resource, schema, api.resource_schemas), arrays)
        return rules

    async def _add_to_parent(self, api: ApiModel, resource: str, parent_id: str, child: Record) -> None:
        """A seeded child appears in its parent's own array of children (`children: [...]`)."""
        schema = api.resource_schemas.get(resource) or {}
        arrays = self._reference_rules(api, resource, schema)[1]
        parent = await self.store.get(api.name, resource, parent_id) if arrays else None
        if parent is None:
            return
        for name in arrays:
            items_schema = (schema["properties"][name]).get("items")
            parent.data[name] = [*(parent.data.get(name) or []), conform(child.data, items_schema, self.gen)]
        await self.store.put(api.name, resource, parent)

    def merge(self, api: ApiModel, resource: str | None, record: Record, fields: Mapping[str, Any]) -> None:
        schema = api.resource_schemas.get(resource or "") or {}
        props: Mapping[str, Any] = schema.get("properties") or {}
        fields = stored_names(fields, props)
        for key, value in fields.items():
            if key in props or not props:
                record.data[key] = value
        now = self.gen.timestamp()
        for key in _shape(props).updated:
            if key not in fields:
                record.data[key] = now
        if schema:
            record.data = conform(record.data, schema, self.gen)


def stored_names(fields: Mapping[str, Any], props: Mapping[str, Any]) -> Mapping[str, Any]:
    """The client's fields under the stored schema's names: a request field the schema lacks is the property it
    names in another case style (`SinkType` or `sink-type` for `sink_type`), as APIs whose forms use one style and
    whose JSON uses another store it. Unchanged (the same object) when every field is a property already."""
    if not props or all(key in props for key in fields):
        return fields
    renamed: dict[str, Any] = {}
    for key, value in fields.items():
        target = key if key in props else _property_named(key, props)
        if target is not None and target != key and target in fields:
            target = key  # the client sent both spellings: its exact one wins
        renamed.setdefault(target or key, value)
    return renamed


def _property_named(key: str, props: Mapping[str, Any]) -> str | None:
    matches = _shape(props).spellings.get(_plain(key), ())
    return matches[0] if len(matches) == 1 else None


@dataclass(frozen=True, slots=True)
class _Shape:
    """What making and updating items read of a stored schema's properties, worked out once per schema."""

    stamps: tuple[str, ...]  # the server's timestamps: date-time properties named created*/updated*
    updated: tuple[str, ...]  # those an update sets again
    spellings: Mapping[str, tuple[str, ...]]  # a name without case style -> the properties spelled so


_SHAPES: dict[int, tuple[Mapping[str, Any], _Shape]] = {}  # id(props) -> (props, shape); schemas live as long


def _shape(props: Mapping[str, Any]) -> _Shape:
    found = _SHAPES.get(id(props))
    if found is not None and found[0] is props:
        return found[1]
    times = [key for key, sub in props.items() if isinstance(sub, Mapping) and _is_time(sub)]
    spellings: dict[str, tuple[str, ...]] = {}
    for name in props:
        spellings[_plain(name)] = (*spellings.get(_plain(name), ()), name)
    shape = _Shape(
        stamps=tuple(key for key in times if key.lower().startswith(_CREATED_HINTS + _UPDATED_HINTS)),
        updated=tuple(key for key in times if key.lower().startswith(_UPDATED_HINTS)),
        spellings=spellings,
    )
    if len(_SHAPES) > 10_000:  # a caller passing a new dict each time must not grow this without end
        _SHAPES.clear()
    _SHAPES[id(props)] = (props, shape)
    return shape


def _plain(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


def _link_names(param: str, parent: str | None) -> list[str]:
    names = [param]
    if parent:
        one = singular(parent)
        names += [f"{one}_id", f"{one}Id"]
    return names


def _schema(value: Any) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


def _typed_id(value: str, schema: Mapping[str, Any] | None) -> Any:
    if schema and schema.get("type") == "integer" and value.lstrip("-").isdigit():
        return int(value)
    return value


def _is_time(schema: Mapping[str, Any]) -> bool:
    return schema.get("type") == "string" and schema.get("format") == "date-time"


def singular(name: str) -> str:
    return name[:-1] if name.endswith("s") else name
