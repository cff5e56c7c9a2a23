"""contracts/validation.py: the compiled (jsonschema-rs) answer is never more lenient than the OpenAPI 3.0 Python
validator that writes the messages, on every schema of every spec and on values that break them in typical ways."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contracts.specfile import join_pointer, load_spec_document
from contracts.validation import SchemaChecker

SPECS = sorted((Path(__file__).resolve().parents[2] / "specs").glob("*.yaml"))
ODD_VALUES: list[Any] = [None, "", "x", "not-a-date", 0, -1, 1.5, 2**31, 2**40, True, [], [1], {}, {"a": 1}]


def _schemas(document: Any) -> Iterator[tuple[str, Any]]:
    for name, schema in ((document.get("components") or {}).get("schemas") or {}).items():
        yield join_pointer("/components/schemas", name), schema
        for prop, sub in (schema.get("properties") or {}).items():
            yield join_pointer("/components/schemas", name, "properties", prop), sub


def _values(schema: Any) -> Iterator[Any]:
    yield from ODD_VALUES
    if isinstance(schema, dict):
        if "example" in schema:
            yield schema["example"]
            if isinstance(schema["example"], dict):
                for key in schema["example"]:  # the example with one field changed in type
                    yield {**schema["example"], key: 12345}
                    yield {**schema["example"], key: None}


@pytest.mark.parametrize("spec", SPECS, ids=lambda path: path.stem)
def test_the_compiled_check_is_never_more_lenient(spec: Path) -> None:
    document = load_spec_document(spec).data
    checker = SchemaChecker(document)
    compared = 0
    for pointer, schema in _schemas(document):
        for value in _values(schema):
            fast = checker.is_valid(pointer, value)
            slow = checker._validator(pointer, "read").is_valid(value)
            assert not fast or slow, f"{pointer}: {value!r} passes the compiled check only"
            compared += 1
    assert compared > 100
