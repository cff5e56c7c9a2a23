"""The built-in lint rules: one broken fixture per rule, then each rule's finer points on small dict specs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contracts.findings import Finding, Severity
from contracts.lint import DEFAULT_RULES, lint_file

Lint = Callable[..., list[Finding]]
THING = "/paths/~1things~1{thingId}"
MEDIA = f"{THING}/get/responses/200/content/application~1json"

# fixture file -> (rule, pointer, line, severity): the one finding it was written to produce
FIXTURE_FINDINGS = {
    "spec-valid.yaml": ("spec-valid", "/components/schemas/Thing/properties/id/type", 26, Severity.ERROR),
    "no-duplicate-keys.yaml": ("no-duplicate-keys", f"{THING}/get/responses/200/description", 15, Severity.ERROR),
    "ref-resolves.yaml": ("ref-resolves", f"{THING}/get/responses/404/$ref", 18, Severity.ERROR),
    "example-valid.yaml": ("example-valid", f"{MEDIA}/example/id", 18, Severity.ERROR),
    "operation-id-unique.yaml": ("operation-id-unique", f"{THING}/delete/operationId", 19, Severity.ERROR),
    "parameters-unique.yaml": ("parameters-unique", f"{THING}/get/parameters/2", 13, Severity.ERROR),
    "path-params-match.yaml": ("path-params-match", f"{THING}/get", 8, Severity.ERROR),
    "success-response.yaml": ("success-response", f"{THING}/get/responses", 12, Severity.ERROR),
    "security-defined.yaml": ("security-defined", f"{THING}/get/security/0/apiKey", 11, Severity.ERROR),
    "security-declared.yaml": ("security-declared", f"{THING}/get", 6, Severity.WARNING),
    "no-unused-components.yaml": ("no-unused-components", "/components/schemas/Orphan", 27, Severity.WARNING),
    "enum-unique.yaml": ("enum-unique", "/components/schemas/Thing/properties/status/enum/2", 27, Severity.ERROR),
    "required-properties.yaml": ("required-properties", "/components/schemas/Thing/required/1", 24, Severity.ERROR),
    "links-valid.yaml": ("links-valid", f"{THING}/get/responses/200/links/Self/operationId", 20, Severity.ERROR),
    "tags-unique.yaml": ("tags-unique", "/tags/1/name", 8, Severity.ERROR),
    "markdown-no-script.yaml": ("markdown-no-script", "/info/description", 6, Severity.WARNING),
    "ref-siblings.yaml": ("ref-siblings", f"{THING}/get/parameters/1/required", 13, Severity.ERROR),
    "example-value-or-external.yaml": ("example-value-or-external", f"{MEDIA}/examples/one", 19, Severity.WARNING),
    "operation-id-valid.yaml": ("operation-id-valid", f"{THING}/get/operationId", 9, Severity.WARNING),
    "operation-tags-defined.yaml": ("operation-tags-defined", f"{THING}/get/tags/1", 14, Severity.WARNING),
    "media-type-schema.yaml": (
        "media-type-schema",
        f"{THING}/get/responses/200/content/text~1plain",
        18,
        Severity.WARNING,
    ),
    "no-callbacks-in-callbacks.yaml": (
        "no-callbacks-in-callbacks",
        f"{THING}/get/callbacks/changed/{{$request.query.hook}}/post/callbacks",
        28,
        Severity.WARNING,
    ),
    "paths-unique.yaml": ("paths-unique", "/paths/~1things~1{id}", 18, Severity.ERROR),
    "path-format.yaml": ("path-format", "/paths/~1things~1{thingId}~1", 7, Severity.WARNING),
    "server-variables.yaml": ("server-variables", "/servers/0/variables/region/default", 11, Severity.ERROR),
    "server-url.yaml": ("server-url", "/servers/0/url", 7, Severity.WARNING),
    "enum-typed.yaml": ("enum-typed", "/components/schemas/Thing/properties/status/enum/1", 27, Severity.WARNING),
    "array-items.yaml": ("array-items", "/components/schemas/Thing/properties/labels", 27, Severity.ERROR),
    "yaml-syntax.yaml": ("yaml-syntax", "", 14, Severity.ERROR),
    "lint-config.yaml": ("lint-config", "/x-lint-ignore/0", 3, Severity.WARNING),
}


@pytest.mark.parametrize("name", sorted(FIXTURE_FINDINGS))
def test_broken_fixture_trips_exactly_its_rule(fixtures_dir: Path, name: str) -> None:
    rule, pointer, line, severity = FIXTURE_FINDINGS[name]
    findings = lint_file(fixtures_dir / name)
    assert [(f.rule, f.pointer, f.line, f.severity) for f in findings] == [(rule, pointer, line, severity)]


def test_every_rule_has_a_broken_fixture() -> None:
    assert set(DEFAULT_RULES.names) <= {rule for rule, *_ in FIXTURE_FINDINGS.values()}


def test_clean_fixture_has_no_findings(fixtures_dir: Path) -> None:
    assert lint_file(fixtures_dir / "valid.yaml") == []


def test_base_spec_is_clean(base_spec: dict[str, Any], lint_data: Lint) -> None:
    assert lint_data(base_spec) == []


def rules_and_pointers(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.rule, f.pointer) for f in findings]


# spec-valid


def test_spec_valid_points_at_an_unexpected_field(base_spec: dict[str, Any], lint_data: Lint) -> None:
    base_spec["paths"]["/things/{thingId}"]["get"]["responses"]["200"]["descriptio"] = "typo"
    findings = lint_data(base_spec)
    assert rules_and_pointers(findings) == [("spec-valid", f"{THING}/get/responses/200/descriptio")]
    assert findings[0].message == "unexpected field 'descriptio' (a typo? extensions start with x-)"


def test_spec_valid_names_the_allowed_parameter_locations(base_spec: dict[str, Any], lint_data: Lint) -> None:
    operation = base_spec["paths"]["/things/{thingId}"]["get"]
    operation["parameters"] = [{"name": "q", "in": "body", "schema": {"type": "string"}}]
    findings = lint_data(base_spec)
    assert rules_and_pointers(findings) == [("spec-valid", f"{THING}/get/parameters/0/in")]
    assert findings[0].message == "`in: 'body'` is not allowed here: use one of path, query, header, cookie"


def test_spec_valid_requires_path_parameters_to_be_required(base_spec: dict[str, Any], lint_data: Lint) -> None:
    del base_spec["paths"]["/things/{thingId}"]["parameters"][0]["required"]
    assert rules_and_pointers(lint_data(base_spec)) == [("spec-valid", f"{THING}/parameters/0")]


@pytest.mark.parametrize("version", ["2.0", "3.2.0", None])
def test_spec_valid_rejects_unsupported_versions(base_spec: dict[str, Any], lint_data: Lint, version: Any) -> None:
    base_spec["openapi"] = version
    findings = [f for f in lint_data(base_spec) if f.rule == "spec-valid"]
    assert [f.pointer for f in findings] == ["/openapi"]
    assert "unsupported OpenAPI version" in findings[0].message


# ref-resolves


def test_ref_to_the_wrong_kind_of_component(base_spec: dict[str, Any], lint_data: Lint) -> None:
    base_spec["paths"]["/things/{thingId}"]["get"]["parameters"] = [{"$ref": "#/components/schemas/Thing"}]
    findings = lint_data(base_spec)
    assert rules_and_pointers(findings) == [("ref-resolves", f"{THING}/get/parameters/0/$ref")]
    assert "points at a schema, but a parameter belongs here" in findings[0].message


def test_file_refs_of_a_spec_without_a_file_are_reported(base_spec: dict[str, Any], lint_data: Lint) -> None:
    base_spec["components"]["schemas"]["Thing"]["properties"]["id"] = {"$ref": "other.yaml#/Id"}
    findings = lint_data(base_spec)
    assert rules_and_pointers(findings) == [("ref-resolves", "/components/schemas/Thing/properties/id/$ref")]
    assert "a spec read from text cannot reference other files" in findings[0].message


def test_broken_ref_inside_an_extension_is_reported(base_spec: dict[str, Any], lint_data: Lint) -> None:
    base_spec["paths"]["/things/{thingId}"]["get"]["x-websocket"] = {"messages": {"$ref": "#/components/schemas/No"}}
    assert rules_and_pointers(lint_data(base_spec)) == [("ref-resolves", f"{THING}/get/x-websocket/messages/$ref")]


# example-valid


def test_nullable_allows_null_examples_in_openapi_30(base_spec: dict[str, Any], lint_data: Lint) -> None:
    properties = base_spec["components"]["schemas"]["Thing"]["properties"]
    properties["note"] = {"type": "string", "nullable": True, "example": None}
    properties["size"] = {"type": "integer", "example": None}
    findings = lint_data(base_spec)
    assert rules_and_pointers(findings) == [("example-valid", "/components/schemas/Thing/properties/size/example")]
    assert findings[0].message == "example does not match its schema: None is not of type 'integer'"


def test_openapi_31_documents_use_type_lists(base_spec: dict[str, Any], lint_data: Lint) -> None:
    base_spec["openapi"] = "3.1.0"
    properties = base_spec["components"]["schemas"]["Thing"]["properties"]
    properties["note"] = {"type": ["string", "null"], "examples": ["text", None, 3]}
    assert rules_and_pointers(lint_data(base_spec)) == [
        ("example-valid", "/components/schemas/Thing/properties/note/examples/2")
    ]


def test_named_examples_and_defaults_are_checked(base_spec: dict[str, Any], lint_data: Lint) -> None:
    media = base_spec["paths"]["/things/{thingId}"]["get"]["responses"]["200"]["content"]["application/json"]
    media["examples"] = {"inline": {"value": {"id": 1}}, "shared": {"$ref": "#/components/examples/Bad"}}
    base_spec["components"]["examples"] = {"Bad": {"value": {}}}
    parameter = base_spec["paths"]["/things/{thingId}"]["parameters"][0]
    parameter["schema"] = {"type": "string", "minLength": 3, "default": "ab"}
    assert rules_and_pointers(lint_data(base_spec)) == [
        ("example-valid", f"{THING}/parameters/0/schema/default"),
        ("example-valid", f"{MEDIA}/examples/inline/value/id"),
        ("example-valid", "/components/examples/Bad/value"),
    ]


def test_examples_check_formats(base_spec: dict[str, Any], lint_data: Lint) -> None:
    properties = base_spec["components"]["schemas"]["Thing"]["properties"]
    properties["at"] = {"type": "string", "format": "date-time", "example": "yesterday"}
    expected = [("example-valid", "/components/schemas/Thing/properties/at/example")]
    assert rules_and_pointers(lint_data(base_spec)) == expected


# operation-id-unique, parameters-unique, path-params-match


def test_operation_id_duplicate_names_the_first_use(fixtures_dir: Path) -> None:
    [finding] = lint_file(fixtures_dir / "operation-id-unique.yaml")
    assert finding.message == f"operationId 'getThing' is already used by {THING}/get: rename one"


def test_declared_path_parameter_missing_from_template(base_spec: dict[str, Any], lint_data: Lint) -> None:
    item = base_spec["paths"]["/things/{thingId}"]
    item["get"]["parameters"] = [{"name": "other", "in": "path", "required": True, "schema": {"type": "string"}}]
    findings = lint_data(base_spec)
    assert rules_and_pointers(findings) == [("path-params-match", f"{THING}/get/parameters/0")]
    assert (
        findings[0].message == "path parameter 'other' is not in the path '/things/{thingId}': remove it or rename it"
    )


def test_path_parameters_may_come_from_a_shared_component(base_spec: dict[str, Any], lint_data: Lint) -> None:
    item = base_spec["paths"]["/things/{thingId}"]
    base_spec["components"]["parameters"] = {"ThingId": item["parameters"][0]}
    item["parameters"] = [{"$ref": "#/components/parameters/ThingId"}]
    assert lint_data(base_spec) == []


# success-response, security-declared


def test_success_media_type_without_schema(base_spec: dict[str, Any], lint_data: Lint) -> None:
    responses = base_spec["paths"]["/things/{thingId}"]["get"]["responses"]
    responses["200"]["content"]["text/plain"] = {"example": "hi"}  # the schema is optional: an example says enough
    responses["200"]["content"]["application/octet-stream"] = {}
    responses["204"] = {"description": "gone", "content": {"application/json": {"schema": {"type": "object"}}}}
    findings = lint_data(base_spec)
    assert [(f.rule, f.pointer, f.severity) for f in findings] == [
        ("media-type-schema", f"{THING}/get/responses/200/content/application~1octet-stream", Severity.WARNING),
        ("success-response", f"{THING}/get/responses/204/content", Severity.ERROR),
    ]


@pytest.mark.parametrize("code", ["101", "204", "2XX", "301", "3XX"])
def test_other_success_responses_count(base_spec: dict[str, Any], lint_data: Lint, code: str) -> None:
    base_spec["paths"]["/things/{thingId}"]["get"]["responses"] = {code: {"description": "ok"}}
    base_spec["components"]["schemas"] = {}
    assert lint_data(base_spec) == []


def test_undefined_security_scheme(base_spec: dict[str, Any], lint_data: Lint) -> None:
    base_spec["paths"]["/things/{thingId}"]["get"]["security"] = [{"apiKey": []}]
    findings = lint_data(base_spec)
    assert rules_and_pointers(findings) == [("security-defined", f"{THING}/get/security/0/apiKey")]


def test_explicitly_public_operations_are_declared(base_spec: dict[str, Any], lint_data: Lint) -> None:
    del base_spec["security"]
    base_spec["paths"]["/things/{thingId}"]["get"]["security"] = []
    findings = lint_data(base_spec)
    assert rules_and_pointers(findings) == [("no-unused-components", "/components/securitySchemes/bearer")]


# no-unused-components


def test_components_used_only_by_unused_components_are_unused(base_spec: dict[str, Any], lint_data: Lint) -> None:
    schemas = base_spec["components"]["schemas"]
    schemas["Orphan"] = {"type": "object", "properties": {"child": {"$ref": "#/components/schemas/Child"}}}
    schemas["Child"] = {"type": "string"}
    schemas["Thing"]["properties"]["self"] = {"$ref": "#/components/schemas/Thing"}
    assert rules_and_pointers(lint_data(base_spec)) == [
        ("no-unused-components", "/components/schemas/Orphan"),
        ("no-unused-components", "/components/schemas/Child"),
    ]


def test_references_from_extensions_and_discriminators_count(base_spec: dict[str, Any], lint_data: Lint) -> None:
    schemas = base_spec["components"]["schemas"]
    schemas["Event"] = {"type": "object", "discriminator": {"propertyName": "kind", "mapping": {"a": "Kind"}}}
    schemas["Kind"] = {"type": "object"}
    base_spec["paths"]["/things/{thingId}"]["get"]["x-websocket"] = {"messages": {"$ref": "#/components/schemas/Event"}}
    assert lint_data(base_spec) == []


# enum-unique, required-properties, links-valid


def test_enum_values_of_different_types_are_different(base_spec: dict[str, Any], lint_data: Lint) -> None:
    base_spec["components"]["schemas"]["Thing"]["properties"]["flag"] = {"enum": [1, True, "1", 1.5, None]}
    assert lint_data(base_spec) == []


def test_required_without_properties_is_not_checked(base_spec: dict[str, Any], lint_data: Lint) -> None:
    base_spec["components"]["schemas"]["Thing"]["properties"]["extra"] = {"type": "object", "required": ["x"]}
    assert lint_data(base_spec) == []


def test_link_to_a_parameter_the_operation_lacks(base_spec: dict[str, Any], lint_data: Lint) -> None:
    response = base_spec["paths"]["/things/{thingId}"]["get"]["responses"]["200"]
    response["links"] = {
        "Self": {"operationId": "getThing", "parameters": {"thingId": "$response.body#/id", "query.page": "1"}},
        "ByRef": {"operationRef": "#/paths/~1things~1{thingId}/post", "parameters": {}},
    }
    findings = lint_data(base_spec)
    assert rules_and_pointers(findings) == [
        ("links-valid", f"{THING}/get/responses/200/links/Self/parameters/query.page"),
        ("links-valid", f"{THING}/get/responses/200/links/ByRef/operationRef"),
    ]
    assert findings[0].message == "operation getThing has no parameter 'query.page'"


# x-lint-ignore


def test_x_lint_ignore_turns_a_rule_off(fixtures_dir: Path, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text((fixtures_dir / "enum-unique.yaml").read_text() + "x-lint-ignore: [enum-unique]\n")
    assert lint_file(spec) == []


def test_x_lint_ignore_must_be_a_list(base_spec: dict[str, Any], lint_data: Lint) -> None:
    base_spec["x-lint-ignore"] = "enum-unique"
    findings = lint_data(base_spec)
    assert [(f.rule, f.pointer, f.severity) for f in findings] == [("lint-config", "/x-lint-ignore", Severity.WARNING)]
