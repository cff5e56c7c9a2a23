"""Keep secrets out of everything we print or write: summaries, curl reproductions, JSON and JUnit reports.

A secret is a value we were given or saw in a credential position (a header other than the few public ones, a
token from the environment, a credential query parameter): every occurrence of it in any text is replaced by
`[Filtered]`, whatever field the text came from (a server echoing the token in a body is covered too).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["PUBLIC_HEADERS", "REDACTED", "Redactor", "secret_header_values"]

REDACTED = "[Filtered]"
# Header values that are never secret, so reports keep them readable.
PUBLIC_HEADERS = frozenset({"accept", "accept-language", "content-type", "user-agent"})
# Shorter values would garble a report (and are no real secret).
MIN_SECRET_LENGTH = 4


def secret_header_values(headers: Mapping[str, str]) -> list[str]:
    """The values of `headers` that count as secrets: all but the public ones."""
    return [value for name, value in headers.items() if name.lower() not in PUBLIC_HEADERS]


class Redactor:
    """Replaces every known secret value in a text by `[Filtered]`; more secrets can be added as they are seen."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: list[str] = []
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Also redact these values (those shorter than 4 characters are ignored)."""
        known = set(self._secrets)
        fresh = {secret for secret in secrets if len(secret) >= MIN_SECRET_LENGTH and secret not in known}
        if fresh:
            # Longest first, so a secret that contains another is replaced whole.
            self._secrets = sorted(known | fresh, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text
