"""Query, path and form values -> typed values, for Connexion (`uri_parser_class`) and the fast path alike.

Connexion 3.3's `OpenAPIURIParser` fails with a 500 on a parameter or form field whose schema has no `type`, and
does not understand an object query parameter in its default style (`style: form, explode: true`: the object's
properties travel as separate query parameters, `?limit=1&offset=2`). This parser keeps its behaviour otherwise:
- a value that cannot be converted stays a string, and validation names it;
- an object parameter in form style gathers the query parameters named after its properties; in `deepObject`
  style (`?filter[name]=x`) Connexion's own parsing is kept, leaves converted by their property schemas;
- a required array field absent from a form body is an empty array (a form cannot send an empty list), and so is
  an array parameter sent empty (`?ids=`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from connexion.uri_parsing import OpenAPIURIParser

__all__ = ["TypedURIParser", "coerce", "form_object_params"]

_SCALARS = {"integer": int, "number": float}


def coerce(value: Any, schema: Any) -> Any:
    """`value` (text, a list of texts, or a dict of them) converted as `schema` says; unchanged where it can't be."""
    if not isinstance(schema, Mapping):
        return value
    if schema.get("nullable") and value == "null":
        return None
    kind = schema.get("type")
    if kind == "array" and isinstance(value, list):
        return [coerce(item, schema.get("items")) for item in value]
    if kind == "object" and isinstance(value, dict):
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        return {key: coerce(item, properties.get(key, extra)) for key, item in value.items()}
    if not isinstance(value, str):
        return value
    if kind in _SCALARS:
        try:
            number = _SCALARS[kind](value)
        except (ValueError, OverflowError):
            return value
        return number if kind != "number" or number == number and abs(number) != float("inf") else value
    if kind == "boolean" and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def form_object_params(parameters: Mapping[str, Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """The object query parameters sent in form style, exploded: name -> their schema's properties."""
    out: dict[str, Mapping[str, Any]] = {}
    for name, definition in parameters.items():
        schema = definition.get("schema") or {}
        if definition.get("in") != "query" or schema.get("type") != "object":
            continue
        if definition.get("style", "form") == "form" and definition.get("explode", True):
            out[name] = schema.get("properties") or {}
    return out


class TypedURIParser(OpenAPIURIParser):
    """Connexion's OpenAPI parser without its 500s, with form-exploded object parameters."""

    def resolve_query(self, query_data: dict[str, list[str]]) -> dict[str, Any]:
        objects = form_object_params(self.param_defns)
        if objects:
            query_data = dict(query_data)
            for name, properties in objects.items():
                if name in query_data:
                    continue
                gathered = {key: query_data[key][-1] for key in properties
                            if key in query_data and key not in self.param_defns}
                if gathered or self.param_defns[name].get("required"):
                    query_data[name] = [gathered]  # type: ignore[list-item]  # none sent: the empty object
        return super().resolve_query(query_data)  # type: ignore[no-any-return]

    def resolve_params(self, params: dict[str, Any], _in: str) -> dict[str, Any]:
        resolved: dict[str, Any] = {}
        for key, values in params.items():
            definition = self.param_defns.get(key)
            if not definition:
                resolved[key] = values  # not declared: ignored by validation
                continue
            schema = definition.get("schema") or {}
            if _in == "path":
                values = [values]
            if schema.get("type") == "array":
                joined = self._resolve_param_duplicates(values, definition, _in)
                values = self._split(joined, definition, _in) if joined != "" else []  # `?ids=`: no items
            else:
                values = values[-1]
            resolved[key] = coerce(values, schema)
        return resolved

    def resolve_form(self, form_data: dict[str, Any]) -> dict[str, Any]:
        if self._body_schema is None or self._body_schema.get("type") != "object":
            return form_data
        for key in form_data:
            encoding = self._body_encoding.get(key, {"style": "form"})
            schema = self.form_defns.get(key) or {}
            value = self._resolve_param_duplicates(form_data[key], encoding, "form")
            if "contentType" in encoding and "json" in str(encoding.get("contentType")):
                try:
                    value = json.loads(value)
                except ValueError:
                    pass  # left as text: validation names the field
            elif schema.get("type") == "array":
                value = self._split(value, encoding, "form")
            form_data[key] = coerce(value, schema)
        for key in self._body_schema.get("required") or ():
            if key not in form_data and (self.form_defns.get(key) or {}).get("type") == "array":
                form_data[key] = []  # a form cannot send an empty list: an absent array field is one
        return form_data
