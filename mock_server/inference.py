"""Spec -> `ApiModel`: operations with their mock behaviour (from `x-mock`, else inferred from paths).

Pure: no I/O, no vendor knowledge. The inference rules, used where an operation has no `x-mock`:
- `/things/{id}`: GET reads, PUT/PATCH update, DELETE deletes, POST acts on the item;
- `/things`: POST creates (when an item path or a list exists), GET lists (when the response holds an array);
- `/things/{id}/verb`: an action on the item;
- anything else answers a generated body without touching state (`static`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from mock_server.conventions import ROOT_RESOURCE, refine
from mock_server.errors import SpecError
from mock_server.loader import LoadedSpec
from mock_server.models import Action, ApiModel, Behaviour, Operation, Parameter, ResponseDef, is_json
from mock_server.references import seed_plan
from mock_server.schemas import inline_schema
from mock_server.shapes import list_items_schema, success_schema, unwrap
from mock_server.vocabulary import parse_behaviour

__all__ = ["build_api_model", "list_items_schema", "success_schema", "unwrap"]

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_PARAM = re.compile(r"^\{([^}]+)\}$")


def build_api_model(spec: LoadedSpec) -> ApiModel:
    """Everything the engine needs to serve one spec."""
    doc = spec.document
    global_security = doc.get("security")
    operations: list[Operation] = []
    for path, item in (doc.get("paths") or {}).items():
        item = spec.resolve(item)
        shared = [spec.resolve(p) for p in item.get("parameters", [])]
        for method in METHODS:
            if method not in item:
                continue
            raw = spec.resolve(item[method])
            operations.append(_operation(spec, path, method, raw, shared, global_security))
    all_paths = {(op.method, op.path) for op in operations}
    inferred = {op.operation_id for op in operations if op.behaviour.action is None}
    operations = [_with_inferred(op, all_paths) if op.operation_id in inferred else op for op in operations]
    operations = refine(operations, inferred, _resource_schemas)
    schemas = {**_resource_schemas(operations), **_declared_schemas(spec)}
    id_params = {op.behaviour.id_param: op.behaviour.resource for op in operations
                 if op.behaviour.id_param and op.behaviour.resource
                 and op.behaviour.action in (Action.READ, Action.UPDATE, Action.DELETE, Action.ACTION)}
    root_mock = doc.get("x-mock") or {}
    model = ApiModel(
        spec=spec,
        operations=tuple(operations),
        resource_schemas=schemas,
        id_params=id_params,  # type: ignore[arg-type]
        error_defaults=root_mock.get("errors", {}),
        id_fields=_id_fields(operations),
        item_params=_item_params(operations),
        parents=_parents(operations, id_params),  # type: ignore[arg-type]
    )
    return replace(model, seeding=seed_plan(model))


def _operation(spec: LoadedSpec, path: str, method: str, raw: Mapping[str, Any],
               shared: list[Any], global_security: Any) -> Operation:
    lookup = spec.lookup
    params: dict[tuple[str, str], Parameter] = {}
    for p in shared + [spec.resolve(p) for p in raw.get("parameters", [])]:
        params[(p["name"], p["in"])] = Parameter(
            name=p["name"], location=p["in"], required=bool(p.get("required")),
            schema=inline_schema(p.get("schema", {}), lookup),
        )
    request_schema, media = None, ()
    body = spec.resolve(raw.get("requestBody")) if raw.get("requestBody") else None
    if body:
        content = body.get("content") or {}
        media = tuple(content)
        for mt in content:
            if is_json(mt) or mt.startswith("multipart/") or "form" in mt:
                request_schema = inline_schema(content[mt].get("schema", {}), lookup)
                break
    responses = {}
    for status, resp in (raw.get("responses") or {}).items():
        resp = spec.resolve(resp)
        content = {mt: inline_schema(m.get("schema"), lookup) if m.get("schema") else None
                   for mt, m in (resp.get("content") or {}).items()}
        examples = {}
        for m in (resp.get("content") or {}).values():
            for name, ex in (m.get("examples") or {}).items():
                examples[name] = spec.resolve(ex).get("value")
            if "example" in m:
                examples.setdefault("default", m["example"])
        headers = {name: inline_schema(spec.resolve(h).get("schema", {}), lookup)
                   for name, h in (resp.get("headers") or {}).items()}
        responses[str(status)] = ResponseDef(str(status), content, headers, examples)
    websocket = raw.get("x-websocket")
    codes = sorted(int(c) for c in responses if c.isdigit() and (c.startswith("2") or c == "101"))
    if not raw.get("operationId"):
        raise SpecError(f"{spec.path}: {method.upper()} {path} has no operationId")
    security = raw.get("security", global_security)
    return Operation(
        api=spec.name,
        operation_id=raw["operationId"],
        method=method,
        path=path,
        parameters=tuple(params.values()),
        request_schema=request_schema,
        request_media_types=media,
        request_required=bool(body and body.get("required")),
        responses=responses,
        success_status=codes[0] if codes else 200,
        behaviour=_behaviour(raw.get("x-mock"), path, f"{spec.name}: {method.upper()} {path}"),
        secured=bool(security) and {} not in security,  # an empty requirement makes auth optional
        websocket=inline_schema(websocket.get("messages"), lookup) if isinstance(websocket, Mapping) else None,
    )


def _behaviour(x_mock: Any, path: str, where: str) -> Behaviour:
    if not isinstance(x_mock, Mapping):
        return Behaviour(action=None)  # type: ignore[arg-type]  # filled in by _with_inferred
    return parse_behaviour(x_mock, path, where)


def _with_inferred(op: Operation, all_paths: set[tuple[str, str]]) -> Operation:
    segments = [s for s in op.path.split("/") if s]
    params = [m.group(1) for s in segments if (m := _PARAM.match(s))]
    last = _PARAM.match(segments[-1]) if segments else None
    action, resource, id_param, upsert = Action.STATIC, None, None, False
    if last and (len(segments) == 1 or not _PARAM.match(segments[-2])):
        # `/things/{id}`, or `/{id}` for a collection at the root path
        resource, id_param = (segments[-2] if len(segments) >= 2 else ROOT_RESOURCE), last.group(1)
        action = {"get": Action.READ, "put": Action.UPDATE, "patch": Action.UPDATE,
                  "delete": Action.DELETE, "post": Action.ACTION}.get(op.method, Action.STATIC)
        upsert = op.method == "put" and "201" in op.responses  # create-or-replace: a new id is created
    elif not last:
        collection = "/" + "/".join(segments) if segments else ""
        depth = collection.count("/") + 1
        has_items = any(p.startswith(collection + "/{") and p.count("/") == depth for _, p in all_paths)
        name = segments[-1] if segments else ROOT_RESOURCE
        if op.method == "post" and (has_items or ("get", op.path) in all_paths):
            action, resource = Action.CREATE, name
        elif op.method == "get" and _lists(op):
            action, resource = Action.LIST, name
        elif len(segments) >= 3 and _PARAM.match(segments[-2]) and not _PARAM.match(segments[-3]):
            action, resource, id_param = Action.ACTION, segments[-3], _PARAM.match(segments[-2]).group(1)  # type: ignore[union-attr]
    behaviour = Behaviour(action=action, resource=resource, id_param=id_param,
                          scope=tuple(p for p in params if p != id_param), upsert=upsert)
    return _replace(op, behaviour)


def _lists(op: Operation) -> bool:
    response = op.response_for(op.success_status)
    schema = next(iter(response.content.values()), None) if response else None
    return list_items_schema(schema, None)[1] is not None


def _replace(op: Operation, behaviour: Behaviour) -> Operation:
    return replace(op, behaviour=behaviour)


def _resource_schemas(operations: list[Operation]) -> dict[str, Mapping[str, Any]]:
    """The schema each resource is stored as: the richest description any operation gives of it."""
    candidates: dict[str, list[tuple[int, Mapping[str, Any]]]] = {}

    def offer(resource: str | None, rank: int, schema: Any) -> None:
        # Only objects are stored items: a list of booleans (`GET /me/tracks/contains`) names no resource.
        if resource and isinstance(schema, Mapping) and (schema.get("type") == "object" or "properties" in schema):
            candidates.setdefault(resource, []).append((rank, schema))

    for op in operations:
        for behaviour in (op.behaviour, *(case.behaviour for case in op.behaviour.cases)):
            _offer_schemas(op, behaviour, offer)
    return {name: min(options, key=lambda pair: pair[0])[1] for name, options in candidates.items()}


def _offer_schemas(op: Operation, b: Behaviour, offer: Callable[[str | None, int, Any], None]) -> None:
    """What one operation says about the schemas of the resources it touches (rank: lower is more telling)."""
    out = success_schema(op)
    if b.action is Action.READ:
        offer(b.resource, 0, unwrap(out, b.body))
    elif b.action is Action.CREATE:
        offer(b.resource, 1, unwrap(out, b.body))
        offer(b.resource, 6, unwrap(op.request_schema, b.input))
    elif b.action is Action.LIST and not b.each:  # projected items (`each`) are not the stored ones
        offer(b.resource, 2, list_items_schema(out, b.items)[1])
    elif b.action is Action.LINK:
        offer(b.resource, 5, unwrap(out, b.body))
    elif b.action is Action.UPDATE:
        offer(b.resource, 4, unwrap(out, b.body))
        offer(b.resource, 7, unwrap(op.request_schema, b.input))
    created = [effect["create"] for effect in b.effects if "create" in effect]
    if created and b.action is Action.ACTION and b.respond.startswith("created"):
        offer(created[0] if b.respond == "created:first" else created[-1], 4, unwrap(out, b.body))
    for effect in b.effects:
        if "create" in effect and effect.get("from") == "body":
            offer(effect["create"], 8, unwrap(op.request_schema, b.input))
    for prop, spec in b.embed.items():
        holder = unwrap(out, b.body) if b.action is not Action.LIST else out
        items = ((holder or {}).get("properties", {}).get(prop) or {}).get("items")
        if items is None and b.body is not None:
            items = ((unwrap(out, prop) or {}).get("items"))
        offer(spec.get("resource"), 3 if b.action is Action.READ else 5, items)


def _id_fields(operations: list[Operation]) -> dict[str, str]:
    """The field holding each resource's id, as its create (or any operation) says."""
    out: dict[str, str] = {}
    for op in sorted(operations, key=lambda o: o.behaviour.action is not Action.CREATE):
        b = op.behaviour
        if b.resource and b.id_field != "id":
            out.setdefault(b.resource, b.id_field)
    return out


def _item_params(operations: list[Operation]) -> dict[str, str]:
    """The path parameter that names one item of each resource (`chatId` for chats)."""
    out: dict[str, str] = {}
    for op in operations:
        b = op.behaviour
        if b.resource and b.id_param and b.action in (Action.READ, Action.UPDATE, Action.DELETE, Action.ACTION):
            out.setdefault(b.resource, b.id_param)
    return out


def _parents(operations: list[Operation], id_params: Mapping[str, str]) -> dict[str, str]:
    """Path parameters whose resource must exist for a child to be created or listed under it: only resources a
    client can create, or that a fresh start seeds. A parent nobody can create (a user profile the API only reads)
    would make its children unreachable."""
    reachable = {op.behaviour.resource for op in operations
                 if op.behaviour.action is Action.CREATE
                 or (op.behaviour.action is Action.LIST and not op.behaviour.scope and not op.path_params)}
    return {param: resource for param, resource in id_params.items() if resource in reachable}


def _declared_schemas(spec: LoadedSpec) -> dict[str, Mapping[str, Any]]:
    """The root `x-mock.resources`: the schema a resource is stored as, where no operation answers all of it."""
    declared = (spec.document.get("x-mock") or {}).get("resources") or {}
    if not isinstance(declared, Mapping):
        raise SpecError(f"{spec.path}: x-mock.resources must map resource names to schemas")
    return {name: inline_schema(schema, spec.lookup) for name, schema in declared.items()}
