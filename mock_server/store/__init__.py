"""State backends, chosen by URL: `memory`, `sqlite:///path/to/file.db`, `redis://host:port/db`."""

from __future__ import annotations

from mock_server.errors import SettingsError
from mock_server.store.base import Record, Store

__all__ = ["Record", "Store", "open_store"]


def open_store(url: str) -> Store:
    """The backend a state URL names; backends are imported only when used."""
    if url in ("memory", "memory://", ""):
        from mock_server.store.memory import MemoryStore

        return MemoryStore()
    if url.startswith("sqlite://"):
        from mock_server.store.sqlite import SqliteStore

        path = url.removeprefix("sqlite://")
        path = path[1:] if path.startswith("/") and not path.startswith("//") else path[1:]
        return SqliteStore(path or ":memory:")
    if url.startswith(("redis://", "rediss://")):
        from mock_server.store.redis import RedisStore

        return RedisStore(url)
    raise SettingsError(f"unknown --state {url!r}: use memory, sqlite:///path/to/file.db or redis://host:port/db")
