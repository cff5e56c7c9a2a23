"""Fixtures for `contracts proxy` tests: a reference server and the proxy in front of it, both on 127.0.0.1."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

_REPO = Path(__file__).resolve().parents[3]
if str(_REPO) not in sys.path:  # `tests.reference_servers` is imported as a package from the repo root
    sys.path.insert(0, str(_REPO))

from contracts.proxy.forwarding import ProxyApp  # noqa: E402
from contracts.proxy.report import ProxyLog  # noqa: E402
from contracts.proxy.validation import Validator  # noqa: E402
from contracts.specfile import load_spec_document  # noqa: E402
from tests.reference_servers.serving import serve  # noqa: E402


@dataclass(frozen=True, slots=True)
class Proxied:
    """A proxy in front of an upstream: the proxy's base URL, the upstream's, and the proxy's log."""

    url: str
    upstream: str
    log: ProxyLog

    @property
    def exchanges(self) -> list[Any]:
        """The exchanges with findings on the spec's operations: a stray request from another process that
        happens to reach this port (it was free a moment ago) names no operation and is left out."""
        return [exchange for exchange in self.log.exchanges if exchange.operation != "(unknown operation)"]


@pytest.fixture
def proxied() -> Iterator[Callable[[Any, Path, str], Proxied]]:
    """Factory: serve `app`, put a proxy checking against `spec` in front of it (`prefix` is the API's root)."""
    with ExitStack() as stack:

        def start(app: Any, spec: Path, prefix: str = "") -> Proxied:
            upstream = stack.enter_context(serve(app)) + prefix
            document = load_spec_document(spec)
            log = ProxyLog(str(spec), upstream, document.data)
            proxy = ProxyApp(Validator(document), upstream, log)
            return Proxied(stack.enter_context(serve(proxy)), upstream, log)

        yield start
