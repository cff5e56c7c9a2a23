"""Answers agree with the request: ids from the path, request fields, include_* switches, declared replies."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from tests.spec_checked_client import SpecCheckedClient


def test_pulze_answers_the_conversation_asked_for_and_the_same_one_again(
        api_client: Callable[..., SpecCheckedClient]) -> None:
    c = api_client("pulze")
    app, conversation = uuid.uuid4(), uuid.uuid4()
    path = f"/v1/apps/{app}/conversations/{conversation}"
    first = c.post(path, json={"include_requests": False}).json()
    assert first["id"] == str(conversation)
    assert "requests" not in first
    assert c.post(path).json() == first  # no body: include_requests defaults to false
    with_requests = c.post(path, json={"include_requests": True}).json()
    assert {k: v for k, v in with_requests.items() if k != "requests"} == first
    assert with_requests["requests"]
    for logged in with_requests["requests"]:
        assert logged["conversation_id"] == str(conversation) and logged["app_id"] == str(app)
    assert c.post(path, json={"include_requests": True}).json() == with_requests


def test_a_generated_answer_carries_the_id_from_the_path(api_client: Callable[..., SpecCheckedClient]) -> None:
    c = api_client("coder-chats")
    chat = c.post("/api/experimental/chats", json={"content": [{"type": "text", "text": "diff?"}]}).json()["id"]
    assert c.get(f"/api/experimental/chats/{chat}/diff").json()["chat_id"] == chat


def test_a_declared_reply_is_written_in_the_api_s_own_shape(helpdesk: SpecCheckedClient) -> None:
    ticket = helpdesk.post("/tickets", json={"title": "Slow"}).json()["id"]
    question = "Why is the printer so slow today"
    answer = helpdesk.post(f"/tickets/{ticket}/ask", json={"question": question, "model": "tiny-1"}).json()
    assert answer["model"] == "tiny-1"  # a request field of the same name
    assert answer["answer"]["author"] == "bot"  # the role enum's assistant-like value
    assert answer["answer"]["end"] == "done"  # the enum's normal finish, no tools
    assert answer["tokens"] == {"asked": len(question.split()), "said": len(answer["answer"]["body"].split()),
                                "sum": len(question.split()) + len(answer["answer"]["body"].split())}


def test_an_include_switch_in_the_body_leaves_the_field_out_unless_true(helpdesk: SpecCheckedClient) -> None:
    board = helpdesk.post("/boards/b-plans", json={"include_cards": True}).json()
    assert board["id"] == "b-plans" and board["deletedAt"] is None
    assert board["cards"] and all(card["boardId"] == "b-plans" for card in board["cards"])
    assert "cards" not in helpdesk.post("/boards/b-plans", json={}).json()
    assert helpdesk.post("/boards/b-plans", json={"include_cards": False}).json() == \
        {k: v for k, v in board.items() if k != "cards"}
