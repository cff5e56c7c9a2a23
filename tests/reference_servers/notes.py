"""Reference server for the runner's own fixture spec `notes.yaml` next to this module (bearer auth, mounted at
`/notes-api`): a correct in-memory implementation, plus faults from the catalogue and a request log."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.reference_servers.common import BadInput, Field, error, is_bool, is_str, json_body, query_int
from tests.reference_servers.common import validate_object as validate
from tests.reference_servers.faults import FaultSwitch

__all__ = ["PREFIX", "SPEC", "SUPPORTED_FAULTS", "TOKEN", "create_app"]

SPEC = Path(__file__).resolve().with_name("notes.yaml")
PREFIX = "/notes-api"
TOKEN = "notes-secret-token-4c1f"
SUPPORTED_FAULTS = ("wrong_type", "field_changed", "create_not_persisted", "auth_not_enforced", "missing_header")

_NOTE_INPUT = {
    "title": Field(is_str, required=True, rule=lambda value: 1 <= len(value) <= 100),
    "pinned": Field(is_bool),
}


def create_app(fault: str | None = None, *, rate_limit: int | None = None) -> Starlette:
    """The notes API; `rate_limit` caps successful creates (then 429 with Retry-After); `app.state.methods`
    records the method of every request received."""
    faults = FaultSwitch(fault)
    notes: dict[str, dict[str, Any]] = {}
    methods: list[str] = []
    created = 0

    def authorised(request: Request) -> bool:
        return faults("auth_not_enforced") or request.headers.get("authorization") == f"Bearer {TOKEN}"

    def render(note: dict[str, Any]) -> dict[str, Any]:
        return {**note, "pinned": "yes"} if faults("wrong_type") else note

    async def collection(request: Request) -> Response:
        nonlocal created
        methods.append(request.method)
        if not authorised(request):
            return error(faults, 401, {"message": "unauthorized"})
        try:
            if request.method == "GET":
                limit = query_int(request, "limit", minimum=1, maximum=100) or 100
                return JSONResponse({"items": [render(note) for note in list(notes.values())[:limit]]})
            body = validate(await json_body(request), _NOTE_INPUT)
        except BadInput as exc:
            return error(faults, 400, {"message": str(exc)})
        if rate_limit is not None and created >= rate_limit:
            headers = {} if faults("missing_header") else {"Retry-After": "30"}
            return error(faults, 429, {"message": "too many notes"}, headers)
        created += 1
        title = body["title"].upper() if faults("field_changed") else body["title"]
        note = {"id": str(uuid.uuid4()), "title": title, "pinned": body.get("pinned", False)}
        if not faults("create_not_persisted"):
            notes[note["id"]] = note
        return JSONResponse(render(note), status_code=201)

    async def item(request: Request) -> Response:
        methods.append(request.method)
        if not authorised(request):
            return error(faults, 401, {"message": "unauthorized"})
        note_id = request.path_params["noteId"]
        if note_id not in notes:
            return error(faults, 404, {"message": "note not found"})
        if request.method == "DELETE":
            del notes[note_id]
            return Response(status_code=204)
        return JSONResponse(render(notes[note_id]))

    app = Starlette(
        routes=[
            Route(f"{PREFIX}/notes", collection, methods=["GET", "POST"]),
            Route(f"{PREFIX}/notes/{{noteId}}", item, methods=["GET", "DELETE"]),
        ]
    )
    app.state.methods = methods
    return app
