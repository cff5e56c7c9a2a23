"""In-process state, lost on restart. The default and the reference backend.

Documents are kept pickled (~2 us a record either way), not as live dicts: reads hand out copies,
as every other backend does, and a store of a million records adds nothing for the garbage collector to walk
(a full collection over live dicts stalled requests by tens of milliseconds once the store had grown).
"""

from __future__ import annotations

import itertools
import pickle
from collections.abc import Mapping
from typing import Any

from mock_server.store.base import Record, matches, scope_key, scope_keys
from mock_server.store.snapshot import dump_records, load_records

__all__ = ["MemoryStore"]

# (seq, the pickled document, scope items): a plain tuple of atoms, which the collector stops tracking (a NamedTuple
# subclass would stay tracked).
_Entry = tuple[int, bytes, tuple[tuple[str, str], ...]]
_Table = dict[str, _Entry]


def _pack(record: Record) -> _Entry:
    return (record.seq, pickle.dumps(record.data, pickle.HIGHEST_PROTOCOL), tuple(record.scope.items()))


def _unpack(id: str, entry: _Entry) -> Record:
    seq, blob, scope = entry
    return Record(id=id, data=pickle.loads(blob), scope=dict(scope), seq=seq)


class MemoryStore:
    """Records by id per (api, resource), plus one insertion-ordered index per scope subset: every page is O(page)."""

    def __init__(self) -> None:
        self._tables: dict[tuple[str, str], _Table] = {}
        self._indexes: dict[tuple[str, str, str], _Table] = {}
        self._claims: set[str] = set()
        self._counters: dict[tuple[str, str], int] = {}
        self._seq = itertools.count(1)

    def _table(self, api: str, resource: str) -> _Table:
        return self._tables.setdefault((api, resource), {})

    def _index(self, api: str, resource: str, id: str, entry: _Entry) -> None:
        for key in scope_keys(dict(entry[2])):
            self._indexes.setdefault((api, resource, key), {})[id] = entry

    def _unindex(self, api: str, resource: str, id: str, entry: _Entry) -> None:
        for key in scope_keys(dict(entry[2])):
            self._indexes.get((api, resource, key), {}).pop(id, None)

    async def get(self, api: str, resource: str, id: str) -> Record | None:
        entry = self._table(api, resource).get(id)
        return None if entry is None else _unpack(id, entry)

    async def insert(self, api: str, resource: str, record: Record) -> bool:
        table = self._table(api, resource)
        if record.id in table:
            return False
        record.seq = next(self._seq)
        entry = table[record.id] = _pack(record)
        self._index(api, resource, record.id, entry)
        return True

    async def put(self, api: str, resource: str, record: Record) -> None:
        table = self._table(api, resource)
        old = table.get(record.id)
        if old is None:
            await self.insert(api, resource, record)
            return
        record.seq = old[0]
        entry = table[record.id] = _pack(record)
        if old[2] != entry[2]:
            self._unindex(api, resource, record.id, old)
        self._index(api, resource, record.id, entry)

    async def delete(self, api: str, resource: str, id: str) -> bool:
        entry = self._table(api, resource).pop(id, None)
        if entry is None:
            return False
        self._unindex(api, resource, id, entry)
        return True

    async def list(self, api: str, resource: str, scope: Mapping[str, str], offset: int, limit: int,
                   where: Mapping[str, Any] | None = None) -> tuple[list[Record], int]:
        index = self._indexes.get((api, resource, scope_key(scope)), {})
        if not where:
            page = itertools.islice(index.items(), offset, offset + limit)
            return [_unpack(id, entry) for id, entry in page], len(index)
        found = [record for record in (_unpack(id, entry) for id, entry in index.items())
                 if matches(record, {}, where)]
        return found[offset: offset + limit], len(found)

    async def clear(self, api: str | None = None) -> None:
        for key in [k for k in self._tables if api is None or k[0] == api]:
            del self._tables[key]
        for index_key in [k for k in self._indexes if api is None or k[0] == api]:
            del self._indexes[index_key]
        self._claims = set() if api is None else self._claims - {api}
        self._counters = {k: v for k, v in self._counters.items() if api is not None and k[0] != api}

    async def claim_seed(self, api: str) -> bool:
        if api in self._claims:
            return False
        self._claims.add(api)
        return True

    async def increment(self, api: str, key: str, by: int = 1) -> int:
        value = self._counters[(api, key)] = self._counters.get((api, key), 0) + by
        return value

    async def export(self) -> dict[str, Any]:
        return dump_records((api, resource, _unpack(id, entry))
                            for (api, resource), table in self._tables.items() for id, entry in table.items())

    async def load(self, data: Mapping[str, Any]) -> None:
        for api, resource, record in load_records(data):
            await self.put(api, resource, record)

    async def close(self) -> None:
        return None
