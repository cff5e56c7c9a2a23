"""The x-decision rule (contracts/decisions.py) and the verdicts built on it (contracts/assumptions.py): which
violations rest only on the spec's decisions, and which break a documented fact."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.assumptions import AssumptionJudge
from contracts.decisions import Decisions
from contracts.specfile import parse_spec_text
from contracts.validation import SchemaChecker

SPEC = """
openapi: 3.0.3
info: {title: Decisions fixture, version: "1"}
paths:
  /things:
    get:
      parameters:
        - $ref: '#/components/parameters/limit'
        - name: since
          in: query
          schema: {type: integer, format: int32, minimum: 1}
          x-decision: int32 is ours; "positive" is documented.
          x-decision-keywords: [format]
        - name: X-Trace
          in: header
          required: true
          schema: {type: string, pattern: '^[a-f0-9]+$'}
          x-decision: The pattern is ours.
      responses:
        "200":
          description: OK
          headers:
            Retry-After:
              required: true
              schema: {type: integer, minimum: 0}
              x-decision: minimum 0 is ours.
            X-Page:
              required: true
              schema: {type: integer}
              x-decision: Required is ours too.
              x-decision-keywords: [required]
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Things'}
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Thing'}
      responses:
        "201": {description: Created}
components:
  parameters:
    limit:
      name: limit
      in: query
      schema: {type: integer, minimum: 1, maximum: 100}
      x-decision: The range is ours.
  schemas:
    Things:
      type: object
      required: [items]
      properties:
        items:
          type: array
          items: {$ref: '#/components/schemas/Thing'}
    Thing:
      type: object
      required: [name]
      x-decision: Required name is ours.
      properties:
        name:
          type: string
          maxLength: 10
          x-decision: The length is ours.
        kind:
          type: string
          enum: [a, b]
        color:
          type: string
          enum: [red, blue]
          x-decision: The docs list these colors; the note only explains why the enum is closed.
          x-decision-keywords: []
        tags:
          type: array
          maxItems: 2
          items: {type: string, minLength: 2}
          x-decision: At most two tags is ours (the items' length is not).
"""


@pytest.fixture(scope="module")
def judge() -> AssumptionJudge:
    return AssumptionJudge(parse_spec_text(SPEC, name="decisions.yaml"))


def _request(judge: AssumptionJudge, **kwargs: Any) -> Any:
    return judge.request("get", "/things", headers={"X-Trace": "ab12"}, **kwargs)


def test_a_value_breaking_only_a_decided_keyword_rests_on_that_decision(judge: AssumptionJudge) -> None:
    [decision] = _request(judge, query={"limit": "101"})
    assert decision.pointer == "/components/parameters/limit"
    assert decision.broken == {"maximum"}
    assert decision.note == "The range is ours."
    assert decision.location("decisions.yaml") == f"decisions.yaml:{decision.line} #/components/parameters/limit"


def test_a_wrong_type_is_a_fact_even_on_a_decided_node(judge: AssumptionJudge) -> None:
    assert _request(judge, query={"limit": "many"}) is None


def test_narrowed_keywords_leave_the_others_documented(judge: AssumptionJudge) -> None:
    assert _request(judge, query={"since": "0"}) is None  # minimum: documented
    [decision] = _request(judge, query={"since": str(2**40)})  # format int32: decided
    assert decision.broken == {"format"}


def test_one_documented_constraint_broken_makes_the_whole_violation_a_fact(judge: AssumptionJudge) -> None:
    assert _request(judge, query={"limit": "101", "since": "0"}) is None


def test_a_missing_parameter_or_header_is_a_fact_unless_its_presence_is_named(judge: AssumptionJudge) -> None:
    assert judge.request("get", "/things") is None  # X-Trace: decided pattern, but its presence is documented
    status = 200
    assert judge.response_headers("get", "/things", status, {"X-Page": "1"}) is None  # Retry-After missing
    [decision] = judge.response_headers("get", "/things", status, {"Retry-After": "1"})
    assert decision.pointer.endswith("/headers/X-Page") and decision.broken == {"required"}
    [decision] = judge.response_headers("get", "/things", status, {"Retry-After": "-1", "X-Page": "1"})
    assert decision.pointer.endswith("/headers/Retry-After") and decision.broken == {"minimum"}


def test_decisions_are_not_inherited_by_properties_or_items(judge: AssumptionJudge) -> None:
    body = {"items": [{"name": "a-long-name-indeed"}]}
    [decision] = judge.response_body("get", "/things", 200, "application/json", body)
    assert decision.pointer == "/components/schemas/Thing/properties/name"
    assert judge.response_body("get", "/things", 200, "application/json", {"items": [{"name": "x", "kind": "c"}]}) \
        is None  # kind's enum: no decision on that property, though its object has one
    assert judge.response_body("get", "/things", 200, "application/json",
                               {"items": [{"name": "x", "tags": ["a"]}]}) is None  # the items' minLength
    assert judge.response_body("get", "/things", 200, "application/json",
                               {"items": [{"name": "x", "color": "green"}]}) is None  # a note deciding nothing
    [decision] = judge.response_body("get", "/things", 200, "application/json",
                                     {"items": [{"name": "x", "tags": ["ab", "cd", "ef"]}]})
    assert decision.pointer.endswith("/properties/tags") and decision.broken == {"maxItems"}


def test_a_decided_required_list_on_a_referenced_schema(judge: AssumptionJudge) -> None:
    [decision] = judge.request("post", "/things", body={"kind": "a"}, media_type="application/json")
    assert decision.pointer == "/components/schemas/Thing" and decision.broken == {"required"}
    assert judge.request("post", "/things", body={"name": 5}, media_type="application/json") is None


def test_a_valid_value_or_an_unknown_operation_rests_on_nothing(judge: AssumptionJudge) -> None:
    assert _request(judge, query={"limit": "5"}) is None
    assert judge.request("get", "/nothing", query={"limit": "101"}) is None
    assert judge.response_body("get", "/things", 200, "application/json", {"items": []}) is None


def test_schema_errors_name_the_node_through_refs() -> None:
    document = parse_spec_text(SPEC, name="decisions.yaml")
    checker = SchemaChecker(document.data)
    [error] = checker.errors("/paths/~1things/get/responses/200/content/application~1json/schema",
                             {"items": [{"name": 5}]}, "read")
    assert error.keyword == "type" and error.path == "/items/0/name"
    assert error.nodes[-1] == "/components/schemas/Thing/properties/name"
    assert len(Decisions(document)) == 9
