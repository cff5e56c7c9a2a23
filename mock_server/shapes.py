"""Where an operation's resource sits in its schemas: the success body, a wrapper property, a list's items."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mock_server.models import Operation

__all__ = ["list_items_schema", "success_schema", "unwrap"]


def success_schema(op: Operation) -> Mapping[str, Any] | None:
    """The JSON schema of the operation's success response, if any."""
    response = op.response_for(op.success_status)
    return response.json_schema if response is not None else None


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
