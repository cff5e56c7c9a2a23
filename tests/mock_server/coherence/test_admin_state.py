"""The admin API: a reset gives back exactly the fresh-start data; a bad state import changes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import httpx
import pytest

from mock_server import Settings, create_app
from tests.reference_servers.serving import serve

DEVS = ("/devs-ai/api/v1/me/chats", {"Authorization": "Bearer t"})
CODER = ("/coder-chats/api/experimental/chats", {"Coder-Session-Token": "t"})


@pytest.fixture(scope="module")
def seeded() -> Iterator[httpx.Client]:
    """A client of one seeded server for the module (each refused import must leave its state as it was)."""
    with serve(create_app(Settings(seed=22))) as root, httpx.Client(base_url=root, timeout=10) as http:
        _touch(http, DEVS, CODER)
        yield http


def _touch(http: httpx.Client, *lists: tuple[str, dict[str, str]]) -> None:
    """Read a list of each API: its first request seeds it."""
    for path, headers in lists:
        assert http.get(path, headers=headers).status_code == 200


def _state(http: httpx.Client) -> Any:
    return http.get("/__mock/state").json()


def test_reset_on_a_seeded_server_gives_back_the_fresh_start_data(
        mock_server: Callable[..., AbstractContextManager[str]]) -> None:
    with mock_server(seed=21) as root, httpx.Client(base_url=root, timeout=10) as http:
        _touch(http, DEVS, CODER)
        fresh = _state(http)
        assert fresh["devs-ai"]["chats"] and fresh["coder-chats"]["chats"]
        chat = fresh["coder-chats"]["chats"][0]["id"]
        http.post(f"{CODER[0]}/{chat}/messages", json={"content": [{"type": "text", "text": "hi"}]},
                  headers=CODER[1])
        http.delete(f"{CODER[0]}/{chat}", headers=CODER[1])
        assert _state(http) != fresh
        assert http.post("/__mock/reset").status_code == 200
        assert _state(http) == fresh
        http.post("/__mock/reset", params={"api": "coder-chats"})
        assert _state(http) == fresh
    with mock_server(seed=21) as root, httpx.Client(base_url=root, timeout=10) as http:
        _touch(http, CODER, DEVS)  # the other order: each API's data does not depend on it
        assert _state(http) == fresh


@pytest.mark.parametrize("bad", [
    {"nope": {}},
    {"devs-ai": {"chats": []}, "nope": {"things": []}},
    {"devs-ai": {"unicorns": []}},
    [],
    {"devs-ai": []},
    {"devs-ai": {"chats": [{"id": 7, "data": {}}]}},
    {"devs-ai": {"chats": [{"id": "c1", "data": {}, "scope": {"aiId": 3}}]}},
], ids=["unknown-api", "one-unknown-api", "unknown-resource", "not-an-object", "not-resources", "id-not-a-string",
        "scope-not-strings"])
def test_a_bad_state_import_is_a_400_that_changes_nothing(seeded: httpx.Client, bad: Any) -> None:
    before = _state(seeded)
    refused = seeded.put("/__mock/state", json=bad)
    assert refused.status_code == 400
    assert refused.json()["message"]
    assert _state(seeded) == before


def test_an_import_replaces_the_state_and_new_integer_ids_come_after_it(
        mock_server: Callable[..., AbstractContextManager[str]]) -> None:
    with mock_server(seed=23) as root, httpx.Client(base_url=root, timeout=10) as http:
        _touch(http, CODER)
        exported = _state(http)
        chat = exported["coder-chats"]["chats"][0]
        message = {"id": "40", "scope": {"chat": chat["id"]},
                   "data": {"id": 40, "chat_id": chat["id"], "role": "user", "content": []}}
        imported = {"coder-chats": {"chats": [chat], "messages": [message]}}
        assert http.put("/__mock/state", json=imported).status_code == 200
        assert http.get(CODER[0], headers=CODER[1]).json() == [chat["data"]]  # nothing seeded on top
        http.post(f"{CODER[0]}/{chat['id']}/messages", json={"content": [{"type": "text", "text": "next"}]},
                  headers=CODER[1])
        listed = http.get(f"{CODER[0]}/{chat['id']}/messages", headers=CODER[1]).json()["messages"]
        assert sorted(m["id"] for m in listed) == [40, 41, 42]  # the prompt and its reply, after the imported ids
