"""Spec -> `ApiModel`: operations with their mock behaviour (from `x-mock`, else inferred from paths).

Pure: no I/O, no vendor knowledge. The inference rules, used where an operation has no `x-mock`:
- `/things/{id}`: GET reads, PUT/PATCH update, DELETE deletes, POST acts on the item;
- `/things`: POST creates (when an item path or a list exists), GET lists (when the response holds an array);
- `/things/{id}/verb`: an action on the item;
- anything else answers a generated body without touching state (`static`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from mock_server.errors import SpecError
from mock_server.loader import LoadedSpec
from mock_server.models import Action, ApiModel, Behaviour, Operation, Parameter, ResponseDef, is_json
from mock_server.schemas import inline_schema

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
    operations = [_with_inferred(op, all_paths) if op.behaviour.action is None else op for op in operations]
    schemas = _resource_schemas(operations)
    id_params = {op.behaviour.id_param: op.behaviour.resource for op in operations
                 if op.behaviour.id_param and op.behaviour.resource
                 and op.behaviour.action in (Action.READ, Action.UPDATE, Action.DELETE, Action.ACTION)}
    root_mock = doc.get("x-mock") or {}
    return ApiModel(
        spec=spec,
        operations=tuple(operations),
        resource_schemas=schemas,
        id_params=id_params,  # type: ignore[arg-type]
        error_defaults=root_mock.get("errors", {}),
    )


def unwrap(schema: Mapping[str, Any] | None, prop: str | None) -> Mapping[str, Any] | None:
    """The schema of property `prop` of an object schema (the resource inside a wrapper), or the schema itself."""
    if schema is None or prop is None:
        return schema
    return (schema.get("properties") or {}).get(prop)


def list_items_schema(schema: Mapping[str, Any] | None, items_prop: str | None) -> tuple[str | None, Any]:
    """For a list response: the property holding the array (None: the body is the array) and the item schema."""
    if schema is None:
        return None, None
    if schema.get("type") == "array":
        return None, schema.get("items", {})
    props = schema.get("properties") or {}
    if items_prop is None:
        arrays = [name for name, sub in props.items() if isinstance(sub, Mapping) and sub.get("type") == "array"]
        items_prop = arrays[0] if len(arrays) == 1 else None
    if items_prop and items_prop in props:
        return items_prop, props[items_prop].get("items", {})
    return None, None


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
        behaviour=_behaviour(raw.get("x-mock"), path),
        secured=bool(security) and {} not in security,  # an empty requirement makes auth optional
        websocket=inline_schema(websocket.get("messages"), lookup) if isinstance(websocket, Mapping) else None,
    )


def _behaviour(x_mock: Any, path: str) -> Behaviour:
    if not isinstance(x_mock, Mapping):
        return Behaviour(action=None)  # type: ignore[arg-type]  # filled in by _with_inferred
    try:
        action = Action(x_mock.get("action", "static"))
    except ValueError as exc:
        raise SpecError(f"x-mock on {path}: unknown action {x_mock.get('action')!r}") from exc
    id_param = x_mock.get("id")
    path_params = [m.group(1) for seg in path.split("/") if (m := _PARAM.match(seg))]
    scope = x_mock.get("scope")
    if scope is None:
        scope = [p for p in path_params if p != id_param]
    stream = x_mock.get("stream") or {}
    return Behaviour(
        action=action,
        resource=x_mock.get("resource"),
        id_param=id_param,
        id_field=x_mock.get("idField", "id"),
        id_from=x_mock.get("idFrom"),
        unique=tuple(x_mock.get("unique", ())),
        scope=tuple(scope),
        body=x_mock.get("body"),
        items=x_mock.get("items"),
        embed=x_mock.get("embed") or {},
        counts=x_mock.get("counts") or {},
        effects=tuple(x_mock.get("effects") or ()),
        respond=x_mock.get("respond", "generated"),
        stream_when=stream.get("when") if isinstance(stream, Mapping) else None,
    )


def _with_inferred(op: Operation, all_paths: set[tuple[str, str]]) -> Operation:
    segments = [s for s in op.path.split("/") if s]
    params = [m.group(1) for s in segments if (m := _PARAM.match(s))]
    last = _PARAM.match(segments[-1]) if segments else None
    action, resource, id_param = Action.STATIC, None, None
    if last and len(segments) >= 2 and not _PARAM.match(segments[-2]):
        resource, id_param = segments[-2], last.group(1)
        action = {"get": Action.READ, "put": Action.UPDATE, "patch": Action.UPDATE,
                  "delete": Action.DELETE, "post": Action.ACTION}.get(op.method, Action.STATIC)
    elif segments and not last:
        collection = "/" + "/".join(segments)
        has_items = any(p.startswith(collection + "/{") and p.count("/") == collection.count("/") + 1
                        for _, p in all_paths)
        if op.method == "post" and (has_items or ("get", op.path) in all_paths):
            action, resource = Action.CREATE, segments[-1]
        elif op.method == "get" and _lists(op):
            action, resource = Action.LIST, segments[-1]
        elif len(segments) >= 3 and _PARAM.match(segments[-2]) and not _PARAM.match(segments[-3]):
            action, resource, id_param = Action.ACTION, segments[-3], _PARAM.match(segments[-2]).group(1)  # type: ignore[union-attr]
    behaviour = Behaviour(action=action, resource=resource, id_param=id_param,
                          scope=tuple(p for p in params if p != id_param))
    return _replace(op, behaviour)


def _lists(op: Operation) -> bool:
    response = op.response_for(op.success_status)
    schema = next(iter(response.content.values()), None) if response else None
    return list_items_schema(schema, None)[1] is not None


def _replace(op: Operation, behaviour: Behaviour) -> Operation:
    from dataclasses import replace

    return replace(op, behaviour=behaviour)


def success_schema(op: Operation) -> Mapping[str, Any] | None:
    """The JSON schema of the operation's success response, if any."""
    response = op.response_for(op.success_status)
    return response.json_schema if response is not None else None


def _resource_schemas(operations: list[Operation]) -> dict[str, Mapping[str, Any]]:
    """The schema each resource is stored as: the richest description any operation gives of it."""
    candidates: dict[str, list[tuple[int, Mapping[str, Any]]]] = {}

    def offer(resource: str | None, rank: int, schema: Any) -> None:
        if resource and isinstance(schema, Mapping) and schema:
            candidates.setdefault(resource, []).append((rank, schema))

    for op in operations:
        b = op.behaviour
        out = success_schema(op)
        if b.action is Action.READ:
            offer(b.resource, 0, unwrap(out, b.body))
            for prop, spec in b.embed.items():
                offer(spec.get("resource"), 3, list_items_schema(out, prop)[1] if b.body is None
                      else (unwrap(out, prop) or {}).get("items") or
                      ((unwrap(unwrap(out, b.body), prop) or {}).get("items")))
        elif b.action is Action.CREATE:
            offer(b.resource, 1, unwrap(out, b.body))
            offer(b.resource, 6, op.request_schema)
        elif b.action is Action.LIST:
            offer(b.resource, 2, list_items_schema(out, b.items)[1])
        elif b.action is Action.UPDATE:
            offer(b.resource, 4, unwrap(out, b.body))
            offer(b.resource, 7, op.request_schema)
        elif b.action is Action.ACTION:
            for effect in b.effects:
                if "create" in effect:
                    if b.respond == "created":
                        offer(effect["create"], 4, unwrap(out, b.body))
                    if effect.get("from") == "body":
                        offer(effect["create"], 8, op.request_schema)
            for prop, spec in b.embed.items():
                offer(spec.get("resource"), 5, ((unwrap(out, b.body) or {}).get("properties", {}).get(prop) or {})
                      .get("items"))
    return {name: min(options, key=lambda pair: pair[0])[1] for name, options in candidates.items()}
