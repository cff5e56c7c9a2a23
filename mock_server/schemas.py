"""JSON-schema helpers: inline `$ref`s once at load time, merge `allOf`, validate with OpenAPI 3.0 rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jsonschema import FormatChecker
from openapi_schema_validator import OAS30Validator

__all__ = ["inline_schema", "is_valid", "merge_all_of", "schema_errors"]

Resolve = Callable[[Any], Any]
_RECURSION_STANDIN: dict[str, Any] = {"type": "object", "description": "recursive schema, not expanded"}


def inline_schema(node: Any, lookup: Callable[[str], Any], _stack: tuple[str, ...] = ()) -> Any:
    """A copy of `node` with every local `$ref` replaced by its target and `allOf` merged.

    A reference to a schema already being expanded (a recursive type) becomes a plain object schema, so that
    generation always terminates.
    """
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref in _stack:
                return dict(_RECURSION_STANDIN)
            return inline_schema(lookup(ref), lookup, _stack + (ref,))
        out = {key: inline_schema(value, lookup, _stack) for key, value in node.items()}
        if "allOf" in out and isinstance(out["allOf"], list):
            out = merge_all_of(out)
        return out
    if isinstance(node, list):
        return [inline_schema(item, lookup, _stack) for item in node]
    return node


def merge_all_of(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Fold `allOf` parts into one schema: properties merged, `required` united, other keys first-wins."""
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    for part in schema.get("allOf", []):
        if not isinstance(part, Mapping):
            continue
        if "allOf" in part:
            part = merge_all_of(part)
        for key, value in part.items():
            if key == "properties":
                merged.setdefault("properties", {})
                merged["properties"] = {**value, **merged["properties"]}
            elif key == "required":
                merged["required"] = sorted(set(merged.get("required", [])) | set(value))
            else:
                merged.setdefault(key, value)
    return merged


_VALIDATORS: dict[int, tuple[Any, OAS30Validator]] = {}
_FORMATS = FormatChecker()


def _validator(schema: Mapping[str, Any]) -> OAS30Validator:
    key = id(schema)
    cached = _VALIDATORS.get(key)
    if cached is None or cached[0] is not schema:
        cached = (schema, OAS30Validator(schema, format_checker=_FORMATS))
        _VALIDATORS[key] = cached
    return cached[1]


def is_valid(value: Any, schema: Mapping[str, Any]) -> bool:
    """Whether `value` conforms to an (inlined) OpenAPI 3.0 schema, formats included."""
    return bool(_validator(schema).is_valid(value))


def schema_errors(value: Any, schema: Mapping[str, Any]) -> list[str]:
    """Readable messages, each naming the offending location, for a value that does not conform."""
    messages = []
    for error in sorted(_validator(schema).iter_errors(value), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in error.absolute_path)
        messages.append(f"{where or '(root)'}: {error.message}")
    return messages
