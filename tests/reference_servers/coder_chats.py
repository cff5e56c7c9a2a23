"""Reference server for the core of `specs/coder-chats.yaml`: chats (list, create, get, update, interrupt,
regenerate title), their messages (list, send, edit) and the model list, in memory. Auth is the
`Coder-Session-Token` header; errors are Coder's `{"message", "detail"?, "validations"?}`.

File uploads, diffs, prompts and the WebSocket streams are not implemented: runs select `CORE_OPERATIONS`
(WebSocket operations are skipped by the runner anyway). Written from the API's documented behaviour, not
generated from the spec. Faults: see `SUPPORTED_FAULTS`.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.reference_servers.common import (
    BadInput,
    Field,
    api_app,
    error,
    is_bool,
    is_int,
    is_str,
    json_body,
    query_int,
)
from tests.reference_servers.common import validate_object as validate
from tests.reference_servers.faults import FaultSwitch

__all__ = ["CORE_OPERATIONS", "HEADERS", "SPEC_NAME", "SUPPORTED_FAULTS", "TOKEN", "create_app"]

SPEC_NAME = "coder-chats"
TOKEN = "coder-reference-session-5e0d9a"
HEADERS = {"Coder-Session-Token": TOKEN}
CORE_OPERATIONS = (
    "^(listChats|createChat|getChat|updateChat|interruptChat|regenerateChatTitle"
    "|listChatMessages|sendChatMessage|editChatMessage|listChatModels)$"
)
SUPPORTED_FAULTS = (
    "field_changed",
    "wrong_type",
    "missing_field",
    "undocumented_status",
    "auth_not_enforced",
    "create_not_persisted",
    "accepts_invalid",
    "rejects_valid",
)

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_OWNER = "8826ee2e-7933-4665-aef2-2393f84a0d05"
_INT64 = (-(2**63), 2**63 - 1)
_PART_TYPES = frozenset(
    {"context-file", "file", "file-reference", "reasoning", "skill", "source", "text", "tool-call", "tool-result"}
)
_BUSY_BEHAVIOURS = ("queue", "interrupt")  # what the `rejects_valid` fault wrongly restricts busy_behavior to
_ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "QUERY"]


def _is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(_UUID.match(value))


def _is_uuid_list(value: Any) -> bool:
    return isinstance(value, list) and all(map(_is_uuid, value))


def _is_labels(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(item, str) for item in value.values())


def _is_input_part(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    try:
        validate(
            value,
            {
                "type": Field(is_str, required=True),
                "content": Field(is_str),
                "text": Field(is_str),
                "file_name": Field(is_str),
                "file_id": Field(_is_uuid),
                "start_line": Field(is_int),
                "end_line": Field(is_int),
            },
        )
    except BadInput:
        return False
    return True


def _is_content(value: Any) -> bool:
    return isinstance(value, list) and all(map(_is_input_part, value))


def _is_tools(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(tool, dict) and is_str(tool.get("name", "")) and is_str(tool.get("description", ""))
        for tool in value
    )


_PLAN_MODE = Field(is_str, rule=lambda value: value == "plan")
_CREATE_CHAT = {
    "content": Field(_is_content, required=True),
    "client_type": Field(is_str, rule=lambda value: value in ("api", "ui")),
    "labels": Field(_is_labels),
    "mcp_server_ids": Field(_is_uuid_list),
    "model_config_id": Field(_is_uuid),
    "organization_id": Field(_is_uuid),
    "plan_mode": _PLAN_MODE,
    "system_prompt": Field(is_str),
    "unsafe_dynamic_tools": Field(_is_tools),
    "workspace_id": Field(_is_uuid),
}
_UPDATE_CHAT = {
    "archived": Field(is_bool),
    "labels": Field(_is_labels),
    "pin_order": Field(is_int),
    "plan_mode": _PLAN_MODE,
    "title": Field(is_str),
    "workspace_id": Field(_is_uuid),
}
_SEND_MESSAGE = {
    "content": Field(_is_content, required=True),
    "busy_behavior": Field(is_str),
    "mcp_server_ids": Field(_is_uuid_list),
    "model_config_id": Field(_is_uuid),
    "plan_mode": _PLAN_MODE,
}
_EDIT_MESSAGE = {"content": Field(_is_content, required=True), "model_config_id": Field(_is_uuid)}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _stored_part(part: dict[str, Any]) -> dict[str, Any]:
    """A message part as stored: input types outside the known part types are kept as text."""
    stored = {key: value for key, value in part.items() if key in ("text", "content")}
    stored["type"] = part["type"] if part["type"] in _PART_TYPES else "text"
    return stored


def _title(content: list[dict[str, Any]]) -> str:
    text = " ".join(part.get("text") or part.get("content") or "" for part in content).strip()
    return text[:60] or "New chat"


def create_app(fault: str | None = None) -> Starlette:
    """The core Coder chats API over in-memory dictionaries."""
    faults = FaultSwitch(fault)
    chats: dict[str, dict[str, Any]] = {}
    messages: dict[str, list[dict[str, Any]]] = {}
    next_message_id = 1

    def fail(status: int, message: str, detail: str | None = None) -> Response:
        body: dict[str, Any] = {"message": message}
        if detail is not None:
            body["detail"] = detail
        return error(faults, status, body)

    def render(chat: dict[str, Any]) -> dict[str, Any]:
        shown = dict(chat)
        if faults("wrong_type"):
            shown["pin_order"] = str(chat["pin_order"])
        if faults("missing_field"):
            shown.pop("title")
        return shown

    def chat_for(request: Request) -> dict[str, Any] | None:
        chat_id = request.path_params["chat"]
        if not _is_uuid(chat_id):
            raise BadInput("chat is not a valid UUID")
        return chats.get(chat_id.lower())

    def store_message(chat_id: str, role: str, content: list[dict[str, Any]], model: str | None) -> dict[str, Any]:
        nonlocal next_message_id
        parts = [_stored_part(part) for part in content]
        message = {"id": next_message_id, "chat_id": chat_id, "role": role, "content": parts, "created_at": _now()}
        if model is not None:
            message["model_config_id"] = model
        next_message_id += 1
        messages[chat_id].append(message)
        return message

    async def collection(request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse([render(chat) for chat in chats.values()])
        body = validate(await json_body(request), _CREATE_CHAT)
        now = _now()
        chat: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "owner_id": _OWNER,
            "title": _title(body["content"]),
            "status": "waiting",
            "archived": False,
            "client_type": "ui" if faults("field_changed") else body.get("client_type", "api"),
            "labels": body.get("labels", {}),
            "mcp_server_ids": body.get("mcp_server_ids", []),
            "children": [],
            "files": [],
            "warnings": [],
            "has_unread": False,
            "pin_order": 0,
            "created_at": now,
            "updated_at": now,
        }
        for name in ("organization_id", "workspace_id", "plan_mode"):
            if name in body:
                chat[name] = body[name]
        if "model_config_id" in body:
            chat["last_model_config_id"] = body["model_config_id"]
        if not faults("create_not_persisted"):
            chats[chat["id"]] = chat
            messages[chat["id"]] = []
            store_message(chat["id"], "user", body["content"], body.get("model_config_id"))
        return JSONResponse(render(chat), status_code=201)

    async def item(request: Request) -> Response:
        update = validate(await json_body(request), _UPDATE_CHAT) if request.method == "PATCH" else None
        chat = chat_for(request)
        if chat is None:
            return fail(404, "Resource not found or you do not have access to this resource")
        if update is None:
            return JSONResponse(render(chat))
        chat.update(update)
        chat["updated_at"] = _now()
        if faults("undocumented_status"):
            return JSONResponse(render(chat))
        return Response(status_code=204)

    async def interrupt(request: Request) -> Response:
        chat = chat_for(request)
        if chat is None:
            return fail(404, "Resource not found or you do not have access to this resource")
        chat["status"] = "waiting"
        return JSONResponse(render(chat))

    async def regenerate_title(request: Request) -> Response:
        chat = chat_for(request)
        if chat is None:
            return fail(404, "Resource not found or you do not have access to this resource")
        chat["title"] = f"{chat['title'][:50]} (renamed)"
        return JSONResponse(render(chat))

    async def chat_messages(request: Request) -> Response:
        if request.method == "GET":
            before = query_int(request, "before_id", minimum=_INT64[0], maximum=_INT64[1])
            after = query_int(request, "after_id", minimum=_INT64[0], maximum=_INT64[1])
            limit = query_int(request, "limit", minimum=1, maximum=None if faults("accepts_invalid") else 200) or 50
            chat = chat_for(request)
            if chat is None:
                return fail(404, "Resource not found or you do not have access to this resource")
            found = [
                message
                for message in messages[chat["id"]]
                if (before is None or message["id"] < before) and (after is None or message["id"] > after)
            ]
            return JSONResponse({"messages": found[:limit], "has_more": len(found) > limit, "queued_messages": []})
        body = validate(await json_body(request), _SEND_MESSAGE)
        if faults("rejects_valid") and body.get("busy_behavior", "queue") not in _BUSY_BEHAVIOURS:
            raise BadInput("busy_behavior must be queue or interrupt")
        chat = chat_for(request)
        if chat is None:
            return fail(404, "Resource not found or you do not have access to this resource")
        sent = store_message(chat["id"], "user", body["content"], body.get("model_config_id"))
        store_message(chat["id"], "assistant", [{"type": "text", "text": "Done."}], None)
        return JSONResponse({"message": sent, "queued": False, "warnings": []})

    async def edit_message(request: Request) -> Response:
        body = validate(await json_body(request), _EDIT_MESSAGE)
        chat = chat_for(request)
        raw_id = request.path_params["message"]
        if not raw_id.removeprefix("-").isdigit() or not _INT64[0] <= int(raw_id) <= _INT64[1]:
            raise BadInput("message must be a 64-bit integer")
        found = [m for m in messages[chat["id"]] if m["id"] == int(raw_id)] if chat is not None else []
        if not found:
            return fail(404, "Resource not found or you do not have access to this resource")
        message = found[0]
        message["content"] = [_stored_part(part) for part in body["content"]]
        if "model_config_id" in body:
            message["model_config_id"] = body["model_config_id"]
        return JSONResponse({"message": message, "warnings": []})

    async def models(request: Request) -> Response:
        if request.method != "GET":  # the path is not a chat id: other methods are not allowed here
            return error(faults, 405, {"message": "Method not allowed"}, {"Allow": "GET"})
        model = {"id": "claude-sonnet", "provider": "anthropic", "model": "claude-sonnet", "display_name": "Sonnet"}
        return JSONResponse({"providers": [{"provider": "anthropic", "available": True, "models": [model]}]})

    def guarded(handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            if not faults("auth_not_enforced") and request.headers.get("coder-session-token") != TOKEN:
                return fail(401, "You must be logged in to use this endpoint.")
            try:
                return await handler(request)
            except BadInput as exc:
                return fail(400, "Invalid request.", str(exc))

        return endpoint

    base = "/api/experimental/chats"
    routes = [
        Route(base, guarded(collection), methods=["GET", "POST"]),
        Route(f"{base}/models", guarded(models), methods=_ANY_METHOD),
        Route(f"{base}/{{chat}}", guarded(item), methods=["GET", "PATCH"]),
        Route(f"{base}/{{chat}}/interrupt", guarded(interrupt), methods=["POST"]),
        Route(f"{base}/{{chat}}/title/regenerate", guarded(regenerate_title), methods=["POST"]),
        Route(f"{base}/{{chat}}/messages", guarded(chat_messages), methods=["GET", "POST"]),
        Route(f"{base}/{{chat}}/messages/{{message}}", guarded(edit_message), methods=["PATCH"]),
    ]
    return api_app(routes, faults, lambda status, message: {"message": message})
