"""Fill a state backend with many small records and time a page of 20 from it (used by bench_vs_prism.py)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from mock_server.store import Record, Store, open_store

API, RESOURCE = "notes", "notes"
SCOPES = 1000  # records are spread over this many scopes: a scoped page reads 1/1000 of them
_STORES: dict[str, Store] = {}  # the memory store must outlive one asyncio.run


def _store(url: str) -> Store:
    if url == "memory":
        return _STORES.setdefault(url, open_store(url))
    return open_store(url)


def _record(i: int) -> Record:
    note_id = f"{i:08x}-0000-4000-8000-000000000000"
    data: dict[str, Any] = {"id": note_id, "title": f"note {i}", "createdAt": "2026-01-01T00:00:00Z"}
    return Record(id=note_id, data=data, scope={"org": f"o{i % SCOPES}"})


async def fill(url: str, items: int, batch: int = 500) -> None:
    """Insert `items` records; SQLite in one transaction, Redis with `batch` inserts in flight."""
    store = _store(url)
    await store.clear(API)
    started = time.perf_counter()
    transaction = getattr(store, "_transaction", None)
    if transaction is not None:  # SqliteStore: one transaction instead of a million commits
        with transaction() as db:
            for i in range(items):
                store._insert(db, API, RESOURCE, _record(i))  # type: ignore[attr-defined]
    elif url == "memory":
        for i in range(items):
            await store.insert(API, RESOURCE, _record(i))
    else:
        for start in range(0, items, batch):
            await asyncio.gather(*(store.insert(API, RESOURCE, _record(i))
                                   for i in range(start, min(items, start + batch))))
    print(f"  filled {url.split('?')[0]} with {items:,} records in {time.perf_counter() - started:.1f} s", flush=True)
    if url != "memory":
        await store.close()


def time_pages(url: str, scoped: bool, calls: int = 200) -> float:
    """Mean seconds of one `list(offset=0, limit=20)`, over `calls` calls."""

    async def run() -> float:
        store = _store(url)
        scope = {"org": "o7"} if scoped else {}
        await store.list(API, RESOURCE, scope, 0, 20)  # warm up
        started = time.perf_counter()
        for _ in range(calls):
            await store.list(API, RESOURCE, scope, 0, 20)
        elapsed = (time.perf_counter() - started) / calls
        if url != "memory":
            await store.close()
        return elapsed

    return asyncio.run(run())
