"""In-process state: dictionaries, lost on restart. The default and the reference backend."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from mock_server.store.base import Record, matches
from mock_server.store.snapshot import dump_records, load_records

__all__ = ["MemoryStore"]


class MemoryStore:
    """Records in insertion order per (api, resource)."""

    def __init__(self) -> None:
        self._tables: dict[tuple[str, str], dict[str, Record]] = {}
        self._seq = itertools.count(1)

    def _table(self, api: str, resource: str) -> dict[str, Record]:
        return self._tables.setdefault((api, resource), {})

    async def get(self, api: str, resource: str, id: str) -> Record | None:
        return self._table(api, resource).get(id)

    async def insert(self, api: str, resource: str, record: Record) -> bool:
        table = self._table(api, resource)
        if record.id in table:
            return False
        record.seq = next(self._seq)
        table[record.id] = record
        return True

    async def put(self, api: str, resource: str, record: Record) -> None:
        table = self._table(api, resource)
        if record.id not in table:
            record.seq = next(self._seq)
        table[record.id] = record

    async def delete(self, api: str, resource: str, id: str) -> bool:
        return self._table(api, resource).pop(id, None) is not None

    async def list(self, api: str, resource: str, scope: Mapping[str, str], offset: int, limit: int,
                   where: Mapping[str, Any] | None = None) -> tuple[list[Record], int]:
        table = self._table(api, resource)
        if not scope and not where:
            return list(itertools.islice(table.values(), offset, offset + limit)), len(table)
        found = [r for r in table.values() if matches(r, scope, where)]
        return found[offset: offset + limit], len(found)

    async def clear(self, api: str | None = None) -> None:
        for key in [k for k in self._tables if api is None or k[0] == api]:
            del self._tables[key]

    async def export(self) -> dict[str, Any]:
        return dump_records((api, resource, r) for (api, resource), t in self._tables.items() for r in t.values())

    async def load(self, data: Mapping[str, Any]) -> None:
        for api, resource, record in load_records(data):
            await self.put(api, resource, record)

    async def close(self) -> None:
        return None
