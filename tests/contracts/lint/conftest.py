"""Fixtures for the lint tests: a small valid spec as a dict, and a linter over dicts."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from contracts.findings import Finding
from contracts.lint import lint_spec
from contracts.specfile import parse_spec_text

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "lint"

_BASE: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Base", "version": "1"},
    "security": [{"bearer": []}],
    "paths": {
        "/things/{thingId}": {
            "parameters": [{"name": "thingId", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {
                "operationId": "getThing",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
                    }
                },
            },
        }
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Thing": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
        },
    },
}


@pytest.fixture
def fixtures_dir() -> Path:
    """tests/fixtures/lint."""
    return FIXTURES


@pytest.fixture
def base_spec() -> dict[str, Any]:
    """A fresh copy of a small spec that lints clean."""
    return copy.deepcopy(_BASE)


@pytest.fixture
def lint_data() -> Callable[..., list[Finding]]:
    """Lint a spec given as a dict (dumped to YAML first, so lines are real)."""

    def run(data: dict[str, Any], **kwargs: Any) -> list[Finding]:
        return lint_spec(parse_spec_text(yaml.safe_dump(data, sort_keys=False), name="spec.yaml"), **kwargs)

    return run
