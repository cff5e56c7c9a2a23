"""A property of every create and update operation of every spec, through real HTTP:

1. every field sent comes back unchanged on the linked read (the response's `links` to a GET of the item, or of a
   list holding it; else the read, or a list, of the same resource), where the read's schema can hold the value;
2. a new item obeys the fresh-object rules, checked here by field name on its own terms (not with
   mock_server/freshness.py): counters 0, nothing deleted/archived/closed, no error, no parent, no children, no
   warnings, a status that is a starting state, timestamps of now, integer ids that count up.

Request bodies are generated from each operation's request schema; path parameters that name a resource get an
item of it (seeded, or created through the API first). Cases that fail because of an `x-mock` gap the vocabulary
work closes are marked `xfail(strict=True)` with the gap: they turn into failures, to be unmarked, once it lands.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from mock_server import Settings, create_app
from mock_server.extensions import raw_operation
from mock_server.generation import FakeGenerator
from mock_server.inference import list_items_schema, success_schema, unwrap
from mock_server.models import Action, ApiModel, Operation
from mock_server.pointers import get_pointer
from mock_server.schemas import is_valid
from mock_server.web.app import load_apis
from tests.conftest import SPECS
from tests.reference_servers.serving import serve
from tests.spec_checked_client import credentials_for

APIS = load_apis((SPECS,))
STARTING_STATES = {"pending", "new", "created", "queued", "draft", "open", "not_started", "initializing",
                   "initialized", "waiting", "idle", "ready", "active", "todo"}
# Cases the x-mock vocabulary work (issue 12 items 1 and 4) closes, each with the gap as its reason (none now).
EXPECTED_AFTER_MERGE: dict[tuple[str, str], str] = {}


def _cases() -> Iterator[Any]:
    for name, api in APIS.items():
        for op in api.operations:
            if op.behaviour.action in (Action.CREATE, Action.UPDATE):
                marks = [pytest.mark.xfail(reason=EXPECTED_AFTER_MERGE[(name, op.operation_id)], strict=True)] \
                    if (name, op.operation_id) in EXPECTED_AFTER_MERGE else []
                yield pytest.param(name, op.operation_id, id=f"{name}:{op.operation_id}", marks=marks)


@pytest.fixture(scope="module")
def root() -> Iterator[str]:
    with serve(create_app(Settings(stream_delay_ms=0))) as url:  # the real clock: timestamps are checked as now
        yield url


@pytest.mark.parametrize(("api_name", "operation_id"), list(_cases()))
def test_fields_sent_come_back_and_new_items_are_fresh(root: str, api_name: str, operation_id: str) -> None:
    api = APIS[api_name]
    op = api.operation(operation_id)
    if op.request_media_types and not any("json" in media for media in op.request_media_types):
        pytest.skip("an upload: the body is a file, there are no JSON fields to read back")
    with httpx.Client(base_url=f"{root}/{api_name}", headers=credentials_for(api.spec.document), timeout=20) as http:
        walk = _Walk(api, http, zlib.crc32(f"{api_name}:{operation_id}".encode()))  # reproducible, and distinct
        sent, answer, item_id, path = walk.call(op)
        read = walk.linked_read(op, sent, answer, item_id, path)
        if read is not None:
            item, schema = read
            props = (schema or {}).get("properties") or {}
            for key, value in sent.items():
                if key in props and is_valid(value, props[key]):  # (a value the read cannot hold cannot come back)
                    assert item.get(key) == value, f"{key}: sent {value!r}, read back {item.get(key)!r}"
        if op.behaviour.action is Action.CREATE:
            created = (_item_of(op, answer), unwrap(success_schema(op), op.behaviour.body))
            fresh, schema = read if read is not None else created
            _assert_fresh(fresh, sent, schema)
            if _is_integer(fresh.get(op.behaviour.id_field)):
                _, again, _, _ = walk.call(op, path)
                assert _item_of(op, again)[op.behaviour.id_field] > fresh[op.behaviour.id_field]


# -- the walk: requests that make what an operation needs ------------------------------------------------------
@dataclass
class _Walk:
    api: ApiModel
    http: httpx.Client
    seed: int
    values: dict[str, Any] = field(default_factory=dict)  # path parameter -> value, shared by the whole walk
    gen: FakeGenerator = field(init=False)

    def __post_init__(self) -> None:
        self.gen = FakeGenerator(self.seed)

    def call(self, op: Operation, path: Mapping[str, Any] | None = None
             ) -> tuple[dict[str, Any], Any, Any, dict[str, Any]]:
        """Send `op` with a generated body: (body sent, answer, the item's id, path parameters)."""
        path = dict(path) if path is not None else self.path_for(op)
        body = self._body(op)
        response = self.http.request(op.method.upper(), _url(op.path, path), json=body if op.request_schema else None)
        assert response.status_code == op.success_status, f"{op.operation_id}: {response.status_code} {response.text}"
        answer = response.json() if response.content and "json" in response.headers.get("content-type", "") else None
        b = op.behaviour
        if b.action is Action.UPDATE:
            item_id = path.get(b.id_param or "")
        elif b.id_from:
            item_id = body.get(b.id_from)
        else:
            item_id = _item_of(op, answer).get(b.id_field)
        return body, answer, item_id, path

    def path_for(self, op: Operation) -> dict[str, Any]:
        path: dict[str, Any] = {}
        for param in op.parameters:
            if param.location != "path":
                continue
            resource = self.api.id_params.get(param.name)
            if resource is not None:
                path[param.name] = self.item_of(resource, param.name)
            else:
                path[param.name] = self.values.setdefault(param.name, self.gen.value(param.schema, param.name))
        return path

    def item_of(self, resource: str, param: str) -> Any:
        """The id of an item of `resource` (made once per walk): created, else made by an action, else listed."""
        if param in self.values:
            return self.values[param]
        ops = self.api.operations
        create = next((o for o in ops if o.behaviour.action is Action.CREATE and o.behaviour.resource == resource
                       and (not o.request_media_types or any("json" in m for m in o.request_media_types))), None)
        if create is not None:
            item_id = self.call(create)[2]
        else:
            maker = next(o for o in ops if o.behaviour.action is Action.ACTION
                         and any(e.get("create") == resource for e in o.behaviour.effects))
            self.call(maker)
            lister = next(o for o in ops if o.behaviour.action is Action.LIST and o.behaviour.resource == resource)
            listed = self.http.get(_url(lister.path, self.path_for(lister))).json()
            items_prop, _ = list_items_schema(success_schema(lister), lister.behaviour.items)
            item_id = (listed[items_prop] if items_prop else listed)[0][lister.behaviour.id_field]
        self.values[param] = item_id
        return item_id

    def linked_read(self, op: Operation, sent: Mapping[str, Any], answer: Any, item_id: Any,
                    path: Mapping[str, Any]) -> tuple[dict[str, Any], Any] | None:
        """(the item as its linked read answers it, the item's schema there), or None when nothing reads it."""
        for link in _links(self.api, op):
            target = self.api.operation(link["operationId"])
            if target.method != "get" or target.behaviour.action not in (Action.READ, Action.LIST) \
                    or target.behaviour.resource != op.behaviour.resource:
                continue
            params = {name: _evaluate(expr, sent, answer, path) for name, expr in (link.get("parameters") or {})
                      .items()}
            return self._read(target, {**self.path_for_known(target), **params}, item_id)
        if item_id is None:
            return None
        for action in (Action.READ, Action.LIST):  # the item's read, else a list holding it
            for reader in self.api.operations:
                b = reader.behaviour
                if b.action is not action or reader.method != "get" or b.resource != op.behaviour.resource:
                    continue
                params = {**self.path_for_known(reader), **path}
                if action is Action.READ:
                    params[b.id_param or ""] = item_id
                if all(name in params for name in reader.path_params):
                    return self._read(reader, params, item_id)
        return None

    def path_for_known(self, op: Operation) -> dict[str, Any]:
        return {p.name: self.values[p.name] for p in op.parameters if p.location == "path" and p.name in self.values}

    def _read(self, op: Operation, params: Mapping[str, Any], item_id: Any) -> tuple[dict[str, Any], Any]:
        pages = {p.name: p.schema.get("maximum", 100) for p in op.parameters
                 if p.location == "query" and p.name in ("limit", "pageSize", "page_size", "per_page")}
        response = self.http.get(_url(op.path, params), params=pages)
        assert response.status_code == 200, f"{op.operation_id}: {response.status_code} {response.text}"
        schema = success_schema(op)
        if op.behaviour.action is Action.LIST:
            items_prop, item_schema = list_items_schema(schema, op.behaviour.items)
            items = response.json()[items_prop] if items_prop else response.json()
            found = [i for i in items if i.get(op.behaviour.id_field) == item_id]
            assert found, f"{op.operation_id}: item {item_id!r} is not listed"
            return found[0], item_schema
        b = op.behaviour
        return (response.json()[b.body] if b.body else response.json()), unwrap(schema, b.body)

    def _body(self, op: Operation) -> dict[str, Any]:
        if not op.request_schema:
            return {}
        body = self.gen.value(op.request_schema)
        return body if isinstance(body, dict) else {}


def _links(api: ApiModel, op: Operation) -> list[Mapping[str, Any]]:
    spec = api.spec
    response = spec.resolve((raw_operation(api, op).get("responses") or {}).get(str(op.success_status)) or {})
    return [spec.resolve(link) for link in (response.get("links") or {}).values()]


def _evaluate(expression: str, sent: Mapping[str, Any], answer: Any, path: Mapping[str, Any]) -> Any:
    if expression.startswith("$request.path."):
        return path[expression.removeprefix("$request.path.")]
    if expression.startswith("$request.body#"):
        return get_pointer(sent, expression.removeprefix("$request.body#"))
    if expression.startswith("$response.body#"):
        return get_pointer(answer, expression.removeprefix("$response.body#"))
    raise AssertionError(f"unsupported link expression {expression!r}")


def _url(template: str, params: Mapping[str, Any]) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: str(params[m.group(1)]), template)


def _item_of(op: Operation, answer: Any) -> dict[str, Any]:
    item = answer.get(op.behaviour.body) if op.behaviour.body and isinstance(answer, dict) else answer
    return item if isinstance(item, dict) else {}


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# -- rule 2, by field name --------------------------------------------------------------------------------------
def _assert_fresh(item: Mapping[str, Any], sent: Mapping[str, Any], schema: Any) -> None:
    now = datetime.now(UTC)
    props = (schema or {}).get("properties") or {}
    for key, value in item.items():
        if key in sent:
            continue
        lowered = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key).lower()
        words = lowered.split("_")
        if _is_integer(value) and (words[-1] in ("count", "total") or words[0] == "total"):
            assert value in (0, 1), f"{key}: a new item's counter is {value}"
        if words[0] == "parent" or key in ("last_error", "lastError", "error"):
            assert value is None, f"{key}: a new item has {value!r}"
        if lowered in ("archived", "deleted", "is_archived", "is_deleted", "closed", "has_unread"):
            assert value is False, f"{key}: a new item is {value!r}"
        if words[0] in ("deleted", "archived", "closed") and lowered != words[0]:
            assert value is None, f"{key}: a new item has {value!r}"
        if lowered in ("children", "warnings"):
            assert value == [], f"{key}: a new item has {value!r}"
        if words[-1] in ("status", "state") and "enum" in (props.get(key) or {}):
            assert str(value).lower() in STARTING_STATES, f"{key}: a new item starts {value!r}"
        if words[0] in ("created", "updated", "added") and isinstance(value, str) and value[:2] == "20":
            stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
            assert abs(now - stamp) < timedelta(minutes=5), f"{key}: a new item's {value} is not now"
