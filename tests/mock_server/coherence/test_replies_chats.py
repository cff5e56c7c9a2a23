"""Generated chat replies are coherent, JSON, SSE and WebSocket alike; the stored reply is the streamed one."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import httpx
import websockets
from httpx_sse import connect_sse

from tests.spec_checked_client import SpecCheckedClient

DEVS = {"Authorization": "Bearer t"}
CODER = "/coder-chats/api/experimental/chats"
CODER_TOKEN = {"Coder-Session-Token": "t"}
MODEL_CONFIG = "f5fb4d91-62ca-4377-9ee6-5d43ba00d205"
WAIT = 5.0


def _words(text: str) -> int:
    return len(text.split())


def test_the_project_assistant_answers_as_assistant(api_client: Callable[..., SpecCheckedClient]) -> None:
    c = api_client("project-ai-chat")
    for question in ("Which services publish to orders?", "And to payments?", "Thanks"):
        body = {"messages": [{"role": "user", "content": question}]}
        message = c.post("/v1/projects/my-project-a1b2c/ai/chat", json=body).json()["message"]
        assert message["role"] == "assistant" and message["content"]


def test_a_devs_ai_reply_streamed_over_sse_is_the_stored_reply(mock_server: Callable[..., AbstractContextManager[str]]
                                                               ) -> None:
    with mock_server(seed=2, stream_delay_ms=0) as root, \
            httpx.Client(base_url=f"{root}/devs-ai/api/v1", headers=DEVS, timeout=10) as http:
        chat = http.get("/me/chats").json()["data"][0]["id"]
        plain = http.post(f"/chats/{chat}", json={"date": "2026-01-05T10:00:00Z", "prompt": "Hello there"}).json()
        assert plain["role"] == "assistant" and plain["content"]
        body = {"date": "2026-01-05T10:01:00Z", "prompt": "Tell me more"}
        with connect_sse(http, "POST", f"/chats/{chat}", json=body, headers={"Accept": "text/event-stream"}) as sse:
            events = [(e.event, json.loads(e.data)) for e in sse.iter_sse()]
        done = next(data for name, data in events if name == "done")
        deltas = [data for name, data in events if name == "message.delta"]
        assert "".join(d["delta"] for d in deltas) == done["content"]
        assert {d["messageId"] for d in deltas} == {done["id"]}
        assert done["role"] == "assistant"
        messages = http.get(f"/chats/{chat}").json()["messages"]
        assert messages[-1] == done and messages[-3] == plain
        assert [m["role"] for m in messages[-4:]] == ["user", "assistant", "user", "assistant"]


def test_a_pulumi_reply_is_the_assistant_s_in_the_model_asked_for(api_client: Callable[..., SpecCheckedClient]
                                                                  ) -> None:
    c = api_client("pulumi-ai")
    base = "/api/orgs/acme/ai/conversations/ada"
    c.post(base, json={"conversation_id": "coherent-replies"})
    sent = {"model": "claude-3", "message": "Add a bucket", "message_schema_version": "2", "skills": "", "role": "user"}
    assert c.post(f"{base}/coherent-replies/messages", json=sent).status_code == 204
    user, reply = c.get(f"{base}/coherent-replies").json()["messages"][-2:]
    assert user["message"] == "Add a bucket"
    assert reply["role"] == "assistant" and reply["message"] != "Add a bucket"
    assert reply["model"] == "claude-3" and reply["message_schema_version"] == "2"


async def _frames_until_idle(ws: Any) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = []
    while not frames or frames[-1]["type"] != "status" or frames[-1]["status"]["status"] != "waiting":
        frames.append(json.loads(await asyncio.wait_for(ws.recv(), WAIT)))
    return frames


def test_a_coder_reply_is_one_text_part_counted_as_streamed(mock_server: Callable[..., AbstractContextManager[str]]
                                                            ) -> None:
    prompt = "Refactor the parser please"

    async def run(root: str) -> None:
        async with httpx.AsyncClient(base_url=root, headers=CODER_TOKEN, timeout=10) as http:
            chat = (await http.post(CODER, json={"content": [{"type": "text", "text": "start"}]})).json()["id"]
            url = root.replace("http://", "ws://") + f"{CODER}/{chat}/stream"
            async with websockets.connect(url, additional_headers=CODER_TOKEN) as ws:
                body = {"content": [{"type": "text", "text": prompt}], "model_config_id": MODEL_CONFIG}
                assert (await http.post(f"{CODER}/{chat}/messages", json=body)).status_code == 200
                frames = await _frames_until_idle(ws)
            stored = max((await http.get(f"{CODER}/{chat}/messages")).json()["messages"], key=lambda m: m["id"])
        parts = [f["message_part"]["part"] for f in frames if f["type"] == "message_part"]
        whole = next(f["message"] for f in frames if f["type"] == "message")
        assert whole == stored
        assert stored["role"] == "assistant" and stored["model_config_id"] == MODEL_CONFIG
        assert stored["content"] == [{"type": "text", "text": "".join(p["text"] for p in parts)}]
        assert {p["type"] for p in parts} == {"text"}
        usage = stored["usage"]
        assert usage["output_tokens"] == len(parts) == _words(stored["content"][0]["text"])
        assert usage["input_tokens"] == _words(prompt)
        assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]

    with mock_server(seed=6, stream_delay_ms=0) as root:
        asyncio.run(asyncio.wait_for(run(root), 30))


def test_after_an_interrupt_the_stored_coder_reply_is_what_was_streamed(
        mock_server: Callable[..., AbstractContextManager[str]]) -> None:
    async def run(root: str) -> None:
        async with httpx.AsyncClient(base_url=root, headers=CODER_TOKEN, timeout=10) as http:
            chat = (await http.post(CODER, json={"content": [{"type": "text", "text": "start"}]})).json()["id"]
            url = root.replace("http://", "ws://") + f"{CODER}/{chat}/stream"
            async with websockets.connect(url, additional_headers=CODER_TOKEN) as ws:
                await http.post(f"{CODER}/{chat}/messages", json={"content": [{"type": "text", "text": "go on"}]})
                frames = [json.loads(await asyncio.wait_for(ws.recv(), WAIT))]
                while len([f for f in frames if f["type"] == "message_part"]) < 2:
                    frames.append(json.loads(await asyncio.wait_for(ws.recv(), WAIT)))
                assert (await http.post(f"{CODER}/{chat}/interrupt")).json()["status"] == "waiting"
                while frames[-1]["type"] != "status" or frames[-1]["status"]["status"] != "waiting":
                    frames.append(json.loads(await asyncio.wait_for(ws.recv(), WAIT)))
            stored = max((await http.get(f"{CODER}/{chat}/messages")).json()["messages"], key=lambda m: m["id"])
        streamed = "".join(f["message_part"]["part"]["text"] for f in frames if f["type"] == "message_part")
        assert "message" not in [f["type"] for f in frames]
        assert stored["role"] == "assistant"
        assert stored["content"] == [{"type": "text", "text": streamed}]
        assert stored["usage"]["output_tokens"] == _words(streamed)

    with mock_server(seed=6, stream_delay_ms=150) as root:
        asyncio.run(asyncio.wait_for(run(root), 30))
