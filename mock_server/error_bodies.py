"""Error responses in each API's own shape: the schema the spec documents for that status, filled sensibly.

Fields are recognised by name: message-like strings get the message, status-like integers the status, a `code`
the value the response's own example gives (else the enum value that best names the status). Given the request's
`Violation`s, a list of error objects gets one item per problem, and the fields that mean the offending field
(`field`, `param`, `loc`, `pointer`, `source.pointer`...) or its kind (`type`) carry the real ones. The spec root's
`x-mock.errors` can fix any field per status.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from mock_server.generation import FakeGenerator
from mock_server.messages import MockResponse
from mock_server.models import ApiModel, Operation, ResponseDef
from mock_server.shaping import conform
from mock_server.violations import Violation

__all__ = ["error_response", "response_headers"]

_MESSAGE_NAMES = ("message", "error_description", "errormessage", "msg")
_DETAIL_NAMES = ("detail", "details", "description", "error")
_STATUS_NAMES = ("status", "statuscode", "status_code", "code", "httpstatus")
_LIST_NAMES = ("errors", "validations", "violations", "problems", "issues", "invalid_params", "invalidparams",
               "fields", "field_errors", "fielderrors")
_FIELD_NAMES = ("field", "param", "parameter", "property", "attribute", "name", "fieldname", "field_name", "key")
_POINTER_NAMES = ("pointer", "jsonpointer", "json_pointer", "path")
_LOCATION_NAMES = ("loc", "location", "locations")
_KIND_NAMES = ("type", "kind", "errortype", "error_type")
# At the top of an error body `name`, `path` and `type` usually mean something else (an error class, the request
# path, a problem type URI): only these name the offending field there.
_TOP_FIELD_NAMES = ("field", "param", "parameter", "property", "attribute", "fieldname", "field_name", "pointer",
                    "jsonpointer", "json_pointer", "errortype", "error_type")
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
                   details: str | None = None, violations: Sequence[Violation] = ()) -> MockResponse:
    """The response for an error status, with a body in the API's documented error shape."""
    definition = _definition(api, op, status)
    schema = definition.json_schema if definition is not None else None
    headers = response_headers(definition, gen)
    if definition is not None and not definition.content:
        return MockResponse(status, None, None, headers)
    if schema is None:
        return MockResponse(status, {"message": message, **({"details": details} if details else {})},
                            "application/json", headers)
    if schema.get("type") == "string":  # an error documented as plain text: the text is the message
        return MockResponse(status, message, definition.json_media_type if definition else None, headers)
    body = gen.value(schema, "error")
    if isinstance(body, dict):
        # a code the spec's own example gives, only from a response documented for this very status
        example = next(iter(definition.examples.values()), None) \
            if definition is not None and definition.status == str(status) else None
        _Filler(status, message, details, tuple(violations)).fill(body, schema, example)
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


def _is_error_list(lowered: str) -> bool:
    """Whether an array property holds the problems (`errors`, `invalid_parameters`, `validationErrors`...)."""
    return lowered in _DETAIL_NAMES + _MESSAGE_NAMES + _LIST_NAMES or \
        any(word in lowered for word in ("error", "invalid", "violation", "problem", "issue", "validation"))


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _is_object(schema: Mapping[str, Any] | None) -> bool:
    return schema is not None and (schema.get("type") == "object" or "properties" in schema)


def _definition(api: ApiModel, op: Operation | None, status: int) -> ResponseDef | None:
    if op is not None and (found := op.response_for(status)) is not None:
        return found
    for other in api.operations:  # a status the operation does not document: borrow the API's usual shape
        if str(status) in other.responses and _is_object(other.responses[str(status)].json_schema):
            return other.responses[str(status)]
    if status >= 400:  # an error no operation documents (405, 413, 415, a server failure): the API's usual body
        for fallback in ("400", "422", "404"):
            for other in api.operations:
                if (found := other.responses.get(fallback)) is not None and _is_object(found.json_schema):
                    return found
    return None


class _Filler:
    """Writes the status, the message and the violations into a generated error body, by field name."""

    def __init__(self, status: int, message: str, details: str | None, violations: tuple[Violation, ...]) -> None:
        self.status, self.message, self.details, self.violations = status, message, details, violations

    def fill(self, body: dict[str, Any], schema: Mapping[str, Any], example: Any) -> None:
        props: Mapping[str, Any] = schema.get("properties") or {}
        example = example if isinstance(example, Mapping) else {}
        message_set = False
        for name, sub in props.items():
            lowered, kind = name.lower(), sub.get("type")
            if kind == "object" and isinstance(body.get(name), dict):
                self.fill(body[name], sub, example.get(name))
            elif kind == "string" and lowered in _MESSAGE_NAMES:
                body[name], message_set = self.message, True
            elif kind == "integer" and lowered in _STATUS_NAMES:
                body[name] = self.status
            elif kind == "integer" and "retry" in lowered:
                body[name] = 1
            elif lowered in ("code", "error_code", "errorcode") and kind == "string":
                body[name] = _code(sub, self.status, example.get(name))
            elif kind == "array" and _is_error_list(lowered):
                self._fill_list(body, name, sub)
            elif kind == "string" and lowered == "title" and not sub.get("enum"):
                body[name] = _phrase(self.status)  # RFC 9457: a short summary of the problem type
            elif kind == "string" and lowered == "type" and sub.get("format") in ("uri", "uri-reference"):
                body[name] = "about:blank"  # RFC 9457: no further semantics than the status
            elif kind == "string" and lowered == "type":
                body[name] = _code(sub, self.status, example.get(name))
            elif kind == "string" and lowered in _TOP_FIELD_NAMES:
                if self.violations:
                    body[name] = self._item_value(lowered, self.violations[0], sub)
                elif name not in (schema.get("required") or ()):
                    body.pop(name, None)  # no field is at fault: say nothing rather than a made-up name
        for name, sub in props.items():
            if sub.get("type") == "string" and name.lower() in _DETAIL_NAMES:
                body[name] = (self.details or self.message) if message_set else self.message
                message_set = True

    def _fill_list(self, body: dict[str, Any], name: str, schema: Mapping[str, Any]) -> None:
        item_schema = schema.get("items") or {}
        current = body.get(name)
        if item_schema.get("type") == "string":
            body[name] = [v.text for v in self.violations] or [self.details or self.message]
            return
        if not (isinstance(current, list) and current and isinstance(current[0], dict)):
            return
        template = current[0]
        items = []
        for violation in self.violations or (None,):
            item = dict(template)
            self._fill_item(item, item_schema, violation)
            items.append(item)
        body[name] = items

    def _fill_item(self, item: dict[str, Any], schema: Mapping[str, Any], violation: Violation | None) -> None:
        for key, prop in (schema.get("properties") or {}).items():
            lowered, kind = key.lower(), prop.get("type")
            if kind == "string" and lowered in ("msg", "message", "detail", "error", "description", "reason"):
                item[key] = violation.message if violation else (self.details or self.message)
            elif violation is None:  # an error about no field (not found, forced): nothing made up
                if kind == "string" and lowered in _KIND_NAMES and not prop.get("enum"):
                    item[key] = _CODE_HINTS.get(self.status, ("error",))[0]
                elif kind == "array" and lowered in _LOCATION_NAMES and not prop.get("minItems"):
                    item[key] = []
            elif kind == "array" and lowered in _LOCATION_NAMES + ("path",):
                item[key] = list(violation.location)
            elif kind == "object" and isinstance(item.get(key), dict):  # JSON:API `source: {pointer, parameter}`
                self._fill_item(item[key], prop, violation)
            elif kind == "string" and lowered in _FIELD_NAMES + _POINTER_NAMES + _KIND_NAMES + _LOCATION_NAMES:
                item[key] = self._item_value(lowered, violation, prop)
            elif kind == "string" and lowered in ("code", "error_code", "errorcode") and not prop.get("enum"):
                item[key] = violation.kind

    @staticmethod
    def _item_value(lowered: str, violation: Violation, schema: Mapping[str, Any]) -> Any:
        if lowered in _POINTER_NAMES:
            value: Any = violation.pointer if violation.location[:1] == ("body",) else violation.field
        elif lowered in _KIND_NAMES:
            value = violation.kind
        elif lowered in _LOCATION_NAMES:
            value = str(violation.location[0]) if violation.location else "body"
        else:
            value = violation.field
        options = schema.get("enum")
        if options and value not in options:
            return options[0] if lowered not in _KIND_NAMES else next(
                (o for o in options if isinstance(o, str) and o in str(value)), options[0])
        return value


def _code(schema: Mapping[str, Any], status: int, documented: Any = None) -> str:
    options = schema.get("enum")
    if isinstance(documented, str) and (not options or documented in options):
        return documented  # the code the response's own example gives for this status
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
