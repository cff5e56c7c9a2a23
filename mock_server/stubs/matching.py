"""Whether a request matches a stub's `match`: path and query parameters, headers, body pointers, the prompt."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mock_server.messages import MockRequest
from mock_server.models import ApiModel, Operation
from mock_server.pointers import get_pointer
from mock_server.replies import prompt_text, reply_rule
from mock_server.stubs.definition import Condition, Stub

__all__ = ["Call", "matches"]

_MISSING = object()


class Call:
    """One request as the stubs of its operation see it: the prompt is read once, when a stub first asks."""

    __slots__ = ("_prompt", "api", "op", "request")

    def __init__(self, api: ApiModel, op: Operation, request: MockRequest) -> None:
        self.api, self.op, self.request = api, op, request
        self._prompt: str | None = None

    def prompt(self) -> str:
        if self._prompt is None:
            rule = reply_rule(self.api, self.op)
            self._prompt = prompt_text(rule, self.request.body) if rule is not None else ""
        return self._prompt


def matches(stub: Stub, call: Call) -> bool:
    """Whether every condition of `stub` holds for the call (a stub without conditions matches every call)."""
    request = call.request
    return ((not stub.prompt or stub.prompt.test(call.prompt()))
            and (not stub.path or _all(stub.path, request.path_params))
            and (not stub.query or _all(stub.query, request.query))
            and (not stub.headers or _all(stub.headers, request.headers))
            and all(_holds(c, get_pointer(request.body, pointer, _MISSING)) for pointer, c in stub.body.items()))


def _all(conditions: Mapping[str, Condition], values: Mapping[str, Any]) -> bool:
    return all(_holds(condition, values.get(name, _MISSING)) for name, condition in conditions.items())


def _holds(condition: Condition, value: Any) -> bool:
    return value is not _MISSING and condition.test(value)
