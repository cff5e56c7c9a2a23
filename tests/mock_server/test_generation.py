"""Fake data: always valid for its schema, realistic by field name and format, and reproducible with a seed."""

from __future__ import annotations

import json
import re

import pytest

from mock_server import load_apis
from mock_server.generation import FakeGenerator
from mock_server.schemas import is_valid, schema_errors
from tests.conftest import SPECS


def _response_schemas() -> list[tuple[str, dict]]:
    found = []
    for name, api in load_apis((SPECS,)).items():
        for op in api.operations:
            for status, response in op.responses.items():
                for media, schema in response.content.items():
                    if schema and "json" in media:
                        found.append((f"{name}:{op.operation_id}:{status}", schema))
    return found


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_response_schema_of_every_spec_gets_valid_data(seed: int) -> None:
    gen = FakeGenerator(seed)
    failures = {label: errors[:2] for label, schema in _response_schemas()
                if (errors := schema_errors(gen.value(schema), schema))}
    assert failures == {}


def test_same_seed_same_values_different_seed_different_values() -> None:
    schema = {"type": "object", "required": ["id", "name"], "properties": {
        "id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}, "email": {"type": "string"}}}
    assert FakeGenerator(9).value(schema) == FakeGenerator(9).value(schema)
    assert FakeGenerator(9).value(schema) != FakeGenerator(10).value(schema)


def test_values_look_real_by_field_name() -> None:
    gen = FakeGenerator(3)
    value = gen.value({"type": "object", "properties": {
        "email": {"type": "string"}, "avatarUrl": {"type": "string"}, "userId": {"type": "string"},
        "createdAt": {"type": "string"}, "updatedAt": {"type": "string"}, "description": {"type": "string"}}})
    assert re.fullmatch(r"[^@\s]+@[^@\s]+\.\w+", value["email"])
    assert value["avatarUrl"].startswith("http")
    assert re.fullmatch(r"[0-9a-f-]{36}", value["userId"])
    assert value["createdAt"] <= value["updatedAt"]
    assert len(value["description"].split()) >= 4


def test_constraints_are_honoured() -> None:
    gen = FakeGenerator(4)
    project = {"type": "string", "minLength": 8, "maxLength": 60, "pattern": "^[a-z0-9][a-z0-9-]*[a-z0-9]$"}
    counted = {"type": "integer", "minimum": 5, "maximum": 7}
    listed = {"type": "array", "minItems": 2, "maxItems": 2, "uniqueItems": True, "items": {"enum": ["a", "b", "c"]}}
    either = {"oneOf": [{"type": "integer"}, {"type": "string", "format": "date-time"}]}
    for _ in range(20):
        for schema in (project, counted, listed, either, {"type": "string", "nullable": True, "enum": ["x", None]}):
            assert is_valid(gen.value(schema), schema)


def test_the_fast_validator_is_never_more_lenient_than_the_openapi_one() -> None:
    """`is_valid` (jsonschema-rs, on every generated and served document) must reject whatever the OpenAPI 3.0
    validator rejects: good values and broken ones (wrong type, too long, null, a missing required key, an
    out-of-range int32), over every schema and parameter of every spec; it may only be stricter on formats
    Python does not check (uri, hostname)."""
    gen = FakeGenerator(5)
    apis = load_apis((SPECS,)).values()
    schemas = [schema for _, schema in _response_schemas()]
    schemas += [op.request_schema for api in apis for op in api.operations if op.request_schema]
    leaves = [sub for schema in schemas for sub in (schema.get("properties") or {}).values()]
    leaves += [p.schema for api in apis for op in api.operations for p in op.parameters]
    compared = 0
    for schema in leaves + schemas:
        value = gen.value(schema)
        broken: list[object] = [None, 3.5 if schema.get("type") == "string" else "text", 2**31, {"x": 1}, [1]]
        if "maxLength" in schema:
            broken.append("x" * (schema["maxLength"] + 1))
        if isinstance(value, dict) and schema.get("required"):
            broken.append({k: v for k, v in value.items() if k != schema["required"][0]})
        for candidate in [value, *broken]:
            compared += 1
            python_ok = not schema_errors(candidate, schema)
            assert not is_valid(candidate, schema) or python_ok, (candidate, schema)
            if python_ok and not is_valid(candidate, schema):
                assert re.search(r'"format": "(uri|url|hostname)"', json.dumps(schema)), (candidate, schema)
    assert compared > 500
