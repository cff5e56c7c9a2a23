"""With `--state redis://...`, a watcher on one instance sees a chat created through another (Redis pub/sub)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import websockets

from tests.mock_server.redis_server import redis_server

BASE = "/coder-chats/api/experimental/chats"
TOKEN = {"Coder-Session-Token": "t"}


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.mark.redis
def test_a_watcher_on_a_sees_a_chat_created_through_b(mock_server: Any, redis_url: str) -> None:
    state = f"{redis_url}?prefix=watch-test"

    async def run(root_a: str, root_b: str) -> None:
        watch = root_a.replace("http://", "ws://") + BASE + "/watch"
        async with websockets.connect(watch, additional_headers=TOKEN) as ws, \
                httpx.AsyncClient(base_url=root_b, headers=TOKEN) as http:
            created = (await http.post(BASE, json={"content": [{"type": "text", "text": "from B"}]})).json()
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
                if frame["kind"] == "created" and frame["chat"]["id"] == created["id"]:
                    return

    with mock_server(seed=1, state=state, stream_delay_ms=0) as root_a, \
            mock_server(seed=2, state=state, stream_delay_ms=0) as root_b:
        asyncio.run(asyncio.wait_for(run(root_a, root_b), timeout=20))
