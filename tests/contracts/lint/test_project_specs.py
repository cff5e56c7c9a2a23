"""The project's own specs (`specs/*.yaml`, whatever exists right now) lint without errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from openapi_spec_validator import validate

from contracts.findings import Severity
from contracts.lint import lint_file
from contracts.specfile import discover_specs, load_spec_document

ROOT = Path(__file__).resolve().parents[3]
SPECS = discover_specs(ROOT)


def test_the_project_has_specs() -> None:
    assert SPECS, f"no specs/*.yaml under {ROOT}"


@pytest.mark.parametrize("path", SPECS, ids=lambda path: path.name)
def test_spec_lints_without_errors(path: Path) -> None:
    errors = [f.format() for f in lint_file(path) if f.severity is Severity.ERROR]
    assert errors == []


@pytest.mark.parametrize("path", SPECS, ids=lambda path: path.name)
def test_openapi_spec_validator_agrees(path: Path) -> None:
    """Our structural rule uses only the OpenAPI schema; the full validator must not find more."""
    validate(dict(load_spec_document(path).data))
