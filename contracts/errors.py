"""Every exception of the `contracts` package.

    ContractsError
    ├── UsageError          bad arguments or an unreadable input: exit code 2
    │   └── SpecLoadError   a spec file that cannot be read or parsed
    └── ServerUnreachableError   the target server does not answer: exit code 2
"""

from __future__ import annotations

__all__ = ["ContractsError", "ServerUnreachableError", "SpecLoadError", "UsageError"]


class ContractsError(Exception):
    """Root of every error raised by `contracts`."""

    exit_code: int = 2


class UsageError(ContractsError):
    """The user asked for something that cannot be done (bad option, missing file)."""


class SpecLoadError(UsageError):
    """A spec file could not be read, parsed or resolved."""


class ServerUnreachableError(ContractsError):
    """The server under test did not answer."""
