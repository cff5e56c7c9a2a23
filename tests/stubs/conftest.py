"""Fixtures for the stub tests: one mock for a module, and a client of its admin API (`mock_server`, the factory of
mocks of chosen settings, is tests/conftest.py's)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import httpx
import pytest

from mock_server import Settings, create_app
from tests.reference_servers.serving import serve

Server = Callable[..., AbstractContextManager[str]]
MARKDOWN = "## Plan\n\nUse **two** steps:\n\n```python\nprint('hi')\n```\n\n| step | done |\n|---|---|\n| 1 | yes |\n"
# A stubs file's content: a prompt-matched completion, and replies on two chat APIs.
STUBS = [
    {"id": "plan", "api": "devs-ai", "operation": "createChatCompletion", "match": {"prompt": {"contains": "plan"}},
     "respond": {"reply": {"text": MARKDOWN}, "stream": {"chunk_chars": 8}}},
    {"api": "coder-chats", "operation": "sendChatMessage", "respond": {"reply": {"text": "Done."}}},
    {"api": "devs-ai", "operation": "sendChatMessage", "respond": {"reply": {"text": "Scripted **reply**."}}},
]


@pytest.fixture(scope="module")
def root() -> Iterator[str]:
    """One mock of every spec for the module (seed 5, no stream delay)."""
    with serve(create_app(Settings(seed=5, stream_delay_ms=0))) as url:
        yield url


@pytest.fixture
def admin(root: str) -> Iterator[httpx.Client]:
    """A client of the module's mock at its root; its stubs are cleared after each test."""
    with httpx.Client(base_url=root, timeout=10) as client:
        yield client
        client.delete("/__mock/stubs")


def add_stub(admin: httpx.Client, stub: dict[str, Any]) -> str:
    """Register `stub`; its id."""
    response = admin.post("/__mock/stubs", json=stub)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])
