"""Facts of specs/pulze.yaml that are easy to get wrong."""

from pathlib import Path

import pytest
import yaml
from openapi_schema_validator import OAS30Validator

SPEC_PATH = Path(__file__).resolve().parents[2] / "specs" / "pulze.yaml"
PATH = "/v1/apps/{app_id}/conversations/{conversation_id}"


@pytest.fixture(scope="module")
def spec():
    with SPEC_PATH.open() as f:
        return yaml.safe_load(f)


@pytest.fixture(scope="module")
def operation(spec):
    return spec["paths"][PATH]["post"]


def schema(spec, name):
    return spec["components"]["schemas"][name]


def ref_name(node):
    return node["$ref"].rsplit("/", 1)[-1]


def test_single_post_operation_server_and_bearer(spec):
    assert list(spec["paths"]) == [PATH]
    assert list(spec["paths"][PATH]) == ["post"]
    assert spec["servers"][0]["url"] == "https://api.pulze.ai"
    [scheme] = spec["components"]["securitySchemes"].values()
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")


def test_path_params(operation):
    params = {p["name"]: p for p in operation["parameters"]}
    assert set(params) == {"app_id", "conversation_id"}
    for param in params.values():
        assert param["in"] == "path"
        assert param["required"] is True
        assert param["schema"]["type"] == "string"


def test_include_requests_body(spec, operation):
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    include = schema(spec, ref_name(body))["properties"]["include_requests"]
    assert include == {**include, "type": "boolean", "default": False}


def test_status_codes_and_error_bodies(operation):
    responses = operation["responses"]
    assert set(responses) == {"200", "401", "404", "422"}
    assert ref_name(responses["422"]["content"]["application/json"]["schema"]) == "HTTPValidationError"
    assert ref_name(responses["404"]["content"]["application/json"]["schema"]) == "HTTPError"


def test_conversation_requests_are_request_objects(spec, operation):
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ref_name(ok) == "Conversation"
    conversation = schema(spec, "Conversation")
    assert ref_name(conversation["properties"]["requests"]["items"]) == "Request"
    deleted_on = conversation["properties"]["deleted_on"]
    assert (deleted_on["type"], deleted_on["format"], deleted_on["nullable"]) == ("string", "date-time", True)
    assert conversation["properties"]["id"]["format"] == "uuid"


def test_deep_request_fields(spec):
    request = schema(spec, "Request")["properties"]
    assert request["status_code"]["default"] == -1
    assert request["prompt_tokens_cost"]["type"] == "number"
    assert request["prompt_tokens"]["type"] == "integer"
    assert request["app_id"]["format"] == "uuid"
    assert ref_name(request["payload"]) == "RequestPayload"
    assert ref_name(request["collections"]["items"]) == "RequestCollection"
    payload = schema(spec, "RequestPayload")["properties"]
    policies = schema(spec, ref_name(schema(spec, ref_name(payload["custom_headers"]))["properties"]["policies"]))
    assert policies["properties"]["max_cost"]["type"] == "number"
    assert policies["properties"]["prompt_id"]["format"] == "uuid"
    flags = schema(spec, "FeatureFlags")["properties"]
    assert flags["smart_learn"]["default"] is True
    assert flags["citations"]["default"] is False


def test_deep_response_fields(spec):
    response = schema(spec, "CompletionResponse")["properties"]
    metadata = schema(spec, ref_name(response["metadata"]))["properties"]
    assert ref_name(metadata["cost_savings"]) == "TokenCosts"
    assert schema(spec, "TokenCosts")["properties"]["total_tokens"]["type"] == "number"
    assert schema(spec, "Usage")["properties"]["total_tokens"]["type"] == "integer"
    model = schema(spec, "Model")["properties"]
    assert model["context_window"]["type"] == "integer"
    assert model["deprecated_on"]["nullable"] is True
    assert model["api_target"]["default"] == ""
    tool_call = schema(spec, "ToolCall")["properties"]
    assert tool_call["type"]["enum"] == ["function"]


def _inline(spec, node):
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline(spec, schema(spec, ref_name(node)))
        return {k: _inline(spec, v) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(spec, v) for v in node]
    return node


def test_nullable_nested_objects_accept_null(spec):
    validator = OAS30Validator(_inline(spec, schema(spec, "Request")))
    record = {
        "id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
        "app_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
        "conversation_id": None,
        "added_on": "2023-11-07T05:31:56Z",
        "payload": None,
        "response": None,
        "model": None,
        "parent": None,
    }
    assert list(validator.iter_errors(record)) == []
    assert list(validator.iter_errors({**record, "status_code": "200"}))


def test_full_example_validates(spec, operation):
    media = operation["responses"]["200"]["content"]["application/json"]
    validator = OAS30Validator(_inline(spec, media["schema"]))
    values = [e["value"] for e in media["examples"].values()]
    assert any(v.get("requests") for v in values)
    for value in values:
        assert list(validator.iter_errors(value)) == []
