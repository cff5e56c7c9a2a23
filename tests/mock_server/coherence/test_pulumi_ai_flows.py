"""A Pulumi Copilot UI, through real HTTP: a conversation reads back as created, messages keep what was sent and
chain to what they answer, lists page and are scoped to the org and the user."""

from __future__ import annotations

import uuid

from tests.spec_checked_client import SpecCheckedClient

API = "pulumi-ai"
ORG = "/api/orgs/acme/ai/conversations"


def test_a_conversation_keeps_what_was_sent(client: SpecCheckedClient) -> None:
    conv = f"conv-{uuid.uuid4().hex[:8]}"
    assert client.post(f"{ORG}/jdoe", json={"conversation_id": conv, "origin": "web"}).status_code == 204
    client.patch(f"{ORG}/jdoe/{conv}", json={"title": "Static site", "summary": "An S3 bucket"})
    sent = {"model": "gpt-4", "message": "Add a CDN", "message_schema_version": "1", "skills": "", "role": "user"}
    assert client.post(f"{ORG}/jdoe/{conv}/messages", json=sent).status_code == 204
    read = client.get(f"{ORG}/jdoe/{conv}").json()
    assert read["conversation"]["id"] == conv
    assert (read["conversation"]["title"], read["conversation"]["summary"]) == ("Static site", "An S3 bucket")
    question, answer = read["messages"]
    assert {k: question[k] for k in sent} == sent
    assert question["parent_conversation_message_id"] is None  # the first message is a root
    assert answer["role"] == "assistant" and answer["parent_conversation_message_id"] == question["id"]


def test_lists_page_and_stay_in_their_scope(client: SpecCheckedClient) -> None:
    user = f"user-{uuid.uuid4().hex[:6]}"
    made = [f"c{n}-{uuid.uuid4().hex[:6]}" for n in range(5)]
    for conv in made:
        client.post(f"{ORG}/{user}", json={"conversation_id": conv})
    first = client.get(f"{ORG}/{user}", params={"pageSize": 2}).json()["conversations"]
    second = client.get(f"{ORG}/{user}", params={"pageSize": 2, "page": 2}).json()["conversations"]
    third = client.get(f"{ORG}/{user}", params={"pageSize": 2, "page": 3}).json()["conversations"]
    assert [c["id"] for c in first + second + third] == made
    assert set(made) <= {c["id"] for c in client.get(ORG, params={"pageSize": 100}).json()["conversations"]}
    other = client.get("/api/orgs/elsewhere/ai/conversations", params={"pageSize": 100}).json()["conversations"]
    assert not set(made) & {c["id"] for c in other}
    assert client.get(f"/api/orgs/elsewhere/ai/conversations/{user}/{made[0]}").status_code == 404
