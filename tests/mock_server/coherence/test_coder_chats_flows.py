"""A Coder chat UI, through real HTTP: the first prompt is stored, messages page by id, search and labels filter,
a busy chat queues, an edit rewinds, an upload downloads as sent, seeded chats are trees whose parents exist."""

from __future__ import annotations

import httpx

from tests.spec_checked_client import SpecCheckedClient

API = "coder-chats"
CHATS = "/api/experimental/chats"
ORG = "497f6eca-6276-4993-bfeb-53cbbbba6f08"


def _text(text: str) -> list[dict]:
    return [{"type": "text", "text": text}]


def _chat(client: SpecCheckedClient, prompt: str, **extra: object) -> dict:
    created = client.post(CHATS, json={"content": _text(prompt), **extra})
    assert created.status_code == 201
    return created.json()


def _admin(client: SpecCheckedClient) -> httpx.Client:
    return httpx.Client(base_url=str(client.base_url).split(f"/{API}")[0], timeout=10)


def test_the_first_prompt_is_the_first_message(client: SpecCheckedClient) -> None:
    chat = _chat(client, "Fix the login page")
    assert chat["title"] == "Fix the login page"
    assert chat.get("parent_chat_id") is None and chat["children"] == []  # a new chat is a root
    page = client.get(f"{CHATS}/{chat['id']}/messages").json()
    assert [m["role"] for m in page["messages"]] == ["assistant", "user"]  # newest first
    assert page["messages"][1]["content"][0]["text"] == "Fix the login page"
    assert all(m["chat_id"] == chat["id"] for m in page["messages"]) and page["has_more"] is False


def test_messages_page_by_id(client: SpecCheckedClient) -> None:
    chat = _chat(client, "p0")
    for n in range(1, 4):
        sent = client.post(f"{CHATS}/{chat['id']}/messages", json={"content": _text(f"p{n}")})
        assert sent.status_code == 200 and sent.json()["queued"] is False
        assert sent.json()["message"]["content"][0]["text"] == f"p{n}"  # the answer is the stored user message
    everything = client.get(f"{CHATS}/{chat['id']}/messages").json()["messages"]
    ids = [m["id"] for m in everything]
    assert len(ids) == 8 and ids == sorted(ids, reverse=True)  # ids increase with every message

    first = client.get(f"{CHATS}/{chat['id']}/messages", params={"limit": 3}).json()
    assert [m["id"] for m in first["messages"]] == ids[:3] and first["has_more"] is True
    older = client.get(f"{CHATS}/{chat['id']}/messages", params={"limit": 3, "before_id": ids[2]}).json()
    assert [m["id"] for m in older["messages"]] == ids[3:6] and older["has_more"] is True
    oldest = client.get(f"{CHATS}/{chat['id']}/messages", params={"limit": 3, "before_id": ids[5]}).json()
    assert [m["id"] for m in oldest["messages"]] == ids[6:] and oldest["has_more"] is False
    newer = client.get(f"{CHATS}/{chat['id']}/messages", params={"after_id": ids[2]}).json()
    assert [m["id"] for m in newer["messages"]] == ids[:2]

    prompts = client.get(f"{CHATS}/{chat['id']}/prompts").json()["prompts"]
    assert [p["text"] for p in prompts] == ["p3", "p2", "p1", "p0"]
    assert [p["id"] for p in prompts] == [m["id"] for m in everything if m["role"] == "user"]


def test_search_terms_and_labels_filter_chats(client: SpecCheckedClient) -> None:
    wanted = _chat(client, "Upgrade the Postgres driver", labels={"team": "platform", "prio": "high"})
    _chat(client, "Write release notes", labels={"team": "docs"})
    by_title = client.get(CHATS, params={"q": 'title:"postgres DRIVER"'}).json()
    assert [c["id"] for c in by_title] == [wanted["id"]]
    by_labels = client.get(CHATS, params=[("label", "team:platform"), ("label", "prio:high")]).json()
    assert [c["id"] for c in by_labels] == [wanted["id"]]
    assert client.get(CHATS, params=[("label", "team:platform"), ("label", "prio:low")]).json() == []
    client.patch(f"{CHATS}/{wanted['id']}", json={"archived": True})
    archived = client.get(CHATS, params={"q": "archived:true"}).json()
    assert wanted["id"] in [c["id"] for c in archived] and all(c["archived"] is True for c in archived)
    assert len(client.get(CHATS, params={"q": "nonsense words"}).json()) == len(client.get(CHATS).json())


def test_a_busy_chat_queues_the_message(client: SpecCheckedClient) -> None:
    chat = _chat(client, "Long task")
    with _admin(client) as admin:
        state = admin.get("/__mock/state").json()
        for record in state[API]["chats"]:
            if record["id"] == chat["id"]:
                record["data"]["status"] = "running"
        assert admin.put("/__mock/state", json=state).status_code == 200
    queued = client.post(f"{CHATS}/{chat['id']}/messages", json={"content": _text("and then this")})
    assert queued.status_code == 200
    body = queued.json()
    assert body["queued"] is True and "message" not in body
    assert body["queued_message"]["content"][0]["text"] == "and then this"
    page = client.get(f"{CHATS}/{chat['id']}/messages").json()
    assert len(page["messages"]) == 2  # the queued message is not a message yet
    assert [q["id"] for q in page["queued_messages"]] == [body["queued_message"]["id"]]
    interrupting = client.post(f"{CHATS}/{chat['id']}/messages",
                               json={"content": _text("stop, do this"), "busy_behavior": "interrupt"})
    assert interrupting.json()["queued"] is False and interrupting.json()["message"]["role"] == "user"


def test_an_edit_rewinds_the_conversation(client: SpecCheckedClient) -> None:
    chat = _chat(client, "first")
    client.post(f"{CHATS}/{chat['id']}/messages", json={"content": _text("second")})
    before = client.get(f"{CHATS}/{chat['id']}/messages").json()["messages"]
    first_user = before[-1]
    edited = client.patch(f"{CHATS}/{chat['id']}/messages/{first_user['id']}", json={"content": _text("first, fixed")})
    assert edited.status_code == 200 and edited.json()["message"]["content"][0]["text"] == "first, fixed"
    after = client.get(f"{CHATS}/{chat['id']}/messages").json()["messages"]
    assert [m["role"] for m in after] == ["assistant", "user"]
    assert after[1]["id"] == first_user["id"] and after[0]["id"] > before[0]["id"]  # a new reply


def test_an_upload_downloads_as_sent(client: SpecCheckedClient) -> None:
    payload = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
    uploaded = client.post(f"{CHATS}/files", params={"organization": ORG}, content=payload,
                           headers={"Content-Type": "image/png", "Content-Disposition": 'attachment; filename="a.png"'})
    assert uploaded.status_code == 201
    downloaded = client.get(f"{CHATS}/files/{uploaded.json()['id']}")
    assert downloaded.status_code == 200
    assert downloaded.content == payload and downloaded.headers["content-type"] == "image/png"
    assert client.get(f"{CHATS}/files/{ORG}").status_code == 404
    with _admin(client) as admin:
        stored = {r["id"]: r["data"] for r in admin.get("/__mock/state").json()[API]["files"]}
    recorded = stored[uploaded.json()["id"]]
    assert (recorded["name"], recorded["mime_type"], recorded["organization_id"]) == ("a.png", "image/png", ORG)


def test_the_diff_belongs_to_the_chat(client: SpecCheckedClient) -> None:
    chat = _chat(client, "Refactor")
    assert client.get(f"{CHATS}/{chat['id']}/diff").json()["chat_id"] == chat["id"]


def test_seeded_chats_are_trees_whose_parents_exist(client: SpecCheckedClient) -> None:
    with _admin(client) as admin:
        seeded = [r["data"] for r in admin.get("/__mock/state").json()[API]["chats"]][:3]
    roots = [c for c in seeded if c.get("parent_chat_id") is None]
    children = [c for c in seeded if c.get("parent_chat_id") is not None]
    assert roots and children
    by_id = {c["id"]: c for c in seeded}
    for child in children:
        parent = by_id[child["parent_chat_id"]]
        assert child.get("root_chat_id") == parent["id"]
        assert child["id"] in [c["id"] for c in parent["children"]]
        assert client.get(f"{CHATS}/{parent['id']}").status_code == 200
    assert all(c["children"] == [] for c in children)
