"""Recognise a list operation's paging parameters and fill the paging fields of its response."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mock_server.models import Operation

__all__ = ["Page", "page_fields", "read_page"]

PAGE = ("page", "pagenumber", "page_number")
PAGE_SIZE = ("pagesize", "page_size", "per_page", "perpage", "size")
OFFSET = ("offset", "skip", "start")
LIMIT = ("limit", "count", "max", "maxresults", "max_results", "top", "first")
CURSOR = ("cursor", "after", "starting_after", "continuationtoken", "continuation_token", "pagetoken", "page_token",
          "next", "next_token")
PAGING_NAMES = frozenset(PAGE + PAGE_SIZE + OFFSET + LIMIT + CURSOR)
DEFAULT_LIMIT = 20
UNPAGED_LIMIT = 1000
MAX_OFFSET = 2**53  # far past any stored collection, and safe for islice and SQLite


@dataclass(frozen=True, slots=True)
class Page:
    """The slice of a collection a list request asks for."""

    offset: int
    limit: int
    page: int | None = None
    uses_cursor: bool = False


def read_page(op: Operation, query: Mapping[str, Any]) -> Page:
    """Offset and limit from whichever paging style the operation documents."""
    names = {p.name.lower(): p for p in op.parameters if p.location == "query"}

    def param(options: tuple[str, ...]) -> tuple[str | None, Any]:
        for option in options:
            if option in names:
                original = names[option].name
                value = query.get(original)
                if value is None:
                    value = names[option].schema.get("default")
                return original, value
        return None, None

    size_name, size = param(PAGE_SIZE)
    limit_name, limit = param(LIMIT)
    page_name, page = param(PAGE)
    if not (size_name or limit_name or page_name):
        return Page(0, UNPAGED_LIMIT)
    per_page = min(max(_int(size if size_name else limit, DEFAULT_LIMIT), 0), UNPAGED_LIMIT)
    if per_page == 0 and _is_default_zero(op, size_name or limit_name):
        per_page = UNPAGED_LIMIT  # a documented default of 0 means "the server's default", not an empty page
    if page_name:
        number = min(max(_int(page, 1), 1), MAX_OFFSET)
        return Page(min((number - 1) * per_page, MAX_OFFSET), per_page, page=number)
    _, offset = param(OFFSET)
    cursor_name, cursor = param(CURSOR)
    start = _int(cursor, 0) if cursor_name and cursor is not None else _int(offset, 0)
    return Page(min(max(start, 0), MAX_OFFSET), per_page, uses_cursor=cursor_name is not None)


def page_fields(schema: Mapping[str, Any] | None, page: Page, returned: int, total: int) -> dict[str, Any]:
    """Values for the paging fields a list response documents (totals, has-more flags, next cursors)."""
    props = (schema or {}).get("properties") or {}
    more = page.offset + returned < total
    out: dict[str, Any] = {}
    for name, sub in props.items():
        lowered = name.lower().replace("_", "")
        kind = sub.get("type")
        if lowered in ("total", "totalcount", "count", "totalitems", "totalresults") and kind == "integer":
            out[name] = total
        elif lowered in ("hasmore", "more", "hasnext", "hasnextpage") and kind == "boolean":
            out[name] = more
        elif lowered in ("page", "pagenumber", "currentpage") and kind == "integer" and page.page is not None:
            out[name] = page.page
        elif lowered in ("pagesize", "perpage", "limit") and kind == "integer":
            out[name] = page.limit
        elif lowered in ("nextcursor", "next", "continuationtoken", "nextpagetoken", "nexttoken", "cursor"):
            if more:
                out[name] = str(page.offset + returned) if kind == "string" else page.offset + returned
            elif sub.get("nullable"):
                out[name] = None
    return out


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _is_default_zero(op: Operation, name: str | None) -> bool:
    return any(p.name == name and p.location == "query" and p.schema.get("default") == 0 for p in op.parameters)
