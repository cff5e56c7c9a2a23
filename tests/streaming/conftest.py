"""Fixtures for the streaming tests: one mock server per test (the `mock_server` factory is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest


@pytest.fixture
def root(mock_server: Callable[..., AbstractContextManager[str]]) -> Iterator[str]:
    """One mock server (seed 5, no pause between events) for a test."""
    with mock_server(seed=5, stream_delay_ms=0) as url:
        yield url
