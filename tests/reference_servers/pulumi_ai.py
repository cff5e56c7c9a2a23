"""Reference server for `specs/pulumi-ai.yaml`: Pulumi Copilot conversations, messages, feedback, AI templates and
usage, in memory. Auth is `Authorization: token <TOKEN>`; every error body is `{"code": <status>, "message": ...}`.

Written from the API's documented behaviour, not generated from the spec, so that a contract run compares two
independent readings. Faults: see `SUPPORTED_FAULTS` and tests/reference_servers/faults.py.
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

from tests.reference_servers.common import BadInput, Field, api_app, error, is_str, json_body, query_int
from tests.reference_servers.common import validate_object as validate
from tests.reference_servers.faults import FaultSwitch

__all__ = ["SPEC_NAME", "SUPPORTED_FAULTS", "TOKEN", "create_app"]

SPEC_NAME = "pulumi-ai"
TOKEN = "pul-reference-token-3b9a77e1"
INT32_MAX = 2**31 - 1  # the spec bounds page and lookbackDuration as int32
PAGE_SIZE_MAX = 100  # the spec's decision (x-decision): the docs give no range
SUPPORTED_FAULTS = (
    "wrong_type",
    "missing_field",
    "undocumented_status",
    "server_error_on_edge",
    "accepts_invalid",
    "accepts_decided",
    "rejects_valid",
    "auth_not_enforced",
    "create_not_persisted",
    "wrong_content_type",
    "field_changed",
)

_CONVERSATION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_LANGUAGES = ("typescript", "python", "go")  # what the `rejects_valid` fault wrongly restricts `language` to
_ROLES = ("user", "assistant")
_BASE = "/api/orgs/{orgName}/ai/conversations"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def create_app(fault: str | None = None) -> Starlette:
    """The Pulumi AI API over in-memory dictionaries."""
    faults = FaultSwitch(fault)
    # (org, user, conversation id) -> conversation; messages and feedback by the same key
    conversations: dict[tuple[str, str, str], dict[str, Any]] = {}
    messages: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    feedback: list[dict[str, Any]] = []

    def fail(status: int, message: str) -> Response:
        return error(faults, status, {"code": status, "message": message})

    def authorised(request: Request) -> bool:
        return faults("auth_not_enforced") or request.headers.get("authorization") == f"token {TOKEN}"

    def render(conversation: dict[str, Any]) -> dict[str, Any]:
        if faults("wrong_type"):
            created = datetime.strptime(conversation["created"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            return {**conversation, "created": int(created.timestamp())}
        return dict(conversation)

    def paging(request: Request) -> tuple[int, int]:
        page = query_int(request, "page", minimum=1, maximum=INT32_MAX) or 1
        # `accepts_decided`: a deployment that clamps a large page size instead of refusing it
        maximum = None if faults("accepts_decided") else PAGE_SIZE_MAX
        size = query_int(request, "pageSize", minimum=1, maximum=maximum) or 20
        return page, min(size, PAGE_SIZE_MAX)

    def key(request: Request) -> tuple[str, str, str]:
        params = request.path_params
        return params["orgName"], params["userLogin"], params["conversationID"]

    async def template(request: Request) -> Response:
        body = validate(
            await json_body(request),
            {
                "language": Field(is_str, required=True),
                "instructions": Field(is_str, required=True),
                "conversationId": Field(is_str),
                "connectionId": Field(is_str),
            },
        )
        if faults("rejects_valid") and body["language"] not in _LANGUAGES:
            raise BadInput("unsupported language")
        return JSONResponse({"language": body["language"], "files": {"index.ts": "// generated"}})

    async def org_conversations(request: Request) -> Response:
        page, size = paging(request)
        if faults("server_error_on_edge") and size == 100:
            return fail(500, "internal error")
        org = request.path_params["orgName"]
        found = [render(c) for (o, _, _), c in conversations.items() if o == org]
        return JSONResponse({"conversations": found[(page - 1) * size : page * size]})

    async def user_conversations(request: Request) -> Response:
        org, user = request.path_params["orgName"], request.path_params["userLogin"]
        if request.method == "GET":
            page, size = paging(request)
            found = [render(c) for (o, u, _), c in conversations.items() if (o, u) == (org, user)]
            return JSONResponse({"conversations": found[(page - 1) * size : page * size]})
        body = validate(
            await json_body(request),
            {
                "conversation_id": Field(is_str, required=True, rule=lambda v: bool(_CONVERSATION_ID.match(v))),
                "origin": Field(is_str),
            },
        )
        conversation_key = (org, user, body["conversation_id"])
        if conversation_key in conversations:
            return fail(409, "conversation id already registered")
        conversation = {"id": body["conversation_id"], "created": _now(), "title": "", "summary": ""}
        if not faults("create_not_persisted"):
            conversations[conversation_key] = conversation
            messages[conversation_key] = []
        if faults("undocumented_status"):
            return JSONResponse({"id": conversation["id"]}, status_code=201)
        return Response(status_code=204)

    async def conversation(request: Request) -> Response:
        conversation_key = key(request)
        if request.method == "GET":
            page, size = paging(request)
            if conversation_key not in conversations:
                return fail(404, "conversation")
            body: dict[str, Any] = {"conversation": render(conversations[conversation_key])}
            if not faults("missing_field"):
                body["messages"] = messages[conversation_key][(page - 1) * size : page * size]
            return JSONResponse(body)
        patch = validate(
            await json_body(request), {"title": Field(is_str, required=True), "summary": Field(is_str, required=True)}
        )
        if conversation_key not in conversations:
            return fail(404, "conversation")
        stored = conversations[conversation_key]
        stored["title"] = patch["title"]
        if not faults("field_changed"):
            stored["summary"] = patch["summary"]
        return Response(status_code=204)

    async def submit_feedback(request: Request) -> Response:
        body = validate(
            await json_body(request),
            {
                "feedbackKind": Field(is_str, required=True, rule=lambda v: v in ("thumbsup", "thumbsdown")),
                "comment": Field(is_str, required=True),
            },
        )
        if key(request) not in conversations:
            return fail(404, "conversation")
        feedback.append({"conversation": key(request), **body})
        return Response(status_code=204)

    async def append_message(request: Request) -> Response:
        body = validate(
            await json_body(request),
            {
                "model": Field(is_str, required=True),
                "message": Field(is_str, required=True),
                "message_schema_version": Field(is_str, required=True),
                "skills": Field(is_str, required=True),
                "role": Field(is_str, required=True, rule=lambda v: v in _ROLES),
            },
        )
        conversation_key = key(request)
        if conversation_key not in conversations:
            return fail(404, "conversation")
        thread = messages[conversation_key]
        new = [body] if body["role"] == "assistant" else [body, {**body, "role": "assistant", "message": "Sure."}]
        for item in new:
            parent = thread[-1]["id"] if thread else None
            thread.append(
                {
                    "id": str(uuid.uuid4()),
                    "created": _now(),
                    "model": item["model"],
                    "role": item["role"],
                    "message": item["message"],
                    "message_schema_version": item["message_schema_version"],
                    "skills": item["skills"],
                    "parent_conversation_message_id": parent,
                }
            )
        return Response(status_code=204)

    async def fetch_program(request: Request) -> Response:
        # Programs are produced by Pulumi AI itself; this server generates none, so every program is unknown.
        return fail(404, "conversation or program")

    async def usage(request: Request) -> Response:
        minimum = None if faults("accepts_invalid") else 1
        query_int(request, "lookbackDuration", minimum=minimum, maximum=INT32_MAX)
        sent = sum(1 for thread in messages.values() for item in thread if item["role"] == "user")
        return JSONResponse({"messages_sent": sent})

    def guarded(handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            if not authorised(request):
                return fail(401, "Unauthorized")
            try:
                return await handler(request)
            except BadInput as exc:
                return fail(400, str(exc))

        return endpoint

    routes = [
        Route("/api/ai/template", guarded(template), methods=["POST"]),
        Route(_BASE, guarded(org_conversations), methods=["GET"]),
        Route(f"{_BASE}/{{userLogin}}", guarded(user_conversations), methods=["GET", "POST"]),
        Route(f"{_BASE}/{{userLogin}}/{{conversationID}}", guarded(conversation), methods=["GET", "PATCH"]),
        Route(f"{_BASE}/{{userLogin}}/{{conversationID}}/feedback", guarded(submit_feedback), methods=["POST"]),
        Route(f"{_BASE}/{{userLogin}}/{{conversationID}}/messages", guarded(append_message), methods=["POST"]),
        Route(
            f"{_BASE}/{{userLogin}}/{{conversationID}}/programs/{{programID}}.zip",
            guarded(fetch_program),
            methods=["GET"],
        ),
        Route("/api/user/ai/usage", guarded(usage), methods=["GET"]),
    ]
    return api_app(routes, faults, lambda status, message: {"code": status, "message": message})
