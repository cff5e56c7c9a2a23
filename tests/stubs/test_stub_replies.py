"""Scripted replies, per API that has a reply: the exact markdown comes back as JSON, over SSE (to the `openai` SDK)
and over Coder's WebSocket, the chat then holds it, tool calls take the API's own shape, and `error_after` ends
the stream with the API's documented error."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import openai
import websockets
from httpx_sse import connect_sse

from tests.stubs.conftest import MARKDOWN, add_stub

DEVS = {"Authorization": "Bearer t"}
CODER = "/coder-chats/api/experimental/chats"
CODER_TOKEN = {"Coder-Session-Token": "t"}
WAIT = 5.0


def _devs(root: str) -> httpx.Client:
    return httpx.Client(base_url=f"{root}/devs-ai/api/v1", headers=DEVS, timeout=10)


def _completion_stub(**respond: Any) -> dict[str, Any]:
    return {"api": "devs-ai", "operation": "createChatCompletion", "match": {"prompt": {"contains": "plan"}},
            "respond": respond}


def test_a_completion_answers_the_exact_markdown_as_json(root: str, admin: httpx.Client) -> None:
    add_stub(admin, _completion_stub(reply={"text": MARKDOWN}))
    with _devs(root) as http:
        asked = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Make a plan"}]}
        answer = http.post("/chat/completions", json=asked).json()
        other = http.post("/chat/completions", json={**asked, "messages": [{"role": "user", "content": "Hi"}]})
    message = answer["choices"][0]["message"]
    assert message == {"role": "assistant", "content": MARKDOWN}
    assert answer["choices"][0]["finish_reason"] == "stop" and answer["model"] == "gpt-4o"
    usage = answer["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert other.json()["choices"][0]["message"]["content"] != MARKDOWN  # not asked: a generated reply


def test_the_openai_sdk_streams_the_stubbed_markdown(root: str, admin: httpx.Client) -> None:
    add_stub(admin, _completion_stub(reply={"text": MARKDOWN}, stream={"chunk_chars": 7}))
    client = openai.OpenAI(base_url=f"{root}/devs-ai/api/v1", api_key="t", max_retries=0, timeout=10)
    chunks = list(client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "a plan please"}], stream=True))  # type: ignore[arg-type]
    pieces = [c.choices[0].delta.content for c in chunks if c.choices[0].delta.content]
    assert "".join(pieces) == MARKDOWN
    assert all(len(p) <= 7 for p in pieces) and len(pieces) == -(-len(MARKDOWN) // 7)
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_error_after_ends_a_completion_stream_with_the_documented_error(root: str, admin: httpx.Client) -> None:
    add_stub(admin, _completion_stub(reply={"text": MARKDOWN}, stream={"chunk_chars": 4, "error_after": 3}))
    asked = {"model": "m", "messages": [{"role": "user", "content": "plan"}], "stream": True}
    with _devs(root) as http, connect_sse(http, "POST", "/chat/completions", json=asked) as sse:
        events = [json.loads(e.data) for e in sse.iter_sse() if e.data != "[DONE]"]
    assert [e["choices"][0]["delta"].get("content") for e in events[:3]] == ["## P", "lan\n", "\nUse"]
    assert len(events) == 4 and "choices" not in events[3]
    assert set(events[3]) == {"error"} and events[3]["error"]["message"]  # the API's own error body


def test_a_chat_message_reply_streams_and_the_chat_holds_it(root: str, admin: httpx.Client) -> None:
    add_stub(admin, {"api": "devs-ai", "operation": "sendChatMessage", "match": {"prompt": {"contains": "table"}},
                     "respond": {"reply": {"text": MARKDOWN}}})
    with _devs(root) as http:
        chat = http.get("/me/chats").json()["data"][0]["id"]
        body = {"date": "2026-01-05T10:01:00Z", "prompt": "Draw a table"}
        plain = http.post(f"/chats/{chat}", json=body).json()
        with connect_sse(http, "POST", f"/chats/{chat}", json=body, headers={"Accept": "text/event-stream"}) as sse:
            events = [(e.event, json.loads(e.data)) for e in sse.iter_sse()]
        messages = http.get(f"/chats/{chat}").json()["messages"]
    done = next(data for name, data in events if name == "done")
    assert plain["content"] == MARKDOWN and plain["role"] == "assistant"
    assert "".join(d["delta"] for name, d in events if name == "message.delta") == MARKDOWN
    assert done["content"] == MARKDOWN
    assert messages[-1] == done and messages[-3] == plain


def test_a_tool_call_stub_sends_the_api_s_own_tool_call_event(root: str, admin: httpx.Client) -> None:
    call = {"name": "get_weather", "arguments": {"city": "Oslo"}}
    add_stub(admin, {"api": "devs-ai", "operation": "sendChatMessage", "match": {"prompt": {"contains": "weather"}},
                     "respond": {"reply": {"text": "Let me check.", "tool_calls": [call]}}})
    with _devs(root) as http:
        chat = http.get("/me/chats").json()["data"][0]["id"]
        body = {"date": "2026-01-05T10:01:00Z", "prompt": "weather in Oslo"}  # no question mark: no generated call
        with connect_sse(http, "POST", f"/chats/{chat}", json=body, headers={"Accept": "text/event-stream"}) as sse:
            events = [(e.event, json.loads(e.data)) for e in sse.iter_sse()]
    names = [name for name, _ in events]
    assert names[-2:] == ["tool.call", "done"]
    tool = events[-2][1]
    assert tool["name"] == "get_weather" and tool["toolCallId"]
    arguments = tool["arguments"]
    assert (json.loads(arguments) if isinstance(arguments, str) else arguments) == {"city": "Oslo"}
    assert tool["systemMessageId"] == events[-1][1]["id"]


def test_a_coder_reply_streams_over_the_websocket_and_the_chat_holds_it(root: str, admin: httpx.Client) -> None:
    add_stub(admin, {"api": "coder-chats", "operation": "sendChatMessage", "match": {"prompt": {"contains": "plan"}},
                     "respond": {"reply": {"text": MARKDOWN}, "stream": {"chunk_chars": 10}}})

    async def run() -> tuple[list[dict[str, Any]], dict[str, Any]]:
        async with httpx.AsyncClient(base_url=root, headers=CODER_TOKEN, timeout=10) as http:
            chat = (await http.post(CODER, json={"content": [{"type": "text", "text": "start"}]})).json()["id"]
            url = root.replace("http://", "ws://") + f"{CODER}/{chat}/stream"
            async with websockets.connect(url, additional_headers=CODER_TOKEN) as ws:
                body = {"content": [{"type": "text", "text": "make a plan"}]}
                assert (await http.post(f"{CODER}/{chat}/messages", json=body)).status_code == 200
                frames: list[dict[str, Any]] = []
                while not frames or frames[-1]["type"] != "status" or frames[-1]["status"]["status"] != "waiting":
                    frames.append(json.loads(await asyncio.wait_for(ws.recv(), WAIT)))
            stored = max((await http.get(f"{CODER}/{chat}/messages")).json()["messages"], key=lambda m: m["id"])
        return frames, stored

    frames, stored = asyncio.run(asyncio.wait_for(run(), 30))
    parts = [f["message_part"]["part"]["text"] for f in frames if f["type"] == "message_part"]
    assert "".join(parts) == MARKDOWN and max(map(len, parts)) == 10
    whole = next(f["message"] for f in frames if f["type"] == "message")
    assert whole == stored and stored["role"] == "assistant"
    assert stored["content"] == [{"type": "text", "text": MARKDOWN}]


def test_the_project_assistant_answers_the_stubbed_markdown(root: str, admin: httpx.Client) -> None:
    add_stub(admin, {"api": "project-ai-chat", "operation": "sendProjectAiChatMessage",
                     "match": {"prompt": {"matches": "^Which services"}}, "respond": {"reply": {"text": MARKDOWN}}})
    with httpx.Client(base_url=f"{root}/project-ai-chat", headers=DEVS, timeout=10) as http:
        asked = {"messages": [{"role": "user", "content": "Which services publish to orders?"}]}
        message = http.post("/v1/projects/my-project-a1b2c/ai/chat", json=asked).json()["message"]
    assert message["role"] == "assistant" and message["content"] == MARKDOWN


def test_a_pulumi_conversation_holds_the_stubbed_reply(root: str, admin: httpx.Client) -> None:
    add_stub(admin, {"api": "pulumi-ai", "operation": "appendMessageToConversation",
                     "match": {"prompt": {"contains": "bucket"}}, "respond": {"reply": {"text": MARKDOWN}}})
    base = "/api/orgs/acme/ai/conversations/ada"
    with httpx.Client(base_url=f"{root}/pulumi-ai", headers={"Authorization": "token t"}, timeout=10) as http:
        http.post(base, json={"conversation_id": "stubbed"})
        sent = {"model": "claude-3", "message": "Add a bucket", "message_schema_version": "2", "skills": "",
                "role": "user"}
        assert http.post(f"{base}/stubbed/messages", json=sent).status_code == 204
        user, reply = http.get(f"{base}/stubbed").json()["messages"][-2:]
    assert user["message"] == "Add a bucket"
    assert reply["role"] == "assistant" and reply["message"] == MARKDOWN


def test_a_pulze_conversation_answers_a_merged_response(root: str, admin: httpx.Client) -> None:
    add_stub(admin, {"api": "pulze", "operation": "getConversation",
                     "match": {"body": {"/include_requests": True}}, "respond": {"merge": {"name": "Stubbed name"}}})
    url = "/v1/apps/3c90c3cc-0d44-4b50-8888-8dd25736052a/conversations/3c90c3cc-0d44-4b50-8888-8dd25736052b"
    with httpx.Client(base_url=f"{root}/pulze", headers=DEVS, timeout=10) as http:
        merged = http.post(url, json={"include_requests": True}).json()
        plain = http.post(url, json={"include_requests": False}).json()
    assert merged["name"] == "Stubbed name" and "requests" in merged
    assert plain["name"] != "Stubbed name" and plain["id"] == merged["id"]  # the same stored conversation


def test_error_after_ends_a_chat_stream_with_its_error_event(root: str, admin: httpx.Client) -> None:
    add_stub(admin, {"api": "devs-ai", "operation": "sendChatMessage", "match": {"prompt": {"contains": "break"}},
                     "respond": {"reply": {"text": MARKDOWN}, "stream": {"chunk_chars": 5, "error_after": 2}}})
    with _devs(root) as http:
        chat = http.get("/me/chats").json()["data"][0]["id"]
        body = {"date": "2026-01-05T10:01:00Z", "prompt": "break it"}
        with connect_sse(http, "POST", f"/chats/{chat}", json=body, headers={"Accept": "text/event-stream"}) as sse:
            events = [(e.event, json.loads(e.data)) for e in sse.iter_sse()]
        kept = http.get(f"/chats/{chat}").json()["messages"][-1]
    assert [name for name, _ in events] == ["message.delta", "message.delta", "error"]
    assert events[-1][1]["error"]["message"]
    assert kept["content"] == MARKDOWN[:10]  # the chat holds what the stream sent


def test_error_after_closes_the_coder_websocket_with_its_error_frame(root: str, admin: httpx.Client) -> None:
    add_stub(admin, {"api": "coder-chats", "operation": "sendChatMessage",
                     "respond": {"reply": {"text": MARKDOWN}, "stream": {"chunk_chars": 6, "error_after": 3}}})

    async def run() -> tuple[list[dict[str, Any]], int | None]:
        async with httpx.AsyncClient(base_url=root, headers=CODER_TOKEN, timeout=10) as http:
            chat = (await http.post(CODER, json={"content": [{"type": "text", "text": "start"}]})).json()["id"]
            url = root.replace("http://", "ws://") + f"{CODER}/{chat}/stream"
            frames: list[dict[str, Any]] = []
            async with websockets.connect(url, additional_headers=CODER_TOKEN) as ws:
                await http.post(f"{CODER}/{chat}/messages", json={"content": [{"type": "text", "text": "go"}]})
                try:
                    while True:
                        frames.append(json.loads(await asyncio.wait_for(ws.recv(), WAIT)))
                except websockets.ConnectionClosed as closed:
                    code = closed.rcvd.code if closed.rcvd else None
            return frames, code

    frames, code = asyncio.run(asyncio.wait_for(run(), 30))
    parts = [f["message_part"]["part"]["text"] for f in frames if f["type"] == "message_part"]
    assert code == 1011 and frames[-1]["type"] == "error"
    assert "".join(parts) == MARKDOWN[:6 * len(parts)] and 0 < len(parts) < 3


def test_a_pulze_conversation_holds_a_stubbed_tool_call_reply(root: str, admin: httpx.Client) -> None:
    add_stub(admin, {"api": "pulze", "operation": "getConversation", "times": 1, "respond": {"reply": {
        "text": MARKDOWN, "tool_calls": [{"name": "lookup", "arguments": {"quarter": "Q3"}}]}}})
    url = "/v1/apps/3c90c3cc-0d44-4b50-8888-8dd25736052a/conversations/5c90c3cc-0d44-4b50-8888-8dd25736052c"
    with httpx.Client(base_url=f"{root}/pulze", headers=DEVS, timeout=10) as http:
        first, later = (http.post(url, json={"include_requests": True}).json() for _ in range(2))
    choice = first["requests"][0]["response"]["choices"][0]
    assert choice["message"]["content"] == MARKDOWN and choice["message"]["role"] == "assistant"
    assert choice["finish_reason"] == "tool_calls"
    call = choice["message"]["tool_calls"][0]
    assert call["type"] == "function" and call["function"]["name"] == "lookup" and call["id"]
    assert json.loads(call["function"]["arguments"]) == {"quarter": "Q3"}
    assert later == first  # the stub answered once; the stored conversation holds its reply
