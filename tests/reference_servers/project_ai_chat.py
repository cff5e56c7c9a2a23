"""Reference server for `specs/project-ai-chat.yaml`: a project's AI assistant (one operation), bearer auth, error
body `{"status", "code", "message", "details"?}`, and a per-project rate limit answered with 429 + `Retry-After`.

Written from the API's documented behaviour, not generated from the spec. Faults: see `SUPPORTED_FAULTS`.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict, deque
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.reference_servers.common import BadInput, Field, api_app, error, is_str, json_body
from tests.reference_servers.common import validate_object as validate
from tests.reference_servers.faults import FaultSwitch

__all__ = ["HEADERS", "RATE_LIMIT", "SPEC_NAME", "SUPPORTED_FAULTS", "TOKEN", "create_app"]

SPEC_NAME = "project-ai-chat"
TOKEN = "mv-reference-token-8d2c41"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
SUPPORTED_FAULTS = ("missing_header", "server_error_on_edge", "wrong_type", "auth_not_enforced")
RATE_LIMIT = (8, 60.0)  # requests per project, per window of seconds

_PROJECT_ID = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
_CODES = {400: "validation_failed", 401: "unauthorized", 404: "project_not_found", 500: "internal_error"}


def _is_list(value: Any) -> bool:
    return isinstance(value, list)


def _routing_error(status: int, message: str) -> dict[str, Any]:
    return {"status": status, "code": "not_found" if status == 404 else "bad_request", "message": message}


def _is_message(value: Any) -> bool:
    return isinstance(value, dict) and is_str(value.get("role")) and is_str(value.get("content"))


def create_app(fault: str | None = None) -> Starlette:
    """The project AI chat API; every project exists (none can be created or deleted through this API)."""
    faults = FaultSwitch(fault)
    calls: dict[str, deque[float]] = defaultdict(deque)

    def fail(status: int, message: str, details: str | None = None) -> Response:
        body: dict[str, Any] = {"status": status, "code": _CODES.get(status, "bad_request"), "message": message}
        if details is not None:
            body["details"] = details
        if faults("wrong_type"):
            body["status"] = str(status)
        return error(faults, status, body)

    def rate_limited(project: str) -> Response | None:
        limit, window = RATE_LIMIT
        now = time.monotonic()
        recent = calls[project]
        while recent and now - recent[0] > window:
            recent.popleft()
        if len(recent) < limit:
            recent.append(now)
            return None
        retry_after = int(window - (now - recent[0])) + 1
        headers = {} if faults("missing_header") else {"Retry-After": str(retry_after)}
        body = {"status": 429, "code": "rate_limited", "message": "Too many requests", "retryAfter": retry_after}
        return error(faults, 429, body, headers)

    async def chat(request: Request) -> Response:
        if not faults("auth_not_enforced") and request.headers.get("authorization") != f"Bearer {TOKEN}":
            return fail(401, "Unauthorized, authentication required")
        project = request.path_params["projectId"]
        limited = rate_limited(project)  # every authenticated call counts, valid or not
        if limited is not None:
            return limited
        try:
            if not (8 <= len(project) <= 60 and _PROJECT_ID.match(project)):
                raise BadInput("Project id must be 8 to 60 lowercase letters, digits or dashes")
            body = validate(
                await json_body(request),
                {"messages": Field(_is_list, required=True, rule=lambda v: bool(v) and all(map(_is_message, v)))},
            )
        except BadInput as exc:
            return fail(400, "Validation failed", str(exc))
        if faults("server_error_on_edge") and len(project) == 60:
            return fail(500, "Internal server error")
        question = body["messages"][-1]["content"]
        return JSONResponse({"message": {"role": "assistant", "content": f"About {project}: {question[:40]}"}})

    routes = [Route("/v1/projects/{projectId}/ai/chat", chat, methods=["POST"])]
    return api_app(routes, faults, _routing_error)
