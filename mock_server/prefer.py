"""Per-request controls a client asks for in a `Prefer` header, Prism-style: `code=404, example=NAME, delay=300`.

Preferences the mock does not know (`return=minimal`, `respond-async`) are ignored, as RFC 7240 says. One it
knows with a value it cannot use (`code=abc`, `delay=-5`, an empty `example=`) is a mistake the client wants to
hear about: it is kept in `Preferences.problem`, and the resolver answers 400 with that message, on the fast path
and through Connexion alike (both call the same handler).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Preferences", "parse_prefer"]

# preference -> (lowest, highest, what the value must be)
_NUMBERS: dict[str, tuple[int, int, str]] = {
    "code": (100, 599, "an HTTP status code (100-599)"),
    "delay": (0, 60_000, "a delay in milliseconds (0-60000)"),
    "stream-delay": (0, 10_000, "a pause between events in milliseconds (0-10000)"),
    "stream-error": (0, 100_000, "after:N, the number of events before the error (0-100000)"),
}


@dataclass(frozen=True, slots=True)
class Preferences:
    """What the client prefers; `problem` names a known preference whose value is unusable."""

    code: int | None = None
    example: str | None = None
    delay_ms: int | None = None
    stream_delay_ms: int | None = None
    stream_error_after: int | None = None
    problem: str | None = None


def parse_prefer(header: str | None) -> Preferences:
    """Read `Prefer: code=404, delay=300` (comma- or semicolon-separated `key=value` pairs)."""
    if not header:
        return Preferences()
    values: dict[str, str] = {}
    for part in header.replace(";", ",").split(","):
        key, equals, value = part.strip().partition("=")
        key = key.strip().lower()
        if key in _NUMBERS or key == "example":
            values[key] = value.strip().strip('"') if equals else ""
    numbers: dict[str, int | None] = {}
    problems: list[str] = []
    for key, (low, high, what) in _NUMBERS.items():
        text = values.get(key)
        number = _int(text.removeprefix("after:") if key == "stream-error" and text else text, low, high)
        if text is not None and number is None:
            problems.append(f"Prefer: {key}={text} is not usable: {key} takes {what}")
        numbers[key] = number
    example = values.get("example")
    if example == "":
        problems.append("Prefer: example= is not usable: example takes the name of one of the operation's examples")
    return Preferences(
        code=numbers["code"],
        example=example or None,
        delay_ms=numbers["delay"],
        stream_delay_ms=numbers["stream-delay"],
        stream_error_after=numbers["stream-error"],
        problem="; ".join(problems) or None,
    )


def _int(text: str | None, low: int, high: int) -> int | None:
    if text is None or not text.strip().isdigit():
        return None
    value = int(text)
    return value if low <= value <= high else None
