"""Fixtures for `contracts run` tests: reference servers served on 127.0.0.1 for the length of a test."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path
from typing import Any

import pytest

_REPO = Path(__file__).resolve().parents[3]
if str(_REPO) not in sys.path:  # `tests.reference_servers` is imported as a package from the repo root
    sys.path.insert(0, str(_REPO))

from tests.reference_servers import notes  # noqa: E402
from tests.reference_servers.serving import serve  # noqa: E402

Serve = Callable[[Any], AbstractContextManager[str]]


@pytest.fixture
def serve_app() -> Serve:
    """`with serve_app(app) as root:` runs an ASGI app with uvicorn on a free port of 127.0.0.1."""
    return serve


@pytest.fixture
def notes_server() -> Iterator[Callable[..., tuple[str, Any]]]:
    """Factory: start the notes reference server (optionally with a fault); returns (API base URL, app)."""
    with ExitStack() as stack:

        def start(fault: str | None = None, **kwargs: Any) -> tuple[str, Any]:
            app = notes.create_app(fault, **kwargs)
            return stack.enter_context(serve(app)) + notes.PREFIX, app

        yield start
