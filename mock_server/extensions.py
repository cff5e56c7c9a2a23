"""The raw `x-` extensions of an operation, as written in the spec (for words the `Behaviour` model does not carry)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mock_server.models import ApiModel, Operation

__all__ = ["raw_operation", "x_mock"]


def raw_operation(api: ApiModel, op: Operation) -> Mapping[str, Any]:
    """The operation object of the spec, `$ref`s of the path item and the operation followed."""
    spec = api.spec
    item = spec.resolve((spec.document.get("paths") or {}).get(op.path) or {})
    node = spec.resolve(item.get(op.method) or {})
    return node if isinstance(node, Mapping) else {}


def x_mock(api: ApiModel, op: Operation) -> Mapping[str, Any]:
    """The operation's `x-mock` mapping (empty when it has none)."""
    node = raw_operation(api, op).get("x-mock")
    return node if isinstance(node, Mapping) else {}
