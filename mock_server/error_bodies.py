"""Error responses in each API's own shape: the schema the spec documents for that status, filled sensibly.

Fields are recognised by name: message-like strings get the message, status-like integers the status, a `code`
enum the value that best names the status; the spec root's `x-mock.errors` can fix any field per status.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mock_server.generation import FakeGenerator
from mock_server.messages import MockResponse
from mock_server.models import ApiModel, Operation, ResponseDef
from mock_server.shaping import conform

__all__ = ["error_response", "response_headers"]

_MESSAGE_NAMES = ("message", "error_description", "errormessage", "msg")
_DETAIL_NAMES = ("detail", "details", "description", "error")
_STATUS_NAMES = ("status", "statuscode", "status_code", "code", "httpstatus")
_CODE_HINTS: dict[int, tuple[str, ...]] = {
    400: ("validation_failed", "validation", "bad_request", "invalid"),
    401: ("unauthorized", "unauthenticated", "auth"),
    403: ("forbidden", "permission"),
    404: ("not_found", "notfound", "missing"),
    405: ("method_not_allowed", "not_allowed"),
    409: ("conflict", "already_exists", "exists", "duplicate"),
    413: ("too_large", "payload"),
    415: ("unsupported_media", "media", "bad_request"),
    422: ("validation_failed", "validation", "unprocessable", "invalid"),
    429: ("rate_limited", "rate", "too_many"),
    500: ("internal_error", "internal", "server"),
    503: ("unavailable", "internal_error"),
}


def error_response(api: ApiModel, op: Operation | None, status: int, message: str, gen: FakeGenerator,
                   details: str | None = None) -> MockResponse:
    """The response for an error status, with a body in the API's documented error shape."""
    definition = _definition(api, op, status)
    schema = definition.json_schema if definition is not None else None
    headers = response_headers(definition, gen)
    if definition is not None and not definition.content:
        return MockResponse(status, None, None, headers)
    if schema is None:
        return MockResponse(status, {"message": message, **({"details": details} if details else {})},
                            "application/json", headers)
    body = gen.value(schema, "error")
    if isinstance(body, dict):
        _fill(body, schema, status, message, details)
        _deep_merge(body, api.error_defaults.get(str(status)) or {}, keep=("message", "detail", "details"))
    return MockResponse(status, conform(body, schema, gen), "application/json", headers)


def response_headers(definition: ResponseDef | None, gen: FakeGenerator) -> dict[str, str]:
    """Values for the headers a response documents (`Retry-After` gets a short wait)."""
    headers: dict[str, str] = {}
    for name, schema in (definition.headers if definition else {}).items():
        if name.lower() in ("content-type", "content-length"):
            continue
        if "retry" in name.lower():
            headers[name] = "1"
            continue
        value = gen.value(schema, name)
        headers[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return headers


def _definition(api: ApiModel, op: Operation | None, status: int) -> ResponseDef | None:
    if op is not None and (found := op.response_for(status)) is not None:
        return found
    for other in api.operations:  # a status the operation does not document: borrow the API's usual shape
        if str(status) in other.responses:
            return other.responses[str(status)]
    if status >= 400:  # an error no operation documents (405, 413, 415, a server failure): the API's usual body
        for fallback in ("400", "422", "404"):
            for other in api.operations:
                if (found := other.responses.get(fallback)) is not None and found.json_schema is not None:
                    return found
    return None


def _fill(body: dict[str, Any], schema: Mapping[str, Any], status: int, message: str, details: str | None) -> None:
    props: Mapping[str, Any] = schema.get("properties") or {}
    message_set = False
    for name, sub in props.items():
        lowered, kind = name.lower(), sub.get("type")
        if kind == "object" and isinstance(body.get(name), dict):
            _fill(body[name], sub, status, message, details)
        elif kind == "string" and lowered in _MESSAGE_NAMES:
            body[name], message_set = message, True
        elif kind == "integer" and lowered in _STATUS_NAMES:
            body[name] = status
        elif kind == "integer" and "retry" in lowered:
            body[name] = 1
        elif kind == "string" and lowered == "code":
            body[name] = _code(sub, status)
        elif kind == "array" and lowered in _DETAIL_NAMES + _MESSAGE_NAMES + ("errors", "validations"):
            item = sub.get("items") or {}
            if isinstance(body.get(name), list) and body[name] and isinstance(body[name][0], dict):
                first = body[name][0]
                for key, prop in (item.get("properties") or {}).items():
                    if prop.get("type") == "string" and key.lower() in ("msg", "message", "detail", "error"):
                        first[key] = details or message
                body[name] = [first]
    for name, sub in props.items():
        if sub.get("type") == "string" and name.lower() in _DETAIL_NAMES:
            body[name] = (details or message) if message_set else message
            message_set = True


def _code(schema: Mapping[str, Any], status: int) -> str:
    options = schema.get("enum")
    hints = _CODE_HINTS.get(status, ())
    if not options:
        return hints[0] if hints else str(status)
    for hint in hints:
        for option in options:
            if isinstance(option, str) and hint in option.lower():
                return option
    return str(options[0])


def _deep_merge(target: dict[str, Any], extra: Mapping[str, Any], keep: tuple[str, ...]) -> None:
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _deep_merge(target[key], value, keep)
        elif key.lower() not in keep or key not in target:
            target[key] = value
