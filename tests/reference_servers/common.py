"""Small helpers shared by the hand-written reference servers (plain Starlette, in-memory, spec-independent)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute

from tests.reference_servers.faults import FaultSwitch

__all__ = [
    "BadInput",
    "Field",
    "api_app",
    "error",
    "is_bool",
    "is_int",
    "is_str",
    "json_body",
    "query_int",
    "validate_object",
]

Check = Callable[[Any], bool]


class BadInput(Exception):
    """The request does not satisfy the API's input rules (answered with the API's validation status)."""


def is_str(value: Any) -> bool:
    return isinstance(value, str)


def is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class Field:
    """An input field rule: a type predicate plus optional extra constraint."""

    def __init__(self, check: Check, *, required: bool = False, rule: Check | None = None) -> None:
        self.check = check
        self.required = required
        self.rule = rule

    def accepts(self, value: Any) -> bool:
        return self.check(value) and (self.rule is None or self.rule(value))


def validate_object(value: Any, fields: Mapping[str, Field]) -> dict[str, Any]:
    """`value` as a dict when it is an object whose known fields follow `fields`; else `BadInput`."""
    if not isinstance(value, dict):
        raise BadInput("the body must be a JSON object")
    for name, field in fields.items():
        if name not in value:
            if field.required:
                raise BadInput(f"{name} is required")
            continue
        if not field.accepts(value[name]):
            raise BadInput(f"{name} is invalid")
    return value


async def json_body(request: Request) -> Any:
    """The request body parsed as JSON, whatever content type was claimed; `BadInput` when it is not JSON."""
    raw = await request.body()
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadInput("the body is not valid JSON") from exc


def query_int(request: Request, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    """An optional integer query parameter within bounds; `BadInput` when present and invalid."""
    values = request.query_params.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise BadInput(f"{name} given more than once")
    text = values[0]
    if not text.removeprefix("-").isdigit():
        raise BadInput(f"{name} must be an integer")
    number = int(text)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise BadInput(f"{name} is out of range")
    return number


def error(
    faults: FaultSwitch, status: int, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
) -> Response:
    """An error response with a JSON body (or text/plain under the `wrong_content_type` fault)."""
    if faults("wrong_content_type"):
        return PlainTextResponse(json.dumps(body), status_code=status, headers=dict(headers or {}))
    return JSONResponse(dict(body), status_code=status, headers=dict(headers or {}))


ErrorBody = Callable[[int, str], dict[str, Any]]


def api_app(routes: list[BaseRoute], faults: FaultSwitch, error_body: ErrorBody) -> Starlette:
    """A Starlette app whose routing errors (unknown path 404, wrong method 405 + Allow) use the API's error body."""

    async def routing_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        headers = exc.headers if isinstance(exc, HTTPException) else None
        message = "not found" if status == 404 else "method not allowed"
        return error(faults, status, error_body(status, message), headers)

    return Starlette(routes=routes, exception_handlers={HTTPException: routing_error})
