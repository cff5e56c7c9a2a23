"""JSON Pointers (RFC 6901) into plain JSON values: read one, or set one, creating the containers on the way."""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["get_pointer", "remove_pointer", "set_pointer"]

_MISSING = object()


@functools.lru_cache(maxsize=4096)  # pointers come from specs: a few hundred, parsed again and again
def _tokens(pointer: str) -> tuple[str, ...]:
    if not pointer or pointer == "/":
        return ()
    return tuple(t.replace("~1", "/").replace("~0", "~") for t in pointer.lstrip("/").split("/"))


def get_pointer(doc: Any, pointer: str, default: Any = None) -> Any:
    """The value at `pointer`, or `default` when any step is missing."""
    node = doc
    for token in _tokens(pointer):
        if isinstance(node, dict):
            node = node.get(token, _MISSING)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return default
        if node is _MISSING:
            return default
    return node


def set_pointer(doc: Any, pointer: str, value: Any) -> None:
    """Put `value` at `pointer`; missing objects are created, and a list index one past the end appends."""
    tokens = _tokens(pointer)
    if not tokens:
        raise ValueError("cannot set the whole document through a pointer")
    node = doc
    last = len(tokens) - 1
    for index, token in enumerate(tokens):
        if index == last:
            if isinstance(node, list):
                position = int(token)
                if position == len(node):
                    node.append(value)
                else:
                    node[position] = value
            else:
                node[token] = value
            return
        fresh: Any = [] if tokens[index + 1].isdigit() else {}
        if isinstance(node, list):
            position = int(token)
            if position == len(node):
                node.append(fresh)
            elif not isinstance(node[position], (dict, list)):
                node[position] = fresh
            node = node[position]
        else:
            child = node.get(token)
            if not isinstance(child, (dict, list)):
                child = node[token] = fresh
            node = child


def remove_pointer(doc: Any, pointer: str) -> None:
    """Delete the object member at `pointer`, if it is there."""
    tokens = _tokens(pointer)
    if not tokens:
        return
    parent = get_pointer(doc, "/" + "/".join(t.replace("~", "~0").replace("/", "~1") for t in tokens[:-1]))
    if isinstance(parent, dict):
        parent.pop(tokens[-1], None)
