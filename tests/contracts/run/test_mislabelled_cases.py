"""A "negative" case that Schemathesis itself describes as positive and that conforms to the spec is not a
violation: the run warns instead (seen in CI on devs-ai `POST /api/v1/files`, a stateful step whose body took a
linked `filename` field and lost its negation)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import schemathesis
from schemathesis.core import NOT_SET

from contracts.assumptions import AssumptionJudge
from contracts.runner import _POSITIVE_DESCRIPTION, _Collector
from contracts.specfile import load_spec_document

SPEC = Path(__file__).resolve().parents[3] / "specs" / "devs-ai.yaml"
GIF = b"GIF87a\x01\x00\x01\x00\x00\x00\x00;"


@pytest.fixture(scope="module")
def collector() -> _Collector:
    document = load_spec_document(SPEC)
    schema = schemathesis.openapi.from_path(str(SPEC))
    return _Collector([], lambda text: text, schema, AssumptionJudge(document), strict=False)


def _case(description: str, body: Any, media_type: str = "multipart/form-data") -> Any:
    phase = SimpleNamespace(data=SimpleNamespace(description=description))
    return SimpleNamespace(
        meta=SimpleNamespace(phase=phase), body=body, media_type=media_type, method="POST",
        operation=SimpleNamespace(path="/api/v1/files"), path_parameters={}, query={},
        headers={"Authorization": "Bearer t"},
    )


def test_a_valid_request_described_as_positive_is_mislabelled(collector: _Collector) -> None:
    case = _case(_POSITIVE_DESCRIPTION, {"file": GIF, "filename": "file.gif"})
    assert collector._mislabelled(case)


def test_an_invalid_request_stays_a_violation_whatever_its_description(collector: _Collector) -> None:
    assert not collector._mislabelled(_case(_POSITIVE_DESCRIPTION, {"filename": "file.gif"}))  # `file` missing
    assert not collector._mislabelled(_case(_POSITIVE_DESCRIPTION, NOT_SET))  # the body is required


def test_a_case_described_by_its_mutation_stays_a_violation(collector: _Collector) -> None:
    case = _case("Object missing required property `file`", {"file": GIF})
    assert not collector._mislabelled(case)


def test_a_json_body_is_judged_against_its_own_schema(collector: _Collector) -> None:
    record = {"filename": "a.txt", "size": 3, "mimeType": "text/plain"}
    assert collector._mislabelled(_case(_POSITIVE_DESCRIPTION, record, "application/json"))
    assert not collector._mislabelled(_case(_POSITIVE_DESCRIPTION, {**record, "size": "3"}, "application/json"))
