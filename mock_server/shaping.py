"""Fit a stored document to a response schema: keep what fits, generate what is missing, drop what is unknown."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mock_server.generation import FakeGenerator
from mock_server.schemas import is_valid

__all__ = ["conform"]


def conform(value: Any, schema: Mapping[str, Any] | None, gen: FakeGenerator, name: str = "") -> Any:
    """A value valid for `schema` that keeps as much of `value` as the schema allows.

    Object properties the schema does not list are dropped (unless it allows additional properties explicitly);
    required properties that are missing are generated; values of the wrong shape are generated afresh.
    A value that already fits (one validation against `_strict(schema)`) comes back as it is, not copied: stores
    keep their own copies, so callers may change what they get only if they built it.
    """
    if not schema:
        return value
    if _fits(value, schema):
        return value
    return _conform(value, schema, gen, name)


def _conform(value: Any, schema: Mapping[str, Any] | None, gen: FakeGenerator, name: str = "") -> Any:
    if not schema:
        return value
    if value is None:
        return None if schema.get("nullable") else gen.value(schema, name)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            if is_valid(value, schema):
                return value
            for branch in schema[key]:
                candidate = _conform(value, {**{k: v for k, v in schema.items() if k != key}, **branch}, gen, name)
                if is_valid(candidate, schema):
                    return candidate
            return gen.value(schema, name)
    kind = schema.get("type") or ("object" if "properties" in schema else None)
    if kind == "object" and isinstance(value, Mapping):
        out = _conform_object(value, schema, gen)
    elif kind == "array" and isinstance(value, list):
        out = _conform_array(value, schema, gen, name)
    else:
        out = value
    return out if is_valid(out, schema) else gen.value(schema, name)


def _conform_object(value: Mapping[str, Any], schema: Mapping[str, Any], gen: FakeGenerator) -> dict[str, Any]:
    props: Mapping[str, Any] = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in props:
            out[key] = _conform(item, props[key], gen, key)
        elif extra is True or isinstance(extra, Mapping) and (not props or extra):
            out[key] = _conform(item, extra, gen, key) if isinstance(extra, Mapping) else item
        elif not props and extra is None:
            out[key] = item  # a free-form object keeps everything
    for key in schema.get("required") or ():
        if key not in out:
            out[key] = gen.value(props.get(key, {}), key)
    return out


def _conform_array(value: list[Any], schema: Mapping[str, Any], gen: FakeGenerator, name: str) -> list[Any]:
    items_schema = schema.get("items") or {}
    out = [_conform(item, items_schema, gen, name) for item in value]
    if "maxItems" in schema:
        out = out[: schema["maxItems"]]
    while len(out) < schema.get("minItems", 0):
        out.append(gen.value(items_schema, name))
    return out


_CACHE_LIMIT = 10_000  # schemas remembered by `_strict`; past it the cache starts afresh


def _fits(value: Any, schema: Mapping[str, Any]) -> bool:
    """Whether `_conform` would leave `value` as it is."""
    return is_valid(value, _strict(schema))


_STRICT: dict[int, tuple[Mapping[str, Any], Mapping[str, Any]]] = {}


def _strict(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """`schema` that also rejects every object key `_conform` would drop: a value valid for it is left unchanged."""
    cached = _STRICT.get(id(schema))
    if cached is None or cached[0] is not schema:
        if len(_STRICT) > _CACHE_LIMIT:
            _STRICT.clear()
        cached = (schema, _tighten(schema))
        _STRICT[id(schema)] = cached
    return cached[1]


def _tighten(schema: Any) -> Any:
    if not isinstance(schema, Mapping) or "oneOf" in schema or "anyOf" in schema:
        return schema  # `_conform` keeps a value valid for a oneOf/anyOf as it is
    out = dict(schema)
    kind = schema.get("type") or ("object" if "properties" in schema else None)
    if kind == "object":
        props: Mapping[str, Any] = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        if props:
            out["properties"] = {key: _tighten(sub) for key, sub in props.items()}
            if extra is True:
                pass
            elif isinstance(extra, Mapping) and extra:
                out["additionalProperties"] = _tighten(extra)
            else:
                out["additionalProperties"] = False
        elif isinstance(extra, Mapping):
            out["additionalProperties"] = _tighten(extra)
    elif kind == "array" and isinstance(schema.get("items"), Mapping):
        out["items"] = _tighten(schema["items"])
    return out
