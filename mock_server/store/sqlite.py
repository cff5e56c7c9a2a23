"""State in a SQLite file (stdlib `sqlite3`, WAL mode): survives a restart, shared by several worker processes.

Every write is one `BEGIN IMMEDIATE` transaction, committed before the request is answered; a busy timeout lets
processes queue for the write lock instead of failing. Lists read `record_index` (one row per record and scope
subset, ordered by `seq`) and `record_counts`, so a page costs the same with a million records as with none.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from mock_server.errors import StoreUnavailableError
from mock_server.store.base import Record, scope_key, scope_keys
from mock_server.store.snapshot import dump_records, load_records

__all__ = ["SqliteStore"]

_VERSION = 2
_BUSY_TIMEOUT_S = 30.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    api TEXT NOT NULL, resource TEXT NOT NULL, id TEXT NOT NULL,
    scope TEXT NOT NULL, data TEXT NOT NULL,
    UNIQUE (api, resource, id)
);
CREATE TABLE IF NOT EXISTS record_index (
    api TEXT NOT NULL, resource TEXT NOT NULL, scope_key TEXT NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY (api, resource, scope_key, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS record_counts (
    api TEXT NOT NULL, resource TEXT NOT NULL, scope_key TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (api, resource, scope_key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS seed_claims (api TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counters (
    api TEXT NOT NULL, key TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (api, key)
) WITHOUT ROWID;
"""
_TABLES = ("records", "record_index", "record_counts", "seed_claims", "counters")


class SqliteStore:
    """JSON documents in one table, with a scope index and per-scope counts kept in the same transaction."""

    def __init__(self, path: str) -> None:
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=_BUSY_TIMEOUT_S)
            self._db.execute(f"PRAGMA busy_timeout={int(_BUSY_TIMEOUT_S * 1000)}")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            with self._transaction() as db:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                if db.execute("PRAGMA user_version").fetchone()[0] < _VERSION:
                    self._rebuild_index(db)
                    db.execute(f"PRAGMA user_version={_VERSION}")
        except sqlite3.Error as exc:
            raise StoreUnavailableError(f"cannot open SQLite database {path!r}: {exc}") from exc

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction holding SQLite's write lock (other processes wait up to the busy timeout)."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreUnavailableError(f"SQLite: {exc}") from exc
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._db.execute("ROLLBACK")
                raise StoreUnavailableError(f"SQLite: {exc}") from exc

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        try:
            with self._lock:
                return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise StoreUnavailableError(f"SQLite: {exc}") from exc

    @staticmethod
    def _rebuild_index(db: sqlite3.Connection) -> None:
        """Index records written by a version without the index tables."""
        db.execute("DELETE FROM record_index")
        db.execute("DELETE FROM record_counts")
        for api, resource, seq, scope in db.execute("SELECT api, resource, seq, scope FROM records").fetchall():
            _add_index(db, api, resource, seq, json.loads(scope))

    @staticmethod
    def _record(row: tuple[Any, ...]) -> Record:
        seq, id, scope, data = row
        return Record(id=id, data=json.loads(data), scope=json.loads(scope), seq=seq)

    async def get(self, api: str, resource: str, id: str) -> Record | None:
        rows = self._read("SELECT seq, id, scope, data FROM records WHERE api=? AND resource=? AND id=?",
                          (api, resource, id))
        return self._record(rows[0]) if rows else None

    async def insert(self, api: str, resource: str, record: Record) -> bool:
        try:
            with self._transaction() as db:
                return self._insert(db, api, resource, record)
        except sqlite3.Error as exc:
            raise StoreUnavailableError(f"SQLite: {exc}") from exc

    @staticmethod
    def _insert(db: sqlite3.Connection, api: str, resource: str, record: Record) -> bool:
        cursor = db.execute(
            "INSERT INTO records (api, resource, id, scope, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (api, resource, record.id, json.dumps(record.scope), json.dumps(record.data)))
        if cursor.rowcount == 0:
            return False
        record.seq = int(cursor.lastrowid or 0)
        _add_index(db, api, resource, record.seq, record.scope)
        return True

    async def put(self, api: str, resource: str, record: Record) -> None:
        try:
            with self._transaction() as db:
                old = db.execute("SELECT seq, scope FROM records WHERE api=? AND resource=? AND id=?",
                                 (api, resource, record.id)).fetchone()
                if old is None:
                    self._insert(db, api, resource, record)
                    return
                record.seq, old_scope = old[0], json.loads(old[1])
                db.execute("UPDATE records SET scope=?, data=? WHERE seq=?",
                           (json.dumps(record.scope), json.dumps(record.data), record.seq))
                if old_scope != record.scope:
                    _drop_index(db, api, resource, record.seq, old_scope)
                    _add_index(db, api, resource, record.seq, record.scope)
        except sqlite3.Error as exc:
            raise StoreUnavailableError(f"SQLite: {exc}") from exc

    async def delete(self, api: str, resource: str, id: str) -> bool:
        try:
            with self._transaction() as db:
                old = db.execute("DELETE FROM records WHERE api=? AND resource=? AND id=? RETURNING seq, scope",
                                 (api, resource, id)).fetchone()
                if old is None:
                    return False
                _drop_index(db, api, resource, old[0], json.loads(old[1]))
                return True
        except sqlite3.Error as exc:
            raise StoreUnavailableError(f"SQLite: {exc}") from exc

    async def list(self, api: str, resource: str, scope: Mapping[str, str], offset: int, limit: int,
                   where: Mapping[str, Any] | None = None) -> tuple[list[Record], int]:
        condition, args = "i.api=? AND i.resource=? AND i.scope_key=?", [api, resource, scope_key(scope)]
        for key, value in (where or {}).items():
            condition += " AND json_extract(r.data, ?) = ?"
            args += [f'$."{key}"', value]
        joined = f"FROM record_index i JOIN records r ON r.seq = i.seq WHERE {condition}"
        if where:
            total = self._read(f"SELECT COUNT(*) {joined}", tuple(args))[0][0]
        else:
            counted = self._read("SELECT n FROM record_counts WHERE api=? AND resource=? AND scope_key=?",
                                 tuple(args))
            total = counted[0][0] if counted else 0
        if limit <= 0 or offset >= total:
            return [], total
        rows = self._read(f"SELECT r.seq, r.id, r.scope, r.data {joined} ORDER BY i.seq LIMIT ? OFFSET ?",
                          (*args, limit, offset))
        return [self._record(r) for r in rows], total

    async def clear(self, api: str | None = None) -> None:
        with self._transaction() as db:
            for table in _TABLES:
                if api is None:
                    db.execute(f"DELETE FROM {table}")
                else:
                    db.execute(f"DELETE FROM {table} WHERE api=?", (api,))

    async def claim_seed(self, api: str) -> bool:
        with self._transaction() as db:
            return db.execute("INSERT INTO seed_claims (api) VALUES (?) ON CONFLICT DO NOTHING", (api,)).rowcount > 0

    async def increment(self, api: str, key: str, by: int = 1) -> int:
        with self._transaction() as db:
            row = db.execute("INSERT INTO counters (api, key, n) VALUES (?, ?, ?) "
                             "ON CONFLICT DO UPDATE SET n = n + excluded.n RETURNING n", (api, key, by)).fetchone()
            return int(row[0])

    async def export(self) -> dict[str, Any]:
        rows = self._read("SELECT api, resource, seq, id, scope, data FROM records ORDER BY seq")
        return dump_records((r[0], r[1], self._record(r[2:])) for r in rows)

    async def load(self, data: Mapping[str, Any]) -> None:
        for api, resource, record in load_records(data):
            await self.put(api, resource, record)

    async def close(self) -> None:
        with self._lock:
            self._db.close()


def _add_index(db: sqlite3.Connection, api: str, resource: str, seq: int, scope: Mapping[str, str]) -> None:
    keys = scope_keys(scope)
    db.executemany("INSERT INTO record_index (api, resource, scope_key, seq) VALUES (?, ?, ?, ?)",
                   [(api, resource, key, seq) for key in keys])
    db.executemany("INSERT INTO record_counts (api, resource, scope_key, n) VALUES (?, ?, ?, 1) "
                   "ON CONFLICT DO UPDATE SET n = n + 1", [(api, resource, key) for key in keys])


def _drop_index(db: sqlite3.Connection, api: str, resource: str, seq: int, scope: Mapping[str, str]) -> None:
    keys = scope_keys(scope)
    db.executemany("DELETE FROM record_index WHERE api=? AND resource=? AND scope_key=? AND seq=?",
                   [(api, resource, key, seq) for key in keys])
    db.executemany("UPDATE record_counts SET n = n - 1 WHERE api=? AND resource=? AND scope_key=?",
                   [(api, resource, key) for key in keys])
