"""Whether a request matches a stub's `match`: path and query parameters, headers, body pointers, the prompt."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mock_server.messages import MockRequest
from mock_server.models import ApiModel, Operation
from mock_server.pointers import get_pointer
from mock_server.replies import prompt_text, reply_rule
from mock_server.stubs.definition import Condition, Stub

__all__ = ["matches"]

_MISSING = object()


def matches(stub: Stub, api: ApiModel, op: Operation, request: MockRequest) -> bool:
    """Whether every condition of `stub` holds for `request` (a stub without conditions matches every call)."""
    return (_all(stub.path, request.path_params)
            and _all(stub.query, request.query)
            and _all(stub.headers, request.headers)
            and all(_holds(c, get_pointer(request.body, pointer, _MISSING)) for pointer, c in stub.body.items())
            and (stub.prompt is None or _prompt_holds(stub.prompt, api, op, request.body)))


def _all(conditions: Mapping[str, Condition], values: Mapping[str, Any]) -> bool:
    return all(_holds(condition, values.get(name, _MISSING)) for name, condition in conditions.items())


def _holds(condition: Condition, value: Any) -> bool:
    return value is not _MISSING and condition.test(value)


def _prompt_holds(condition: Condition, api: ApiModel, op: Operation, body: Any) -> bool:
    rule = reply_rule(api, op)
    return rule is not None and condition.test(prompt_text(rule, body))
