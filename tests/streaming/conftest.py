"""Fixtures for the streaming tests: a mock server on 127.0.0.1 built from chosen settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest

from mock_server import Settings, create_app
from tests.reference_servers.serving import serve


@pytest.fixture
def mock_server() -> Callable[..., AbstractContextManager[str]]:
    """Factory: `with mock_server(seed=3, stream_delay_ms=0) as root:` serves every spec until the block ends."""

    def make(**settings: object) -> AbstractContextManager[str]:
        return serve(create_app(Settings(**settings)))  # type: ignore[arg-type]

    return make


@pytest.fixture
def root(mock_server: Callable[..., AbstractContextManager[str]]) -> Iterator[str]:
    """One mock server (seed 5, no pause between events) for a test."""
    with mock_server(seed=5, stream_delay_ms=0) as url:
        yield url
