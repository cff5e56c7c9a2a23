"""The stateful mock: turns a validated request into a response, reading and changing the store.

No web framework here: the web layer hands in a `MockRequest` and sends back the `MockResponse`.
"""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from mock_server.coherence import agree, answering, hold_reply
from mock_server.errors import ConflictError, NotFoundError, ValidationError
from mock_server.expressions import Context, evaluate_into
from mock_server.generation import FakeGenerator
from mock_server.items import Items, singular
from mock_server.listing import SCAN_LIMIT
from mock_server.messages import MockRequest, MockResponse
from mock_server.models import Action, ApiModel, Behaviour, Operation
from mock_server.pagination import PAGING_NAMES, page_fields, read_page
from mock_server.pointers import remove_pointer, set_pointer
from mock_server.replies import Reply
from mock_server.seeding import seeding_generator
from mock_server.shapes import list_items_schema, success_schema
from mock_server.shaping import conform
from mock_server.store import Record, Store
from mock_server.uploads import keep_upload, stored_upload, upload_fields
from mock_server.vocabulary import matches

__all__ = ["Engine"]



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
        self.items = Items(self)

    # -- entry points ---------------------------------------------------------------------------------------
    async def handle(self, api: ApiModel, op: Operation, request: MockRequest,
                     reply: Reply | None = None) -> MockResponse:
        """Answer one request whose parameters and body already passed validation; `reply` is a scripted reply
        (a stub's), written where the operation's generated reply would be."""
        if op.request_required and request.body is None and not request.files:
            raise ValidationError("request body is required")
        await self.ensure_seeded(api)
        handler = {
            Action.CREATE: self._create, Action.READ: self._read, Action.LIST: self._list,
            Action.UPDATE: self._update, Action.DELETE: self._delete, Action.ACTION: self._action,
            Action.LINK: self._link, Action.STATIC: self._static,
        }[op.behaviour.action]
        async with answering(self, api, op, request, reply):  # items created now are new (coherence.py)
            response = await handler(api, op, request)
        return agree(self, api, op, request, response, reply)

    async def reset(self, api_name: str | None = None) -> None:
        """Forget the state of one API (or all) and seed it again, as on a fresh start."""
        await self.store.clear(api_name)
        self.gen = FakeGenerator(self.seed)
        self._seeded = set() if api_name is None else self._seeded - {api_name}
        self.items.forget_ids(api_name)
        # Seed now, not on the next request: other instances sharing the store remember they saw it seeded.
        for name in [api_name] if api_name is not None else list(self.apis):
            await self.ensure_seeded(self.apis[name])

    def mark_seeded(self, apis: Mapping[str, ApiModel]) -> None:
        """Imported state replaces seeding: do not add generated items on top of it."""
        self._seeded.update(apis)
        self.items.forget_ids()  # imported items may hold any integer ids

    async def ensure_seeded(self, api: ApiModel) -> None:
        """Give each top-level collection a few generated items once (not when the store already has some).

        Parents are seeded first, and each seeded child is put under one of them (round robin), so every seeded
        reference points at a stored item; of a tree's items (a self-reference such as `parent_id`), every
        other one is a root.
        """
        if api.name in self._seeded:
            return
        async with self._seed_lock:
            if api.name in self._seeded:
                return
            self._seeded.add(api.name)
            if self.seed_items <= 0 or not await self.store.claim_seed(api.name):
                return  # another worker process sharing the store seeds it (or already did)
            with seeding_generator(self, api.name):  # the same data whenever the API is seeded (seeding.py)
                await self._seed(api)

    async def _seed(self, api: ApiModel) -> None:
        seeded: dict[str, list[str]] = {}
        for step in api.seeding:
            existing, total = await self.store.list(api.name, step.resource, {}, 0, self.seed_items)
            if total:
                seeded[step.resource] = [r.id for r in existing]
                continue
            ids: list[str] = []
            for index in range(self.seed_items):
                scope = {param: seeded[parent][index % len(seeded[parent])]
                         for param, parent in step.parents if seeded.get(parent)}
                parent_id = ids[index - 1] if index % 2 == 1 else None  # odd items: children of the one before
                record = await self.items.store_new(api, step.resource, {}, scope, None, parent_id=parent_id,
                                                    seeded=seeded, seed_index=index)
                if record is not None:
                    ids.append(record.id)
            seeded[step.resource] = ids

    # -- CRUD -----------------------------------------------------------------------------------------------
    async def _create(self, api: ApiModel, op: Operation, request: MockRequest) -> MockResponse:
        b = op.behaviour
        assert b.resource is not None
        ctx = Context(request)
        if b.cases:
            b = _variant(b, ctx)
        scope = {p: str(request.path_params[p]) for p in b.scope if p in request.path_params}
        await self._check_parents(api, b.resource, scope)
        fields = self._input_fields(b, request)
        if b.set:
            evaluate_into(fields, b.set, ctx)
        for unique in b.unique:
            if unique != b.id_from and unique in fields:
                _, clashes = await self.store.list(api.name, b.resource, scope, 0, 0, {unique: fields[unique]})
                if clashes:
                    raise ConflictError(f"{singular(b.resource)} with {unique} {fields[unique]!r} already exists")
        chosen = b.id_from and fields.get(b.id_from) not in (None, "")
        new_id = str(fields[b.id_from]) if chosen else None  # type: ignore[index]
        record = await self.items.build(api, b.resource, fields, scope, new_id, id_field=b.id_field)
        client_id = chosen or fields.get(b.id_field) not in (None, "")
        inserted = await self.items.insert(api, b.resource, record, b.id_field, retry=not client_id)
        status = op.success_status
        if not inserted:
            if "409" in op.responses:
                raise ConflictError(f"{singular(b.resource)} id {record.id!r} already registered")
            # No conflict documented: creating an existing id again replaces what the client sent.
            existing = await self.store.get(api.name, b.resource, record.id)
            if existing is None:  # deleted in between: store it now
                await self.store.put(api.name, b.resource, record)
            else:
                self.items.merge(api, b.resource, existing, fields)
                await self.store.put(api.name, b.resource, existing)
                record = existing
        if request.files:
            await keep_upload(self.store, api.name, b.resource, record.id, request)
        if b.effects:
            from mock_server.effects import apply_effects

            await apply_effects(self, api, replace(op, behaviour=b), record, request)
        ctx.created = ctx.target = record.data
        return self._respond(api, op, record.data, behaviour=b, ctx=ctx, status=status)

    async def _read(self, api: ApiModel, op: Operation, request: MockRequest) -> MockResponse:
        b = op.behaviour
        try:
            record = await self._target(api, op, request)
        except NotFoundError:
            if not b.upsert:
                raise
            record = await self._materialize(api, op, request)
        if hold_reply(self, api, op, record.data):  # a scripted reply: the item holds it from now on
            await self.store.put(api.name, b.resource or "", record)
        schema = success_schema(op)
        if schema is None:
            upload = await stored_upload(self.store, api.name, op, record.id)
            if upload is not None:
                return upload
        data = dict(record.data)
        outer = await self._embeds(api, op, record, data) if b.embed else None
        if not (b.fill or b.omit or b.cases):  # the common read: nothing to evaluate
            return self._respond(api, op, data, outer, schema=schema)
        ctx = Context(request, target=record.data)
        return self._respond(api, op, data, outer, behaviour=_variant(b, ctx), ctx=ctx, schema=schema)

    async def _materialize(self, api: ApiModel, op: Operation, request: MockRequest) -> Record:
        """An item the API reads but never creates (its ids are minted elsewhere) exists from its first read on,
        and stays the same on every read after."""
        b = op.behaviour
        scope = {p: str(request.path_params[p]) for p in b.scope if p in request.path_params}
        item_id = str(request.path_params.get(b.id_param or ""))
        record = await self.items.store_new(api, b.resource or "", {}, scope, item_id, id_field=b.id_field)
        if record is None:  # created by a concurrent read
            record = await self.store.get(api.name, b.resource or "", item_id)
        if record is None:
            raise NotFoundError(f"{singular(b.resource or 'resource')} {item_id!r} not found", field=b.id_param)
        return record

    async def _list(self, api: ApiModel, op: Operation, request: MockRequest) -> MockResponse:
        b = op.behaviour
        assert b.resource is not None
        scope = {p: str(request.path_params[p]) for p in b.scope if p in request.path_params}
        await self._check_parents(api, b.via or b.resource, scope)
        schema = success_schema(op)
        items_prop, item_schema = list_items_schema(schema, b.items)
        page = read_page(op, request.query)
        rules = b.listing
        where = _filters(op, request, item_schema, rules.params if rules is not None else frozenset())
        if rules is not None and rules.active(request.query):
            found = await self._scan(api, b, scope, where)
            chosen = rules.select(found, request.query)
            records, total = chosen[page.offset: page.offset + page.limit], len(chosen)
        elif b.via:
            links, total = await self.store.list(api.name, b.via, scope, page.offset, page.limit, where or None)
            records = await self._linked(api, b.resource, links)
        else:
            records, total = await self.store.list(api.name, b.resource, scope, page.offset, page.limit, where)
        items = [self._listed(b, r.data, request, item_schema) for r in records] if b.each else \
            [conform(r.data, item_schema, self.gen) for r in records]
        if schema is None:
            return MockResponse(op.success_status, items)
        if items_prop is None:
            return MockResponse(op.success_status, conform(items, schema, self.gen))
        body = {items_prop: items, **page_fields(schema, page, len(items), total)}
        for prop, spec in b.embed.items():
            by = spec.get("by") or ""
            children, _ = await self.store.list(api.name, spec.get("resource", ""), {by: scope.get(by, "")}, 0,
                                                SCAN_LIMIT)
            body[prop] = [c.data for c in children]
        if b.fill:
            evaluate_into(body, b.fill, Context(request))
        return MockResponse(op.success_status, conform(body, schema, self.gen), _json_media(op))

    async def _update(self, api: ApiModel, op: Operation, request: MockRequest) -> MockResponse:
        b = op.behaviour
        try:
            record = await self._target(api, op, request)
        except NotFoundError:
            if not b.upsert:
                raise
            created = await self._create(api, replace(op, behaviour=replace(b, action=Action.CREATE, id_from=None)),
                                         _with_id(request, b))
            if "201" in op.responses:
                created.status = 201
            return created
        ctx = Context(request, target=record.data)
        b = _variant(b, ctx)
        fields = self._input_fields(b, request, files=False)
        evaluate_into(fields, b.set, ctx)
        self.items.merge(api, b.resource, record, fields)
        await self.store.put(api.name, b.resource or "", record)
        if b.effects:
            from mock_server.effects import apply_effects

            await apply_effects(self, api, replace(op, behaviour=b), record, request)
        ctx.target = record.data
        return self._respond(api, op, record.data, behaviour=b, ctx=ctx)

    async def _delete(self, api: ApiModel, op: Operation, request: MockRequest) -> MockResponse:
        record = await self._target(api, op, request)
        await self.store.delete(api.name, op.behaviour.resource or "", record.id)
        return self._respond(api, op, record.data, ctx=Context(request, target=record.data))

    async def _action(self, api: ApiModel, op: Operation, request: MockRequest) -> MockResponse:
        from mock_server.effects import apply_effects

        target = await self._target(api, op, request)
        ctx = Context(request, target=target.data)
        b = _variant(op.behaviour, ctx)
        if b is not op.behaviour:
            op = replace(op, behaviour=b)
        outcome = await apply_effects(self, api, op, target, request)
        ctx.target = target.data
        if outcome.created:
            ctx.created = outcome.created[-1].data
        respond = b.respond
        if respond.startswith("created") and outcome.created:
            chosen = outcome.created[0] if respond == "created:first" else outcome.created[-1]
            return self._respond(api, op, chosen.data, ctx=ctx)
        if respond in ("target", "copy"):
            record = outcome.copy if respond == "copy" and outcome.copy else target
            data = dict(record.data)
            outer = await self._embeds(api, op, record, data)
            return self._respond(api, op, data, outer, ctx=ctx)
        return await self._static(api, op, request, ctx)

    async def _link(self, api: ApiModel, op: Operation, request: MockRequest) -> MockResponse:
        """Attach an existing item to the path's parent: the parent's list (`via` the links) then shows it."""
        b = op.behaviour
        assert b.resource is not None and b.links is not None and b.id_from is not None
        scope = {p: str(request.path_params[p]) for p in b.scope if p in request.path_params}
        await self._check_parents(api, b.links, scope)
        body = request.body if isinstance(request.body, Mapping) else {}
        wanted = body.get(b.id_from)
        record = await self.store.get(api.name, b.resource, str(wanted)) if wanted not in (None, "") else None
        if record is None:
            raise NotFoundError(f"{singular(b.resource)} {wanted!r} not found", field=b.id_from)
        await self.add_link(api, b.links, scope, record.id)
        ctx = Context(request, target=record.data, created=record.data)
        return self._respond(api, op, record.data, ctx=ctx)

    async def _static(self, api: ApiModel, op: Operation, request: MockRequest,
                      ctx: Context | None = None) -> MockResponse:
        schema = success_schema(op)
        if schema is None:
            return self._without_json(op)
        body = self.gen.value(schema)
        if isinstance(body, dict):
            for name, count in op.behaviour.counts.items():
                _, body[name] = await self.store.list(api.name, count.get("resource", ""), {}, 0, 0,
                                                      count.get("where"))
            if op.behaviour.fill:
                evaluate_into(body, op.behaviour.fill, ctx or Context(request))
        return MockResponse(op.success_status, conform(body, schema, self.gen), _json_media(op))

    # -- helpers used by effects too ------------------------------------------------------------------------
    async def add_link(self, api: ApiModel, links: str, scope: Mapping[str, str], item_id: str) -> None:
        """Record that `item_id` is linked under `scope` (once: linking twice changes nothing)."""
        link_id = "/".join([*(scope[k] for k in sorted(scope)), item_id])
        await self.store.insert(api.name, links, Record(id=link_id, data={"id": item_id}, scope=dict(scope)))

    async def _linked(self, api: ApiModel, resource: str, links: list[Record]) -> list[Record]:
        found = [await self.store.get(api.name, resource, str(link.data.get("id"))) for link in links]
        return [record for record in found if record is not None]  # a deleted item drops out of every list

    async def _scan(self, api: ApiModel, b: Behaviour, scope: Mapping[str, str],
                    where: Mapping[str, Any]) -> list[Record]:
        """Every item of the scope (up to `SCAN_LIMIT`), for filters and orders the store cannot page."""
        if b.via:
            links, _ = await self.store.list(api.name, b.via, scope, 0, SCAN_LIMIT)
            records = await self._linked(api, b.resource or "", links)
            return [r for r in records if all(r.data.get(k) == v for k, v in where.items())]
        records, _ = await self.store.list(api.name, b.resource or "", scope, 0, SCAN_LIMIT, where or None)
        return records

    def _listed(self, b: Behaviour, data: dict[str, Any], request: MockRequest, item_schema: Any) -> Any:
        if b.each:
            data = dict(data)
            evaluate_into(data, b.each, Context(request, item=data))
        return conform(data, item_schema, self.gen)

    def _input_fields(self, b: Behaviour, request: MockRequest, files: bool = True) -> dict[str, Any]:
        """The resource's fields as the client sent them: the body (inside its `input` wrapper), the upload's."""
        body = request.body if isinstance(request.body, Mapping) else {}
        if b.input and isinstance(body.get(b.input), Mapping):
            body = body[b.input]
        return {**upload_fields(request), **body} if files and request.files else dict(body)

    async def _target(self, api: ApiModel, op: Operation, request: MockRequest) -> Record:
        b = op.behaviour
        raw_id = request.path_params.get(b.id_param or "")
        record = await self.store.get(api.name, b.resource or "", str(raw_id)) if raw_id is not None else None
        if record is None or any(str(request.path_params.get(p)) != v for p, v in record.scope.items()
                                 if p in b.scope and p in request.path_params):
            raise NotFoundError(f"{singular(b.resource or 'resource')} {raw_id!r} not found", field=b.id_param)
        return record

    async def _check_parents(self, api: ApiModel, resource: str, scope: Mapping[str, str]) -> None:
        for param, value in scope.items():
            parent = api.parents.get(param)
            if parent and parent != resource and await self.store.get(api.name, parent, value) is None:
                raise NotFoundError(f"{singular(parent)} {value!r} not found", field=param)

    async def _embeds(self, api: ApiModel, op: Operation, record: Record,
                      data: dict[str, Any]) -> dict[str, Any] | None:
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
                 outer: Mapping[str, Any] | None = None, *, behaviour: Behaviour | None = None,
                 ctx: Context | None = None, status: int | None = None,
                 schema: Mapping[str, Any] | None = None) -> MockResponse:
        b = behaviour or op.behaviour
        schema = schema if schema is not None else success_schema(op)
        if schema is None:
            return self._without_json(op)
        body: Any = {b.body: data, **(outer or {})} if b.body else data
        if (b.fill or b.omit) and ctx is not None and isinstance(body, Mapping):
            body = dict(body)
            evaluate_into(body, b.fill, ctx)
            for pointer in b.omit:
                remove_pointer(body, pointer)
        return MockResponse(status or op.success_status, conform(body, schema, self.gen), _json_media(op))

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


def _variant(b: Behaviour, ctx: Context) -> Behaviour:
    """The behaviour of the first of `cases` whose condition holds (the operation's own when none does)."""
    for case in b.cases:
        if matches(case, ctx):
            return case.behaviour
    return b


def _with_id(request: MockRequest, b: Behaviour) -> MockRequest:
    """A create-or-replace PUT: the path's id is the new item's id."""
    body = dict(request.body) if isinstance(request.body, Mapping) else {}
    target = body[b.input] if b.input and isinstance(body.get(b.input), dict) else body
    if b.input and b.input in body:
        body[b.input] = target = dict(target)
    set_pointer(target, "/" + b.id_field.replace("~", "~0").replace("/", "~1"),
                request.path_params.get(b.id_param or "", ""))
    return replace(request, body=body)


def _filters(op: Operation, request: MockRequest, item_schema: Any, ruled: frozenset[str]) -> dict[str, Any]:
    """Query parameters that name a field of the listed items filter by equality (unless a rule reads them)."""
    props = (item_schema or {}).get("properties") or {}
    return {p.name: request.query[p.name] for p in op.parameters
            if p.location == "query" and p.name in props and p.name.lower() not in PAGING_NAMES
            and p.name not in ruled
            and request.query.get(p.name) is not None and not isinstance(request.query[p.name], (list, dict))}


def _json_media(op: Operation) -> str:
    response = op.response_for(op.success_status)
    return (response.json_media_type if response else None) or "application/json"
