"""One request per API that a person can copy and run: the dashboard's example curl.

It picks the simplest operation (a plain GET of a collection when there is one), fills its parameters and body
from the spec's own examples (generated values where the spec has none, from a private generator so the served
data stays as the seed makes it), and adds the credential the operation's security scheme asks for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from mock_server.generation import FakeGenerator
from mock_server.models import Action, ApiModel, Operation
from mock_server.web.security import compile_security

__all__ = ["ExampleRequest", "example_request"]

_NO_EXAMPLE = object()


@dataclass(frozen=True, slots=True)
class ExampleRequest:
    """A request relative to the API's base URL: `path` includes any query string; `body` is JSON or None."""

    operation_id: str
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


def example_request(api: ApiModel, token: str) -> ExampleRequest | None:
    """The example request of `api` with `token` as its credential; None when it has no HTTP operation."""
    candidates = [op for op in api.operations if op.websocket is None]
    if not candidates:
        return None
    op = min(candidates, key=_simplicity)
    gen = FakeGenerator(seed=0)
    raw = _raw_operation(api, op)
    path, query, headers = op.path, {}, {}
    for param in _raw_parameters(api, op, raw):
        name, location = param.get("name"), param.get("in")
        if location == "path" or param.get("required"):
            value = _example(param, api, gen)
            if location == "path":
                path = path.replace("{" + str(name) + "}", quote(str(value), safe=""))
            elif location == "query":
                query[str(name)] = value
            elif location == "header":
                headers[str(name)] = str(value)
    body = None
    if op.request_schema is not None and (op.request_required or op.method == "post"):
        media = api.spec.resolve(raw.get("requestBody") or {}).get("content", {}).get("application/json") or {}
        body = _example(media, api, gen, op.request_schema)
        headers["Content-Type"] = "application/json"
    _add_credential(api, raw, token, headers, query)
    target = path + ("?" + urlencode(query) if query else "")
    return ExampleRequest(op.operation_id, op.method.upper(), target, headers, body)


def _simplicity(op: Operation) -> tuple[int, ...]:
    """Sort key: GET before anything else, a list before other reads, fewer parameters and no body first."""
    required = sum(1 for p in op.parameters if p.required and p.location != "path")
    return (op.method != "get", op.behaviour.action is not Action.LIST, op.request_schema is not None,
            len(op.path_params), required, len(op.path))


def _raw_operation(api: ApiModel, op: Operation) -> Mapping[str, Any]:
    spec = api.spec
    item = spec.resolve((spec.document.get("paths") or {}).get(op.path) or {})
    return spec.resolve(item.get(op.method) or {})


def _raw_parameters(api: ApiModel, op: Operation, raw: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Path-level then operation-level parameters, the latter winning (as OpenAPI says)."""
    spec = api.spec
    item = spec.resolve((spec.document.get("paths") or {}).get(op.path) or {})
    merged: dict[tuple[Any, Any], Mapping[str, Any]] = {}
    for node in [*(item.get("parameters") or []), *(raw.get("parameters") or [])]:
        param = spec.resolve(node)
        merged[(param.get("name"), param.get("in"))] = param
    return list(merged.values())


def _example(node: Mapping[str, Any], api: ApiModel, gen: FakeGenerator, schema: Any = None) -> Any:
    """The spec's example for a parameter or media type, else its schema's, else a generated value."""
    found = _given_example(node, api)
    if found is not _NO_EXAMPLE:
        return found
    schema = schema if schema is not None else api.spec.resolve(node.get("schema") or {})
    found = _given_example(schema, api)
    if found is not _NO_EXAMPLE:
        return found
    return gen.value(schema, str(node.get("name", "")))


def _given_example(node: Any, api: ApiModel) -> Any:
    if not isinstance(node, Mapping):
        return _NO_EXAMPLE
    if "example" in node:
        return node["example"]
    for example in (node.get("examples") or {}).values():
        example = api.spec.resolve(example)
        if isinstance(example, Mapping) and "value" in example:
            return example["value"]
    if "default" in node:
        return node["default"]
    if node.get("enum"):
        return node["enum"][0]
    return _NO_EXAMPLE


def _add_credential(api: ApiModel, raw: Mapping[str, Any], token: str, headers: dict[str, str],
                    query: dict[str, Any]) -> None:
    """The credentials of the operation's first security requirement, sent the way the mock checks them."""
    security = compile_security(api).get(str(raw.get("operationId")))
    for credential in security.alternatives[0] if security is not None and security.alternatives else ():
        location, name, value = credential.sent_as(token)
        if location == "query":
            query[name] = value
        elif location == "cookie":
            headers["Cookie"] = f"{name}={value}"
        else:
            headers[name] = value