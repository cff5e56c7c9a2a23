"""A new item looks new, in any spec (freshness rules, their x-mock overrides), through real HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from tests.conftest import SPECS
from tests.spec_checked_client import SpecCheckedClient

CODER = "/api/experimental/chats"


def test_a_new_ticket_follows_the_rules_and_the_spec_s_overrides(helpdesk: SpecCheckedClient) -> None:
    created = helpdesk.post("/tickets", json={"title": "Printer on fire"})
    assert created.status_code == 201
    ticket = created.json()
    assert ticket["title"] == "Printer on fire"
    assert ticket["state"] == "triaged"  # the enum's x-mock initial, not the first known word ("open")
    assert ticket["priority"] == "normal"  # x-mock fresh set
    assert ticket["commentCount"] == 0
    assert ticket["watchersCount"] == 1  # a counter starts at its minimum
    assert ticket["closedAt"] is None  # nullable: null
    assert "archivedAt" not in ticket and "lastError" not in ticket  # optional: absent
    assert ticket["archived"] is False
    assert ticket["parentId"] is None
    assert ticket["children"] == []
    assert helpdesk.get(f"/tickets/{ticket['id']}").json() == ticket


def test_what_the_client_sends_wins_over_the_rules(helpdesk: SpecCheckedClient) -> None:
    ticket = helpdesk.post("/tickets", json={"title": "Archived already", "archived": True}).json()
    assert ticket["archived"] is True


def test_keep_leaves_a_field_as_generated(helpdesk: SpecCheckedClient) -> None:
    warnings = [helpdesk.post("/tickets", json={"title": f"t{i}"}).json().get("warnings") for i in range(6)]
    assert any(warnings)  # `keep: [warnings]`: generated, not emptied


def test_integer_ids_count_up_after_the_seeded_items(helpdesk: SpecCheckedClient) -> None:
    seeded = [t["id"] for t in helpdesk.get("/tickets").json()["items"]]
    assert seeded == [1, 2]
    made = [helpdesk.post("/tickets", json={"title": f"n{i}"}).json()["id"] for i in range(3)]
    assert made == [3, 4, 5]


def test_seeded_items_are_old_but_coherent(helpdesk: SpecCheckedClient) -> None:
    seeded = helpdesk.get("/tickets").json()["items"]
    stored = {ticket["id"] for ticket in seeded}
    for ticket in seeded:
        assert ticket["parentId"] is None or ticket["parentId"] in stored
        assert {child["id"] for child in ticket["children"]} <= stored
        assert ticket["createdAt"] < "2026-01-05"  # seeded data is older than what requests create


def test_an_enum_without_a_declared_initial_state_starts_at_a_known_starting_word(helpdesk: SpecCheckedClient) -> None:
    assert helpdesk.post("/drafts", json={"note": "first"}).json()["stage"] == "draft"


def test_a_new_coder_chat_is_fresh(api_client: Callable[..., SpecCheckedClient]) -> None:
    c = api_client("coder-chats")
    chat = c.post(CODER, json={"content": [{"type": "text", "text": "Hello there"}]}).json()
    assert chat["status"] == "waiting"  # the spec's `set` (its first turn is answered at once) wins over the rule
    assert chat["archived"] is False and chat["has_unread"] is False
    assert chat["children"] == [] and chat["files"] == []
    assert chat["pin_order"] == 0
    for absent in ("last_error", "parent_chat_id", "root_chat_id", "warnings", "diff_status", "last_injected_context"):
        assert absent not in chat, absent
    assert chat["created_at"] == chat["updated_at"]
    assert c.get(f"{CODER}/{chat['id']}").json() == chat


def test_coder_message_ids_increase(api_client: Callable[..., SpecCheckedClient]) -> None:
    c = api_client("coder-chats")
    chat = c.post(CODER, json={"content": [{"type": "text", "text": "count"}]}).json()["id"]
    sent = [c.post(f"{CODER}/{chat}/messages", json={"content": [{"type": "text", "text": f"m{i}"}]}).json()
            for i in range(3)]
    ids = [m["id"] for m in c.get(f"{CODER}/{chat}/messages").json()["messages"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids) == 8  # newest first: four turns
    assert [s["message"]["id"] for s in sent] == sorted(s["message"]["id"] for s in sent)
    assert ids[-1] < sent[0]["message"]["id"]  # the chat's first prompt came before


def test_a_new_devs_ai_ai_has_no_history(api_client: Callable[..., SpecCheckedClient]) -> None:
    c = api_client("devs-ai")
    body = {"name": "Helper", "description": "Helps", "src": "https://example.com/a.png", "instructions": "Be kind"}
    ai = c.post("/api/v1/ai", json=body).json()
    assert ai["messageCount"] == 0 and ai["ratingCount"] == 0
    assert "rating" not in ai  # nothing rated yet
    assert c.get(f"/api/v1/ai/{ai['id']}").json()["messageCount"] == 0


def test_a_new_devs_ai_file_is_not_deleted_and_is_stamped_now(mock_server: Callable[..., object]) -> None:
    with mock_server() as root:  # the real clock
        with SpecCheckedClient(SPECS / "devs-ai.yaml", f"{root}/devs-ai") as c:
            made = c.post("/api/v1/files", json={"filename": "a.txt", "size": 3, "mimeType": "text/plain"}).json()
    assert made["deletedAt"] is None
    created = datetime.fromisoformat(made["createdAt"].replace("Z", "+00:00"))
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=5)


def test_a_conversation_read_before_it_is_known_is_not_deleted(api_client: Callable[..., SpecCheckedClient]) -> None:
    c = api_client("pulze")
    path = f"/v1/apps/{uuid.uuid4()}/conversations/{uuid.uuid4()}"
    assert c.post(path, json={}).json()["deleted_on"] is None

