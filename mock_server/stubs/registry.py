"""Stubs kept in the state store, so every worker and instance sharing it (`--state sqlite://`, `redis://`) sees the
same stubs, use counts and scenario states, and SQLite keeps them across restarts.

Each process keeps an index of the stubs by (api, operation), rebuilt when the store's stub version changes: a
request to an operation without stubs costs one dict lookup (plus, with a shared store, one read of the version).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from typing import Any

from mock_server.generation import FakeGenerator
from mock_server.messages import MockRequest
from mock_server.models import ApiModel, Operation
from mock_server.store.base import Record, Store
from mock_server.streaming import StreamOptions
from mock_server.stubs.definition import DEFAULT_STATE, Stub, parse_stub
from mock_server.stubs.matching import Call, matches

__all__ = ["STUBS_API", "StubRegistry"]

STUBS_API = "__mock__"  # the store's name space for stubs (never an API: a mount name cannot start with "__")
_STUBS, _SCENARIOS, _META, _STREAMS = "stubs", "scenarios", "meta", "streams"
_ALL = 1_000_000


class StubRegistry:
    """Add, list, delete and match stubs; `preset` stubs (from a stubs file) come back after every reset."""

    def __init__(self, store: Store, apis: Mapping[str, ApiModel], *, shared: bool,
                 preset: Iterable[Stub] = ()) -> None:
        self.store, self.apis, self.shared = store, apis, shared
        self.preset = tuple(preset)
        self._gen = FakeGenerator(0)
        self._index: dict[tuple[str, str], list[Stub]] = {}
        self._by_id: dict[str, Stub] = {}
        self._added: dict[str, int] = {}  # id -> the store's creation sequence number
        self._version: str | None = None
        self._preset_put = False
        self._lock = asyncio.Lock()

    # -- admin ----------------------------------------------------------------------------------------------------
    def parse(self, data: Any, stub_id: str | None = None) -> Stub:
        """The stub `data` defines (StubError when it cannot be registered)."""
        given = data.get("id") if isinstance(data, Mapping) else None
        return parse_stub(data, self.apis, stub_id or (given if isinstance(given, str) and given else
                                                       uuid.uuid4().hex[:12]), self._gen)

    async def add(self, stub: Stub) -> Stub:
        await self._fresh()
        await self.store.put(STUBS_API, _STUBS, Record(stub.id, dict(stub.definition)))
        await self._changed()
        return stub

    async def stubs(self) -> list[dict[str, Any]]:
        """Every stub's definition, with `hits`: how many requests it answered."""
        await self._fresh()
        listed = []
        for stub in sorted(self._by_id.values(), key=lambda s: self._added[s.id]):
            hits = await self.store.increment(STUBS_API, f"hits:{stub.id}", 0)
            listed.append({**stub.definition, "hits": min(hits, stub.times) if stub.times else hits})
        return listed

    async def delete(self, stub_id: str) -> bool:
        deleted = await self.store.delete(STUBS_API, _STUBS, stub_id)
        await self._changed()
        return deleted

    async def clear(self, api: str | None = None, *, keep_preset: bool = True) -> None:
        """Forget every stub (of one API), their counts and the scenario states; the stubs file's come back (as
        on a fresh start) unless `keep_preset` is false."""
        await self._fresh()
        if api is None:
            await self.store.clear(STUBS_API)
        else:
            for stub in [s for s in self._by_id.values() if s.api == api]:
                await self.store.delete(STUBS_API, _STUBS, stub.id)
        for stub in self.preset if keep_preset else ():
            if api is None or stub.api == api:
                await self.store.put(STUBS_API, _STUBS, Record(stub.id, dict(stub.definition)))
        await self._changed()

    async def scenarios(self) -> dict[str, str]:
        """Each scenario's current state (`Started` until a stub moves it)."""
        await self._fresh()
        states = {s.scenario: DEFAULT_STATE for s in self._by_id.values() if s.scenario}
        records, _ = await self.store.list(STUBS_API, _SCENARIOS, {}, 0, _ALL)
        states.update({r.id: str(r.data.get("state")) for r in records})
        return states

    # -- requests -------------------------------------------------------------------------------------------------
    async def match(self, api: ApiModel, op: Operation, request: MockRequest) -> Stub | None:
        """The stub that answers this request, if any; counts its use and moves its scenario on."""
        if self.shared or self._version is None:
            await self._fresh()
        candidates = self._index.get((api.name, op.operation_id))
        if not candidates:
            return None
        call = Call(api, op, request)
        for stub in candidates:
            if not matches(stub, call):
                continue
            if stub.scenario is not None and await self._state(stub.scenario) != stub.state:
                continue
            used = await self.store.increment(STUBS_API, f"hits:{stub.id}")
            if stub.times is not None and used > stub.times:
                continue
            if stub.scenario is not None and stub.next is not None:
                await self.store.put(STUBS_API, _SCENARIOS, Record(stub.scenario, {"state": stub.next}))
            return stub
        return None

    async def remember_stream(self, api: str, resource: str, target_id: str, options: StreamOptions) -> None:
        """How the next reply under `target_id` streams over a WebSocket (the stub answered the request that asked
        for it); kept in the store, as the socket may be served by another worker."""
        await self.store.put(STUBS_API, _STREAMS, Record(_stream_key(api, resource, target_id), asdict(options)))

    async def stream_options(self, api: str, resource: str, target_id: str) -> StreamOptions | None:
        """The stream options a stub left for the next reply under `target_id` (once), if any."""
        key = _stream_key(api, resource, target_id)
        record = await self.store.get(STUBS_API, _STREAMS, key)
        if record is None or not await self.store.delete(STUBS_API, _STREAMS, key):
            return None
        return StreamOptions(**record.data)

    # -- the index ------------------------------------------------------------------------------------------------
    async def _state(self, scenario: str) -> str:
        record = await self.store.get(STUBS_API, _SCENARIOS, scenario)
        return str(record.data.get("state")) if record is not None else DEFAULT_STATE

    async def _put_preset(self) -> None:
        """The stubs file's stubs, in the store once per process start (a store kept across restarts gets the
        file's current version of each)."""
        self._preset_put = True
        changed = False
        for stub in self.preset:
            stored = await self.store.get(STUBS_API, _STUBS, stub.id)
            if stored is None or stored.data != stub.definition:
                await self.store.put(STUBS_API, _STUBS, Record(stub.id, dict(stub.definition)))
                changed = True
        if changed:
            await self.store.put(STUBS_API, _META, Record("version", {"version": uuid.uuid4().hex}))

    async def _changed(self) -> None:
        self._version = uuid.uuid4().hex
        await self.store.put(STUBS_API, _META, Record("version", {"version": self._version}))
        await self._reload()

    async def _fresh(self) -> None:
        """Rebuild the index when another process (or a restart) changed the stubs."""
        if not self._preset_put:
            await self._put_preset()
        record = await self.store.get(STUBS_API, _META, "version")
        version = str(record.data.get("version")) if record is not None else ""
        if version == self._version:
            return
        async with self._lock:
            if version == self._version:
                return
            self._version = version
            await self._reload()

    async def _reload(self) -> None:
        records, _ = await self.store.list(STUBS_API, _STUBS, {}, 0, _ALL)
        by_id: dict[str, Stub] = {}
        added: dict[str, int] = {}
        for record in records:
            known = self._by_id.get(record.id)
            if known is not None and known.definition == record.data:  # parsed (and checked) once
                by_id[record.id] = known
            else:
                try:
                    by_id[record.id] = self.parse({k: v for k, v in record.data.items() if k != "id"}, record.id)
                except ValueError:  # a stub for an API this process does not serve: not its to answer
                    continue
            added[record.id] = record.seq
        index: dict[tuple[str, str], list[Stub]] = {}
        # Higher priority first; among equals, the stub added last (as WireMock picks the most recent).
        for stub in sorted(by_id.values(), key=lambda s: (-s.priority, -added[s.id])):
            index.setdefault((stub.api, stub.operation), []).append(stub)
        self._by_id, self._index, self._added = by_id, index, added


def _stream_key(api: str, resource: str, target_id: str) -> str:
    return f"{api}/{resource}/{target_id}"
