"""OpenAPI 3.1 -> the OpenAPI 3.0 shape the rest of the mock (and Connexion 3) reads, converted once on load.

Schemas (JSON Schema 2020-12 in 3.1):
- `type: [T, "null"]` -> `type: T, nullable: true`; several types -> `anyOf` of one schema per type;
  `type: "null"` alone -> `{nullable: true, enum: [null]}` (the one 3.0 schema that accepts only null);
- `const: v` -> `enum: [v]`; `examples: [a, ...]` -> `example: a`;
- numeric `exclusiveMinimum: n` -> `minimum: n, exclusiveMinimum: true` (and the maximum alike);
- `contentEncoding: base64` -> `format: byte`, `contentMediaType` on a string -> `format: binary`;
- `$ref` with validation keywords beside it -> `allOf: [{$ref}]` plus those keywords (3.0 ignores `$ref` siblings);
  with annotations only (description, title...) -> the bare `$ref`;
- `true`/`false` schemas -> `{}` / `{not: {}}`; an empty `required` list goes;
- keywords 3.0 does not have (`$defs`, `prefixItems`, `if`, `patternProperties`, ...) are kept as `x-oas31-<name>`,
  so the document stays a valid 3.0 document (they are no longer enforced).
Elsewhere: `webhooks`, `jsonSchemaDialect`, `info.summary`, `license.identifier` and `components.pathItems` go
(path items that refer to one are inlined); a Reference Object keeps only its `$ref`; `paths` defaults to `{}`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

__all__ = ["downgrade_to_30", "is_openapi_31"]

_SCHEMA_30 = {
    "title", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength",
    "pattern", "maxItems", "minItems", "uniqueItems", "maxProperties", "minProperties", "required", "enum", "type",
    "not", "allOf", "oneOf", "anyOf", "items", "properties", "additionalProperties", "description", "format",
    "default", "nullable", "discriminator", "readOnly", "writeOnly", "example", "externalDocs", "deprecated", "xml",
    "$ref",
}
_ANNOTATIONS = {"description", "title", "summary", "$comment", "example", "examples", "deprecated", "externalDocs"}
_PASSIVE = ("example", "examples", "default", "value", "enum", "const")  # data, not OpenAPI objects
_RENAMED = "x-oas31-"


def is_openapi_31(document: Mapping[str, Any]) -> bool:
    return str(document.get("openapi", "")).startswith("3.1")


def downgrade_to_30(document: dict[str, Any]) -> dict[str, Any]:
    """A 3.0.3 document equivalent (as far as 3.0 can say it) to the 3.1 `document`."""
    doc = copy.deepcopy(document)
    doc["openapi"] = "3.0.3"
    for key in ("webhooks", "jsonSchemaDialect"):
        doc.pop(key, None)
    info = doc.get("info")
    if isinstance(info, dict):
        info.pop("summary", None)
        if isinstance(info.get("license"), dict):
            info["license"].pop("identifier", None)
    components = doc.get("components") if isinstance(doc.get("components"), dict) else {}
    path_items = components.pop("pathItems", None) or {}
    paths = doc.setdefault("paths", {}) or {}
    doc["paths"] = paths
    for path, item in list(paths.items()):
        ref = item.get("$ref") if isinstance(item, dict) else None
        if isinstance(ref, str) and ref.startswith("#/components/pathItems/"):
            paths[path] = copy.deepcopy(path_items.get(ref.rsplit("/", 1)[1], {}))
    schemas = components.get("schemas")
    if isinstance(schemas, dict):
        components["schemas"] = {name: convert_schema(schema) for name, schema in schemas.items()}
    _walk(doc)
    return doc


def _walk(node: Any) -> None:
    """Convert every `schema` of the document's OpenAPI objects (components.schemas is done already)."""
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str) and len(node) > 1:  # a Reference Object: summary/description go
            for key in [k for k in node if k != "$ref"]:
                del node[key]
            return
        for key, value in node.items():
            if key == "schema":
                node[key] = convert_schema(value)
            elif key == "schemas" or key in _PASSIVE or key.startswith("x-"):
                continue
            else:
                _walk(value)
    elif isinstance(node, list):
        for item in node:
            _walk(item)


def convert_schema(schema: Any) -> Any:
    """One JSON Schema 2020-12 schema (and its subschemas) as an OpenAPI 3.0 schema."""
    if schema is True:
        return {}
    if schema is False:
        return {"not": {}}
    if not isinstance(schema, Mapping):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas") \
                and isinstance(value, Mapping):
            out[key] = {name: convert_schema(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else",
                     "unevaluatedProperties", "unevaluatedItems", "additionalItems"):
            out[key] = convert_schema(value)
        elif key in ("allOf", "anyOf", "oneOf", "prefixItems") and isinstance(value, list):
            out[key] = [convert_schema(sub) for sub in value]
        else:
            out[key] = value
    _fix_keywords(out)
    _fix_type(out)
    out = _fix_ref(out)
    return {(key if key in _SCHEMA_30 or key.startswith("x-") else _RENAMED + key): value
            for key, value in out.items()}


def _fix_keywords(out: dict[str, Any]) -> None:
    if "const" in out:
        out.setdefault("enum", [out.pop("const")])
    examples = out.pop("examples", None)
    if isinstance(examples, list) and examples:
        out.setdefault("example", examples[0])
    for exclusive, inclusive, stricter in (("exclusiveMinimum", "minimum", max), ("exclusiveMaximum", "maximum", min)):
        bound = out.get(exclusive)
        if isinstance(bound, (int, float)) and not isinstance(bound, bool):
            current = out.get(inclusive)
            if isinstance(current, (int, float)) and stricter(current, bound) == current and current != bound:
                del out[exclusive]  # the inclusive bound is the stricter one
            else:
                out[inclusive], out[exclusive] = bound, True
    encoding = out.pop("contentEncoding", None)
    media = out.pop("contentMediaType", None)
    if out.get("type") == "string" and "format" not in out:
        if encoding == "base64":
            out["format"] = "byte"
        elif media is not None:
            out["format"] = "binary"
    if out.get("required") == []:
        del out["required"]


def _fix_type(out: dict[str, Any]) -> None:
    kind = out.get("type")
    if kind == "null":
        del out["type"]
        out["nullable"] = True
        out.setdefault("enum", [None])
        return
    if not isinstance(kind, list):
        if isinstance(out.get("enum"), list) and None in out["enum"] and kind is not None:
            out["nullable"] = True
        return
    types = [t for t in kind if t != "null"]
    nullable = len(types) != len(kind)
    del out["type"]
    if len(types) == 1:
        out["type"] = types[0]
    elif types:
        branches: list[dict[str, Any]] = [{"type": t} for t in types]
        if nullable:
            branches.append({"nullable": True, "enum": [None]})
        if "anyOf" in out:  # keep the schema's own anyOf: both must hold
            out["allOf"] = [*out.get("allOf", []), {"anyOf": branches}]
        else:
            out["anyOf"] = branches
        return
    if nullable:
        out["nullable"] = True


def _fix_ref(out: dict[str, Any]) -> dict[str, Any]:
    if "$ref" not in out or len(out) == 1:
        return out
    siblings = {k: v for k, v in out.items() if k != "$ref"}
    if set(siblings) <= _ANNOTATIONS:
        return {"$ref": out["$ref"]}
    return {"allOf": [{"$ref": out["$ref"]}], **siblings}
