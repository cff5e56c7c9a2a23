"""Facts of specs/pulumi-ai.yaml that are easy to get wrong."""

from pathlib import Path

import pytest
import yaml

from tests.specs.spec_document import operations, resolve

SPEC_PATH = Path(__file__).resolve().parents[2] / "specs" / "pulumi-ai.yaml"
BASE = "/api/orgs/{orgName}/ai/conversations/{userLogin}"
CONV = BASE + "/{conversationID}"
METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


@pytest.fixture(scope="module")
def spec():
    with SPEC_PATH.open() as f:
        return yaml.safe_load(f)


def test_openapi_version_and_server(spec):
    assert spec["openapi"] == "3.0.3"
    assert [s["url"] for s in spec["servers"]] == ["https://api.pulumi.com"]


def test_ten_operations_each_with_x_mock_and_401(spec):
    ops = list(operations(spec))
    assert len(ops) == 10
    for path, method, op in ops:
        assert "x-mock" in op, (method, path)
        assert "401" in op["responses"], (method, path)


def test_authorization_token_api_key_scheme(spec):
    schemes = spec["components"]["securitySchemes"]
    [(name, scheme)] = schemes.items()
    assert scheme["type"] == "apiKey"
    assert scheme["in"] == "header"
    assert scheme["name"] == "Authorization"
    assert "token " in scheme["description"]
    assert spec["security"] == [{name: []}]


def test_feedback_kind_enum(spec):
    body = spec["paths"][CONV + "/feedback"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    schema = resolve(spec, body)
    assert schema["properties"]["feedbackKind"]["enum"] == ["thumbsup", "thumbsdown"]
    assert set(schema["required"]) == {"feedbackKind", "comment"}


def test_append_message_role_excludes_system(spec):
    body = spec["paths"][CONV + "/messages"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    role = resolve(spec, body)["properties"]["role"]
    assert role["enum"] == ["user", "assistant"]
    assert "x-decision" in role


@pytest.mark.parametrize(
    ("path", "method"),
    [(BASE, "post"), (CONV, "patch"), (CONV + "/feedback", "post"), (CONV + "/messages", "post")],
)
def test_204_responses_have_no_content(spec, path, method):
    responses = spec["paths"][path][method]["responses"]
    assert "204" in responses
    assert "content" not in responses["204"]
    assert "200" not in responses


def test_create_conversation_409_and_mock(spec):
    op = spec["paths"][BASE]["post"]
    conflict = resolve(spec, op["responses"]["409"])
    examples = conflict["content"]["application/json"]["examples"]
    assert [e["value"] for e in examples.values()] == [{"code": 409, "message": "conversation id already registered"}]
    assert op["x-mock"]["action"] == "create"
    assert op["x-mock"]["idFrom"] == "conversation_id"
    assert op["x-mock"]["unique"] == ["conversation_id"]
    assert op["x-mock"]["scope"] == ["orgName", "userLogin"]


def test_create_links_use_request_body_conversation_id(spec):
    links = spec["paths"][BASE]["post"]["responses"]["204"]["links"]
    targets = {link["operationId"] for link in links.values()}
    assert {"getConversation", "patchConversation", "submitFeedback", "appendMessageToConversation"} <= targets
    for link in links.values():
        assert link["parameters"]["conversationID"] == "$request.body#/conversation_id"
        assert link["parameters"]["orgName"] == "$request.path.orgName"


def test_error_body_is_code_and_message(spec):
    error = spec["components"]["schemas"]["ErrorResponse"]
    assert error["properties"]["code"]["type"] == "integer"
    assert error["properties"]["message"]["type"] == "string"
    assert set(error["required"]) == {"code", "message"}


def test_zip_program_download(spec):
    path = CONV + "/programs/{programID}.zip"
    op = spec["paths"][path]["get"]
    content = op["responses"]["200"]["content"]
    assert list(content) == ["application/zip"]
    assert content["application/zip"]["schema"] == {"type": "string", "format": "binary"}
    assert "404" in op["responses"]
    assert {p["name"] for p in op["parameters"] if "name" in p} == {"programID"}


def test_root_message_parent_is_nullable(spec):
    message = spec["components"]["schemas"]["Message"]
    parent = message["properties"]["parent_conversation_message_id"]
    assert parent["nullable"] is True
    assert "parent_conversation_message_id" in message["required"]


def test_usage_lookback_positive_and_counts_user_messages(spec):
    op = spec["paths"]["/api/user/ai/usage"]["get"]
    [param] = op["parameters"]
    assert param["name"] == "lookbackDuration"
    assert param["schema"] == {"type": "integer", "format": "int32", "minimum": 1}
    assert op["x-mock"]["counts"] == {"messages_sent": {"resource": "messages", "where": {"role": "user"}}}


def test_get_conversation_embeds_messages(spec):
    mock = spec["paths"][CONV]["get"]["x-mock"]
    assert mock["action"] == "read"
    assert mock["body"] == "conversation"
    assert mock["embed"] == {"messages": {"resource": "messages", "by": "conversationID"}}
