"""In-process state: dictionaries, lost on restart. The default and the reference backend."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from mock_server.store.base import Record, matches, scope_key, scope_keys
from mock_server.store.snapshot import dump_records, load_records

__all__ = ["MemoryStore"]

_Table = dict[str, Record]


class MemoryStore:
    """Records by id per (api, resource), plus one insertion-ordered index per scope subset: every page is O(page)."""

    def __init__(self) -> None:
        self._tables: dict[tuple[str, str], _Table] = {}
        self._indexes: dict[tuple[str, str, str], _Table] = {}
        self._claims: set[str] = set()
        self._seq = itertools.count(1)

    def _table(self, api: str, resource: str) -> _Table:
        return self._tables.setdefault((api, resource), {})

    def _index(self, api: str, resource: str, record: Record) -> None:
        for key in scope_keys(record.scope):
            self._indexes.setdefault((api, resource, key), {})[record.id] = record

    def _unindex(self, api: str, resource: str, record: Record) -> None:
        for key in scope_keys(record.scope):
            self._indexes.get((api, resource, key), {}).pop(record.id, None)

    async def get(self, api: str, resource: str, id: str) -> Record | None:
        return self._table(api, resource).get(id)

    async def insert(self, api: str, resource: str, record: Record) -> bool:
        table = self._table(api, resource)
        if record.id in table:
            return False
        record.seq = next(self._seq)
        table[record.id] = record
        self._index(api, resource, record)
        return True

    async def put(self, api: str, resource: str, record: Record) -> None:
        table = self._table(api, resource)
        old = table.get(record.id)
        if old is None:
            await self.insert(api, resource, record)
            return
        record.seq = old.seq
        if old.scope != record.scope:
            self._unindex(api, resource, old)
        table[record.id] = record
        self._index(api, resource, record)

    async def delete(self, api: str, resource: str, id: str) -> bool:
        record = self._table(api, resource).pop(id, None)
        if record is None:
            return False
        self._unindex(api, resource, record)
        return True

    async def list(self, api: str, resource: str, scope: Mapping[str, str], offset: int, limit: int,
                   where: Mapping[str, Any] | None = None) -> tuple[list[Record], int]:
        index = self._indexes.get((api, resource, scope_key(scope)), {})
        if not where:
            return list(itertools.islice(index.values(), offset, offset + limit)), len(index)
        found = [r for r in index.values() if matches(r, {}, where)]
        return found[offset: offset + limit], len(found)

    async def clear(self, api: str | None = None) -> None:
        for key in [k for k in self._tables if api is None or k[0] == api]:
            del self._tables[key]
        for index_key in [k for k in self._indexes if api is None or k[0] == api]:
            del self._indexes[index_key]
        self._claims = set() if api is None else self._claims - {api}

    async def claim_seed(self, api: str) -> bool:
        if api in self._claims:
            return False
        self._claims.add(api)
        return True

    async def export(self) -> dict[str, Any]:
        return dump_records((api, resource, r) for (api, resource), t in self._tables.items() for r in t.values())

    async def load(self, data: Mapping[str, Any]) -> None:
        for api, resource, record in load_records(data):
            await self.put(api, resource, record)

    async def close(self) -> None:
        return None
