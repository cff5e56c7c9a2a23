"""Through real HTTP on 127.0.0.1, per API: create -> read -> list -> update -> action -> delete/404, auth, errors.

Every response is checked against the spec by `SpecCheckedClient` (openapi-core).
"""

from __future__ import annotations

import uuid

import pytest


def test_pulumi_conversation_lifecycle(api_client) -> None:
    c = api_client("pulumi-ai")
    base = "/api/orgs/acme/ai/conversations/jdoe"
    conv = f"conv-{uuid.uuid4().hex[:8]}"
    assert c.post(base, json={"conversation_id": conv, "origin": "web"}).status_code == 204

    read = c.get(f"{base}/{conv}")
    assert read.status_code == 200
    assert read.json()["conversation"]["id"] == conv
    assert read.json()["messages"] == []

    listed = c.get(base, params={"pageSize": 100}).json()["conversations"]
    assert conv in [item["id"] for item in listed]
    org_listed = c.get("/api/orgs/acme/ai/conversations", params={"pageSize": 100}).json()["conversations"]
    assert conv in [item["id"] for item in org_listed]
    assert conv not in [i["id"] for i in c.get("/api/orgs/other/ai/conversations").json()["conversations"]]

    assert c.patch(f"{base}/{conv}", json={"title": "Static site", "summary": "S3 bucket"}).status_code == 204
    assert c.get(f"{base}/{conv}").json()["conversation"]["title"] == "Static site"

    sent_before = c.get("/api/user/ai/usage").json()["messages_sent"]
    message = {"model": "gpt-4", "message": "Add a CDN", "message_schema_version": "1", "skills": "", "role": "user"}
    assert c.post(f"{base}/{conv}/messages", json=message).status_code == 204
    messages = c.get(f"{base}/{conv}").json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[0]["message"] == "Add a CDN"
    assert messages[1]["message"]  # a generated reply
    assert c.get("/api/user/ai/usage").json()["messages_sent"] == sent_before + 1

    feedback = {"feedbackKind": "thumbsup", "comment": "worked"}
    assert c.post(f"{base}/{conv}/feedback", json=feedback).status_code == 204

    duplicate = c.post(base, json={"conversation_id": conv})
    assert duplicate.status_code == 409
    assert duplicate.json() == {"code": 409, "message": f"conversation id {conv!r} already registered"}

    missing = c.get(f"{base}/nope-{conv}")
    assert missing.status_code == 404
    assert missing.json()["code"] == 404 and "not found" in missing.json()["message"]
    assert c.get(f"/api/orgs/other/ai/conversations/jdoe/{conv}").status_code == 404  # scoped to its org


def test_pulumi_errors(api_client) -> None:
    c = api_client("pulumi-ai")
    base = "/api/orgs/acme/ai/conversations/jdoe"
    conv = f"conv-{uuid.uuid4().hex[:8]}"
    c.post(base, json={"conversation_id": conv})
    bad = c.post(f"{base}/{conv}/feedback", json={"feedbackKind": "meh", "comment": "x"})
    assert bad.status_code == 400
    assert bad.json()["code"] == 400 and "feedbackKind" in bad.json()["message"]
    unauthenticated = api_client("pulumi-ai", auth=False).get(f"{base}/{conv}")
    assert unauthenticated.status_code == 401
    assert set(unauthenticated.json()) == {"code", "message"}


def test_devs_ai_chat_lifecycle(api_client) -> None:
    c = api_client("devs-ai")
    ai = c.post("/api/v1/ai", json={"src": "https://example.com/bot.png", "name": "Support bot",
                                    "description": "Answers tickets", "instructions": "Be brief"})
    assert ai.status_code == 200
    ai_id = ai.json()["id"]
    assert ai.json()["name"] == "Support bot"
    assert c.get(f"/api/v1/ai/{ai_id}").json() == ai.json()
    assert ai_id in [item["id"] for item in c.get("/api/v1/me/ai").json()["data"]]

    chat = c.post(f"/api/v1/ai/{ai_id}/chats", json={})
    assert chat.status_code == 201
    chat_id = chat.json()["id"]
    assert chat.json()["ai"]["id"] == ai_id  # the embedded summary is the parent AI
    assert [item["id"] for item in c.get(f"/api/v1/ai/{ai_id}/chats").json()["data"]] == [chat_id]

    reply = c.post(f"/api/v1/chats/{chat_id}", json={"prompt": "Hello there", "date": "2026-01-05T10:00:00Z"})
    assert reply.status_code == 200
    held = c.get(f"/api/v1/chats/{chat_id}").json()["messages"]
    assert len(held) == 2 and held[-1]["id"] == reply.json()["id"]

    copy = c.put(f"/api/v1/chats/{chat_id}/duplicate")
    assert copy.status_code == 200 and copy.json()["id"] != chat_id
    assert len(c.get(f"/api/v1/chats/{copy.json()['id']}").json()["messages"]) == 2

    reset = c.put(f"/api/v1/chats/{chat_id}/reset")
    assert reset.status_code == 200
    assert c.get(f"/api/v1/chats/{chat_id}").json()["messages"] == []
    assert len(c.get(f"/api/v1/chats/{copy.json()['id']}").json()["messages"]) == 2  # the copy keeps its own

    group = c.post("/api/v1/groups",
                   json={"name": "Support", "availability": "EVERYONE", "memberEmails": "ann@example.com"})
    assert group.status_code == 200
    renamed = c.put(f"/api/v1/groups/{group.json()['id']}", json={"name": "Support EU"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Support EU"

    missing = c.get(f"/api/v1/chats/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert c.post(f"/api/v1/ai/{uuid.uuid4()}/chats", json={}).status_code == 404  # unknown parent


def test_devs_ai_errors(api_client) -> None:
    c = api_client("devs-ai")
    invalid = c.post("/api/v1/ai", json={"name": "no src"})
    assert invalid.status_code == 400
    assert "src" in invalid.json()["error"]["message"]
    assert api_client("devs-ai", auth=False).get("/api/v1/me/ai").status_code == 401
    no_token = api_client("devs-ai", auth=False).get("/api/v1/me/ai", headers={"Authorization": "Bearer"})
    assert no_token.status_code == 401


def test_coder_chat_lifecycle(api_client) -> None:
    c = api_client("coder-chats")
    base = "/api/experimental/chats"
    created = c.post(base, json={"content": [{"type": "text", "text": "Fix the flaky test"}]})
    assert created.status_code == 201
    chat = created.json()
    assert c.get(f"{base}/{chat['id']}").json() == chat
    assert chat["id"] in [item["id"] for item in c.get(base).json()]

    assert c.patch(f"{base}/{chat['id']}", json={"title": "Flaky test"}).status_code == 204
    assert c.get(f"{base}/{chat['id']}").json()["title"] == "Flaky test"

    sent = c.post(f"{base}/{chat['id']}/messages", json={"content": [{"type": "text", "text": "go on"}]})
    assert sent.status_code == 200
    messages = c.get(f"{base}/{chat['id']}/messages").json()["messages"]
    assert [m["role"] for m in messages] == ["assistant", "user", "assistant", "user"]  # newest first
    assert messages[-1]["content"][0]["text"] == "Fix the flaky test"  # the create's first prompt
    assert all(m["chat_id"] == chat["id"] for m in messages)

    interrupted = c.post(f"{base}/{chat['id']}/interrupt")
    assert interrupted.status_code == 200 and interrupted.json()["status"] == "waiting"
    retitled = c.post(f"{base}/{chat['id']}/title/regenerate")
    assert retitled.status_code == 200 and retitled.json()["title"] != "Flaky test"

    missing = c.get(f"{base}/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert "not found" in missing.json()["message"]
    bad_id = c.get(f"{base}/not-a-uuid")
    assert bad_id.status_code == 400 and "chat" in bad_id.json()["message"]
    assert api_client("coder-chats", auth=False).get(base).status_code == 401
    empty = api_client("coder-chats", auth=False).get(base, headers={"Coder-Session-Token": ""})
    assert empty.status_code == 401


def test_project_ai_chat(api_client) -> None:
    c = api_client("project-ai-chat")
    answer = c.post("/v1/projects/my-project-a1b2c/ai/chat",
                    json={"messages": [{"role": "user", "content": "Which services publish to orders?"}]})
    assert answer.status_code == 200
    assert set(answer.json()["message"]) >= {"role", "content"}

    invalid = c.post("/v1/projects/ab/ai/chat", json={"messages": [{"role": "user", "content": "hi"}]})
    assert invalid.status_code == 400
    body = invalid.json()
    assert body["status"] == 400 and body["code"] == "validation_failed"
    assert "projectId" in body["message"]

    unauthenticated = api_client("project-ai-chat", auth=False).post(
        "/v1/projects/my-project-a1b2c/ai/chat", json={"messages": [{"role": "user", "content": "hi"}]})
    assert unauthenticated.status_code == 401 and unauthenticated.json()["code"] == "unauthorized"


def test_pulze_conversation(api_client) -> None:
    c = api_client("pulze")
    app_id, conv_id = uuid.uuid4(), uuid.uuid4()
    ok = c.post(f"/v1/apps/{app_id}/conversations/{conv_id}", json={"include_requests": True})
    assert ok.status_code == 200 and "id" in ok.json()
    invalid = c.post(f"/v1/apps/{app_id}/conversations/not-a-uuid", json={})
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["path", "conversation_id"]


@pytest.mark.parametrize(("api", "path"), [("coder-chats", "/api/experimental/chats"), ("devs-ai", "/api/v1/me/ai")])
def test_seeded_collections_are_visible_at_once(api_client, api: str, path: str) -> None:
    body = api_client(api).get(path).json()
    items = body if isinstance(body, list) else body["data"]
    assert len(items) >= 3
