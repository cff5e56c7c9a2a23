"""What the engine receives and answers, free of any web framework."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MockRequest", "MockResponse", "UploadedFile"]


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A file sent in a multipart or raw upload."""

    field: str
    filename: str | None
    content_type: str | None
    size: int
    content: bytes | None = None  # the bytes, when the web layer kept them (a create stores them for download)


@dataclass(frozen=True, slots=True)
class MockRequest:
    """One validated API request, as the engine sees it."""

    path_params: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, Any] = field(default_factory=dict)
    body: Any = None
    files: tuple[UploadedFile, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class MockResponse:
    """What to send back: status, a JSON-able body (or bytes, or None), its media type and headers."""

    status: int
    body: Any = None
    media_type: str | None = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
