"""Fixtures for the mock server's own tests: a real redis-server for the shared-state backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mock_server.redis_server import redis_server


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """URL of a `redis-server` started for this session on 127.0.0.1 (skipped if missing, failed under CI)."""
    with redis_server() as url:
        yield url
