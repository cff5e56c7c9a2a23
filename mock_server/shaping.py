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
    """
    if not schema:
        return value
    if value is None:
        return None if schema.get("nullable") else gen.value(schema, name)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            if is_valid(value, schema):
                return value
            for branch in schema[key]:
                candidate = conform(value, {**{k: v for k, v in schema.items() if k != key}, **branch}, gen, name)
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
            out[key] = conform(item, props[key], gen, key)
        elif extra is True or isinstance(extra, Mapping) and (not props or extra):
            out[key] = conform(item, extra, gen, key) if isinstance(extra, Mapping) else item
        elif not props and extra is None:
            out[key] = item  # a free-form object keeps everything
    for key in schema.get("required") or ():
        if key not in out:
            out[key] = gen.value(props.get(key, {}), key)
    return out


def _conform_array(value: list[Any], schema: Mapping[str, Any], gen: FakeGenerator, name: str) -> list[Any]:
    items_schema = schema.get("items") or {}
    out = [conform(item, items_schema, gen, name) for item in value]
    if "maxItems" in schema:
        out = out[: schema["maxItems"]]
    while len(out) < schema.get("minItems", 0):
        out.append(gen.value(items_schema, name))
    return out
