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
    parents, last = _split(pointer)
    node = doc
    for token in parents:  # the common case: every container on the way is there
        if type(node) is dict:
            node = node.get(token)
        elif type(node) is list and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            node = None
        if type(node) is not dict and type(node) is not list:
            _set_creating(doc, _tokens(pointer), value)
            return
    if type(node) is list:
        position = int(last)
        if position == len(node):
            node.append(value)
        else:
            node[position] = value
    else:
        node[last] = value


@functools.lru_cache(maxsize=4096)
def _split(pointer: str) -> tuple[tuple[str, ...], str]:
    tokens = _tokens(pointer)
    if not tokens:
        raise ValueError("cannot set the whole document through a pointer")
    return tokens[:-1], tokens[-1]


def _set_creating(doc: Any, tokens: tuple[str, ...], value: Any) -> None:
    """`set_pointer` when a container on the way is missing (or not a container): create it."""
    node = doc
    for index, token in enumerate(tokens):
        last = index == len(tokens) - 1
        fresh: Any = value if last else ([] if tokens[index + 1].isdigit() else {})
        if isinstance(node, list):
            position = int(token)
            if position == len(node):
                node.append(fresh)
            elif last:
                node[position] = value
            elif not isinstance(node[position], (dict, list)):
                node[position] = fresh
            node = node[position]
        else:
            if last:
                node[token] = value
            elif not isinstance(node.get(token), (dict, list)):
                node[token] = fresh
            node = node[token]


def remove_pointer(doc: Any, pointer: str) -> None:
    """Delete the object member at `pointer`, if it is there."""
    tokens = _tokens(pointer)
    if not tokens:
        return
    parent = get_pointer(doc, "/" + "/".join(t.replace("~", "~0").replace("/", "~1") for t in tokens[:-1]))
    if isinstance(parent, dict):
        parent.pop(tokens[-1], None)
