"""The JSON shape of exported state, shared by every backend: {api: {resource: [{id, scope, data}]}}."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from mock_server.errors import SettingsError
from mock_server.store.base import Record

__all__ = ["check_state", "dump_records", "load_records"]


def dump_records(rows: Iterable[tuple[str, str, Record]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for api, resource, record in rows:
        out.setdefault(api, {}).setdefault(resource, []).append(
            {"id": record.id, "scope": record.scope, "data": record.data}
        )
    return out


def load_records(data: Mapping[str, Any]) -> Iterator[tuple[str, str, Record]]:
    if not isinstance(data, Mapping):
        raise SettingsError("state must be a JSON object {api: {resource: [records]}}")
    for api, resources in data.items():
        if not isinstance(resources, Mapping):
            raise SettingsError(f"state for {api!r} must be an object of resources")
        for resource, records in resources.items():
            if not isinstance(records, list):
                raise SettingsError(f"state for {api}/{resource} must be a list of records")
            for item in records:
                if not (isinstance(item, Mapping) and isinstance(item.get("id"), str)
                        and isinstance(item.get("data"), Mapping)):
                    raise SettingsError(f"a record of {api}/{resource} needs a string 'id' and an object 'data'")
                scope = item.get("scope") or {}
                if not (isinstance(scope, Mapping) and all(isinstance(v, str) for v in scope.values())):
                    raise SettingsError(f"record {item['id']!r} of {api}/{resource}: 'scope' must map names to strings")
                yield api, resource, Record(id=item["id"], data=dict(item["data"]), scope=dict(scope))


def check_state(data: Any, known: Mapping[str, Iterable[str]]) -> None:
    """Raise `SettingsError` (and change nothing) unless `data` is exported state of known APIs and resources."""
    for _ in load_records(data):
        pass  # the shape of every record
    for api, resources in data.items():
        if api not in known:
            raise SettingsError(f"unknown api {api!r} in the state; known: {sorted(known)}")
        for resource in resources:
            if resource not in known[api]:
                raise SettingsError(f"unknown resource {resource!r} of api {api!r}; known: {sorted(known[api])}")
