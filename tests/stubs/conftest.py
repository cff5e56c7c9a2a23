"""Fixtures for the stub tests: mocks of chosen settings, and a client of the admin API."""

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


@pytest.fixture
def mock_server() -> Server:
    """Factory: `with mock_server(seed=3) as root:` serves every spec in specs/ until the block ends."""

    def make(**settings: Any) -> AbstractContextManager[str]:
        return serve(create_app(Settings(**settings)))

    return make


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
