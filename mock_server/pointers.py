"""JSON Pointers (RFC 6901) into plain JSON values: read one, or set one, creating the containers on the way."""

from __future__ import annotations

from typing import Any

__all__ = ["get_pointer", "remove_pointer", "set_pointer"]

_MISSING = object()


def _tokens(pointer: str) -> list[str]:
    if not pointer or pointer == "/":
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.lstrip("/").split("/")]


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
    for token, following in zip(tokens, tokens[1:] + [None], strict=True):
        last = following is None
        fresh: Any = value if last else ([] if following.isdigit() else {})
        if isinstance(node, list):
            index = int(token)
            if index == len(node):
                node.append(fresh)
            elif last:
                node[index] = value
            elif not isinstance(node[index], (dict, list)):
                node[index] = fresh
            node = node[index]
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
