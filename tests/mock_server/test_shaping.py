"""`conform`'s one-validation fast path gives what the level-by-level walk gives, on every schema of every spec."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mock_server.generation import FakeGenerator
from mock_server.shaping import _conform, conform
from mock_server.web.app import load_apis
from tests.conftest import API_NAMES, SPECS


def _schemas(api_name: str) -> list[tuple[str, Any]]:
    api = load_apis((SPECS / f"{api_name}.yaml",))[api_name]
    found = [(f"resource {name}", schema) for name, schema in api.resource_schemas.items()]
    for op in api.operations:
        for status, response in op.responses.items():
            for media, schema in response.content.items():
                if schema is not None and "json" in media:
                    found.append((f"{op.operation_id} {status}", schema))
    return found


def _variants(value: Any) -> list[Any]:
    """The value, the value with an unknown key at the top and one level down, and with a field of the wrong type."""
    out = [value]
    if isinstance(value, dict):
        out.append({**value, "zz_unknown": 1})
        for key, item in value.items():
            if isinstance(item, dict):
                out.append({**value, key: {**item, "zz_unknown": [1]}})
                break
        for key in value:
            out.append({**value, key: object.__name__})
            break
    return out


@pytest.mark.parametrize("api", API_NAMES)
def test_fast_path_equals_the_walk(api: str) -> None:
    for label, schema in _schemas(api):
        for variant in _variants(FakeGenerator(1).value(schema)):
            fast = conform(copy.deepcopy(variant), schema, FakeGenerator(2))
            slow = _conform(copy.deepcopy(variant), schema, FakeGenerator(2))
            assert fast == slow, label
