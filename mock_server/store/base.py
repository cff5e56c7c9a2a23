"""The record type and the interface every state backend implements."""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["Record", "Store", "matches", "scope_key", "scope_keys"]


@dataclass(slots=True)
class Record:
    """One stored resource: its id, the path parameters it lives under, and its JSON document."""

    id: str
    data: dict[str, Any]
    scope: dict[str, str] = field(default_factory=dict)
    seq: int = 0


def matches(record: Record, scope: Mapping[str, str], where: Mapping[str, Any] | None) -> bool:
    """Whether a record lives under `scope` and its fields equal `where`."""
    if any(record.scope.get(k) != v for k, v in scope.items()):
        return False
    return not where or all(record.data.get(k) == v for k, v in where.items())


def scope_key(scope: Mapping[str, str]) -> str:
    """The canonical index key of a scope (or of part of one): `[]` for no scope."""
    if not scope:
        return "[]"  # the common case (a top-level list), without the encoder
    return json.dumps(sorted(scope.items()), separators=(",", ":"))


def scope_keys(scope: Mapping[str, str]) -> list[str]:
    """The index keys a record with this scope is listed under: one per subset, so any scoped list is one lookup."""
    return list(_subset_keys(tuple(sorted(scope.items()))))


@functools.lru_cache(maxsize=4096)  # records under one parent share a scope: computed once per parent
def _subset_keys(items: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    return tuple(json.dumps(list(subset), separators=(",", ":"))
                 for size in range(len(items) + 1) for subset in itertools.combinations(items, size))


class Store(Protocol):
    """Where resources live, per API and resource name. All methods are coroutines."""

    async def get(self, api: str, resource: str, id: str) -> Record | None: ...

    async def insert(self, api: str, resource: str, record: Record) -> bool:
        """Store a new record; False (and no change) when the id exists."""
        ...

    async def put(self, api: str, resource: str, record: Record) -> None: ...

    async def delete(self, api: str, resource: str, id: str) -> bool: ...

    async def list(self, api: str, resource: str, scope: Mapping[str, str], offset: int, limit: int,
                   where: Mapping[str, Any] | None = None) -> tuple[list[Record], int]:
        """A page of records in creation order, and the total that match."""
        ...

    async def clear(self, api: str | None = None) -> None:
        """Forget one API's records (or every API's), and its seeding claim."""
        ...

    async def claim_seed(self, api: str) -> bool:
        """True for exactly one caller (of all processes sharing the store) until `clear(api)`: who seeds the API."""
        ...

    async def increment(self, api: str, key: str, by: int = 1) -> int:
        """Add `by` to a counter (0 until then) atomically, for every process sharing the store; its new value.
        `clear(api)` forgets the API's counters."""
        ...

    async def export(self) -> dict[str, Any]: ...

    async def load(self, data: Mapping[str, Any]) -> None: ...

    async def close(self) -> None: ...
