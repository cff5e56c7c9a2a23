"""Every exception of the `mock_server` package.

    MockServerError
    ├── SpecError                a spec file that cannot be loaded or served
    ├── SettingsError            bad command-line or Settings values
    ├── StoreError               a state backend failed
    │   └── StoreUnavailableError  the backend cannot be reached
    └── MockRequestError         a request the mock answers with a documented error status
        ├── NotFoundError        unknown resource id (404)
        ├── ConflictError        uniqueness violated (409)
        └── ValidationError      request does not match the spec (400/422)
"""

from __future__ import annotations

__all__ = [
    "ConflictError",
    "MockRequestError",
    "MockServerError",
    "NotFoundError",
    "SettingsError",
    "SpecError",
    "StoreError",
    "StoreUnavailableError",
    "ValidationError",
]


class MockServerError(Exception):
    """Root of every error raised by `mock_server`."""


class SpecError(MockServerError):
    """A spec file cannot be read, parsed, validated or served."""


class SettingsError(MockServerError, ValueError):
    """A setting has a value the server cannot use."""


class StoreError(MockServerError):
    """The state backend failed."""


class StoreUnavailableError(StoreError):
    """The state backend cannot be reached."""


class MockRequestError(MockServerError):
    """A request that the mock answers with an error status documented by the spec."""

    status: int = 400

    def __init__(self, message: str, *, status: int | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if status is not None:
            self.status = status


class NotFoundError(MockRequestError, LookupError):
    """The resource named in the path does not exist."""

    status = 404


class ConflictError(MockRequestError):
    """A create would duplicate a unique value."""

    status = 409


class ValidationError(MockRequestError):
    """The request does not match the spec."""

    status = 400
