"""The chat send-message stream (named x-sse events), read with httpx + httpx-sse; the reply is stored as streamed."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from httpx_sse import connect_sse

AUTH = {"Authorization": "Bearer t"}
STREAM = {**AUTH, "Accept": "text/event-stream"}
DEADLINE = 10.0


def _api(root: str) -> httpx.Client:
    return httpx.Client(base_url=f"{root}/devs-ai/api/v1", headers=AUTH, timeout=10)


def _chat(client: httpx.Client) -> str:
    return str(client.get("/me/chats").json()["data"][0]["id"])


def _events(client: httpx.Client, path: str, body: dict[str, Any], headers: dict[str, str]) -> list[tuple[str, Any]]:
    with connect_sse(client, "POST", path, json=body, headers=headers) as source:
        assert source.response.status_code == 200
        return [(e.event, json.loads(e.data)) for e in source.iter_sse()]


def _stream_entry(root: str, path: str) -> dict[str, Any]:
    """The journal entry of the finished stream at `path` (written once the server is done with it)."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        entries = [e for e in httpx.get(f"{root}/__mock/requests").json()["requests"]
                   if e["path"].endswith(path) and "stream" in e]
        if entries:
            return entries[-1]
    raise AssertionError(f"no finished stream for {path} in the journal")


def test_deltas_then_done_and_the_chat_holds_the_streamed_reply(root: str) -> None:
    with _api(root) as client:
        chat = _chat(client)
        events = _events(client, f"/chats/{chat}", {"date": "2024-01-15T10:30:00Z", "prompt": "Hello"}, STREAM)
        names = [name for name, _ in events]
        assert names[-1] == "done" and set(names[:-1]) == {"message.delta"}
        reply = events[-1][1]
        assert "".join(data["delta"] for name, data in events if name == "message.delta") == reply["content"]
        assert all(data["messageId"] == reply["id"] for name, data in events if name == "message.delta")
        stored = client.get(f"/chats/{chat}").json()["messages"]
        assert reply in stored


def test_a_question_makes_the_ai_ask_for_input(root: str) -> None:
    with _api(root) as client:
        chat = _chat(client)
        events = _events(client, f"/chats/{chat}", {"date": "2024-01-15T10:30:00Z", "prompt": "Your name?"}, STREAM)
        names = [name for name, _ in events]
        assert names[-2:] == ["tool.call", "done"]
        call = events[-2][1]
        assert call["systemMessageId"] == events[-1][1]["id"] and call["toolCallId"] and call["name"]
        after = _events(client, f"/chats/{chat}/tool-output", {"systemMessageId": call["systemMessageId"], "outputs": [
            {"toolCallId": call["toolCallId"], "status": "success", "output": "Ada"}]}, STREAM)
        assert [n for n, _ in after][-1] == "done"


def test_without_the_accept_header_the_reply_is_json(root: str) -> None:
    with _api(root) as client:
        response = client.post(f"/chats/{_chat(client)}", json={"date": "2024-01-15T10:30:00Z", "prompt": "Hi"})
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["role"] == "assistant"


def test_an_unknown_chat_is_404_not_a_stream(root: str) -> None:
    with _api(root) as client:
        response = client.post("/chats/nope", json={"date": "2024-01-15T10:30:00Z", "prompt": "Hi"}, headers=STREAM)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_a_stream_error_ends_with_the_error_event_and_keeps_what_was_sent(root: str) -> None:
    with _api(root) as client:
        chat = _chat(client)
        headers = {**STREAM, "Prefer": "stream-error=after:2"}
        events = _events(client, f"/chats/{chat}", {"date": "2024-01-15T10:30:00Z", "prompt": "Tell me more"}, headers)
        assert [n for n, _ in events] == ["message.delta", "message.delta", "error"]
        assert set(events[-1][1]["error"]) >= {"message", "code"}
        _stream_entry(root, f"/chats/{chat}")
        messages = client.get(f"/chats/{chat}").json()["messages"]
        reply = next(m for m in messages if m["id"] == events[0][1]["messageId"])
        assert reply["content"] == events[0][1]["delta"] + events[1][1]["delta"]


@pytest.mark.parametrize("read", [1, 3])
def test_a_client_that_disconnects_stops_the_stream_and_the_chat_keeps_what_it_got(
        mock_server: Any, read: int) -> None:
    with mock_server(seed=9, stream_delay_ms=200) as root, _api(root) as client:
        chat = _chat(client)
        got: list[dict[str, Any]] = []
        with connect_sse(client, "POST", f"/chats/{chat}", headers=STREAM,
                         json={"date": "2024-01-15T10:30:00Z", "prompt": "Write a long story"}) as source:
            for event in source.iter_sse():
                got.append(json.loads(event.data))
                if len(got) == read:
                    break
        entry = _stream_entry(root, f"/chats/{chat}")
        assert entry["stream"]["outcome"] == "disconnected"
        assert entry["stream"]["duration_ms"] < 200 * (read + 3)
        messages = client.get(f"/chats/{chat}").json()["messages"]
        reply = next(m for m in messages if m["id"] == got[0]["messageId"])
        assert reply["content"].startswith("".join(g["delta"] for g in got))
        assert len(reply["content"]) <= len("".join(g["delta"] for g in got)) + 40
