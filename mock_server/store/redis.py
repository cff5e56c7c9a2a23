"""State in Redis (`redis.asyncio`): shared by every worker and every instance that uses the same server.

Keys, all under `<prefix>:<api>:` so one API (or the whole mock) can be cleared with SCAN, never FLUSHDB:

    <prefix>:<api>:rec:<resource>:<id>          hash {data, scope, seq}
    <prefix>:<api>:idx:<resource>:<scope key>   sorted set of ids scored by seq, one per scope subset (`[]`: all)
    <prefix>:<api>:seq                          the API's creation counter (INCR)
    <prefix>:<api>:resources                    set of resource names (for export)
    <prefix>:<api>:seeded                       SET NX marker: which process seeds the API
    <prefix>:<api>:counter:<key>                a counter (INCRBY)

Writes are Lua scripts, so a record and its index entries change atomically. A page is ZCARD + ZRANGE + one HMGET
per item: O(log n + page).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from mock_server.errors import StoreUnavailableError
from mock_server.store.base import Record, scope_key, scope_keys
from mock_server.store.snapshot import dump_records, load_records

__all__ = ["RedisStore"]

DEFAULT_PREFIX = "mock"
MAX_CONNECTIONS = 64
POOL_TIMEOUT_S = 10.0
_SCAN_BATCH = 1000
_T = TypeVar("_T")

_INSERT = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  if ARGV[6] == '1' then redis.call('HSET', KEYS[1], 'data', ARGV[1], 'scope', ARGV[2]) end
  return 0
end
local seq = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'data', ARGV[1], 'scope', ARGV[2], 'seq', seq)
redis.call('SADD', KEYS[3], ARGV[4])
for i = 4, #KEYS do redis.call('ZADD', KEYS[i], seq, ARGV[3]) end
return seq
"""
_DELETE = """
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
for i = 2, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 1
"""


class RedisStore:
    """One hash per record and one sorted set per (resource, scope subset), under a per-API key prefix."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        self.prefix = query.pop("prefix", DEFAULT_PREFIX)
        self._url = urlunsplit(parts._replace(query=urlencode(query)))
        try:  # a bounded pool that waits for a free connection instead of failing under load
            pool = aioredis.BlockingConnectionPool.from_url(self._url, decode_responses=True,
                                                            max_connections=MAX_CONNECTIONS, timeout=POOL_TIMEOUT_S)
            self._client = aioredis.Redis(connection_pool=pool)
        except (RedisError, ValueError) as exc:
            raise StoreUnavailableError(f"bad redis URL {url!r}: {exc}") from exc
        self._insert_script = self._client.register_script(_INSERT)
        self._delete_script = self._client.register_script(_DELETE)

    # -- keys -------------------------------------------------------------------------------------------------
    def _api(self, api: str) -> str:
        return f"{self.prefix}:{api}"

    def _rec(self, api: str, resource: str, id: str) -> str:
        return f"{self.prefix}:{api}:rec:{resource}:{id}"

    def _idx(self, api: str, resource: str, key: str) -> str:
        return f"{self.prefix}:{api}:idx:{resource}:{key}"

    async def _call(self, operation: Callable[[], Awaitable[_T]]) -> _T:
        try:
            return await operation()
        except RedisError as exc:
            raise StoreUnavailableError(f"redis at {self._url}: {exc}") from exc

    # -- Store ------------------------------------------------------------------------------------------------
    async def get(self, api: str, resource: str, id: str) -> Record | None:
        values = await self._call(lambda: self._client.hmget(self._rec(api, resource, id), ["data", "scope", "seq"]))
        return _record(id, values)

    async def insert(self, api: str, resource: str, record: Record) -> bool:
        return await self._write(api, resource, record, overwrite=False)

    async def put(self, api: str, resource: str, record: Record) -> None:
        old = await self.get(api, resource, record.id)
        if old is not None and old.scope != record.scope:  # moved: re-index it
            await self.delete(api, resource, record.id)
        await self._write(api, resource, record, overwrite=True)

    async def _write(self, api: str, resource: str, record: Record, *, overwrite: bool) -> bool:
        keys = [self._rec(api, resource, record.id), f"{self._api(api)}:seq", f"{self._api(api)}:resources",
                *(self._idx(api, resource, k) for k in scope_keys(record.scope))]
        args = [json.dumps(record.data), json.dumps(record.scope), record.id, resource, "", "1" if overwrite else "0"]
        seq = int(await self._call(lambda: self._insert_script(keys=keys, args=args)))
        if seq:
            record.seq = seq
        return seq > 0

    async def delete(self, api: str, resource: str, id: str) -> bool:
        old = await self.get(api, resource, id)
        if old is None:
            return False
        keys = [self._rec(api, resource, id), *(self._idx(api, resource, k) for k in scope_keys(old.scope))]
        return bool(await self._call(lambda: self._delete_script(keys=keys, args=[id])))

    async def list(self, api: str, resource: str, scope: Mapping[str, str], offset: int, limit: int,
                   where: Mapping[str, Any] | None = None) -> tuple[list[Record], int]:
        index = self._idx(api, resource, scope_key(scope))
        if where:
            found = [r for r in await self._records(api, resource, index, 0, -1)
                     if all(r.data.get(k) == v for k, v in where.items())]
            return found[offset: offset + limit], len(found)
        total = int(await self._call(lambda: self._client.zcard(index)))
        if limit <= 0 or offset >= total:
            return [], total
        return await self._records(api, resource, index, offset, offset + limit - 1), total

    async def _records(self, api: str, resource: str, index: str, start: int, stop: int) -> list[Record]:
        ids: list[str] = await self._call(lambda: self._client.zrange(index, start, stop))

        async def fetch() -> list[Any]:
            async with self._client.pipeline(transaction=False) as pipe:
                for id in ids:
                    pipe.hmget(self._rec(api, resource, id), ["data", "scope", "seq"])
                return list(await pipe.execute())

        rows = await self._call(fetch) if ids else []
        return [r for r in (_record(id, values) for id, values in zip(ids, rows, strict=True)) if r is not None]

    async def clear(self, api: str | None = None) -> None:
        pattern = f"{_glob_escape(self._api(api))}:*" if api is not None else f"{_glob_escape(self.prefix)}:*"

        async def run() -> None:
            batch: list[str] = []
            async for key in self._client.scan_iter(match=pattern, count=_SCAN_BATCH):
                batch.append(key)
                if len(batch) >= _SCAN_BATCH:
                    await self._client.unlink(*batch)
                    batch.clear()
            if batch:
                await self._client.unlink(*batch)

        await self._call(run)

    async def claim_seed(self, api: str) -> bool:
        return bool(await self._call(lambda: self._client.set(f"{self._api(api)}:seeded", "1", nx=True)))

    async def increment(self, api: str, key: str, by: int = 1) -> int:
        return int(await self._call(lambda: self._client.incrby(f"{self._api(api)}:counter:{key}", by)))

    async def export(self) -> dict[str, Any]:
        suffix = ":resources"

        async def apis() -> list[str]:
            pattern = f"{_glob_escape(self.prefix)}:*{suffix}"
            return [k[len(self.prefix) + 1: -len(suffix)] async for k in self._client.scan_iter(match=pattern)]

        rows: list[tuple[str, str, Record]] = []
        for api in sorted(await self._call(apis)):
            resources = await self._call(lambda api=api: self._client.smembers(f"{self._api(api)}{suffix}"))
            for resource in sorted(resources):
                index = self._idx(api, resource, scope_key({}))
                rows += [(api, resource, r) for r in await self._records(api, resource, index, 0, -1)]
        return dump_records(rows)

    async def load(self, data: Mapping[str, Any]) -> None:
        for api, resource, record in load_records(data):
            await self.put(api, resource, record)

    async def close(self) -> None:
        await self._call(self._client.aclose)


def _record(id: str, values: list[Any]) -> Record | None:
    data, scope, seq = values
    if data is None:
        return None
    return Record(id=id, data=json.loads(data), scope=json.loads(scope or "{}"), seq=int(seq or 0))


def _glob_escape(text: str) -> str:
    """`text` matched literally by a SCAN pattern."""
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)
