"""State events over Redis pub/sub: every process sharing a `redis://` state sees every other's changes.

One channel, `<prefix>:events`. Each process keeps one subscription (started with its first subscriber) and fans
the messages out to its local subscribers; publishing goes only through Redis, so a process hears its own
changes the same way it hears everyone else's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from mock_server.errors import StoreUnavailableError
from mock_server.events import LocalBus, StateEvent

__all__ = ["RedisBus"]

logger = logging.getLogger(__name__)
DEFAULT_PREFIX = "mock"


class RedisBus:
    """Publish state events to a Redis channel; deliver the channel's messages to local subscribers."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        self.channel = f"{query.pop('prefix', DEFAULT_PREFIX)}:events"
        self._url = urlunsplit(parts._replace(query=urlencode(query)))
        self._client = aioredis.Redis.from_url(self._url, decode_responses=True)
        self._local = LocalBus()
        self._reader: asyncio.Task[None] | None = None
        self._ready: asyncio.Event | None = None
        self._subscribers = 0

    @property
    def listening(self) -> bool:
        return True  # subscribers may be in other processes

    async def publish(self, event: StateEvent) -> None:
        try:
            await self._client.publish(self.channel, event.to_json())
        except RedisError as exc:
            raise StoreUnavailableError(f"redis at {self._url}: {exc}") from exc

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[StateEvent]]:
        async with self._local.subscribe() as queue:
            self._subscribers += 1
            try:
                await self._start()
                yield queue
            finally:
                self._subscribers -= 1

    async def _start(self) -> None:
        if self._reader is None or self._reader.done():
            self._ready = asyncio.Event()
            self._reader = asyncio.create_task(self._read(self._ready), name="redis-events")
        assert self._ready is not None
        await asyncio.wait_for(self._ready.wait(), timeout=5)

    async def _read(self, ready: asyncio.Event) -> None:
        pubsub: Any = self._client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self.channel)
            ready.set()
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    self._local.deliver(StateEvent.from_json(message["data"]))
        except RedisError as exc:
            logger.warning("redis event subscription ended: %s", exc)
        finally:
            ready.set()
            with contextlib.suppress(RedisError):
                await pubsub.aclose()

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, RedisError):
                await self._reader
        await self._client.aclose()
