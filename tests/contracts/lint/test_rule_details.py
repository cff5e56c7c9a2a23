"""The finer points of the rules that match Spectral's `oas` ruleset, and messages that say what to change."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contracts.findings import Finding, Severity
from contracts.lint import lint_file

Lint = Callable[..., list[Finding]]
THING = "/paths/~1things~1{thingId}"
GET = f"{THING}/get"


def found(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.rule, f.pointer) for f in findings]


# spec-valid messages


def test_a_wrong_type_name_is_reported_at_type_not_as_a_boolean(base_spec: dict[str, Any], lint_data: Lint) -> None:
    base_spec["components"]["schemas"]["Thing"]["additionalProperties"] = {"type": "int"}
    [finding] = lint_data(base_spec)
    assert finding.pointer == "/components/schemas/Thing/additionalProperties/type"
    assert finding.message.startswith("`type: 'int'` is not allowed here: use one of array, boolean, integer")


def test_a_value_of_the_wrong_json_type_names_what_fits(base_spec: dict[str, Any], lint_data: Lint) -> None:
    base_spec["components"]["schemas"]["Thing"]["additionalProperties"] = "yes"
    base_spec["paths"]["/things/{thingId}"]["parameters"][0]["schema"] = None
    assert [(f.pointer, f.message) for f in lint_data(base_spec)] == [
        (f"{THING}/parameters/0/schema", "expected an object here, not null"),
        ("/components/schemas/Thing/additionalProperties", "expected an object or a boolean here, not a string"),
    ]


def test_a_header_without_schema_or_content(base_spec: dict[str, Any], lint_data: Lint) -> None:
    response = base_spec["paths"]["/things/{thingId}"]["get"]["responses"]["200"]
    response["headers"] = {"X-Total": {"description": "count"}}
    [finding] = lint_data(base_spec)
    assert (finding.pointer, finding.message) == (
        f"{GET}/responses/200/headers/X-Total",
        "add `schema` or `content` (one is required here)",
    )


def test_type_lists_need_openapi_31(base_spec: dict[str, Any], lint_data: Lint) -> None:
    base_spec["components"]["schemas"]["Thing"]["properties"]["id"]["type"] = ["string", "null"]
    [finding] = lint_data(base_spec)
    assert finding.pointer == "/components/schemas/Thing/properties/id/type"
    assert finding.message.startswith("a list of types needs OpenAPI 3.1")


def test_missing_fields_and_emails(base_spec: dict[str, Any], lint_data: Lint) -> None:
    del base_spec["paths"]["/things/{thingId}"]["get"]["responses"]["200"]["description"]
    base_spec["info"]["contact"] = {"email": "team@localhost"}
    assert [(f.pointer, f.message) for f in lint_data(base_spec)] == [
        ("/info/contact/email", "'team@localhost' is not a valid email"),
        (f"{GET}/responses/200", "missing required field `description`: add it"),
    ]


# ref-siblings


def test_siblings_of_a_ref_are_ignored_in_openapi_30(base_spec: dict[str, Any], lint_data: Lint) -> None:
    base_spec["components"]["schemas"]["Thing"]["properties"]["self"] = {
        "$ref": "#/components/schemas/Thing",
        "description": "The thing itself",
    }
    [finding] = lint_data(base_spec)
    assert (finding.rule, finding.pointer) == ("ref-siblings", "/components/schemas/Thing/properties/self/description")
    assert "write `allOf: [{$ref: ...}]` with `description` beside `allOf`" in finding.message


def test_openapi_31_allows_schema_siblings_and_reference_summaries(base_spec: dict[str, Any], lint_data: Lint) -> None:
    base_spec["openapi"] = "3.1.0"
    base_spec["components"]["schemas"]["Thing"]["properties"]["self"] = {
        "$ref": "#/components/schemas/Thing",
        "description": "The thing itself",
    }
    base_spec["components"]["responses"] = {"Gone": {"description": "Gone"}}
    responses = base_spec["paths"]["/things/{thingId}"]["get"]["responses"]
    responses["410"] = {"$ref": "#/components/responses/Gone", "description": "Gone for good"}
    assert lint_data(base_spec) == []


# paths


def test_a_repeated_path_variable(base_spec: dict[str, Any], lint_data: Lint) -> None:
    base_spec["paths"]["/things/{thingId}/{thingId}"] = base_spec["paths"].pop("/things/{thingId}")
    findings = lint_data(base_spec)
    assert found(findings) == [("path-params-match", "/paths/~1things~1{thingId}~1{thingId}")]
    assert findings[0].message == "the path repeats variable {thingId}: give each segment its own name"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/things/{thingId}?full=true", "has a query string: declare query parameters (`in: query`)"),
        ("/things/{thingId}/{}", "has an empty variable {}: name it and declare its parameter"),
    ],
)
def test_path_format(base_spec: dict[str, Any], lint_data: Lint, path: str, message: str) -> None:
    base_spec["paths"][path] = base_spec["paths"].pop("/things/{thingId}")
    findings = [f for f in lint_data(base_spec) if f.rule == "path-format"]
    assert [(f.message, f.severity) for f in findings] == [(f"path {path!r} {message}", Severity.WARNING)]


# servers


def test_server_variables_used_defined_and_valid(base_spec: dict[str, Any], lint_data: Lint) -> None:
    base_spec["servers"] = [
        {"url": "{scheme}://api.test.org/v1"},
        {"url": "https://api.test.org:{port}", "variables": {"port": {"default": "443", "enum": ["443", "x 1"]}}},
        {"url": "https://api.test.org", "variables": {"env": {"default": "prod"}}},
    ]
    base_spec["paths"]["/things/{thingId}"]["servers"] = [{"url": "https://{host}"}]
    assert [(f.pointer, f.message) for f in lint_data(base_spec)] == [
        (f"{THING}/servers/0", "URL variable {host} is not defined: add it under `variables`, with a default"),
        ("/servers/0", "URL variable {scheme} is not defined: add it under `variables`, with a default"),
        (
            "/servers/1/variables/port/enum/1",
            "with port='x 1' the server URL is 'https://api.test.org:x 1', which contains a space: fix the value",
        ),
        (
            "/servers/2/variables/env",
            "server variable 'env' is not in the URL 'https://api.test.org': use it or remove it",
        ),
    ]


def test_server_urls_that_are_placeholders(base_spec: dict[str, Any], lint_data: Lint) -> None:
    base_spec["servers"] = [{"url": "https://example.com/api"}, {"url": "/"}, {"url": "https://example.company.org"}]
    assert [(f.rule, f.pointer, f.severity) for f in lint_data(base_spec)] == [
        ("server-url", "/servers/0/url", Severity.WARNING)
    ]


# operations


def test_operation_ids_are_expected_except_on_callbacks(base_spec: dict[str, Any], lint_data: Lint) -> None:
    operation = base_spec["paths"]["/things/{thingId}"]["get"]
    del operation["operationId"]
    operation["callbacks"] = {
        "done": {"{$request.query.hook}": {"post": {"responses": {"204": {"description": "Received"}}}}}
    }
    findings = lint_data(base_spec)
    assert found(findings) == [("operation-id-valid", GET)]


def test_operation_tags_need_a_root_tags_list(base_spec: dict[str, Any], lint_data: Lint) -> None:
    base_spec["paths"]["/things/{thingId}"]["get"]["tags"] = ["things"]
    assert found(lint_data(base_spec)) == [("operation-tags-defined", f"{GET}/tags/0")]
    base_spec["tags"] = [{"name": "things"}]
    assert lint_data(base_spec) == []


def test_eval_in_a_title_is_reported(base_spec: dict[str, Any], lint_data: Lint) -> None:
    base_spec["info"]["title"] = "Things eval(document.cookie)"
    findings = lint_data(base_spec)
    assert [(f.rule, f.pointer, f.severity) for f in findings] == [
        ("markdown-no-script", "/info/title", Severity.WARNING)
    ]


def test_an_example_needs_a_value(base_spec: dict[str, Any], lint_data: Lint) -> None:
    base_spec["components"]["examples"] = {"Empty": {"summary": "nothing"}}
    media = base_spec["paths"]["/things/{thingId}"]["get"]["responses"]["200"]["content"]["application/json"]
    media["examples"] = {"empty": {"$ref": "#/components/examples/Empty"}}
    findings = lint_data(base_spec)
    assert found(findings) == [("example-value-or-external", "/components/examples/Empty")]
    assert findings[0].message == "the example has neither `value` nor `externalValue`: add one"


# security


def test_an_oauth2_scope_no_flow_defines(base_spec: dict[str, Any], lint_data: Lint) -> None:
    base_spec["components"]["securitySchemes"]["oauth"] = {
        "type": "oauth2",
        "flows": {"clientCredentials": {"tokenUrl": "https://auth.test.org/token", "scopes": {"read": "Read"}}},
    }
    base_spec["security"] = [{"oauth": ["read", "write"]}]
    findings = [f for f in lint_data(base_spec) if f.severity is Severity.ERROR]
    assert [(f.rule, f.pointer, f.message) for f in findings] == [
        (
            "security-defined",
            "/security/0/oauth/1",
            "scope 'write' is not defined by any flow of security scheme 'oauth': add it there",
        )
    ]


# schemas


def test_enum_types_follow_nullable_and_31_type_lists(base_spec: dict[str, Any], lint_data: Lint) -> None:
    properties = base_spec["components"]["schemas"]["Thing"]["properties"]
    properties["a"] = {"type": "string", "nullable": True, "enum": ["x", None]}
    properties["b"] = {"type": "integer", "enum": [1, 2.0, True, None]}
    findings = lint_data(base_spec)
    assert [(f.pointer, f.message) for f in findings] == [
        (
            "/components/schemas/Thing/properties/b/enum/2",
            "enum value True is not of type integer: change it or remove it",
        ),
        (
            "/components/schemas/Thing/properties/b/enum/3",
            "enum value None is not of type integer: change it or remove it (or add `nullable: true`)",
        ),
    ]
    base_spec["openapi"] = "3.1.0"
    properties["a"] = {"type": ["string", "null"], "enum": ["x", None]}
    properties["b"] = {"type": "integer", "enum": [1, 2]}
    assert lint_data(base_spec) == []


def test_arrays_need_items_in_30_only(base_spec: dict[str, Any], lint_data: Lint) -> None:
    base_spec["components"]["schemas"]["Thing"]["properties"]["tags"] = {"type": "array"}
    assert found(lint_data(base_spec)) == [("array-items", "/components/schemas/Thing/properties/tags")]
    base_spec["openapi"] = "3.1.0"
    assert lint_data(base_spec) == []


def test_required_properties_of_a_schema_composed_elsewhere(base_spec: dict[str, Any], lint_data: Lint) -> None:
    schemas = base_spec["components"]["schemas"]
    schemas["Page"] = {"type": "object", "required": ["items", "total"], "properties": {"total": {"type": "integer"}}}
    schemas["ThingPage"] = {
        "allOf": [
            {"$ref": "#/components/schemas/Page"},
            {"type": "object", "properties": {"items": {"type": "array", "items": {}}}},
        ]
    }
    schemas["Thing"]["properties"]["children"] = {"$ref": "#/components/schemas/ThingPage"}
    assert lint_data(base_spec) == []
    schemas["Page"]["required"].append("next")
    assert found(lint_data(base_spec)) == [("required-properties", "/components/schemas/Page/required/2")]


# references into other files


def test_refs_into_a_file_next_to_the_spec_resolve(fixtures_dir: Path) -> None:
    assert lint_file(fixtures_dir / "external" / "spec.yaml") == []


def test_examples_are_checked_through_schemas_of_other_files(fixtures_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "common").mkdir()
    shared = fixtures_dir / "external" / "common" / "shared.yaml"
    (tmp_path / "common" / "shared.yaml").write_text(shared.read_text())
    text = (fixtures_dir / "external" / "spec.yaml").read_text()
    (tmp_path / "spec.yaml").write_text(text.replace("owner: {name: Ann}", "owner: {name: 7}"))
    findings = lint_file(tmp_path / "spec.yaml")
    assert [(f.rule, f.pointer, f.message) for f in findings] == [
        (
            "example-valid",
            "/components/schemas/Thing/example/owner/name",
            "example does not match its schema: 7 is not of type 'string'",
        )
    ]


def test_a_missing_file_is_a_broken_ref(fixtures_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text((fixtures_dir / "external" / "spec.yaml").read_text())
    findings = [f for f in lint_file(tmp_path / "spec.yaml") if f.rule == "ref-resolves"]
    assert [f.pointer for f in findings] == [
        f"{GET}/parameters/0/$ref",
        f"{GET}/responses/404/$ref",
        "/components/schemas/Thing/properties/owner/$ref",
    ]
    assert "cannot read common/shared.yaml" in findings[0].message
