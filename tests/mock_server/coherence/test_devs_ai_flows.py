"""A Devs.ai chat UI, through real HTTP: what the user sends comes back, references resolve, links and filters work."""

from __future__ import annotations

import json
import uuid

import httpx

from tests.spec_checked_client import SpecCheckedClient

API = "devs-ai"
V1 = "/api/v1"


def _ai(client: SpecCheckedClient, name: str = "Support bot", description: str = "Answers tickets") -> dict:
    created = client.post(f"{V1}/ai", json={"src": "https://example.com/bot.png", "name": name,
                                             "description": description, "instructions": "Be brief"})
    assert created.status_code == 200
    return created.json()


def test_seeded_chats_belong_to_stored_ais(client: SpecCheckedClient) -> None:
    chats = client.get(f"{V1}/me/chats").json()["data"]
    assert chats
    for chat in chats:
        ai = client.get(f"{V1}/ai/{chat['ai']['id']}")
        assert ai.status_code == 200 and ai.json()["name"] == chat["ai"]["name"]
        assert chat["id"] in [c["id"] for c in client.get(f"{V1}/ai/{chat['ai']['id']}/chats").json()["data"]]


def test_the_prompt_is_the_user_message(client: SpecCheckedClient) -> None:
    chat = client.post(f"{V1}/ai/{_ai(client)['id']}/chats", json={}).json()
    reply = client.post(f"{V1}/chats/{chat['id']}", json={"date": "2026-02-01T10:00:00Z", "prompt": "Hello there"})
    assert reply.status_code == 200
    parts = [{"type": "text", "text": "What is in "}, {"type": "image", "id": "file-1"},
             {"type": "text", "text": "this picture?"}]
    client.post(f"{V1}/chats/{chat['id']}", json={"date": "2026-02-01T10:01:00Z", "prompt": parts})
    messages = client.get(f"{V1}/chats/{chat['id']}").json()["messages"]
    assert [(m["role"], m["content"]) for m in messages if m["role"] == "user"] == [
        ("user", "Hello there"), ("user", "What is in this picture?")]
    assert messages[1]["id"] == reply.json()["id"]


def test_the_streamed_prompt_is_stored_too(client: SpecCheckedClient) -> None:
    chat = client.post(f"{V1}/ai/{_ai(client)['id']}/chats", json={}).json()
    headers = {"Authorization": client.headers["authorization"], "Accept": "text/event-stream"}
    url = f"{str(client.base_url).rstrip('/')}{V1}/chats/{chat['id']}"
    with httpx.stream("POST", url, headers=headers, timeout=10,
                      json={"date": "2026-02-01T10:00:00Z", "prompt": "Stream me"}) as response:
        assert response.status_code == 200
        done = [json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: ")][-1]
    messages = client.get(f"{V1}/chats/{chat['id']}").json()["messages"]
    assert messages[0]["content"] == "Stream me" and messages[1]["id"] == done["id"]


def test_linking_an_existing_data_source(client: SpecCheckedClient) -> None:
    ai = _ai(client)["id"]
    existing = client.get(f"{V1}/data-sources").json()["data"][0]
    linked = client.post(f"{V1}/ai/{ai}/data-sources", json={"dataSourceId": existing["id"]})
    assert linked.status_code == 201
    assert linked.json() == {"aiId": ai, "dataSource": existing}
    assert [d["id"] for d in client.get(f"{V1}/ai/{ai}/data-sources").json()["data"]] == [existing["id"]]
    again = client.post(f"{V1}/ai/{ai}/data-sources", json={"dataSourceId": existing["id"]})
    assert again.status_code == 201 and len(client.get(f"{V1}/ai/{ai}/data-sources").json()["data"]) == 1

    unknown = client.post(f"{V1}/ai/{ai}/data-sources", json={"dataSourceId": "no-such-source"})
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found" and "no-such-source" in unknown.json()["error"]["message"]
    no_ai = client.post(f"{V1}/ai/{uuid.uuid4()}/data-sources", json={"dataSourceId": existing["id"]})
    assert no_ai.status_code == 404


def test_new_data_sources_answer_their_real_ids(client: SpecCheckedClient) -> None:
    ai = _ai(client)["id"]
    api_source = client.post(f"{V1}/ai/{ai}/data-sources/api", json={"name": "Price list", "data": {"a": 1}})
    assert api_source.status_code == 201 and api_source.json()["aiId"] == ai
    upload = httpx.post(f"{str(client.base_url).rstrip('/')}{V1}/ai/{ai}/data-sources/file", headers=client.headers,
                        files={"file": ("handbook.pdf", b"%PDF-1.7", "application/pdf")})  # multipart: not re-checked
    assert upload.status_code == 201 and upload.json()["aiId"] == ai
    listed = {d["id"]: d for d in client.get(f"{V1}/ai/{ai}/data-sources").json()["data"]}
    assert listed[api_source.json()["dataSourceId"]]["name"] == "Price list"
    assert listed[api_source.json()["dataSourceId"]]["type"] == "API"
    assert listed[upload.json()["dataSourceId"]]["name"] == "handbook.pdf"
    assert listed[upload.json()["dataSourceId"]]["type"] == "FILE_UPLOAD"


def test_data_source_filters_and_order(client: SpecCheckedClient) -> None:
    ai = _ai(client)["id"]
    for name in ("Quarterly report", "Annual REPORT", "Menu"):
        client.post(f"{V1}/ai/{ai}/data-sources/api", json={"name": name, "data": {}})
    reports = client.get(f"{V1}/data-sources", params={"name": "report"}).json()["data"]
    assert sorted(d["name"] for d in reports) == ["Annual REPORT", "Quarterly report"]
    uploads = client.get(f"{V1}/data-sources", params={"type": "API"}).json()["data"]
    assert uploads and all(d["type"] == "API" for d in uploads)
    newest = [d["createdAt"] for d in client.get(f"{V1}/data-sources", params={"orderBy": "-createdAt"}).json()["data"]]
    oldest = [d["createdAt"] for d in client.get(f"{V1}/data-sources", params={"orderBy": "+createdAt"}).json()["data"]]
    assert newest == sorted(newest, reverse=True) and oldest == sorted(oldest) and len(newest) >= 3


def test_ai_search_and_category(client: SpecCheckedClient) -> None:
    wanted = _ai(client, name="Tax helper", description="Knows the VAT rules")
    _ai(client, name="Recipe bot", description="Cooks")
    found = client.get(f"{V1}/me/ai", params={"search": "vat TAX"}).json()["data"]
    assert [a["id"] for a in found] == [wanted["id"]]
    category = wanted["categoryId"]
    assert wanted["id"] in [a["id"] for a in client.get(f"{V1}/me/ai", params={"categoryId": category}).json()["data"]]
    assert all(a["categoryId"] == category
               for a in client.get(f"{V1}/me/ai", params={"categoryId": category}).json()["data"])


def test_group_members_follow_the_emails(client: SpecCheckedClient) -> None:
    group = client.post(f"{V1}/groups", json={"name": "Support", "availability": "RESTRICTED",
                                              "memberEmails": "ann@example.com, bob@example.com"}).json()
    assert [u["email"] for u in group["users"]] == ["ann@example.com", "bob@example.com"]
    changed = client.put(f"{V1}/groups/{group['id']}", json={"memberEmailsToAdd": "cy@example.com,ann@example.com",
                                                             "memberEmailsToRemove": ["bob@example.com"]}).json()
    assert [u["email"] for u in changed["users"]] == ["ann@example.com", "cy@example.com"]
    assert changed["users"][0] == group["users"][0]  # a member who stays is the same member
