"""Cross-package fixtures: the mock server on 127.0.0.1, and HTTP clients that check every response."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from tests.spec_checked_client import SpecCheckedClient

REPO = Path(__file__).resolve().parent.parent
SPECS = REPO / "specs"
API_NAMES = sorted(p.stem for p in SPECS.glob("*.yaml"))


@pytest.fixture(scope="session")
def mock_root() -> Iterator[str]:
    """One mock server of every spec (seed 7), shared by the session: its root URL."""
    from mock_server import Settings, create_app
    from tests.reference_servers.serving import serve

    with serve(create_app(Settings(seed=7))) as root:
        yield root


@pytest.fixture
def mock_server() -> Callable[..., AbstractContextManager[str]]:
    """Factory: `with mock_server(seed=3) as root:` serves (by default every spec in specs/) until the block ends."""
    from mock_server import Settings, create_app
    from tests.reference_servers.serving import serve

    def make(**settings: object) -> AbstractContextManager[str]:
        return serve(create_app(Settings(**settings)))  # type: ignore[arg-type]

    return make


@pytest.fixture
def api_client(mock_root: str) -> Iterator[Callable[..., SpecCheckedClient]]:
    """Factory: an HTTP client for one API of the shared mock, authenticated, checking responses with openapi-core."""
    clients: list[SpecCheckedClient] = []

    def make(api: str, *, auth: bool = True, root: str | None = None) -> SpecCheckedClient:
        client = SpecCheckedClient(SPECS / f"{api}.yaml", f"{root or mock_root}/{api}", auth=auth)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
