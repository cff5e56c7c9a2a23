"""One behaviour suite for every state backend: memory, SQLite and Redis (a real redis-server)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest

from mock_server.errors import StoreUnavailableError
from mock_server.store import Record, Store, open_store

API, OTHER = "shop", "other"
T = TypeVar("T")


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "memory":
        return "memory"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/state.db"
    redis_url = request.getfixturevalue("redis_url")
    return f"{redis_url}?prefix=t{uuid.uuid4().hex[:8]}"


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def use(url: str, scenario: Callable[[Store], Awaitable[T]]) -> T:
    """Open the store, run `scenario` with it and close it, all in one event loop (redis clients are per loop)."""

    async def inside() -> T:
        store = open_store(url)
        try:
            return await scenario(store)
        finally:
            await store.close()

    return run(inside())


def rec(id: str, **scope: str) -> Record:
    return Record(id=id, data={"id": id, "n": int(id[1:]) if id[1:].isdigit() else 0}, scope=dict(scope))


def ids(records: list[Record]) -> list[str]:
    return [r.id for r in records]


def test_insert_get_put_delete(store_url: str) -> None:
    async def scenario(store: Store) -> None:
        assert await store.insert(API, "items", rec("a1"))
        assert not await store.insert(API, "items", rec("a1"))  # id taken: no change
        got = await store.get(API, "items", "a1")
        assert got is not None and got.data == {"id": "a1", "n": 1} and got.seq > 0
        got.data["title"] = "changed"
        listed = (await store.list(API, "items", {}, 0, 10))[0]
        listed[0].data["n"] = 99
        unchanged = await store.get(API, "items", "a1")  # what a caller holds is its own copy until it puts it
        assert unchanged is not None and unchanged.data == {"id": "a1", "n": 1}
        await store.put(API, "items", got)
        again = await store.get(API, "items", "a1")
        assert again is not None and again.data["title"] == "changed" and again.seq == got.seq
        assert await store.delete(API, "items", "a1")
        assert not await store.delete(API, "items", "a1")
        assert await store.get(API, "items", "a1") is None
        await store.put(API, "items", rec("b2"))  # put of a new id inserts
        assert ids((await store.list(API, "items", {}, 0, 10))[0]) == ["b2"]

    use(store_url, scenario)


def test_list_pages_in_creation_order_with_totals(store_url: str) -> None:
    async def scenario(store: Store) -> None:
        for i in range(7):
            await store.insert(API, "items", rec(f"i{i}"))
        page, total = await store.list(API, "items", {}, 2, 3)
        assert ids(page) == ["i2", "i3", "i4"] and total == 7
        assert await store.list(API, "items", {}, 10, 3) == ([], 7)
        assert (await store.list(API, "items", {}, 0, 0))[1] == 7
        await store.delete(API, "items", "i3")
        page, total = await store.list(API, "items", {}, 2, 3)
        assert ids(page) == ["i2", "i4", "i5"] and total == 6

    use(store_url, scenario)


def test_scoped_lists_by_full_and_partial_scope(store_url: str) -> None:
    async def scenario(store: Store) -> None:
        await store.insert(API, "msgs", rec("m1", org="a", chat="x"))
        await store.insert(API, "msgs", rec("m2", org="a", chat="y"))
        await store.insert(API, "msgs", rec("m3", org="b", chat="x"))
        await store.insert(API, "msgs", rec("m4", org="a", chat="x"))
        assert ids((await store.list(API, "msgs", {"org": "a", "chat": "x"}, 0, 10))[0]) == ["m1", "m4"]
        assert await store.list(API, "msgs", {"org": "a"}, 0, 0) == ([], 3)
        assert ids((await store.list(API, "msgs", {"chat": "x"}, 1, 10))[0]) == ["m3", "m4"]
        assert ids((await store.list(API, "msgs", {}, 0, 10))[0]) == ["m1", "m2", "m3", "m4"]
        assert await store.list(API, "msgs", {"org": "zzz"}, 0, 10) == ([], 0)
        await store.delete(API, "msgs", "m1")
        assert ids((await store.list(API, "msgs", {"org": "a"}, 0, 10))[0]) == ["m2", "m4"]
        moved = rec("m2", org="b", chat="y")  # a put that changes the scope re-indexes the record
        await store.put(API, "msgs", moved)
        assert sorted(ids((await store.list(API, "msgs", {"org": "b"}, 0, 10))[0])) == ["m2", "m3"]
        assert ids((await store.list(API, "msgs", {"org": "a"}, 0, 10))[0]) == ["m4"]

    use(store_url, scenario)


def test_where_filters_by_field(store_url: str) -> None:
    async def scenario(store: Store) -> None:
        for i in range(5):
            record = rec(f"w{i}", org="a")
            record.data["kind"] = "odd" if i % 2 else "even"
            await store.insert(API, "things", record)
        page, total = await store.list(API, "things", {"org": "a"}, 1, 5, {"kind": "even"})
        assert ids(page) == ["w2", "w4"] and total == 3
        assert (await store.list(API, "things", {}, 0, 0, {"kind": "odd"}))[1] == 2

    use(store_url, scenario)


def test_apis_and_resources_are_separate_and_clear_is_per_api(store_url: str) -> None:
    async def scenario(store: Store) -> None:
        await store.insert(API, "items", rec("s1"))
        await store.insert(API, "others", rec("s1"))
        await store.insert(OTHER, "items", rec("s1"))
        assert await store.claim_seed(API)
        assert not await store.claim_seed(API)
        await store.clear(API)
        assert await store.get(API, "items", "s1") is None
        assert await store.list(API, "others", {}, 0, 10) == ([], 0)
        assert await store.get(OTHER, "items", "s1") is not None
        assert await store.claim_seed(API)  # cleared: the next process seeds again
        await store.clear()
        assert await store.get(OTHER, "items", "s1") is None

    use(store_url, scenario)


def test_export_and_load_round_trip(store_url: str) -> None:
    async def scenario(store: Store) -> None:
        await store.insert(API, "items", rec("e1"))
        await store.insert(API, "msgs", rec("e2", chat="e1"))
        exported = await store.export()
        assert exported[API]["msgs"] == [{"id": "e2", "scope": {"chat": "e1"}, "data": {"id": "e2", "n": 2}}]
        await store.clear()
        await store.load(exported)
        assert await store.export() == exported
        assert ids((await store.list(API, "msgs", {"chat": "e1"}, 0, 5))[0]) == ["e2"]

    use(store_url, scenario)


def test_concurrent_claims_have_one_winner(store_url: str) -> None:
    async def scenario(store: Store) -> list[bool]:
        return list(await asyncio.gather(*(store.claim_seed("race") for _ in range(20))))

    assert sorted(use(store_url, scenario)) == [False] * 19 + [True]


def test_sqlite_store_keeps_records_across_reopen(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/keep.db"
    first = open_store(url)
    run(first.insert(API, "items", rec("k1", org="a")))
    run(first.close())
    second = open_store(url)
    page, total = run(second.list(API, "items", {"org": "a"}, 0, 5))
    assert ids(page) == ["k1"] and total == 1
    assert run(second.claim_seed(API))
    run(second.close())


def test_unreachable_redis_is_store_unavailable() -> None:
    async def scenario(store: Store) -> None:
        with pytest.raises(StoreUnavailableError):
            await store.get(API, "items", "x")

    use("redis://127.0.0.1:1/0", scenario)
