"""Compact UTF-8 JSON for everything the mock sends: orjson, with the standard library for what orjson refuses."""

from __future__ import annotations

import json
from typing import Any

import orjson

__all__ = ["dump_json", "dump_json_text"]


def dump_json(value: Any) -> bytes:
    """`value` as compact JSON bytes, non-ASCII kept as UTF-8 (orjson: ~15x faster than `json.dumps`)."""
    try:
        return orjson.dumps(value)
    except (orjson.JSONEncodeError, TypeError):  # an int past 64 bits, a non-string key: json can
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def dump_json_text(value: Any) -> str:
    """`dump_json` as text (WebSocket text frames, SSE data lines)."""
    return dump_json(value).decode()
