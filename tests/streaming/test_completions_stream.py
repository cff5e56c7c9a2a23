"""The chat-completions stream (x-sse data + terminator) consumed by the official `openai` SDK, sync and async."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import openai
import pytest
import yaml

from mock_server.schemas import inline_schema, is_valid

SPEC = Path(__file__).resolve().parents[2] / "specs" / "devs-ai.yaml"
MESSAGES = [{"role": "user", "content": "Say hello"}]
Server = Callable[..., AbstractContextManager[str]]


def _schema(name: str) -> dict:
    doc = yaml.safe_load(SPEC.read_text())

    def lookup(ref: str) -> dict:
        node = doc
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        return node

    return inline_schema({"$ref": f"#/components/schemas/{name}"}, lookup)


def _client(root: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{root}/devs-ai/api/v1", api_key="t", max_retries=0, timeout=10)


def test_the_sdk_reads_the_stream_and_the_plain_answer(root: str) -> None:
    client = _client(root)
    plain = client.chat.completions.create(model="m", messages=MESSAGES)  # type: ignore[arg-type]
    assert plain.choices[0].message.content
    chunks = list(client.chat.completions.create(model="m", messages=MESSAGES, stream=True))  # type: ignore[arg-type]
    assert chunks[0].choices[0].delta.role == "assistant"
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert [c.choices[0].finish_reason for c in chunks][-1] == "stop"
    assert all(c.choices[0].finish_reason is None for c in chunks[:-1])
    assert "".join(c.choices[0].delta.content or "" for c in chunks)
    assert len({c.id for c in chunks}) == 1


def test_the_async_sdk_reads_the_stream(root: str) -> None:
    async def run() -> str:
        client = openai.AsyncOpenAI(base_url=f"{root}/devs-ai/api/v1", api_key="t", max_retries=0, timeout=10)
        stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)  # type: ignore[arg-type]
        text = "".join([c.choices[0].delta.content or "" async for c in stream])
        await client.close()
        return text

    assert asyncio.run(run())


def test_streamed_content_equals_the_plain_content_for_the_same_seed(mock_server: Server) -> None:
    with mock_server(seed=42, stream_delay_ms=0) as root:
        plain = _client(root).chat.completions.create(model="m", messages=MESSAGES)  # type: ignore[arg-type]
    with mock_server(seed=42, stream_delay_ms=0) as root:
        stream = _client(root).chat.completions.create(model="m", messages=MESSAGES, stream=True)  # type: ignore[arg-type]
        streamed = "".join(c.choices[0].delta.content or "" for c in stream)
    assert streamed == plain.choices[0].message.content


def test_every_chunk_validates_and_the_stream_ends_with_done(root: str) -> None:
    schema = _schema("ChatCompletionChunk")
    body = {"model": "m", "messages": MESSAGES, "stream": True}
    response = httpx.post(f"{root}/devs-ai/api/v1/chat/completions", json=body,
                          headers={"Authorization": "Bearer t"}, timeout=10)
    assert response.headers["content-type"].startswith("text/event-stream")
    datas = [line.removeprefix("data: ") for line in response.text.splitlines() if line.startswith("data: ")]
    assert datas[-1] == "[DONE]"
    for data in datas[:-1]:
        assert is_valid(json.loads(data), schema), data


def test_without_stream_the_answer_is_json(root: str) -> None:
    body = {"model": "m", "messages": MESSAGES, "stream": False}
    response = httpx.post(f"{root}/devs-ai/api/v1/chat/completions", json=body,
                          headers={"Authorization": "Bearer t"}, timeout=10)
    assert response.headers["content-type"].startswith("application/json")
    assert is_valid(response.json(), _schema("ChatCompletion"))


def test_a_forced_stream_error_raises_in_the_sdk(root: str) -> None:
    client = _client(root).with_options(default_headers={"Prefer": "stream-error=after:2"})
    received = []
    with pytest.raises(openai.APIError):
        for chunk in client.chat.completions.create(model="m", messages=MESSAGES, stream=True):  # type: ignore[arg-type]
            received.append(chunk)
    assert len(received) == 2


def test_prefer_stream_delay_paces_the_events(root: str) -> None:
    body = {"model": "m", "messages": MESSAGES, "stream": True}
    headers = {"Authorization": "Bearer t", "Prefer": "stream-delay=30"}
    response = httpx.post(f"{root}/devs-ai/api/v1/chat/completions", json=body, headers=headers, timeout=10)
    events = response.text.count("data: ")
    journal = httpx.get(f"{root}/__mock/requests", timeout=10).json()["requests"]
    entry = [e for e in journal if e["path"].endswith("/chat/completions")][-1]
    assert entry["stream"]["events"] == events
    assert entry["stream"]["duration_ms"] >= 30 * (events - 1) * 0.9
