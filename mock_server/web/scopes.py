"""Read what a request carries straight from the ASGI scope, once: Connexion's `request` proxy builds a new
request object on every attribute read."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.types import Scope

__all__ = ["query_params", "query_pairs", "request_headers"]


def request_headers(scope: Scope) -> dict[str, str]:
    """The request's headers, lower-case names, the first of a repeated one (as Starlette reads them)."""
    headers: dict[str, str] = {}
    for key, value in scope.get("headers") or ():
        headers.setdefault(key.decode("latin-1").lower(), value.decode("latin-1"))
    return headers


def query_pairs(scope: Scope) -> list[tuple[str, str]]:
    """Every `name=value` of the query string, in order, blanks kept (UTF-8, undecodable bytes replaced)."""
    return parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True,
                     encoding="utf-8", errors="replace")


def query_params(scope: Scope) -> dict[str, str]:
    """The query string's parameters, the first of a repeated one."""
    params: dict[str, str] = {}
    for name, value in query_pairs(scope):
        params.setdefault(name, value)
    return params
