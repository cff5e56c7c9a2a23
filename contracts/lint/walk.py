"""Visit every object of an OpenAPI document at its own pointer: path items, operations, parameters, schemas...

References are not followed: a `{$ref: ...}` is visited where it is written (with `Node.ref` set) and its target is
visited at the target's own location. `$ref`s inside `x-` extensions are visited as kind `extension`.
`nodes(doc, kind)` walks a document once and serves every rule from that one walk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from contracts.specfile import SpecDocument, join_pointer

__all__ = ["COMPONENT_KINDS", "HTTP_METHODS", "Node", "items", "nodes", "walk"]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# components section -> kind of the objects it holds
COMPONENT_KINDS: dict[str, str] = {
    "schemas": "schema",
    "responses": "response",
    "parameters": "parameter",
    "examples": "example",
    "requestBodies": "request_body",
    "headers": "header",
    "securitySchemes": "security_scheme",
    "links": "link",
    "callbacks": "callback",
}

_SCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_SINGLES = ("items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames")


@dataclass(frozen=True, slots=True)
class Node:
    """One object of the document, of a given kind (`schema`, `operation`, ...), at its JSON pointer."""

    kind: str
    pointer: str
    value: Mapping[str, Any]

    @property
    def ref(self) -> str | None:
        """The `$ref` this object consists of, if any."""
        ref = self.value.get("$ref")
        return ref if isinstance(ref, str) else None


def items(value: Any) -> Iterator[tuple[str, Any]]:
    """`(key, value)` pairs of a mapping; nothing for anything else."""
    if isinstance(value, Mapping):
        yield from ((str(key), child) for key, child in value.items())


def nodes(doc: SpecDocument, kind: str | None = None, *, refs: bool = False) -> list[Node]:
    """The objects of `doc` of one kind (every kind when None), in document order; `$ref`s only if `refs`."""
    by_kind: dict[tuple[str | None, bool], list[Node]] | None = doc.memo.get("walk")
    if by_kind is None:
        by_kind = {(None, True): list(walk(doc.data))}
        for node in by_kind[(None, True)]:
            by_kind.setdefault((node.kind, True), []).append(node)
            if node.ref is None:
                by_kind.setdefault((None, False), []).append(node)
                by_kind.setdefault((node.kind, False), []).append(node)
        doc.memo["walk"] = by_kind
    return by_kind.get((kind, refs), [])


def walk(data: Mapping[str, Any]) -> Iterator[Node]:
    """Every object of the document, in document order."""
    yield from _extensions(data, "")
    for path, item in items(data.get("paths")):
        yield from _visit("path_item", item, join_pointer("/paths", path))
    for name, item in items(data.get("webhooks")):
        yield from _visit("path_item", item, join_pointer("/webhooks", name))
    components = data.get("components")
    if isinstance(components, Mapping):
        yield from _extensions(components, "/components")
        for section, kind in COMPONENT_KINDS.items():
            for name, value in items(components.get(section)):
                yield from _visit(kind, value, join_pointer("/components", section, name))


def _visit(kind: str, value: Any, pointer: str) -> Iterator[Node]:
    if not isinstance(value, Mapping):
        return
    node = Node(kind, pointer, value)
    yield node
    if node.ref is not None:
        return
    yield from _extensions(value, pointer)
    children = _CHILDREN.get(kind)
    if children is not None:
        yield from children(value, pointer)


def _each(kind: str, value: Any, pointer: str) -> Iterator[Node]:
    for key, child in items(value):
        yield from _visit(kind, child, join_pointer(pointer, key))


def _each_in_list(kind: str, value: Any, pointer: str) -> Iterator[Node]:
    if isinstance(value, list):
        for index, child in enumerate(value):
            yield from _visit(kind, child, join_pointer(pointer, index))


def _path_item(value: Mapping[str, Any], pointer: str) -> Iterator[Node]:
    yield from _each_in_list("parameter", value.get("parameters"), join_pointer(pointer, "parameters"))
    for method in HTTP_METHODS:
        if method in value:
            yield from _visit("operation", value[method], join_pointer(pointer, method))


def _operation(value: Mapping[str, Any], pointer: str) -> Iterator[Node]:
    yield from _each_in_list("parameter", value.get("parameters"), join_pointer(pointer, "parameters"))
    yield from _visit("request_body", value.get("requestBody"), join_pointer(pointer, "requestBody"))
    yield from _each("response", value.get("responses"), join_pointer(pointer, "responses"))
    yield from _each("callback", value.get("callbacks"), join_pointer(pointer, "callbacks"))


def _callback(value: Mapping[str, Any], pointer: str) -> Iterator[Node]:
    for expression, item in items(value):
        if not expression.startswith("x-"):
            yield from _visit("path_item", item, join_pointer(pointer, expression))


def _parameter(value: Mapping[str, Any], pointer: str) -> Iterator[Node]:
    yield from _visit("schema", value.get("schema"), join_pointer(pointer, "schema"))
    yield from _each("media_type", value.get("content"), join_pointer(pointer, "content"))
    yield from _each("example", value.get("examples"), join_pointer(pointer, "examples"))


def _request_body(value: Mapping[str, Any], pointer: str) -> Iterator[Node]:
    yield from _each("media_type", value.get("content"), join_pointer(pointer, "content"))


def _response(value: Mapping[str, Any], pointer: str) -> Iterator[Node]:
    yield from _each("header", value.get("headers"), join_pointer(pointer, "headers"))
    yield from _each("media_type", value.get("content"), join_pointer(pointer, "content"))
    yield from _each("link", value.get("links"), join_pointer(pointer, "links"))


def _media_type(value: Mapping[str, Any], pointer: str) -> Iterator[Node]:
    yield from _visit("schema", value.get("schema"), join_pointer(pointer, "schema"))
    yield from _each("example", value.get("examples"), join_pointer(pointer, "examples"))
    for name, encoding in items(value.get("encoding")):
        if isinstance(encoding, Mapping):
            headers = join_pointer(pointer, "encoding", name, "headers")
            yield from _each("header", encoding.get("headers"), headers)


def _schema(value: Mapping[str, Any], pointer: str) -> Iterator[Node]:
    for keyword in _SCHEMA_MAPS:
        yield from _each("schema", value.get(keyword), join_pointer(pointer, keyword))
    for keyword in _SCHEMA_LISTS:
        yield from _each_in_list("schema", value.get(keyword), join_pointer(pointer, keyword))
    for keyword in _SCHEMA_SINGLES:
        yield from _visit("schema", value.get(keyword), join_pointer(pointer, keyword))


def _extensions(value: Mapping[str, Any], pointer: str) -> Iterator[Node]:
    for key, child in items(value):
        if key.startswith("x-"):
            yield from _refs_anywhere(child, join_pointer(pointer, key), set())


def _refs_anywhere(value: Any, pointer: str, active: set[int]) -> Iterator[Node]:
    if id(value) in active:
        return
    if isinstance(value, Mapping):
        if isinstance(value.get("$ref"), str):
            yield Node("extension", pointer, value)
            return
        active.add(id(value))
        for key, child in items(value):
            yield from _refs_anywhere(child, join_pointer(pointer, key), active)
    elif isinstance(value, list):
        active.add(id(value))
        for index, child in enumerate(value):
            yield from _refs_anywhere(child, join_pointer(pointer, index), active)
    active.discard(id(value))


_CHILDREN: dict[str, Callable[[Mapping[str, Any], str], Iterator[Node]]] = {
    "path_item": _path_item,
    "operation": _operation,
    "callback": _callback,
    "parameter": _parameter,
    "header": _parameter,
    "request_body": _request_body,
    "response": _response,
    "media_type": _media_type,
    "schema": _schema,
}
