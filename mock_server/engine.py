"""The stateful mock: turns a validated request into a response, reading and changing the store.

No web framework here: the web layer hands in a `MockRequest` and sends back the `MockResponse`.
"""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import Mapping
from typing import Any

from mock_server.errors import ConflictError, NotFoundError, ValidationError
from mock_server.generation import FakeGenerator
from mock_server.inference import list_items_schema, success_schema
from mock_server.messages import MockRequest, MockResponse
from mock_server.models import Action, ApiModel, Operation
from mock_server.pagination import PAGING_NAMES, page_fields, read_page
from mock_server.shaping import conform
from mock_server.store import Record, Store

__all__ = ["Engine"]

_CREATED_HINTS = ("created", "added", "inserted")
_UPDATED_HINTS = ("updated", "modified", "changed", "last_")
_FILE_FIELDS = {"filename": ("name", "filename", "file_name", "fileName"),
                "content_type": ("mime_type", "mimeType", "content_type", "contentType", "media_type", "type"),
                "size": ("size", "bytes", "size_bytes", "sizeBytes", "fileSize", "file_size")}


class Engine:
    """Serves every operation of the loaded APIs from one store and one fake-data generator."""

    def __init__(self, apis: Mapping[str, ApiModel], store: Store, seed: int | None, seed_items: int = 3) -> None:
        self.apis = dict(apis)
        self.store = store
        self.seed = seed
        self.seed_items = seed_items
        self.gen = FakeGenerator(seed)
        self._seeded: set[str] = set()
        self._seed_lock = asyncio.Lock()

    # -- entry points ---------------------------------------------------------------------------------------
    async def handle(self, api: ApiModel, op: Operation, request: MockRequest) -> MockResponse:
        """Answer one request whose parameters and body already passed validation."""
        if op.request_required and request.body is None and not request.files:
            raise ValidationError("request body is required")
        await self.ensure_seeded(api)
        handler = {
            Action.CREATE: self._create, Action.READ: self._read, Action.LIST: self._list,
            Action.UPDATE: self._update, Action.DELETE: self._delete, Action.ACTION: self._action,
            Action.STATIC: self._static,
        }[op.behaviour.action]
        return await handler(api, op, request)

    async def reset(self, api_name: str | None = None) -> None:
        """Forget the state of one API (or all) and seed it again, as on a fresh start."""
        await self.store.clear(api_name)
        self.gen = FakeGenerator(self.seed)
        self._seeded = set() if api_name is None else self._seeded - {api_name}
        # Seed now, not on the next request: other instances sharing the store remember they saw it seeded.
        for name in [api_name] if api_name is not None else list(self.apis):
            await self.ensure_seeded(self.apis[name])

    def mark_seeded(self, apis: Mapping[str, ApiModel]) -> None:
        """Imported state replaces seeding: do not add generated items on top of it."""
        self._seeded.update(apis)

    async def ensure_seeded(self, api: ApiModel) -> None:
        """Give each top-level collection a few generated items once (not when the store already has some)."""
        if api.name in self._seeded:
            return
        async with self._seed_lock:
            if api.name in self._seeded:
                return
            self._seeded.add(api.name)
            if self.seed_items <= 0 or not await self.store.claim_seed(api.name):
                return  # another worker process sharing the store seeds it (or already did)
            for resource in _top_level_resources(api):
                _, total = await self.store.list(api.name, resource, {}, 0, 0)
                if total:
                    continue
                for _ in range(self.seed_items):
                    await self._store_new(api, resource, {}, {}, None)

    # -- CRUD -----------------------------------------------------------------------------------------------
    async def _create(self, api: ApiModel, op: Operation, request: MockRequest) -> MockResponse:
        b = op.behaviour
        assert b.resource is not None
        scope = {p: str(request.path_params[p]) for p in b.scope if p in request.path_params}
        await self._check_parents(api, b.resource, scope)
        body = request.body if isinstance(request.body, Mapping) else {}
        fields = {**_file_fields(request), **body}
        for unique in b.unique:
            if unique != b.id_from and unique in fields:
                _, clashes = await self.store.list(api.name, b.resource, scope, 0, 0, {unique: fields[unique]})
                if clashes:
                    raise ConflictError(f"{_singular(b.resource)} with {unique} {fields[unique]!r} already exists")
        new_id = str(body[b.id_from]) if b.id_from and body.get(b.id_from) not in (None, "") else None
        record = await self._store_new(api, b.resource, fields, scope, new_id, id_field=b.id_field)
        if record is None and "409" in op.responses:
            raise ConflictError(f"{_singular(b.resource)} id {new_id!r} already registered")
        if record is None:  # no conflict documented: creating an existing id again updates it
            record = await self.store.get(api.name, b.resource, str(new_id))
            assert record is not None
            self._merge(api, b.resource, record, fields)
            await self.store.put(api.name, b.resource, record)
        return self._respond(api, op, record.data)

    async def _read(self, api: ApiModel, op: Operation, request: MockRequest) -> MockResponse:
        record = await self._target(api, op, request)
        data = dict(record.data)
        outer = await self._embeds(api, op, record, data)
        return self._respond(api, op, data, outer)

    async def _list(self, api: ApiModel, op: Operation, request: MockRequest) -> MockResponse:
        b = op.behaviour
        assert b.resource is not None
        scope = {p: str(request.path_params[p]) for p in b.scope if p in request.path_params}
        await self._check_parents(api, b.resource, scope)
        schema = success_schema(op)
        items_prop, item_schema = list_items_schema(schema, b.items)
        where = _filters(op, request, item_schema)
        page = read_page(op, request.query)
        records, total = await self.store.list(api.name, b.resource, scope, page.offset, page.limit, where)
        items = [conform(r.data, item_schema, self.gen) for r in records]
        if schema is None:
            return MockResponse(op.success_status, items)
        if items_prop is None:
            return MockResponse(op.success_status, conform(items, schema, self.gen))
        body = {items_prop: items, **page_fields(schema, page, len(items), total)}
        return MockResponse(op.success_status, conform(body, schema, self.gen), _json_media(op))

    async def _update(self, api: ApiModel, op: Operation, request: MockRequest) -> MockResponse:
        record = await self._target(api, op, request)
        body = request.body if isinstance(request.body, Mapping) else {}
        self._merge(api, op.behaviour.resource, record, body)
        await self.store.put(api.name, op.behaviour.resource or "", record)
        return self._respond(api, op, record.data)

    async def _delete(self, api: ApiModel, op: Operation, request: MockRequest) -> MockResponse:
        record = await self._target(api, op, request)
        await self.store.delete(api.name, op.behaviour.resource or "", record.id)
        return self._respond(api, op, record.data)

    async def _action(self, api: ApiModel, op: Operation, request: MockRequest) -> MockResponse:
        from mock_server.effects import apply_effects

        target = await self._target(api, op, request)
        outcome = await apply_effects(self, api, op, target, request)
        respond = op.behaviour.respond
        if respond.startswith("created") and outcome.created:
            chosen = outcome.created[0] if respond == "created:first" else outcome.created[-1]
            return self._respond(api, op, chosen.data)
        if respond in ("target", "copy"):
            record = outcome.copy if respond == "copy" and outcome.copy else target
            data = dict(record.data)
            outer = await self._embeds(api, op, record, data)
            return self._respond(api, op, data, outer)
        return await self._static(api, op, request)

    async def _static(self, api: ApiModel, op: Operation, request: MockRequest) -> MockResponse:
        schema = success_schema(op)
        if schema is None:
            return self._without_json(op)
        body = self.gen.value(schema)
        if isinstance(body, dict):
            for name, count in op.behaviour.counts.items():
                _, body[name] = await self.store.list(api.name, count.get("resource", ""), {}, 0, 0,
                                                      count.get("where"))
        return MockResponse(op.success_status, conform(body, schema, self.gen), _json_media(op))

    # -- helpers used by effects too ------------------------------------------------------------------------
    async def _target(self, api: ApiModel, op: Operation, request: MockRequest) -> Record:
        b = op.behaviour
        raw_id = request.path_params.get(b.id_param or "")
        record = await self.store.get(api.name, b.resource or "", str(raw_id)) if raw_id is not None else None
        if record is None or any(str(request.path_params.get(p)) != v for p, v in record.scope.items()
                                 if p in b.scope and p in request.path_params):
            raise NotFoundError(f"{_singular(b.resource or 'resource')} {raw_id!r} not found", field=b.id_param)
        return record

    async def _check_parents(self, api: ApiModel, resource: str, scope: Mapping[str, str]) -> None:
        for param, value in scope.items():
            parent = api.id_params.get(param)
            if parent and parent != resource and await self.store.get(api.name, parent, value) is None:
                raise NotFoundError(f"{_singular(parent)} {value!r} not found", field=param)

    async def _store_new(self, api: ApiModel, resource: str, fields: Mapping[str, Any], scope: Mapping[str, str],
                         new_id: str | None, id_field: str = "id") -> Record | None:
        """Generate a full resource, keep the client's fields, link it to its parents, and insert it."""
        schema = api.resource_schemas.get(resource) or {}
        props: Mapping[str, Any] = schema.get("properties") or {}
        stamped = [key for key, sub in props.items()
                   if key not in fields and _is_time(sub) and key.lower().startswith(_CREATED_HINTS + _UPDATED_HINTS)]
        # The client's values win, and the server's own timestamps are set below: neither is worth generating.
        omit = frozenset(key for key in fields if key in props) | frozenset(stamped)
        data = self.gen.value(schema, _singular(resource), omit=omit) if schema else {}
        if not isinstance(data, dict):
            data = {}
        for key, value in fields.items():
            if key in props or not props:
                data[key] = value
        for param, value in scope.items():
            for name in _link_names(param, api.id_params.get(param)):
                if name in props:
                    data[name] = _typed_id(value, props[name])
            parent = api.id_params.get(param)
            summary = props.get(_singular(parent)) if parent else None
            if summary and summary.get("type") == "object" and parent != resource:
                parent_record = await self.store.get(api.name, parent, value)  # type: ignore[arg-type]
                if parent_record is not None:  # an embedded summary of the parent, e.g. a chat's `ai`
                    data[_singular(parent)] = conform(parent_record.data, summary, self.gen)  # type: ignore[arg-type]
        if new_id is None:
            new_id = str(data.get(id_field)) if data.get(id_field) is not None else self.gen.uuid()
        if id_field in props or not props:
            data[id_field] = _typed_id(new_id, props.get(id_field))
        now = self.gen.timestamp()
        for key in stamped:
            data[key] = now
        record = Record(id=new_id, data=conform(data, schema, self.gen) if schema else data, scope=dict(scope))
        return record if await self.store.insert(api.name, resource, record) else None

    def _merge(self, api: ApiModel, resource: str | None, record: Record, fields: Mapping[str, Any]) -> None:
        schema = api.resource_schemas.get(resource or "") or {}
        props: Mapping[str, Any] = schema.get("properties") or {}
        for key, value in fields.items():
            if key in props or not props:
                record.data[key] = value
        now = self.gen.timestamp()
        for key, sub in props.items():
            if key not in fields and _is_time(sub) and key.lower().startswith(_UPDATED_HINTS):
                record.data[key] = now
        if schema:
            record.data = conform(record.data, schema, self.gen)

    async def _embeds(self, api: ApiModel, op: Operation, record: Record, data: dict[str, Any]) -> dict[str, Any]:
        """Child collections listed in `embed`, placed where the response schema has them."""
        outer: dict[str, Any] = {}
        top = success_schema(op) or {}
        for prop, spec in op.behaviour.embed.items():
            by = spec.get("by") or op.behaviour.id_param or ""
            children, _ = await self.store.list(api.name, spec.get("resource", ""), {by: record.id}, 0, 1000)
            values = [c.data for c in children]
            if op.behaviour.body and prop in (top.get("properties") or {}):
                outer[prop] = values
            else:
                data[prop] = values
        return outer

    def _respond(self, api: ApiModel, op: Operation, data: Mapping[str, Any],
                 outer: Mapping[str, Any] | None = None) -> MockResponse:
        schema = success_schema(op)
        if schema is None:
            return self._without_json(op)
        body: Any = {op.behaviour.body: data, **(outer or {})} if op.behaviour.body else data
        return MockResponse(op.success_status, conform(body, schema, self.gen), _json_media(op))

    def _without_json(self, op: Operation) -> MockResponse:
        """A success response with no JSON body: no content (204), or generated bytes of its media type."""
        response = op.response_for(op.success_status)
        if response is None or not response.content:
            return MockResponse(op.success_status, None, None)
        media = next(iter(response.content))
        return MockResponse(op.success_status, self._binary(media), media)

    def _binary(self, media_type: str) -> bytes:
        if "zip" in media_type:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                archive.writestr("README.md", f"# {self.gen.faker.catch_phrase()}\n\n{self.gen.paragraph()}\n")
            return buffer.getvalue()
        return self.gen.paragraph().encode()


def _top_level_resources(api: ApiModel) -> list[str]:
    """Resources listed by an operation with no path parameters: what a frontend shows first."""
    found: list[str] = []
    for op in api.operations:
        b = op.behaviour
        if b.action is Action.LIST and not b.scope and not op.path_params and b.resource not in found:
            found.append(b.resource)  # type: ignore[arg-type]
    return [r for r in found if r in api.resource_schemas]


def _filters(op: Operation, request: MockRequest, item_schema: Any) -> dict[str, Any]:
    """Query parameters that name a field of the listed items filter by equality."""
    props = (item_schema or {}).get("properties") or {}
    return {p.name: request.query[p.name] for p in op.parameters
            if p.location == "query" and p.name in props and p.name.lower() not in PAGING_NAMES
            and request.query.get(p.name) is not None and not isinstance(request.query[p.name], (list, dict))}


def _file_fields(request: MockRequest) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for upload in request.files[:1]:
        for attr, names in _FILE_FIELDS.items():
            value = getattr(upload, attr)
            if value is not None:
                for name in names:
                    out.setdefault(name, value)
    return out


def _link_names(param: str, parent: str | None) -> list[str]:
    names = [param]
    if parent:
        singular = _singular(parent)
        names += [f"{singular}_id", f"{singular}Id"]
    return names


def _typed_id(value: str, schema: Mapping[str, Any] | None) -> Any:
    if schema and schema.get("type") == "integer" and value.isdigit():
        return int(value)
    return value


def _is_time(schema: Mapping[str, Any]) -> bool:
    return schema.get("type") == "string" and schema.get("format") == "date-time"


def _json_media(op: Operation) -> str:
    response = op.response_for(op.success_status)
    return (response.json_media_type if response else None) or "application/json"


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") else name

