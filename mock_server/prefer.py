"""Per-request controls a client asks for in a `Prefer` header, Prism-style: `code=404, example=NAME, delay=300`."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Preferences", "parse_prefer"]


@dataclass(frozen=True, slots=True)
class Preferences:
    """What the client prefers; unknown or malformed preferences are ignored, as RFC 7240 says."""

    code: int | None = None
    example: str | None = None
    delay_ms: int | None = None
    stream_delay_ms: int | None = None
    stream_error_after: int | None = None


def parse_prefer(header: str | None) -> Preferences:
    """Read `Prefer: code=404, delay=300` (comma- or semicolon-separated `key=value` pairs)."""
    if not header:
        return Preferences()
    values: dict[str, str] = {}
    for part in header.replace(";", ",").split(","):
        key, _, value = part.strip().partition("=")
        if value:
            values[key.strip().lower()] = value.strip().strip('"')
    error_after = values.get("stream-error", "")
    return Preferences(
        code=_int(values.get("code"), 100, 599),
        example=values.get("example") or None,
        delay_ms=_int(values.get("delay"), 0, 60_000),
        stream_delay_ms=_int(values.get("stream-delay"), 0, 10_000),
        stream_error_after=_int(error_after.removeprefix("after:"), 0, 100_000) if error_after else None,
    )


def _int(text: str | None, low: int, high: int) -> int | None:
    if text is None or not text.strip().isdigit():
        return None
    value = int(text)
    return value if low <= value <= high else None
