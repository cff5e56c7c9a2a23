"""pytest plugin: a contract run as one pytest test item.

    pytest --pyargs contracts.pytest_plugin --contract-api NAME --contract-base-url URL [--contract-header 'N: V']

Naming this module on the command line makes the plugin collect one item, `contract[NAME]`, which runs the same
contract run as `contracts run` and fails with its summary. Without that argument the plugin only declares its
options and does nothing (it is registered through the `pytest11` entry point, so every pytest run loads it).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from contracts.errors import ContractsError, UsageError

if TYPE_CHECKING:
    from contracts.runner import RunOptions

# The run's modules (Schemathesis, Hypothesis...) are imported only when a contract item runs: every pytest run of
# an environment with this package installed loads this plugin, and must not pay for them.

__all__ = ["ContractFailure", "ContractItem", "ContractModule", "options_from_config"]

_THIS_FILE = Path(__file__).resolve()
_OPTIONS = ("contract_api", "contract_spec", "contract_base_url")


class ContractFailure(Exception):
    """A contract run that found violations; its text is the run summary."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contracts", "contract tests against a running server (contracts run)")
    group.addoption("--contract-api", metavar="NAME", help="spec specs/NAME.yaml")
    group.addoption("--contract-spec", metavar="FILE", help="spec file")
    group.addoption("--contract-base-url", metavar="URL", help="server root under which the spec's paths live")
    group.addoption("--contract-header", action="append", default=[], metavar="'NAME: VALUE'", help="repeatable")
    group.addoption("--contract-token-env", metavar="VAR", help="token from $VAR, sent per the security scheme")
    group.addoption("--contract-max-examples", type=int, default=25, metavar="N", help="cases per operation/phase")
    group.addoption("--contract-seed", type=int, metavar="N", help="fixed seed")
    group.addoption("--contract-operations", metavar="PATTERN", help="regex over operationId or path")
    group.addoption("--contract-read-only", action="store_true", help="only GET/HEAD/OPTIONS operations")
    group.addoption("--contract-strict", action="store_true", help="assumptions (x-decision) fail too")
    group.addoption(
        "--contract-allow-unauthenticated", action="store_true", help="pass a run refused 401/403 throughout"
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.resolve() == _THIS_FILE and parent.session.isinitpath(file_path):
        return ContractModule.from_parent(parent, path=file_path)
    return None


def pytest_collection_finish(session: pytest.Session) -> None:
    given = any(session.config.getoption(name) for name in _OPTIONS)
    if given and not any(isinstance(item, ContractItem) for item in session.items):
        warnings.warn(
            "--contract-* options are ignored unless `--pyargs contracts.pytest_plugin` is passed too",
            pytest.PytestConfigWarning,
            stacklevel=1,
        )


def options_from_config(config: pytest.Config) -> RunOptions | None:
    """The run the `--contract-*` options ask for; `None` when no target was given."""
    api, spec, base_url = (config.getoption(name) for name in _OPTIONS)
    if not (api or spec) and not base_url:
        return None
    if not (api or spec) or not base_url:
        raise UsageError("pass --contract-api NAME (or --contract-spec FILE) and --contract-base-url URL")
    from contracts.commands.run import parse_headers, resolve_spec, token_from_env
    from contracts.runner import RunOptions

    token_env = config.getoption("contract_token_env")
    return RunOptions(
        spec=resolve_spec(api, Path(spec) if spec else None),
        base_url=base_url,
        headers=parse_headers(config.getoption("contract_header")),
        token=token_from_env(token_env, os.environ) if token_env else None,
        read_only=config.getoption("contract_read_only"),
        operations=config.getoption("contract_operations"),
        max_examples=config.getoption("contract_max_examples"),
        seed=config.getoption("contract_seed"),
        strict=config.getoption("contract_strict"),
        allow_unauthenticated=config.getoption("contract_allow_unauthenticated"),
    )


class ContractModule(pytest.File):
    """This module, when named on the command line: one contract item."""

    def collect(self) -> Iterator[pytest.Item]:
        target = self.config.getoption("contract_api") or self.config.getoption("contract_spec") or "not-configured"
        yield ContractItem.from_parent(self, name=f"contract[{target}]")


class ContractItem(pytest.Item):
    """Runs `contracts run` with the `--contract-*` options; fails with the run summary."""

    def runtest(self) -> None:
        options = options_from_config(self.config)
        if options is None:
            pytest.skip("pass --contract-api NAME (or --contract-spec FILE) and --contract-base-url URL")
        from contracts.report import render_summary
        from contracts.runner import run_contracts

        result = run_contracts(options)
        self.user_properties.append(("contract_seed", result.seed))
        if not result.passed:
            raise ContractFailure(render_summary(result))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ContractFailure):
            return str(excinfo.value)
        if isinstance(excinfo.value, ContractsError):
            return f"contracts run: error: {excinfo.value}"
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, self.name
