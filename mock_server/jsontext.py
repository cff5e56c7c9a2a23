"""JSON documents: compact UTF-8 text for everything the mock sends (orjson, with the standard library for what
orjson refuses), and fast deep copies."""

from __future__ import annotations

import copy
import json
import marshal
from typing import Any

import orjson

__all__ = ["copy_json", "dump_json", "dump_json_text"]


def dump_json(value: Any) -> bytes:
    """`value` as compact JSON bytes, non-ASCII kept as UTF-8 (orjson: ~15x faster than `json.dumps`)."""
    try:
        return orjson.dumps(value)
    except (orjson.JSONEncodeError, TypeError):  # an int past 64 bits, a non-string key: json can
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def dump_json_text(value: Any) -> str:
    """`dump_json` as text (WebSocket text frames, SSE data lines)."""
    return dump_json(value).decode()


def copy_json(value: Any) -> Any:
    """A deep copy of a JSON-like document; `marshal` does it in C, ~10x faster than `copy.deepcopy`."""
    try:
        return marshal.loads(marshal.dumps(value))
    except ValueError:  # a value marshal does not know (none of JSON's types)
        return copy.deepcopy(value)
