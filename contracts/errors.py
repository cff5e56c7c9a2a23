"""Every exception of the `contracts` package.

    ContractsError
    ├── UsageError          bad arguments or an unreadable input: exit code 2
    │   └── SpecLoadError   a spec file that cannot be read or parsed
    │       └── SpecSyntaxError   a spec file that is not valid YAML (knows the line)
    ├── ServerUnreachableError   the target server does not answer: exit code 2
    ├── DuplicateRuleError  a lint rule registered twice under one name (a programming error; also a ValueError)
    └── RunError            a contract run that could not complete (engine crash): exit code 2
"""

from __future__ import annotations

__all__ = [
    "ContractsError",
    "DuplicateRuleError",
    "RunError",
    "ServerUnreachableError",
    "SpecLoadError",
    "SpecSyntaxError",
    "UsageError",
]


class ContractsError(Exception):
    """Root of every error raised by `contracts`."""

    exit_code: int = 2


class UsageError(ContractsError):
    """The user asked for something that cannot be done (bad option, missing file)."""


class SpecLoadError(UsageError):
    """A spec file could not be read, parsed or resolved."""


class SpecSyntaxError(SpecLoadError):
    """A spec file is not valid YAML; `line` is where the parser stopped (1-based), when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class ServerUnreachableError(ContractsError):
    """The server under test did not answer."""


class DuplicateRuleError(ValueError, ContractsError):
    """Two lint rules were registered under the same name."""


class RunError(ContractsError):
    """A contract run stopped before it could judge the server (an internal error of the test engine)."""
