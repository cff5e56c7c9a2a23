"""Facts about specs/coder-chats.yaml that are easy to get wrong, checked against the Coder docs page
(/work/shared/api-docs/coder-chats.md)."""

from pathlib import Path

import pytest
import yaml

from tests.specs.spec_document import operations, resolve

SPEC_PATH = Path(__file__).resolve().parents[2] / "specs" / "coder-chats.yaml"
BASE = "/api/experimental/chats"
METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")


@pytest.fixture(scope="module")
def spec():
    with SPEC_PATH.open() as f:
        return yaml.safe_load(f)


def op_by_id(spec, operation_id):
    for path, method, op in operations(spec):
        if op["operationId"] == operation_id:
            return path, method, op
    raise KeyError(operation_id)


def params_of(spec, path, op):
    params = list(spec["paths"][path].get("parameters", [])) + list(op.get("parameters", []))
    return {p["name"]: p for p in (resolve(spec, p) for p in params)}


def test_openapi_version_and_18_unique_operations(spec):
    assert spec["openapi"] == "3.0.3"
    ops = list(operations(spec))
    assert len(ops) == 18
    ids = [op["operationId"] for _, _, op in ops]
    assert len(set(ids)) == 18
    assert all(path.startswith(BASE) for path, _, _ in ops)


def test_documented_paths_and_methods(spec):
    expected = {
        (BASE, "get"), (BASE, "post"),
        (f"{BASE}/files", "post"), (f"{BASE}/files/{{file}}", "get"),
        (f"{BASE}/models", "get"), (f"{BASE}/watch", "get"),
        (f"{BASE}/{{chat}}", "get"), (f"{BASE}/{{chat}}", "patch"),
        (f"{BASE}/{{chat}}/diff", "get"), (f"{BASE}/{{chat}}/interrupt", "post"),
        (f"{BASE}/{{chat}}/messages", "get"), (f"{BASE}/{{chat}}/messages", "post"),
        (f"{BASE}/{{chat}}/messages/{{message}}", "patch"),
        (f"{BASE}/{{chat}}/prompts", "get"),
        (f"{BASE}/{{chat}}/stream", "get"), (f"{BASE}/{{chat}}/stream/desktop", "get"),
        (f"{BASE}/{{chat}}/stream/git", "get"),
        (f"{BASE}/{{chat}}/title/regenerate", "post"),
    }
    assert {(p, m) for p, m, _ in operations(spec)} == expected


def test_list_chats_q_parameter(spec):
    path, _, op = op_by_id(spec, "listChats")
    assert path == BASE
    params = params_of(spec, path, op)
    q = params["q"]
    assert q["in"] == "query"
    assert q.get("required", False) is False
    assert q["schema"]["type"] == "string"
    for fragment in ("title:<substring>", "archived:bool", "has_unread:bool",
                     "pr_status:<draft|open|merged|closed>", "pr:<number>", "repo:<owner/repo>",
                     "pr_title:<text>", "Bare terms are not supported"):
        assert fragment in q["description"], fragment
    label = params["label"]
    assert label["in"] == "query" and label.get("required", False) is False
    assert "key:value" in label["description"]


def test_list_chats_returns_bare_array_of_chat(spec):
    _, _, op = op_by_id(spec, "listChats")
    schema = op["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["type"] == "array"
    assert schema["items"] == {"$ref": "#/components/schemas/Chat"}


def test_security_is_coder_session_token_header(spec):
    schemes = spec["components"]["securitySchemes"]
    assert spec["security"] == [{"CoderSessionToken": []}]
    scheme = schemes["CoderSessionToken"]
    assert scheme["type"] == "apiKey"
    assert scheme["in"] == "header"
    assert scheme["name"] == "Coder-Session-Token"


def test_websocket_operations(spec):
    ws = {
        f"{BASE}/watch": "#/components/schemas/ChatWatchEvent",
        f"{BASE}/{{chat}}/stream": "#/components/schemas/ChatStreamEvent",
        f"{BASE}/{{chat}}/stream/desktop": "#/components/schemas/ChatDesktopFrame",
        f"{BASE}/{{chat}}/stream/git": "#/components/schemas/WorkspaceAgentGitServerMessage",
    }
    upgrading = {p for p, _, op in operations(spec) if "101" in op["responses"]}
    assert upgrading == set(ws)
    for path, frame_ref in ws.items():
        op = spec["paths"][path]["get"]
        switching = resolve(spec, op["responses"]["101"])
        assert "content" not in switching
        assert op["x-websocket"]["messages"] == {"$ref": frame_ref}
        upgrade_required = resolve(spec, op["responses"]["426"])
        assert upgrade_required["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Response"
        }
    desktop = spec["components"]["schemas"]["ChatDesktopFrame"]
    assert desktop["type"] == "string" and desktop["format"] == "binary"


@pytest.mark.parametrize(
    "schema_name, values",
    [
        ("ChatStatus", ["completed", "error", "paused", "pending", "requires_action", "running", "waiting"]),
        ("ChatClientType", ["api", "ui"]),
        ("ChatPlanMode", ["plan"]),
        ("ChatErrorKind", ["auth", "config", "generic", "missing_key", "overloaded", "provider_disabled",
                           "rate_limit", "startup_timeout", "timeout", "usage_limit"]),
        ("ChatMessagePartType", ["context-file", "file", "file-reference", "reasoning", "skill", "source",
                                 "text", "tool-call", "tool-result"]),
    ],
)
def test_enumerated_values(spec, schema_name, values):
    schema = spec["components"]["schemas"][schema_name]
    assert schema["type"] == "string"
    assert sorted(schema["enum"]) == sorted(values)


def test_chat_fields_use_the_enums(spec):
    chat = spec["components"]["schemas"]["Chat"]["properties"]
    assert chat["status"] == {"$ref": "#/components/schemas/ChatStatus"}
    assert chat["client_type"] == {"$ref": "#/components/schemas/ChatClientType"}
    assert chat["plan_mode"] == {"$ref": "#/components/schemas/ChatPlanMode"}
    assert chat["children"]["items"] == {"$ref": "#/components/schemas/Chat"}
    error = spec["components"]["schemas"]["ChatError"]["properties"]
    assert error["kind"] == {"$ref": "#/components/schemas/ChatErrorKind"}


def test_id_path_parameters(spec):
    seen = set()
    for path, _, op in operations(spec):
        params = params_of(spec, path, op)
        if "{chat}" in path:
            chat = params["chat"]
            assert chat["in"] == "path" and chat["required"] is True
            assert chat["schema"] == {"type": "string", "format": "uuid"}
            seen.add("chat")
        if "{file}" in path:
            assert params["file"]["schema"] == {"type": "string", "format": "uuid"}
            seen.add("file")
        if "{message}" in path:
            assert params["message"]["schema"]["type"] == "integer"
            seen.add("message")
    assert seen == {"chat", "file", "message"}


def test_upload_requires_organization_uuid_query(spec):
    path, _, op = op_by_id(spec, "uploadChatFile")
    org = params_of(spec, path, op)["organization"]
    assert org["in"] == "query" and org["required"] is True
    assert org["schema"] == {"type": "string", "format": "uuid"}
    assert "201" in op["responses"]


def test_message_paging_parameters(spec):
    path, _, op = op_by_id(spec, "listChatMessages")
    params = params_of(spec, path, op)
    limit = params["limit"]["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 200, 50)
    assert params["before_id"]["schema"]["type"] == "integer"
    assert params["after_id"]["schema"]["type"] == "integer"
    path, _, op = op_by_id(spec, "listChatPrompts")
    limit = params_of(spec, path, op)["limit"]["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (0, 2000, 0)


def test_documented_success_statuses(spec):
    expected = {
        "listChats": "200", "createChat": "201", "uploadChatFile": "201", "getChatFile": "200",
        "listChatModels": "200", "getChat": "200", "updateChat": "204", "getChatDiff": "200",
        "interruptChat": "200", "listChatMessages": "200", "sendChatMessage": "200",
        "editChatMessage": "200", "listChatPrompts": "200", "regenerateChatTitle": "200",
    }
    for operation_id, status in expected.items():
        _, _, op = op_by_id(spec, operation_id)
        successes = sorted(code for code in op["responses"] if code.startswith("2"))
        assert successes == [status], operation_id
    _, _, update = op_by_id(spec, "updateChat")
    assert "content" not in update["responses"]["204"]


def test_error_responses_use_coder_response_body(spec):
    response = spec["components"]["schemas"]["Response"]
    assert set(response["properties"]) == {"message", "detail", "validations"}
    for path, _, op in operations(spec):
        codes = set(op["responses"])
        assert "401" in codes, op["operationId"]
        if "{" in path:
            assert "404" in codes, op["operationId"]
        for code in codes & {"400", "401", "404", "426"}:
            body = resolve(spec, op["responses"][code])["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/Response"}


def test_x_mock_on_every_operation(spec):
    for _, _, op in operations(spec):
        assert op["x-mock"]["action"] in {"create", "read", "list", "update", "delete", "action", "link", "static"}
    _, _, interrupt = op_by_id(spec, "interruptChat")
    assert interrupt["x-mock"]["effects"] == [{"set": {"status": "waiting"}}]
    _, _, send = op_by_id(spec, "sendChatMessage")
    effects = send["x-mock"]["effects"]
    assert effects[0] == {"create": "messages", "from": "body", "set": {"role": "user"}}
    assert effects[1]["set"] == {"role": "assistant"}
    _, _, messages = op_by_id(spec, "listChatMessages")
    mock = {k: v for k, v in messages["x-mock"].items() if k != "x-decision"}
    assert mock == {"action": "list", "resource": "messages", "scope": ["chat"], "items": "messages",
                    "sort": {"default": "-id"}, "cursor": {"before": "before_id", "after": "after_id", "field": "/id"},
                    "embed": {"queued_messages": {"resource": "queuedMessages", "by": "chat"}}}
