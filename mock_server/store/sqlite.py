"""State in a SQLite file (stdlib `sqlite3`, WAL mode): survives a restart."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Mapping
from typing import Any

from mock_server.errors import StoreUnavailableError
from mock_server.store.base import Record
from mock_server.store.snapshot import dump_records, load_records

__all__ = ["SqliteStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    api TEXT NOT NULL, resource TEXT NOT NULL, id TEXT NOT NULL,
    scope TEXT NOT NULL, data TEXT NOT NULL,
    UNIQUE (api, resource, id)
);
"""


class SqliteStore:
    """One table of JSON documents; every write is committed before the request is answered."""

    def __init__(self, path: str) -> None:
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreUnavailableError(f"cannot open SQLite database {path!r}: {exc}") from exc
        self._lock = threading.Lock()

    def _run(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        try:
            with self._lock:
                return self._db.execute(sql, args).fetchall()
        except sqlite3.IntegrityError:
            raise
        except sqlite3.Error as exc:
            raise StoreUnavailableError(f"SQLite: {exc}") from exc

    @staticmethod
    def _record(row: tuple[Any, ...]) -> Record:
        seq, id, scope, data = row
        return Record(id=id, data=json.loads(data), scope=json.loads(scope), seq=seq)

    async def get(self, api: str, resource: str, id: str) -> Record | None:
        rows = self._run("SELECT seq, id, scope, data FROM records WHERE api=? AND resource=? AND id=?",
                         (api, resource, id))
        return self._record(rows[0]) if rows else None

    async def insert(self, api: str, resource: str, record: Record) -> bool:
        try:
            self._run("INSERT INTO records (api, resource, id, scope, data) VALUES (?, ?, ?, ?, ?)",
                      (api, resource, record.id, json.dumps(record.scope), json.dumps(record.data)))
        except sqlite3.IntegrityError:
            return False
        return True

    async def put(self, api: str, resource: str, record: Record) -> None:
        self._run("INSERT INTO records (api, resource, id, scope, data) VALUES (?, ?, ?, ?, ?) "
                  "ON CONFLICT (api, resource, id) DO UPDATE SET scope=excluded.scope, data=excluded.data",
                  (api, resource, record.id, json.dumps(record.scope), json.dumps(record.data)))

    async def delete(self, api: str, resource: str, id: str) -> bool:
        with self._lock:
            cursor = self._db.execute("DELETE FROM records WHERE api=? AND resource=? AND id=?", (api, resource, id))
            return cursor.rowcount > 0

    async def list(self, api: str, resource: str, scope: Mapping[str, str], offset: int, limit: int,
                   where: Mapping[str, Any] | None = None) -> tuple[list[Record], int]:
        clauses, args = ["api=?", "resource=?"], [api, resource]
        for key, value in scope.items():
            clauses.append("json_extract(scope, ?) = ?")
            args += [f'$."{key}"', value]
        for key, value in (where or {}).items():
            clauses.append("json_extract(data, ?) = ?")
            args += [f'$."{key}"', value]
        condition = " AND ".join(clauses)
        total = self._run(f"SELECT COUNT(*) FROM records WHERE {condition}", tuple(args))[0][0]
        rows = self._run(f"SELECT seq, id, scope, data FROM records WHERE {condition} ORDER BY seq LIMIT ? OFFSET ?",
                         (*args, limit, offset))
        return [self._record(r) for r in rows], total

    async def clear(self, api: str | None = None) -> None:
        if api is None:
            self._run("DELETE FROM records")
        else:
            self._run("DELETE FROM records WHERE api=?", (api,))

    async def export(self) -> dict[str, Any]:
        rows = self._run("SELECT api, resource, seq, id, scope, data FROM records ORDER BY seq")
        return dump_records((r[0], r[1], self._record(r[2:])) for r in rows)

    async def load(self, data: Mapping[str, Any]) -> None:
        for api, resource, record in load_records(data):
            await self.put(api, resource, record)

    async def close(self) -> None:
        with self._lock:
            self._db.close()
