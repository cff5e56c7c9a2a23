"""Compare two versions of one schema (request or response side) after resolving `$ref`s, recursively.

Request schemas break clients when they accept less (narrowed type, removed enum value, newly required field);
response schemas break clients when they may return something new (changed type, added enum value, removed or
optional field). `readOnly` fields are skipped on the request side and `writeOnly` fields on the response side.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contracts.diff import Location
    from contracts.findings import Finding

__all__ = ["SchemaComparison"]

_ALTERNATIVES = ("oneOf", "anyOf")


@dataclass(slots=True)
class _Flat:
    """A schema with its `allOf` parts merged in."""

    types: frozenset[str] | None = None
    enum: list[Any] | None = None
    properties: dict[str, Location] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)


class SchemaComparison:
    """Compares schemas of one direction (`request` or `response`); `label` says where (operation, media type)."""

    def __init__(self, direction: str, label: str) -> None:
        self.direction = direction
        self.label = label

    def compare(self, old: Location, new: Location) -> Iterator[Finding]:
        """Every change from the `old` schema to the `new` one."""
        yield from self._schema(old, new, "", frozenset())

    def _schema(
        self, old: Location, new: Location, path: str, active: frozenset[tuple[str, str]]
    ) -> Iterator[Finding]:
        old, new = old.resolved(), new.resolved()
        if not isinstance(old.value, Mapping) or not isinstance(new.value, Mapping):
            return
        if (old.real, new.real) in active:
            return
        active = active | {(old.real, new.real)}
        old_flat, new_flat = _flatten(old, set()), _flatten(new, set())
        yield from self._types(old_flat.types, new_flat.types, new, path)
        yield from self._enum(old_flat.enum, new_flat.enum, new, path)
        yield from self._properties(old_flat, new_flat, path, active)
        for keyword, suffix in (("items", "[]"), ("additionalProperties", ".*")):
            if isinstance(old.value.get(keyword), Mapping) and isinstance(new.value.get(keyword), Mapping):
                yield from self._schema(old.child(keyword), new.child(keyword), path + suffix, active)
        for keyword in _ALTERNATIVES:
            yield from self._alternatives(old.child(keyword), new.child(keyword), path, active)
        if old.value.get("description") != new.value.get("description") and "description" in new.value:
            yield new.child("description").finding("documentation-changed", "schema description changed", at_real=True)

    def _types(
        self, old: frozenset[str] | None, new: frozenset[str] | None, at: Location, path: str
    ) -> Iterator[Finding]:
        if old == new:
            return
        change = f"type {_type_text(old)} -> {_type_text(new)}"
        if self.direction == "request":
            kind = "request-type-narrowed" if not _covers(new, old) else "request-type-widened"
        else:
            kind = "response-type-changed" if not _covers(old, new) else "response-type-narrowed"
        yield at.child("type").finding(kind, self._message(path, change))

    def _enum(self, old: list[Any] | None, new: list[Any] | None, at: Location, path: str) -> Iterator[Finding]:
        request = self.direction == "request"
        if old is None and new is None:
            return
        if old is None or new is None:
            limited = old is None
            if request:
                kind = "request-type-narrowed" if limited else "request-type-widened"
            else:
                kind = "response-type-narrowed" if limited else "response-type-changed"
            text = f"now limited to {new}" if limited else f"no longer limited to {old}"
            yield at.child("enum").finding(kind, self._message(path, text))
            return
        old_keys, new_keys = {_key(v) for v in old}, {_key(v) for v in new}
        for value in old:
            if _key(value) not in new_keys:
                kind = "request-enum-value-removed" if request else "response-enum-value-removed"
                yield at.child("enum").finding(kind, self._message(path, f"enum value {value!r} removed"))
        for value in new:
            if _key(value) not in old_keys:
                kind = "request-enum-value-added" if request else "response-enum-value-added"
                yield at.child("enum").finding(kind, self._message(path, f"enum value {value!r} added"))

    def _properties(
        self, old: _Flat, new: _Flat, path: str, active: frozenset[tuple[str, str]]
    ) -> Iterator[Finding]:
        side = self.direction
        for name, old_prop in old.properties.items():
            if self._skipped(old_prop):
                continue
            sub = f"{path}.{name}" if path else name
            new_prop = new.properties.get(name)
            if new_prop is None:
                yield old_prop.finding(f"{side}-field-removed", self._message(sub, "removed"))
                continue
            was, now = name in old.required, name in new.required
            if was != now:
                kind = f"{side}-field-made-{'required' if now else 'optional'}"
                yield new_prop.finding(kind, self._message(sub, "now required" if now else "now optional"))
            yield from self._schema(old_prop, new_prop, sub, active)
        for name, new_prop in new.properties.items():
            if name in old.properties or self._skipped(new_prop):
                continue
            sub = f"{path}.{name}" if path else name
            if side == "request" and name in new.required:
                yield new_prop.finding("request-field-made-required", self._message(sub, "added as required"))
            else:
                yield new_prop.finding(f"{side}-field-added", self._message(sub, "added"))

    def _alternatives(
        self, old: Location, new: Location, path: str, active: frozenset[tuple[str, str]]
    ) -> Iterator[Finding]:
        old_parts, new_parts = _parts(old), _parts(new)
        request = self.direction == "request"
        for key, old_part in old_parts.items():
            if key in new_parts:
                yield from self._schema(old_part, new_parts[key], path, active)
            else:
                kind = "request-type-narrowed" if request else "response-type-narrowed"
                yield old_part.finding(kind, self._message(path, f"alternative {key} removed"))
        for key, new_part in new_parts.items():
            if key not in old_parts:
                kind = "request-type-widened" if request else "response-type-changed"
                yield new_part.finding(kind, self._message(path, f"alternative {key} added"))

    def _skipped(self, prop: Location) -> bool:
        flag = "readOnly" if self.direction == "request" else "writeOnly"
        return prop.mapping().get(flag) is True

    def _message(self, path: str, change: str) -> str:
        subject = f"field '{path}'" if path else "schema"
        return f"{self.label}: {self.direction} {subject} {change}"


def _flatten(schema: Location, seen: set[str]) -> _Flat:
    value = schema.mapping()
    seen.add(schema.real)
    flat = _Flat(types=_types(value), enum=value.get("enum") if isinstance(value.get("enum"), list) else None)
    properties = schema.child("properties")
    flat.properties = {name: properties.child(name) for name in properties.mapping()}
    flat.required = {name for name in value.get("required", []) if isinstance(name, str)}
    parts = value.get("allOf")
    for index in range(len(parts) if isinstance(parts, list) else 0):
        part = schema.child("allOf", index).resolved()
        if part.real in seen:
            continue
        inner = _flatten(part, seen)
        flat.types = flat.types if flat.types is not None else inner.types
        flat.enum = flat.enum if flat.enum is not None else inner.enum
        flat.properties = {**inner.properties, **flat.properties}
        flat.required |= inner.required
    return flat


def _types(schema: Mapping[str, Any]) -> frozenset[str] | None:
    """The JSON types a schema allows (None: any), `nullable: true` counting as "null"."""
    declared = schema.get("type")
    if isinstance(declared, str):
        types = {declared}
    elif isinstance(declared, list):
        types = {str(t) for t in declared}
    else:
        return None
    if schema.get("nullable") is True:
        types.add("null")
    return frozenset(types)


def _covers(wide: frozenset[str] | None, narrow: frozenset[str] | None) -> bool:
    if wide is None:
        return True
    if narrow is None:
        return False
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


def _type_text(types: frozenset[str] | None) -> str:
    return "any" if types is None else "|".join(sorted(types))


def _key(value: Any) -> str:
    return json.dumps([type(value).__name__, value], sort_keys=True, default=str)


def _parts(alternatives: Location) -> dict[str, Location]:
    """`oneOf`/`anyOf` branches keyed by their `$ref` (or by position when inline)."""
    value = alternatives.value
    parts: dict[str, Location] = {}
    for index in range(len(value) if isinstance(value, list) else 0):
        part = alternatives.child(index)
        ref = part.value.get("$ref") if isinstance(part.value, Mapping) else None
        parts[ref if isinstance(ref, str) else f"#{index}"] = part
    return parts
