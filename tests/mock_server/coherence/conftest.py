"""Fixtures for the coherence tests: one mock per API for the chat-UI flows; mocks of chosen settings; the
purpose-built helpdesk spec."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mock_server import Settings, create_app
from tests.conftest import SPECS
from tests.reference_servers.serving import serve
from tests.spec_checked_client import SpecCheckedClient

Flow = Callable[[str], SpecCheckedClient]
HELPDESK = Path(__file__).resolve().parents[2] / "fixtures" / "specs" / "helpdesk.yaml"


@pytest.fixture(scope="module")
def flow_server(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """(root URL, api name) of a mock serving the module's `API` alone, seed 21, three seeded items per list."""
    api = request.module.API
    with serve(create_app(Settings(specs=(SPECS / f"{api}.yaml",), seed=21, seed_items=3))) as root:
        yield root, api


@pytest.fixture
def client(flow_server: tuple[str, str]) -> Iterator[SpecCheckedClient]:
    root, api = flow_server
    with SpecCheckedClient(SPECS / f"{api}.yaml", f"{root}/{api}") as checked:
        yield checked


@pytest.fixture
def helpdesk() -> Iterator[SpecCheckedClient]:
    """A client of the purpose-built helpdesk spec (seed 4, two seeded tickets), every answer checked."""
    with serve(create_app(Settings(specs=(HELPDESK,), seed=4, seed_items=2))) as root:
        with SpecCheckedClient(HELPDESK, f"{root}/helpdesk") as client:
            client.headers["X-Api-Key"] = "k"
            yield client
