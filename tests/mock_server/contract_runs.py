"""Run `contracts run` against a mock served on 127.0.0.1: the shared setup of the Schemathesis tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import yaml

from contracts.runner import RunOptions, RunResult, run_contracts
from mock_server import Settings, create_app
from tests.conftest import SPECS
from tests.reference_servers.serving import serve
from tests.spec_checked_client import credentials_for

SECRET = "t"


@contextmanager
def strict_mock(seed: int, **settings: Any) -> Iterator[str]:
    """All specs served with `--auth-token t`, so that ignored auth would be found; yields the root URL."""
    with serve(create_app(Settings(seed=seed, auth_token=SECRET, **settings))) as root:
        yield root


def run_against(root: str, api: str, **options: Any) -> RunResult:
    """One contract run of `specs/<api>.yaml` against the mock at `root`, with the spec's own credential."""
    spec = SPECS / f"{api}.yaml"
    headers = credentials_for(yaml.safe_load(spec.read_text()), SECRET)
    result = run_contracts(RunOptions(spec=spec, base_url=f"{root}/{api}", headers=headers, **options))
    assert sum(outcome.cases for outcome in result.operations) > 0
    return result
