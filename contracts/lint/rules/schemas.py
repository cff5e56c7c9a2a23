"""Rules about schemas: enums, arrays and required properties."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from contracts.findings import Severity
from contracts.lint.registry import RuleRegistry, Violation
from contracts.lint.rules.common import is_30, mapping
from contracts.lint.walk import Node, nodes
from contracts.specfile import SpecDocument, join_pointer

__all__ = ["RULES"]

RULES = RuleRegistry()
rule = RULES.rule


@rule("enum-unique")
def enum_unique(doc: SpecDocument) -> Iterator[Violation]:
    """No `enum` lists a value twice."""
    for node in nodes(doc, "schema"):
        values = node.value.get("enum")
        if not isinstance(values, list):
            continue
        seen: set[str] = set()
        for index, value in enumerate(values):
            key = json.dumps([type(value).__name__, value], sort_keys=True, default=str)
            if key in seen:
                message = f"enum value {value!r} is listed twice: remove one"
                yield Violation(join_pointer(node.pointer, "enum", index), message)
            seen.add(key)


@rule("enum-typed", severity=Severity.WARNING)
def enum_typed(doc: SpecDocument) -> Iterator[Violation]:
    """Every `enum` value has the schema's `type` (null only when the schema is nullable)."""
    openapi_30 = is_30(doc)
    for node in nodes(doc, "schema"):
        values, declared = node.value.get("enum"), node.value.get("type")
        if not isinstance(values, list) or not isinstance(declared, str | list):
            continue
        types = {declared} if isinstance(declared, str) else {t for t in declared if isinstance(t, str)}
        if openapi_30 and node.value.get("nullable") is True:
            types.add("null")
        for index, value in enumerate(values):
            if not any(_has_type(value, t) for t in types):
                wanted = " or ".join(sorted(types))
                hint = " (or add `nullable: true`)" if value is None and openapi_30 else ""
                message = f"enum value {value!r} is not of type {wanted}: change it or remove it{hint}"
                yield Violation(join_pointer(node.pointer, "enum", index), message)


@rule("array-items")
def array_items(doc: SpecDocument) -> Iterator[Violation]:
    """In OpenAPI 3.0 a `type: array` schema has `items`."""
    if not is_30(doc):
        return
    for node in nodes(doc, "schema"):
        if node.value.get("type") == "array" and "items" not in node.value:
            yield Violation(node.pointer, "`type: array` needs `items` in OpenAPI 3.0: add it (`items: {}` for any)")


@rule("required-properties")
def required_properties(doc: SpecDocument) -> Iterator[Violation]:
    """Every name in `required` is one of the schema's `properties`, or of a schema it is combined with by `allOf`."""
    composites = _composites(doc)
    for node in nodes(doc, "schema"):
        required, properties = node.value.get("required"), node.value.get("properties")
        if not isinstance(required, list) or not isinstance(properties, Mapping):
            continue
        known = set(properties) | _all_of_properties(doc, node.value, set())
        known |= _composite_properties(doc, node.pointer, composites, set())
        for index, name in enumerate(required):
            if name not in known:
                message = f"required {name!r} is not a property: add it to `properties` or fix the name"
                yield Violation(join_pointer(node.pointer, "required", index), message)


def _has_type(value: Any, name: str) -> bool:
    if name == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    expected = {"string": str, "boolean": bool, "object": Mapping, "array": list, "null": type(None)}.get(name)
    return expected is None or isinstance(value, expected)


def _composites(doc: SpecDocument) -> dict[str, list[Node]]:
    """Schema pointer -> the schemas that list it (inline or by `$ref`) in their `allOf`."""
    found: dict[str, list[Node]] = {}
    for node in nodes(doc, "schema"):
        parts = node.value.get("allOf")
        for index, part in enumerate(parts if isinstance(parts, list) else ()):
            _value, pointer = doc.deref(part, join_pointer(node.pointer, "allOf", index))
            found.setdefault(pointer, []).append(node)
    return found


def _composite_properties(
    doc: SpecDocument, pointer: str, composites: dict[str, list[Node]], seen: set[int]
) -> set[str]:
    """Properties of the schemas that combine the one at `pointer` through `allOf` (their other parts included)."""
    names: set[str] = set()
    for parent in composites.get(pointer, ()):
        if id(parent.value) not in seen:
            seen.add(id(parent.value))
            names |= set(mapping(parent.value.get("properties"))) | _all_of_properties(doc, parent.value, seen)
            names |= _composite_properties(doc, parent.pointer, composites, seen)
    return names


def _all_of_properties(doc: SpecDocument, schema: Mapping[str, Any], seen: set[int]) -> set[str]:
    names: set[str] = set()
    parts = schema.get("allOf")
    for part in parts if isinstance(parts, list) else ():
        value, _ = doc.deref(part, "")
        if isinstance(value, Mapping) and id(value) not in seen:
            seen.add(id(value))
            names |= set(mapping(value.get("properties"))) | _all_of_properties(doc, value, seen)
    return names
