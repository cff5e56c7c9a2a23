"""Content negotiation on an `Accept` header: which of two media types the client ranks higher."""

from __future__ import annotations

__all__ = ["prefers"]


def _qualities(accept: str | None) -> dict[str, float]:
    """Each media range the header names (lower-case) with its `q` (1.0 when absent, 0.0 when unreadable)."""
    quality: dict[str, float] = {}
    for part in (accept or "").split(","):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media:
            quality[media.lower()] = q
    return quality


def prefers(accept: str | None, media: str, over: str = "application/json") -> bool:
    """Whether the header names `media` itself (not just `*/*`) and ranks it no lower than `over`.

    A browser's `text/html,...,*/*;q=0.8` prefers HTML; curl's `*/*`, `application/json` or no header do not.
    """
    quality = _qualities(accept)
    wanted = quality.get(media, 0.0)
    return wanted > 0 and wanted >= quality.get(over, 0.0)
