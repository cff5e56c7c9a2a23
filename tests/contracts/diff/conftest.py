"""Fixtures for the diff tests: a base spec as a dict, and a differ over two dicts."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from contracts.diff import diff_specs
from contracts.findings import Finding
from contracts.specfile import parse_spec_text

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "diff"


def _json(schema: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}


_BASE: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Chat API", "version": "1"},
    "security": [{"bearer": []}],
    "paths": {
        "/chats": {
            "get": {
                "operationId": "listChats",
                "summary": "List chats",
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    {"name": "order", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}},
                ],
                "responses": {
                    "200": {
                        "description": "Chats",
                        "content": {
                            "application/json": {
                                "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Chat"}}
                            }
                        },
                    }
                },
            },
            "post": {
                "operationId": "createChat",
                "requestBody": {"required": True, "content": _json("ChatInput")},
                "responses": {
                    "201": {"description": "Created", "content": _json("Chat")},
                    "400": {"description": "Invalid", "content": _json("Error")},
                },
            },
        },
        "/chats/{chatId}": {
            "parameters": [{"name": "chatId", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {
                "operationId": "getChat",
                "responses": {
                    "200": {"description": "The chat", "content": _json("Chat")},
                    "404": {"description": "Not found", "content": _json("Error")},
                },
            },
            "delete": {"operationId": "deleteChat", "responses": {"204": {"description": "Deleted"}}},
        },
    },
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-Key"},
        },
        "schemas": {
            "ChatInput": {
                "type": "object",
                "required": ["title"],
                "properties": {
                    "title": {"type": "string"},
                    "model": {"type": "string", "enum": ["small", "large"]},
                    "options": {"type": "object", "properties": {"temperature": {"type": "number"}}},
                },
            },
            "Chat": {
                "type": "object",
                "description": "A chat.",
                "required": ["id", "title", "status"],
                "properties": {
                    "id": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "string", "enum": ["open", "closed"]},
                    "messages": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}},
                    "parent": {"$ref": "#/components/schemas/Chat"},
                },
            },
            "Message": {
                "type": "object",
                "required": ["role"],
                "properties": {
                    "role": {"type": "string", "enum": ["user", "assistant"]},
                    "replies": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}},
                },
            },
            "Error": {"type": "object", "properties": {"message": {"type": "string"}}},
        },
    },
}


@pytest.fixture
def fixtures_dir() -> Path:
    """tests/fixtures/diff."""
    return FIXTURES


@pytest.fixture
def base_spec() -> dict[str, Any]:
    """A fresh copy of the base spec."""
    return copy.deepcopy(_BASE)


@pytest.fixture
def diff_data() -> Callable[[dict[str, Any], dict[str, Any]], list[Finding]]:
    """Diff two specs given as dicts (dumped to YAML as old.yaml / new.yaml, so lines are real)."""

    def run(old: dict[str, Any], new: dict[str, Any]) -> list[Finding]:
        old_doc = parse_spec_text(yaml.safe_dump(old, sort_keys=False), name="old.yaml")
        new_doc = parse_spec_text(yaml.safe_dump(new, sort_keys=False), name="new.yaml")
        return diff_specs(old_doc, new_doc)

    return run
