"""`diff_specs`: each kind of change on a base spec, with its exact findings (kind, file, pointer, breaking)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from contracts.diff import CHANGE_KINDS
from contracts.findings import Finding, Severity

Spec = dict[str, Any]
Diff = Callable[[Spec, Spec], list[Finding]]

LIST, CREATE = "/paths/~1chats/get", "/paths/~1chats/post"
GET, DELETE = "/paths/~1chats~1{chatId}/get", "/paths/~1chats~1{chatId}/delete"
JSON = "content/application~1json/schema"
REQUEST = f"{CREATE}/requestBody/{JSON}"
# every place the Chat schema is returned
CHATS = (f"{LIST}/responses/200/{JSON}/items", f"{CREATE}/responses/201/{JSON}", f"{GET}/responses/200/{JSON}")


def schema(spec: Spec, name: str) -> dict[str, Any]:
    return spec["components"]["schemas"][name]  # type: ignore[no-any-return]


def operation(spec: Spec, path: str, method: str) -> dict[str, Any]:
    return spec["paths"][path][method]  # type: ignore[no-any-return]


def each_chat(kind: str, file: str, suffix: str, breaking: bool) -> list[tuple[str, str, str, bool]]:
    return [(kind, file, chat + suffix, breaking) for chat in CHATS]


def rename_path_variable(spec: Spec) -> None:
    item = spec["paths"].pop("/chats/{chatId}")
    item["parameters"][0]["name"] = "id"
    spec["paths"]["/chats/{id}"] = item


def add_required_request_field(spec: Spec) -> None:
    schema(spec, "ChatInput")["properties"]["org"] = {"type": "string"}
    schema(spec, "ChatInput")["required"].append("org")


def add_read_only_required_request_field(spec: Spec) -> None:
    schema(spec, "ChatInput")["properties"]["id"] = {"type": "string", "readOnly": True}
    schema(spec, "ChatInput")["required"].append("id")


def remove_response_field(spec: Spec) -> None:
    del schema(spec, "Chat")["properties"]["title"]
    schema(spec, "Chat")["required"].remove("title")


def replace_success_status(spec: Spec) -> None:
    responses = operation(spec, "/chats", "post")["responses"]
    responses["200"] = responses.pop("201")


def document(spec: Spec) -> None:
    operation(spec, "/chats", "get")["summary"] = "List the caller's chats"
    schema(spec, "Chat")["description"] = "A conversation."


CASES: list[tuple[str, Callable[[Spec], object], list[tuple[str, str, str, bool]]]] = [
    # breaking
    (
        "path-removed",
        lambda s: s["paths"].pop("/chats/{chatId}"),
        [("path-removed", "old.yaml", "/paths/~1chats~1{chatId}", True)],
    ),
    (
        "operation-removed",
        lambda s: s["paths"]["/chats/{chatId}"].pop("delete"),
        [("operation-removed", "old.yaml", DELETE, True)],
    ),
    (
        "parameter-made-required",
        lambda s: operation(s, "/chats", "get")["parameters"][0].update(required=True),
        [("parameter-made-required", "new.yaml", f"{LIST}/parameters/0", True)],
    ),
    (
        "required-parameter-added",
        lambda s: operation(s, "/chats", "get")["parameters"].append(
            {"name": "X-Org", "in": "header", "required": True, "schema": {"type": "string"}}
        ),
        [("required-parameter-added", "new.yaml", f"{LIST}/parameters/2", True)],
    ),
    (
        "request-field-made-required",
        lambda s: schema(s, "ChatInput")["required"].append("model"),
        [("request-field-made-required", "new.yaml", f"{REQUEST}/properties/model", True)],
    ),
    (
        "request-field-added-as-required",
        add_required_request_field,
        [("request-field-made-required", "new.yaml", f"{REQUEST}/properties/org", True)],
    ),
    (
        "request-type-narrowed",
        lambda s: schema(s, "ChatInput")["properties"]["options"]["properties"]["temperature"].update(type="integer"),
        [("request-type-narrowed", "new.yaml", f"{REQUEST}/properties/options/properties/temperature/type", True)],
    ),
    (
        "request-body-enum-value-removed",
        lambda s: schema(s, "ChatInput")["properties"]["model"].update(enum=["small"]),
        [("request-enum-value-removed", "new.yaml", f"{REQUEST}/properties/model/enum", True)],
    ),
    (
        "parameter-enum-value-removed",
        lambda s: operation(s, "/chats", "get")["parameters"][1]["schema"].update(enum=["asc"]),
        [("request-enum-value-removed", "new.yaml", f"{LIST}/parameters/1/schema/enum", True)],
    ),
    (
        "response-field-removed",
        remove_response_field,
        each_chat("response-field-removed", "old.yaml", "/properties/title", True),
    ),
    (
        "response-field-made-optional",
        lambda s: schema(s, "Chat")["required"].remove("status"),
        each_chat("response-field-made-optional", "new.yaml", "/properties/status", True),
    ),
    (
        "response-type-changed",
        lambda s: schema(s, "Chat")["properties"]["id"].update(type="integer"),
        each_chat("response-type-changed", "new.yaml", "/properties/id/type", True),
    ),
    (
        "response-may-be-null",
        lambda s: schema(s, "Chat")["properties"]["id"].update(nullable=True),
        each_chat("response-type-changed", "new.yaml", "/properties/id/type", True),
    ),
    (
        "response-enum-value-added",
        lambda s: schema(s, "Chat")["properties"]["status"]["enum"].append("archived"),
        each_chat("response-enum-value-added", "new.yaml", "/properties/status/enum", True),
    ),
    (
        "nested-response-enum-value-added",
        lambda s: schema(s, "Message")["properties"]["role"]["enum"].append("tool"),
        each_chat("response-enum-value-added", "new.yaml", "/properties/messages/items/properties/role/enum", True),
    ),
    (
        "success-status-removed",
        replace_success_status,
        [
            ("success-status-removed", "old.yaml", f"{CREATE}/responses/201", True),
            ("response-status-added", "new.yaml", f"{CREATE}/responses/200", False),
        ],
    ),
    (
        "security-requirement-added",
        lambda s: operation(s, "/chats/{chatId}", "delete").update(security=[{"bearer": [], "apiKey": []}]),
        [("security-requirement-added", "new.yaml", f"{DELETE}/security", True)],
    ),
    (
        "security-scope-added",
        lambda s: operation(s, "/chats/{chatId}", "delete").update(security=[{"bearer": ["chats:delete"]}]),
        [("security-requirement-added", "new.yaml", f"{DELETE}/security", True)],
    ),
    (
        "request-content-type-removed",
        lambda s: operation(s, "/chats", "post")["requestBody"].update(
            content={"multipart/form-data": {"schema": {"$ref": "#/components/schemas/ChatInput"}}}
        ),
        [
            ("request-content-type-removed", "old.yaml", f"{CREATE}/requestBody/content/application~1json", True),
            ("request-content-type-added", "new.yaml", f"{CREATE}/requestBody/content/multipart~1form-data", False),
        ],
    ),
    (
        "response-content-type-removed",
        lambda s: operation(s, "/chats/{chatId}", "get")["responses"]["404"].update(
            content={"application/problem+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        ),
        [
            ("response-content-type-removed", "old.yaml", f"{GET}/responses/404/content/application~1json", True),
            (
                "response-content-type-added",
                "new.yaml",
                f"{GET}/responses/404/content/application~1problem+json",
                False,
            ),
        ],
    ),
    (
        "required-request-body-added",
        lambda s: operation(s, "/chats/{chatId}", "delete").update(
            requestBody={"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}
        ),
        [("required-request-body-added", "new.yaml", f"{DELETE}/requestBody", True)],
    ),
    (
        "request-limit-set",
        lambda s: schema(s, "ChatInput")["properties"]["title"].update(maxLength=200),
        [("request-type-narrowed", "new.yaml", f"{REQUEST}/properties/title/maxLength", True)],
    ),
    (
        "request-pattern-added",
        lambda s: operation(s, "/chats", "get")["parameters"][1]["schema"].update(pattern="^[a-z]+$"),
        [("request-type-narrowed", "new.yaml", f"{LIST}/parameters/1/schema/pattern", True)],
    ),
    (
        "request-format-added",
        lambda s: schema(s, "ChatInput")["properties"]["title"].update(format="email"),
        [("request-type-narrowed", "new.yaml", f"{REQUEST}/properties/title/format", True)],
    ),
    (
        "parameter-text-narrowed",
        lambda s: operation(s, "/chats", "get")["parameters"][1]["schema"].update(type="integer", enum=None),
        [
            ("request-type-narrowed", "new.yaml", f"{LIST}/parameters/1/schema/type", True),
            ("request-type-widened", "new.yaml", f"{LIST}/parameters/1/schema/enum", False),
        ],
    ),
    # not breaking
    (
        "parameter-removed",
        lambda s: operation(s, "/chats", "get")["parameters"].pop(0),
        [("parameter-removed", "old.yaml", f"{LIST}/parameters/0", False)],
    ),
    (
        "parameter-number-to-text",
        lambda s: operation(s, "/chats", "get")["parameters"][0]["schema"].update(type="string"),
        [("request-type-widened", "new.yaml", f"{LIST}/parameters/0/schema/type", False)],
    ),
    (
        "request-default-added",
        lambda s: operation(s, "/chats", "get")["parameters"][0]["schema"].update(default=20),
        [("request-default-added", "new.yaml", f"{LIST}/parameters/0/schema/default", False)],
    ),
    (
        "response-default-changed",
        lambda s: schema(s, "Chat")["properties"]["status"].update(default="open"),
        each_chat("response-default-changed", "new.yaml", "/properties/status/default", False),
    ),
    (
        "response-optional-field-removed",
        lambda s: schema(s, "Chat")["properties"].pop("messages"),
        each_chat("response-optional-field-removed", "old.yaml", "/properties/messages", False),
    ),
    (
        "response-limit-set",
        lambda s: schema(s, "Chat")["properties"]["title"].update(maxLength=200, minLength=1),
        each_chat("response-type-narrowed", "new.yaml", "/properties/title/maxLength", False)
        + each_chat("response-type-narrowed", "new.yaml", "/properties/title/minLength", False),
    ),
    (
        "response-header-added",
        lambda s: operation(s, "/chats", "get")["responses"]["200"].update(
            headers={"X-Total": {"required": True, "schema": {"type": "integer"}}}
        ),
        [("response-header-added", "new.yaml", f"{LIST}/responses/200/headers/X-Total", False)],
    ),
    (
        "optional-parameter-added",
        lambda s: operation(s, "/chats", "get")["parameters"].append(
            {"name": "cursor", "in": "query", "schema": {"type": "string"}}
        ),
        [("optional-parameter-added", "new.yaml", f"{LIST}/parameters/2", False)],
    ),
    (
        "operation-added",
        lambda s: s["paths"]["/chats/{chatId}"].update(
            patch={"operationId": "updateChat", "responses": {"204": {"description": "ok"}}}
        ),
        [("operation-added", "new.yaml", "/paths/~1chats~1{chatId}/patch", False)],
    ),
    (
        "path-added",
        lambda s: s["paths"].update({"/models": {"get": {"responses": {"204": {"description": "ok"}}}}}),
        [("path-added", "new.yaml", "/paths/~1models", False)],
    ),
    (
        "response-field-added",
        lambda s: schema(s, "Chat")["properties"].update(created_at={"type": "string"}),
        each_chat("response-field-added", "new.yaml", "/properties/created_at", False),
    ),
    (
        "response-enum-value-removed",
        lambda s: schema(s, "Chat")["properties"]["status"].update(enum=["open"]),
        each_chat("response-enum-value-removed", "new.yaml", "/properties/status/enum", False),
    ),
    (
        "request-field-added",
        lambda s: schema(s, "ChatInput")["properties"].update(stream={"type": "boolean"}),
        [("request-field-added", "new.yaml", f"{REQUEST}/properties/stream", False)],
    ),
    (
        "request-type-widened",
        lambda s: operation(s, "/chats", "get")["parameters"][0]["schema"].update(type="number"),
        [("request-type-widened", "new.yaml", f"{LIST}/parameters/0/schema/type", False)],
    ),
    (
        "request-enum-value-added",
        lambda s: schema(s, "ChatInput")["properties"]["model"]["enum"].append("huge"),
        [("request-enum-value-added", "new.yaml", f"{REQUEST}/properties/model/enum", False)],
    ),
    (
        "error-status-removed",
        lambda s: operation(s, "/chats/{chatId}", "get")["responses"].pop("404"),
        [("response-status-removed", "old.yaml", f"{GET}/responses/404", False)],
    ),
    (
        "security-alternative-added",
        lambda s: operation(s, "/chats/{chatId}", "delete").update(security=[{"bearer": []}, {"apiKey": []}]),
        [("security-requirement-removed", "new.yaml", f"{DELETE}/security", False)],
    ),
    (
        "documentation-changed",
        document,
        [
            ("documentation-changed", "new.yaml", f"{LIST}/summary", False),
            ("documentation-changed", "new.yaml", "/components/schemas/Chat/description", False),
        ],
    ),
    ("path-variable-renamed", rename_path_variable, []),
    ("read-only-field-in-request", add_read_only_required_request_field, []),
]


@pytest.mark.parametrize(("mutate", "expected"), [pytest.param(m, e, id=name) for name, m, e in CASES])
def test_change_is_classified(
    base_spec: Spec, diff_data: Diff, mutate: Callable[[Spec], object], expected: list[tuple[str, str, str, bool]]
) -> None:
    new = copy.deepcopy(base_spec)
    mutate(new)
    findings = diff_data(base_spec, new)
    assert sorted((f.rule, f.file, f.pointer, f.breaking) for f in findings) == sorted(expected)


def with_header(required: bool, type_: str = "integer") -> Callable[[Spec], None]:
    def mutate(spec: Spec) -> None:
        header = {"required": required, "schema": {"type": type_}}
        operation(spec, "/chats", "get")["responses"]["200"]["headers"] = {"X-Total": header}

    return mutate


def deprecate(*methods: str) -> Callable[[Spec], None]:
    def mutate(spec: Spec) -> None:
        for method in methods:
            operation(spec, "/chats/{chatId}", method)["deprecated"] = True

    return mutate


def limit_parameter(**keywords: Any) -> Callable[[Spec], None]:
    return lambda spec: operation(spec, "/chats", "get")["parameters"][0]["schema"].update(keywords)


def limit_title(**keywords: Any) -> Callable[[Spec], None]:
    def mutate(spec: Spec) -> None:
        schema(spec, "ChatInput")["properties"]["title"].update(keywords)
        schema(spec, "Chat")["properties"]["title"].update(keywords)

    return mutate


def tags(**keywords: Any) -> Callable[[Spec], None]:
    return lambda spec: schema(spec, "ChatInput")["properties"].update(tags={"type": "array", "items": {}, **keywords})


HEADER = f"{LIST}/responses/200/headers/X-Total"
LIMIT = f"{LIST}/parameters/0/schema"
TITLE = f"{REQUEST}/properties/title"

# (name, applied to both versions first, applied to the new version, expected findings)
PREPARED_CASES: list[
    tuple[str, Callable[[Spec], object], Callable[[Spec], object], list[tuple[str, str, str, bool]]]
] = [
    (
        "deprecated-operation-removed",
        deprecate("delete"),
        lambda s: s["paths"]["/chats/{chatId}"].pop("delete"),
        [("deprecated-operation-removed", "old.yaml", DELETE, False)],
    ),
    (
        "deprecated-path-removed",
        deprecate("get", "delete"),
        lambda s: s["paths"].pop("/chats/{chatId}"),
        [("deprecated-path-removed", "old.yaml", "/paths/~1chats~1{chatId}", False)],
    ),
    (
        "partly-deprecated-path-removed",
        deprecate("delete"),
        lambda s: s["paths"].pop("/chats/{chatId}"),
        [("path-removed", "old.yaml", "/paths/~1chats~1{chatId}", True)],
    ),
    (
        "response-header-removed",
        with_header(required=True),
        lambda s: operation(s, "/chats", "get")["responses"]["200"].pop("headers"),
        [("response-header-removed", "old.yaml", HEADER, True)],
    ),
    (
        "response-optional-header-removed",
        with_header(required=False),
        lambda s: operation(s, "/chats", "get")["responses"]["200"].pop("headers"),
        [("response-optional-header-removed", "old.yaml", HEADER, False)],
    ),
    (
        "response-header-made-optional",
        with_header(True),
        with_header(False),
        [
            ("response-header-made-optional", "new.yaml", HEADER, True),
        ],
    ),
    (
        "response-header-made-required",
        with_header(False),
        with_header(True),
        [
            ("response-header-made-required", "new.yaml", HEADER, False),
        ],
    ),
    (
        "response-header-type-changed",
        with_header(True),
        with_header(True, "string"),
        [
            ("response-type-changed", "new.yaml", f"{HEADER}/schema/type", True),
        ],
    ),
    (
        "request-default-changed",
        limit_parameter(default=20),
        limit_parameter(default=50),
        [
            ("request-default-changed", "new.yaml", f"{LIMIT}/default", True),
        ],
    ),
    (
        "parameter-minimum-raised",
        limit_parameter(minimum=1),
        limit_parameter(minimum=5),
        [
            ("request-type-narrowed", "new.yaml", f"{LIMIT}/minimum", True),
        ],
    ),
    (
        "parameter-minimum-made-exclusive",
        limit_parameter(minimum=1),
        limit_parameter(exclusiveMinimum=True),
        [
            ("request-type-narrowed", "new.yaml", f"{LIMIT}/minimum", True),
        ],
    ),
    (
        "parameter-maximum-raised",
        limit_parameter(maximum=10),
        limit_parameter(maximum=100),
        [
            ("request-type-widened", "new.yaml", f"{LIMIT}/maximum", False),
        ],
    ),
    (
        "parameter-multiple-of-finer",
        limit_parameter(multipleOf=10),
        limit_parameter(multipleOf=5),
        [
            ("request-type-widened", "new.yaml", f"{LIMIT}/multipleOf", False),
        ],
    ),
    (
        "parameter-format-widened",
        limit_parameter(format="int32"),
        limit_parameter(format="int64"),
        [
            ("request-type-widened", "new.yaml", f"{LIMIT}/format", False),
        ],
    ),
    (
        "max-length-lowered",
        limit_title(maxLength=100),
        limit_title(maxLength=50),
        [
            ("request-type-narrowed", "new.yaml", f"{TITLE}/maxLength", True),
            *each_chat("response-type-narrowed", "new.yaml", "/properties/title/maxLength", False),
        ],
    ),
    (
        "max-length-raised",
        limit_title(maxLength=100),
        limit_title(maxLength=150),
        [
            ("request-type-widened", "new.yaml", f"{TITLE}/maxLength", False),
            *each_chat("response-type-changed", "new.yaml", "/properties/title/maxLength", True),
        ],
    ),
    (
        "pattern-changed",
        limit_title(pattern="^[a-z]+$"),
        limit_title(pattern="^[a-z0-9]+$"),
        [
            ("request-type-narrowed", "new.yaml", f"{TITLE}/pattern", True),
            *each_chat("response-type-narrowed", "new.yaml", "/properties/title/pattern", False),
        ],
    ),
    (
        "pattern-generalized",
        limit_title(pattern="^[a-z]+$"),
        limit_title(pattern=".*"),
        [
            ("request-type-widened", "new.yaml", f"{TITLE}/pattern", False),
            *each_chat("response-type-changed", "new.yaml", "/properties/title/pattern", True),
        ],
    ),
    (
        "unique-items-required",
        tags(),
        tags(uniqueItems=True, minItems=0),
        [
            ("request-type-narrowed", "new.yaml", f"{REQUEST}/properties/tags/uniqueItems", True),
        ],
    ),
]


@pytest.mark.parametrize(
    ("prepare", "mutate", "expected"), [pytest.param(p, m, e, id=name) for name, p, m, e in PREPARED_CASES]
)
def test_change_of_a_prepared_spec_is_classified(
    base_spec: Spec,
    diff_data: Diff,
    prepare: Callable[[Spec], object],
    mutate: Callable[[Spec], object],
    expected: list[tuple[str, str, str, bool]],
) -> None:
    prepare(base_spec)
    new = copy.deepcopy(base_spec)
    mutate(new)
    findings = diff_data(base_spec, new)
    assert sorted((f.rule, f.file, f.pointer, f.breaking) for f in findings) == sorted(expected)


def test_a_31_numeric_exclusive_minimum_is_a_bound(base_spec: Spec, diff_data: Diff) -> None:
    base_spec["openapi"] = "3.1.0"
    limit_parameter(exclusiveMinimum=0)(base_spec)
    new = copy.deepcopy(base_spec)
    limit_parameter(exclusiveMinimum=1)(new)
    findings = diff_data(base_spec, new)
    assert [(f.rule, f.pointer, f.breaking) for f in findings] == [
        ("request-type-narrowed", f"{LIMIT}/exclusiveMinimum", True)
    ]
    assert findings[0].message.endswith("minimum 0 (exclusive) -> 1 (exclusive)")


def test_every_change_kind_is_exercised() -> None:
    covered = {kind for _, _, expected in CASES for kind, *_ in expected}
    covered |= {kind for _, _, _, expected in PREPARED_CASES for kind, *_ in expected}
    untested = {"parameter-made-optional", "optional-request-body-added", "request-body-made-optional"}
    untested |= {"request-body-made-required", "request-body-removed", "request-field-removed"}
    untested |= {"request-field-made-optional", "response-field-made-required"}
    assert set(CHANGE_KINDS) - covered == untested


def test_identical_specs_have_no_changes(base_spec: Spec, diff_data: Diff) -> None:
    assert diff_data(base_spec, copy.deepcopy(base_spec)) == []


def test_breaking_changes_come_first_and_are_errors(base_spec: Spec, diff_data: Diff) -> None:
    new = copy.deepcopy(base_spec)
    operation(new, "/chats", "get")["summary"] = "Chats"
    new["paths"]["/chats/{chatId}"].pop("delete")
    findings = diff_data(base_spec, new)
    assert [(f.rule, f.severity) for f in findings] == [
        ("operation-removed", Severity.ERROR),
        ("documentation-changed", Severity.INFO),
    ]


def test_component_changes_point_at_the_operation_and_the_line_of_the_component(
    base_spec: Spec, diff_data: Diff
) -> None:
    new = copy.deepcopy(base_spec)
    schema(new, "Chat")["properties"]["id"]["type"] = "integer"
    findings = diff_data(base_spec, new)
    assert len({f.line for f in findings}) == 1
    finding = next(f for f in findings if f.pointer.startswith(GET))
    assert finding.message == "GET /chats/{chatId} 200 application/json: response field 'id' type string -> integer"


def test_recursive_schemas_terminate(base_spec: Spec, diff_data: Diff) -> None:
    old = copy.deepcopy(base_spec)
    schemas = old["components"]["schemas"]
    schemas["A"] = {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}, "n": {"type": "string"}}}
    schemas["B"] = {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}}
    operation(old, "/chats/{chatId}", "get")["responses"]["200"]["content"] = {
        "application/json": {"schema": {"$ref": "#/components/schemas/A"}}
    }
    new = copy.deepcopy(old)
    schema(new, "A")["properties"]["n"]["type"] = "integer"
    findings = diff_data(old, new)
    assert [(f.rule, f.pointer) for f in findings] == [
        ("response-type-changed", f"{GET}/responses/200/{JSON}/properties/n/type")
    ]
