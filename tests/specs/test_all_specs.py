"""Every spec in specs/: valid OpenAPI 3.0, lint-clean (examples included), the documented operation counts."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from contracts.lint import lint_file
from tests.conftest import SPECS

OPERATION_COUNTS = {"pulumi-ai": 10, "devs-ai": 25, "project-ai-chat": 1, "coder-chats": 18, "pulze": 1}
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def _operations(path: Path) -> list[dict]:
    document = yaml.safe_load(path.read_text())
    return [op for item in document["paths"].values() for method, op in item.items() if method in METHODS]


def test_the_five_documented_apis_have_a_spec() -> None:
    assert sorted(p.stem for p in SPECS.glob("*.yaml")) == sorted(OPERATION_COUNTS)


@pytest.mark.parametrize("name", sorted(OPERATION_COUNTS))
def test_spec_is_valid_openapi_30(name: str) -> None:
    document = yaml.safe_load((SPECS / f"{name}.yaml").read_text())
    assert document["openapi"].startswith("3.0.")
    validate(document)


@pytest.mark.parametrize("name", sorted(OPERATION_COUNTS))
def test_operation_count_and_ids(name: str) -> None:
    operations = _operations(SPECS / f"{name}.yaml")
    assert len(operations) == OPERATION_COUNTS[name]
    ids = [op.get("operationId") for op in operations]
    assert all(ids) and len(set(ids)) == len(ids)
    assert all(op.get("summary") and op.get("tags") for op in operations)
    assert all("x-mock" in op for op in operations)


@pytest.mark.parametrize("name", sorted(OPERATION_COUNTS))
def test_spec_lints_clean_including_every_example(name: str) -> None:
    findings = lint_file(SPECS / f"{name}.yaml")
    assert [f for f in findings if f.severity.value == "error"] == []


def test_the_mock_serves_every_operation_of_every_spec() -> None:
    from mock_server import load_apis

    apis = load_apis((SPECS,))
    assert {name: len(api.operations) for name, api in apis.items()} == OPERATION_COUNTS
