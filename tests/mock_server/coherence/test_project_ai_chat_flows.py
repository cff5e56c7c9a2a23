"""A project-assistant UI, through real HTTP: the client keeps the history (the API stores none), so every turn
of a growing conversation is answered, and a malformed turn is refused naming the field."""

from __future__ import annotations

from tests.spec_checked_client import SpecCheckedClient

API = "project-ai-chat"
CHAT = "/v1/projects/my-project-a1b2c/ai/chat"


def test_a_growing_history_is_answered_turn_by_turn(client: SpecCheckedClient) -> None:
    history = [{"role": "user", "content": "Which services publish to orders?"}]
    for follow_up in ("And which consume it?", "Thanks!"):
        answer = client.post(CHAT, json={"messages": history})
        assert answer.status_code == 200
        reply = answer.json()["message"]
        assert reply["content"]
        history += [{"role": "assistant", "content": reply["content"]}, {"role": "user", "content": follow_up}]
    assert client.post(CHAT, json={"messages": history}).status_code == 200


def test_a_malformed_turn_is_refused_naming_the_field(client: SpecCheckedClient) -> None:
    refused = client.post(CHAT, json={"messages": [{"role": "user"}]})
    assert refused.status_code == 400
    assert "content" in refused.json()["message"]
