"""Facts of specs/devs-ai.yaml that are easy to get wrong (from the Devs.ai doc page and the README table)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.specs.spec_document import resolve as _resolve

SPEC_PATH = Path(__file__).resolve().parents[2] / "specs" / "devs-ai.yaml"
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}

# The README table "Devs.ai: methods and paths": method, path, success status, in the page's order.
README_TABLE = [
    ("POST", "/api/v1/ai", "200"),
    ("GET", "/api/v1/ai/{aiId}", "200"),
    ("GET", "/api/v1/ai/{aiId}/chats", "200"),
    ("POST", "/api/v1/ai/{aiId}/chats", "201"),
    ("GET", "/api/v1/ai/{aiId}/data-sources", "200"),
    ("POST", "/api/v1/ai/{aiId}/data-sources", "201"),
    ("POST", "/api/v1/ai/{aiId}/data-sources/api", "201"),
    ("POST", "/api/v1/ai/{aiId}/data-sources/file", "201"),
    ("GET", "/api/v1/chats/{chatId}", "200"),
    ("POST", "/api/v1/chats/{chatId}", "200"),
    ("PUT", "/api/v1/chats/{chatId}/duplicate", "200"),
    ("PUT", "/api/v1/chats/{chatId}/reset", "200"),
    ("POST", "/api/v1/chats/{chatId}/tool-output", "200"),
    ("POST", "/api/v1/chats/{chatId}/files", "201"),
    ("GET", "/api/v1/chats/{chatId}/files", "200"),
    ("GET", "/api/v1/data-sources", "200"),
    ("PUT", "/api/v1/data-sources/{dataSourceId}/refresh", "202"),
    ("POST", "/api/v1/groups", "200"),
    ("PUT", "/api/v1/groups/{groupId}", "200"),
    ("GET", "/api/v1/me/ai", "200"),
    ("GET", "/api/v1/me/chats", "200"),
    ("GET", "/api/v1/me/groups", "200"),
    ("GET", "/api/v1/usage/ai", "200"),
    ("POST", "/api/v1/files", "201"),
    ("POST", "/api/v1/chat/completions", "200"),
]


@pytest.fixture(scope="module")
def spec() -> dict:
    with SPEC_PATH.open() as f:
        return yaml.safe_load(f)


def _operations(spec: dict) -> dict[tuple[str, str], dict]:
    return {
        (method.upper(), path): op
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS
    }


def test_is_openapi_3_0_3(spec):
    assert spec["openapi"] == "3.0.3"


def test_operations_equal_readme_table(spec):
    ops = _operations(spec)
    assert len(ops) == 25
    assert set(ops) == {(m, p) for m, p, _ in README_TABLE}
    # the deprecated alias is mentioned, not described as an operation
    assert "/api/v1/chats/completions" not in spec["paths"]


@pytest.mark.parametrize(("method", "path", "status"), README_TABLE)
def test_success_status_matches_readme(spec, method, path, status):
    responses = _operations(spec)[(method, path)]["responses"]
    success = sorted(code for code in responses if code.startswith("2"))
    assert success == [status]


def test_refresh_data_source_answers_202_without_body(spec):
    op = _operations(spec)[("PUT", "/api/v1/data-sources/{dataSourceId}/refresh")]
    assert "202" in op["responses"]
    assert "content" not in op["responses"]["202"]
    force = next(p for p in op["parameters"] if p["name"] == "forceRefresh")
    assert force["schema"]["type"] == "boolean"


def test_ai_visibility_enum(spec):
    schemas = spec["components"]["schemas"]
    assert schemas["AIVisibility"]["enum"] == ["PRIVATE", "GROUP", "ORGANIZATION", "ANYONE_WITH_LINK"]
    create = schemas["CreateAIRequest"]
    assert create["properties"]["visibility"] == {"$ref": "#/components/schemas/AIVisibility"}
    assert set(create["required"]) == {"src", "name", "description", "instructions"}


def test_chat_completions_stream_defaults_false_and_streams_until_done(spec):
    op = _operations(spec)[("POST", "/api/v1/chat/completions")]
    request = _resolve(spec, op["requestBody"]["content"]["application/json"]["schema"])
    assert request["properties"]["stream"]["type"] == "boolean"
    assert request["properties"]["stream"]["default"] is False
    assert set(request["required"]) == {"messages", "model"}

    content = op["responses"]["200"]["content"]
    assert "application/json" in content
    sse = content["text/event-stream"]["x-sse"]
    assert sse["terminator"] == "[DONE]"
    chunk = _resolve(spec, sse["data"])
    assert chunk["properties"]["object"]["enum"] == ["chat.completion.chunk"]
    assert op["x-mock"] == {"action": "static", "stream": {"when": "stream"}}


def test_send_message_stream_has_tool_call_events(spec):
    op = _operations(spec)[("POST", "/api/v1/chats/{chatId}")]
    events = op["responses"]["200"]["content"]["text/event-stream"]["x-sse"]["events"]
    assert set(events) == {"message.delta", "tool.call", "done", "error"}
    tool_call = _resolve(spec, events["tool.call"])
    assert {"systemMessageId", "toolCallId", "name", "arguments"} <= set(tool_call["required"])
    body = _resolve(spec, op["requestBody"]["content"]["application/json"]["schema"])
    assert set(body["required"]) == {"date", "prompt"}
    assert body["properties"]["date"]["format"] == "date-time"


def test_bearer_security_is_global(spec):
    schemes = spec["components"]["securitySchemes"]
    assert len(schemes) == 1
    (name, scheme), = schemes.items()
    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"
    assert spec["security"] == [{name: []}]
    for op in _operations(spec).values():
        assert "security" not in op
        assert "401" in op["responses"]


def test_chat_file_upload_is_multipart_binary(spec):
    op = _operations(spec)[("POST", "/api/v1/chats/{chatId}/files")]
    form = _resolve(spec, op["requestBody"]["content"]["multipart/form-data"]["schema"])
    assert form["properties"]["file"] == {**form["properties"]["file"], "type": "string", "format": "binary"}
    assert form["required"] == ["file"]
    assert form["properties"]["source"]["enum"] == ["USER", "SYSTEM"]
    assert form["properties"]["source"]["default"] == "USER"
