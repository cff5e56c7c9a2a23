"""State changes as events: a store wrapper that publishes every write, and the buses that carry them.

`LocalBus` delivers within one process (the default). With `--state redis://...` the bus is Redis pub/sub
(`mock_server.store.redis_bus`), so a watcher connected to one worker sees changes made through another.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from mock_server.jsontext import copy_json
from mock_server.store import Record, Store

__all__ = ["EventBus", "LocalBus", "PublishingStore", "StateEvent", "open_bus"]

QUEUE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class StateEvent:
    """One change of a stored resource: `created`, `updated` (with the fields that changed) or `deleted`."""

    api: str
    resource: str
    kind: str
    id: str
    data: Mapping[str, Any]
    scope: Mapping[str, str] = field(default_factory=dict)
    changed: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> StateEvent:
        raw = json.loads(text)
        return cls(raw["api"], raw["resource"], raw["kind"], raw["id"], raw["data"], raw.get("scope") or {},
                   tuple(raw.get("changed") or ()))


class EventBus(Protocol):
    """Fan-out of state events to every subscriber (of this process, or of all processes sharing the state)."""

    @property
    def listening(self) -> bool:
        """Whether a published event can reach anyone (when not, the store skips building it)."""
        ...

    async def publish(self, event: StateEvent) -> None: ...

    def subscribe(self) -> Any:
        """An async context manager yielding an `asyncio.Queue` of `StateEvent`s."""
        ...

    async def close(self) -> None: ...


class LocalBus:
    """In-process fan-out: one bounded queue per subscriber (a subscriber that falls behind loses events)."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[StateEvent]] = set()

    @property
    def listening(self) -> bool:
        return bool(self._queues)

    async def publish(self, event: StateEvent) -> None:
        self.deliver(event)

    def deliver(self, event: StateEvent) -> None:
        for queue in list(self._queues):
            if queue.qsize() < QUEUE_SIZE:
                queue.put_nowait(event)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[StateEvent]]:
        queue: asyncio.Queue[StateEvent] = asyncio.Queue()
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)

    async def close(self) -> None:
        self._queues.clear()


def open_bus(state_url: str) -> EventBus:
    """The bus for a state URL: Redis pub/sub for `redis://` state, else in-process."""
    if state_url.startswith(("redis://", "rediss://")):
        from mock_server.store.redis_bus import RedisBus

        return RedisBus(state_url)
    return LocalBus()


class PublishingStore:
    """A `Store` that publishes a `StateEvent` after every insert, put and delete; reads pass straight through."""

    def __init__(self, store: Store, bus: EventBus) -> None:
        self.store, self.bus = store, bus

    async def list(self, api: str, resource: str, scope: Mapping[str, str], offset: int, limit: int,
                   where: Mapping[str, Any] | None = None) -> tuple[list[Record], int]:
        return await self.store.list(api, resource, scope, offset, limit, where)

    async def clear(self, api: str | None = None) -> None:
        await self.store.clear(api)

    async def claim_seed(self, api: str) -> bool:
        return await self.store.claim_seed(api)

    async def increment(self, api: str, key: str, by: int = 1) -> int:
        return await self.store.increment(api, key, by)

    async def export(self) -> dict[str, Any]:
        return await self.store.export()

    async def load(self, data: Mapping[str, Any]) -> None:
        await self.store.load(data)

    async def close(self) -> None:
        await self.store.close()
        await self.bus.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)  # anything a backend offers beyond the `Store` protocol

    async def get(self, api: str, resource: str, id: str) -> Record | None:
        return await self.store.get(api, resource, id)

    async def insert(self, api: str, resource: str, record: Record) -> bool:
        inserted = await self.store.insert(api, resource, record)
        if inserted:
            await self._publish(api, resource, "created", record, tuple(record.data))
        return inserted

    async def put(self, api: str, resource: str, record: Record) -> None:
        listening = self.bus.listening  # the fields that changed are worth a read only when someone is told
        old = await self.store.get(api, resource, record.id) if listening else None
        await self.store.put(api, resource, record)
        before = old.data if old is not None else None
        changed = tuple(k for k in set(record.data) | set(before or {})
                        if before is None or before.get(k) != record.data.get(k))
        await self._publish(api, resource, "updated", record, tuple(sorted(changed)))

    async def delete(self, api: str, resource: str, id: str) -> bool:
        record = await self.store.get(api, resource, id) if self.bus.listening else None
        deleted = await self.store.delete(api, resource, id)
        if deleted:
            gone = record or Record(id=id, data={})
            await self._publish(api, resource, "deleted", gone, ())
        return deleted

    async def _publish(self, api: str, resource: str, kind: str, record: Record, changed: tuple[str, ...]) -> None:
        if self.bus.listening:
            await self.bus.publish(StateEvent(api, resource, kind, record.id, copy_json(record.data),
                                              dict(record.scope), changed))
