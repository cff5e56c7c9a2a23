"""Compare two versions of one schema (request or response side) after resolving `$ref`s, recursively.

Request schemas break clients when they accept less (narrowed type, removed enum value, newly required field, a
tighter limit or pattern, a changed default); response schemas break clients when they may return something new
(changed type, added enum value, removed required or newly optional field, a looser limit). `readOnly` fields are
skipped on the request side and `writeOnly` fields on the response side.

Parameters serialized as text (`schema`, not `content`) are compared as text: a query value that was a number is
still accepted when the parameter becomes a string.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contracts.diff import Location
    from contracts.findings import Finding

__all__ = ["SchemaComparison"]

_ALTERNATIVES = ("oneOf", "anyOf")
# limit -> True when a higher value accepts more (maxLength), False when it accepts less (minLength)
_LIMITS = {
    "maxLength": True,
    "maxItems": True,
    "maxProperties": True,
    "minLength": False,
    "minItems": False,
    "minProperties": False,
}
_ANYTHING = re.compile(r"^\^?(\.\*|\[\\s\\S\]\*)\$?$")  # `.*`, `^.*$`, `[\s\S]*`: patterns that accept every string
_WIDER_FORMATS = {("int32", "int64"), ("float", "double")}
_TEXT_TYPES = frozenset({"string", "number", "integer", "boolean"})


@dataclass(slots=True)
class _Flat:
    """A schema with its `allOf` parts merged in."""

    types: frozenset[str] | None = None
    enum: list[Any] | None = None
    properties: dict[str, Location] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)


class SchemaComparison:
    """Compares schemas of one direction (`request` or `response`); `label` says where (operation, media type)."""

    def __init__(self, direction: str, label: str, *, textual: bool = False) -> None:
        self.direction = direction
        self.label = label
        self.textual = textual

    def compare(self, old: Location, new: Location) -> Iterator[Finding]:
        """Every change from the `old` schema to the `new` one."""
        yield from self._schema(old, new, "", frozenset())

    def _schema(self, old: Location, new: Location, path: str, active: frozenset[tuple[str, str]]) -> Iterator[Finding]:
        old, new = old.resolved(), new.resolved()
        if not isinstance(old.value, Mapping) or not isinstance(new.value, Mapping):
            return
        if (old.real, new.real) in active:
            return
        active = active | {(old.real, new.real)}
        old_flat, new_flat = _flatten(old, set()), _flatten(new, set())
        yield from self._types(old_flat.types, new_flat.types, new, path)
        yield from self._enum(old_flat.enum, new_flat.enum, new, path)
        yield from self._limits(old.value, new, path)
        yield from self._default(old.value, new, path)
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
            kind = "request-type-narrowed" if not _covers(new, old, textual=self.textual) else "request-type-widened"
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

    def _limits(self, old: Mapping[str, Any], new: Location, path: str) -> Iterator[Finding]:
        """Length, size, range, pattern, format and uniqueness limits: tighter or looser than before."""
        value = new.mapping()
        for keyword, higher_accepts_more in _LIMITS.items():
            before, after = _number(old.get(keyword)), _number(value.get(keyword))
            if not higher_accepts_more:  # a minimum of 0 is no limit at all
                before, after = before or None, after or None
            if before != after:
                looser = after is None or (before is not None and (after > before) == higher_accepts_more)
                yield self._limit(new, keyword, looser, f"{keyword} {_text(before)} -> {_text(after)}", path)
        for side, higher_accepts_more in (("minimum", False), ("maximum", True)):
            before, after = _bound(old, side), _bound(value, side)
            if before != after:
                looser = after is None or (before is not None and _wider_bound(before, after, higher_accepts_more))
                change = f"{side} {_bound_text(before)} -> {_bound_text(after)}"
                yield self._limit(new, side if side in value else f"exclusive{side.title()}", looser, change, path)
        yield from self._pattern(old.get("pattern"), value.get("pattern"), new, path)
        before, after = old.get("format"), value.get("format")
        if before != after:
            looser = after is None or (before, after) in _WIDER_FORMATS
            yield self._limit(new, "format", looser, f"format {_text(before)} -> {_text(after)}", path)
        before, after = old.get("uniqueItems") is True, value.get("uniqueItems") is True
        if before != after:
            change = f"uniqueItems {str(before).lower()} -> {str(after).lower()}"
            yield self._limit(new, "uniqueItems", before, change, path)
        before, after = _number(old.get("multipleOf")), _number(value.get("multipleOf"))
        if before != after:
            looser = after is None or (before is not None and _divides(after, before))
            yield self._limit(new, "multipleOf", looser, f"multipleOf {_text(before)} -> {_text(after)}", path)

    def _pattern(self, before: Any, after: Any, at: Location, path: str) -> Iterator[Finding]:
        if before == after:
            return
        if after is None or (isinstance(after, str) and _ANYTHING.match(after)):
            yield self._limit(at, "pattern", True, f"pattern {_text(before)} -> {_text(after)}", path)
        elif before is None:
            yield self._limit(at, "pattern", False, f"pattern {after!r} added", path)
        else:  # neither side is known to contain the other: a value the old one accepted may be rejected now
            yield self._limit(at, "pattern", False, f"pattern {before!r} -> {after!r}", path)

    def _limit(self, at: Location, keyword: str, looser: bool, change: str, path: str) -> Finding:
        if self.direction == "request":
            kind = "request-type-widened" if looser else "request-type-narrowed"
        else:
            kind = "response-type-changed" if looser else "response-type-narrowed"
        return at.child(keyword).finding(kind, self._message(path, change))

    def _default(self, old: Mapping[str, Any], new: Location, path: str) -> Iterator[Finding]:
        """A default a client relies on by leaving the value out (request side), or the one it is told of."""
        value = new.mapping()
        if "default" not in old and "default" not in value:
            return
        before, after = old.get("default"), value.get("default")
        if "default" in old and "default" in value and _key(before) == _key(after):
            return
        if self.direction == "request":
            kind = "request-default-changed" if "default" in old else "request-default-added"
        else:
            kind = "response-default-changed"
        change = f"default {_text(before)} -> {_text(after)}" if "default" in old else f"default {after!r} added"
        yield new.child("default").finding(kind, self._message(path, change))

    def _properties(self, old: _Flat, new: _Flat, path: str, active: frozenset[tuple[str, str]]) -> Iterator[Finding]:
        side = self.direction
        for name, old_prop in old.properties.items():
            if self._skipped(old_prop):
                continue
            sub = f"{path}.{name}" if path else name
            new_prop = new.properties.get(name)
            if new_prop is None:
                optional = side == "response" and name not in old.required  # clients already cope with its absence
                kind = "response-optional-field-removed" if optional else f"{side}-field-removed"
                yield old_prop.finding(kind, self._message(sub, "removed"))
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
    enum = [value["const"]] if "const" in value else value.get("enum") if isinstance(value.get("enum"), list) else None
    flat = _Flat(types=_types(value), enum=enum)
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


def _covers(wide: frozenset[str] | None, narrow: frozenset[str] | None, *, textual: bool = False) -> bool:
    """Whether every value of the `narrow` types is one of the `wide` types (as text, when `textual`)."""
    if wide is None:
        return True
    if narrow is None:
        return False
    text = textual and "string" in wide
    return all(t in wide or (t == "integer" and "number" in wide) or (text and t in _TEXT_TYPES) for t in narrow)


def _number(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _bound(schema: Mapping[str, Any], side: str) -> tuple[float, bool] | None:
    """(limit, exclusive) of `minimum` or `maximum`: 3.0's boolean `exclusiveMinimum` or 3.1's numeric one."""
    exclusive_key = f"exclusive{side.title()}"
    inclusive, exclusive = _number(schema.get(side)), schema.get(exclusive_key)
    bounds: list[tuple[float, bool]] = []
    if inclusive is not None:
        bounds.append((inclusive, exclusive is True))
    if _number(exclusive) is not None:
        bounds.append((exclusive, True))
    if not bounds:
        return None
    tightest = max if side == "minimum" else min
    return tightest(bounds, key=lambda bound: (bound[0], bound[1] if side == "minimum" else not bound[1]))


def _wider_bound(before: tuple[float, bool], after: tuple[float, bool], higher_accepts_more: bool) -> bool:
    if before[0] != after[0]:
        return (after[0] > before[0]) == higher_accepts_more
    return before[1] and not after[1]  # the same limit, no longer exclusive


def _bound_text(bound: tuple[float, bool] | None) -> str:
    if bound is None:
        return "none"
    return f"{_text(bound[0])} (exclusive)" if bound[1] else _text(bound[0])


def _divides(divisor: float, value: float) -> bool:
    """Whether every multiple of `value` is a multiple of `divisor` (so `multipleOf: divisor` accepts more)."""
    quotient = value / divisor
    return divisor != 0 and abs(quotient - round(quotient)) < 1e-9


def _text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


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
