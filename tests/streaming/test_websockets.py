"""The x-websocket operations over real WebSockets (`websockets` client): handshake checks, frames, interrupt."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
import yaml
from websockets.exceptions import InvalidStatus

from mock_server.schemas import inline_schema, is_valid

SPEC = Path(__file__).resolve().parents[2] / "specs" / "coder-chats.yaml"
BASE = "/coder-chats/api/experimental/chats"
TOKEN = {"Coder-Session-Token": "t"}
UNKNOWN = "497f6eca-6276-4993-bfeb-53cbbbba6f08"
WAIT = 5.0


def _schema(name: str) -> dict[str, Any]:
    doc = yaml.safe_load(SPEC.read_text())

    def lookup(ref: str) -> Any:
        node = doc
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        return node

    return inline_schema({"$ref": f"#/components/schemas/{name}"}, lookup)


def _run(coro: Callable[..., Coroutine[Any, Any, None]], *args: Any) -> None:
    asyncio.run(asyncio.wait_for(coro(*args), timeout=30))


async def _frame(ws: Any) -> Any:
    raw = await asyncio.wait_for(ws.recv(), WAIT)
    return raw if isinstance(raw, bytes) else json.loads(raw)


async def _idle_chat(http: httpx.AsyncClient) -> str:
    """A new chat, idle once its first turn is answered: a message sent to it runs a turn at once (a busy seeded
    chat, status running or pending, would queue it)."""
    created = await http.post(BASE, json={"content": [{"type": "text", "text": "hello"}]})
    return str(created.json()["id"])


def _ws(root: str) -> str:
    return root.replace("http://", "ws://") + BASE


def test_the_handshake_is_checked_like_any_call(root: str) -> None:
    async def run() -> None:
        async with httpx.AsyncClient(base_url=root, headers=TOKEN) as http:
            chat = await _idle_chat(http)
        with pytest.raises(InvalidStatus) as missing:
            async with websockets.connect(f"{_ws(root)}/{chat}/stream"):
                pass
        assert missing.value.response.status_code == 401
        assert "message" in json.loads(missing.value.response.body)
        with pytest.raises(InvalidStatus) as unknown:
            async with websockets.connect(f"{_ws(root)}/{UNKNOWN}/stream", additional_headers=TOKEN):
                pass
        assert unknown.value.response.status_code == 404
        with pytest.raises(InvalidStatus) as malformed:
            async with websockets.connect(f"{_ws(root)}/not-a-uuid/stream/git", additional_headers=TOKEN):
                pass
        assert malformed.value.response.status_code == 400

    _run(run)


@pytest.mark.parametrize("suffix", ["/watch", "/{chat}/stream", "/{chat}/stream/desktop", "/{chat}/stream/git"])
def test_a_plain_get_answers_426_with_the_error_body(root: str, suffix: str) -> None:
    with httpx.Client(base_url=root, headers=TOKEN) as http:
        chat = http.get(BASE).json()[0]["id"]
        response = http.get(BASE + suffix.format(chat=chat))
    assert response.status_code == 426
    assert is_valid(response.json(), _schema("Response"))


def test_a_sent_message_is_streamed_then_the_status_returns_to_waiting(root: str) -> None:
    schema = _schema("ChatStreamEvent")

    async def run() -> None:
        async with httpx.AsyncClient(base_url=root, headers=TOKEN) as http:
            chat = await _idle_chat(http)
            async with websockets.connect(f"{_ws(root)}/{chat}/stream", additional_headers=TOKEN) as ws:
                sent = await http.post(f"{BASE}/{chat}/messages", json={"content": [{"type": "text", "text": "hi"}]})
                assert sent.status_code == 200
                frames = [await _frame(ws)]
                while frames[-1]["type"] != "status" or frames[-1]["status"]["status"] != "waiting":
                    frames.append(await _frame(ws))
        assert all(is_valid(f, schema) for f in frames)
        assert all(f["chat_id"] == chat for f in frames)
        assert frames[0] == {"type": "status", "chat_id": chat, "status": {"status": "running"}}
        kinds = [f["type"] for f in frames]
        assert kinds[-2:] == ["message", "status"] and set(kinds[1:-2]) <= {"message_part"}
        message = frames[-2]["message"]
        text = "".join(f["message_part"]["part"]["text"] for f in frames if f["type"] == "message_part")
        assert text == (message["content"][0].get("text") or "")
        assert message["role"] == "assistant"

    _run(run)


def test_interrupt_stops_the_reply_mid_stream(mock_server: Any) -> None:
    async def run(root: str) -> None:
        async with httpx.AsyncClient(base_url=root, headers=TOKEN) as http:
            chat = await _idle_chat(http)
            async with websockets.connect(f"{_ws(root)}/{chat}/stream", additional_headers=TOKEN) as ws:
                await http.post(f"{BASE}/{chat}/messages", json={"content": [{"type": "text", "text": "go"}]})
                assert (await _frame(ws))["status"]["status"] == "running"
                interrupted = await http.post(f"{BASE}/{chat}/interrupt")
                assert interrupted.json()["status"] == "waiting"
                frames = [await _frame(ws)]
                while frames[-1]["type"] != "status":
                    frames.append(await _frame(ws))
                assert frames[-1]["status"]["status"] == "waiting"
                assert "message" not in [f["type"] for f in frames]

    with mock_server(seed=3, stream_delay_ms=300) as root:
        _run(run, root)


def test_watch_sees_creates_and_updates(root: str) -> None:
    schema = _schema("ChatWatchEvent")

    async def run() -> None:
        async with httpx.AsyncClient(base_url=root, headers=TOKEN) as http, \
                websockets.connect(f"{_ws(root)}/watch", additional_headers=TOKEN) as ws:
            created = (await http.post(BASE, json={"content": [{"type": "text", "text": "new chat"}]})).json()
            first = await _frame(ws)
            assert first["kind"] == "created" and first["chat"]["id"] == created["id"]
            await http.patch(f"{BASE}/{created['id']}", json={"title": "Renamed"})
            second = await _frame(ws)
            assert second["kind"] == "title_change" and second["chat"]["title"] == "Renamed"
            await http.patch(f"{BASE}/{created['id']}", json={"archived": True})
            third = await _frame(ws)
            assert third["kind"] == "status_change" and third["chat"]["archived"] is True
            assert all(is_valid(f, schema) for f in (first, second, third))

    _run(run)


def test_desktop_sends_binary_frames_on_connect_and_on_input(root: str) -> None:
    async def run() -> None:
        async with httpx.AsyncClient(base_url=root, headers=TOKEN) as http:
            chat = await _idle_chat(http)
        async with websockets.connect(f"{_ws(root)}/{chat}/stream/desktop", additional_headers=TOKEN) as ws:
            assert isinstance(await _frame(ws), bytes)
            await ws.send(b"\x01click")
            assert isinstance(await _frame(ws), bytes)

    _run(run)


def test_git_sends_a_scan_on_connect_and_on_every_change(root: str) -> None:
    schema = _schema("WorkspaceAgentGitServerMessage")

    async def run() -> None:
        async with httpx.AsyncClient(base_url=root, headers=TOKEN) as http:
            chat = await _idle_chat(http)
            async with websockets.connect(f"{_ws(root)}/{chat}/stream/git", additional_headers=TOKEN) as ws:
                first = await _frame(ws)
                await http.post(f"{BASE}/{chat}/title/regenerate")
                second = await _frame(ws)
        assert first["type"] == second["type"] == "changes"
        assert is_valid(first, schema) and is_valid(second, schema)

    _run(run)


def test_a_closed_socket_ends_its_session(root: str) -> None:
    async def run() -> None:
        async with httpx.AsyncClient(base_url=root, headers=TOKEN) as http:
            chat = await _idle_chat(http)
            async with websockets.connect(f"{_ws(root)}/{chat}/stream/git", additional_headers=TOKEN) as ws:
                await _frame(ws)
            for _ in range(500):  # the journal entry is written when the server-side session has ended
                entries = [e for e in (await http.get("/__mock/requests")).json()["requests"]
                           if e["path"].endswith("/stream/git") and e["status"] == 101]
                if entries:
                    assert entries[-1]["stream"]["events"] >= 1
                    return
                await asyncio.sleep(0.01)
            raise AssertionError("the session did not end")

    _run(run)


def test_a_forced_stream_error_sends_the_error_frame_and_closes(root: str) -> None:
    schema = _schema("ChatStreamEvent")

    async def run() -> None:
        async with httpx.AsyncClient(base_url=root, headers=TOKEN) as http:
            chat = await _idle_chat(http)
            headers = {**TOKEN, "Prefer": "stream-error=after:2"}
            async with websockets.connect(f"{_ws(root)}/{chat}/stream", additional_headers=headers) as ws:
                await http.post(f"{BASE}/{chat}/messages", json={"content": [{"type": "text", "text": "hi"}]})
                frames = [await _frame(ws) for _ in range(3)]
                with pytest.raises(websockets.ConnectionClosedError) as closed:
                    await _frame(ws)
        assert [f["type"] for f in frames][-1] == "error"
        assert frames[-1]["error"]["message"] and all(is_valid(f, schema) for f in frames)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1011

    _run(run)


def test_a_browser_may_send_the_credential_as_a_query_parameter(root: str) -> None:
    async def run() -> None:
        async with httpx.AsyncClient(base_url=root, headers=TOKEN) as http:
            chat = await _idle_chat(http)
        async with websockets.connect(f"{_ws(root)}/{chat}/stream/git?Coder-Session-Token=t") as ws:
            assert (await _frame(ws))["type"] == "changes"

    _run(run)
