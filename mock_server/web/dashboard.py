"""The dashboard: one HTML page (plain HTML/CSS/JS in `static/`, no build step, nothing fetched from elsewhere),
served to browsers at `/` and `/__mock/`, and the JSON it reads besides the admin API's own.

Content negotiation keeps tools unchanged: only a client whose `Accept` names `text/html` ahead of JSON (a
browser) gets the page; curl's `*/*`, `application/json` or no `Accept` get the JSON as before. The page takes
every API's base URL from `GET /` (JSON) and never builds one itself.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Mapping
from importlib.resources import files
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from mock_server.accept import prefers
from mock_server.example_requests import example_request
from mock_server.models import ApiModel
from mock_server.settings import Settings

__all__ = ["ENDPOINT_DESCRIPTIONS", "admin_endpoints", "dashboard_routes", "page_for_browsers", "settings_summary"]

Endpoint = Callable[[Request], Awaitable[Response]]
Guard = Callable[[Request], Response | None]

EXAMPLE_TOKEN = "dev-token"  # any non-empty credential passes unless --auth-token is set
# What each admin route does, for the list at `/__mock/`; a route missing here shows its handler's docstring.
ENDPOINT_DESCRIPTIONS = {
    "/": "the mounted APIs as JSON (a browser gets this dashboard)",
    "/__mock/": "this list of admin endpoints as JSON (a browser gets the dashboard)",
    "/__mock/health": "liveness: {status: ok, apis}",
    "/__mock/reset": "forget all state (or one API's: ?api=NAME) and seed again, as on a fresh start",
    "/__mock/state": "GET exports the whole state as JSON; PUT replaces it with such an export",
    "/__mock/requests": "the journal of recent requests (?limit=N): method, path, status, latency, stream events",
    "/__mock/info": "the server's settings and an example request per API (what the dashboard shows)",
    "/__mock/stubs": "POST registers a request-matching stub (docs/stubs.md); GET lists them with hits; DELETE all",
    "/__mock/stubs/{id}": "GET one stub with its hits; DELETE removes it",
    "/__mock/scenarios": "each stub scenario's current state",
}


def page_for_browsers(json_endpoint: Endpoint) -> Endpoint:
    """`json_endpoint`, except that a browser asking for HTML gets the dashboard page."""

    async def negotiated(request: Request) -> Response:
        if prefers(request.headers.get("accept"), "text/html"):
            return _page()
        return await json_endpoint(request)

    negotiated.__doc__ = json_endpoint.__doc__
    return negotiated


def dashboard_routes(apis: Mapping[str, ApiModel], settings: Settings, guard: Guard) -> list[BaseRoute]:
    """The routes to add to the admin app: `/__mock/` (page or endpoint list), `/__mock/info`, the static files.

    `guard` is the admin API's check (loopback or admin token): it answers for the data, never for the page.
    """

    async def admin_index(request: Request) -> Response:
        return JSONResponse({"endpoints": admin_endpoints(request.app.routes), "dashboard": "/__mock/"})

    examples: dict[str, Any] = {}  # built on the first call: they only depend on the specs and settings

    async def info(request: Request) -> Response:
        if (refused := guard(request)) is not None:
            return refused
        if not examples:
            token = "your-auth-token" if settings.auth_token else EXAMPLE_TOKEN
            for name, api in apis.items():
                if (example := example_request(api, token)) is not None:
                    examples[name] = {"operation": example.operation_id, "method": example.method,
                                      "path": example.path, "headers": example.headers, "body": example.body}
        return JSONResponse({"settings": settings_summary(settings), "examples": examples})

    return [
        Route("/__mock/", page_for_browsers(admin_index)),
        Route("/__mock/info", info),
        Mount("/__mock/static", StaticFiles(packages=[("mock_server.web", "static")]), name="dashboard-static"),
    ]


def admin_endpoints(routes: list[BaseRoute]) -> list[dict[str, Any]]:
    """Every admin route (method, path, what it does), in the order the app routes them; static files left out."""
    listed = []
    for route in routes:
        if not isinstance(route, Route):
            continue
        methods = sorted((route.methods or set()) - {"HEAD"})
        doc = (route.endpoint.__doc__ or "").strip().split("\n")[0]
        listed.append({"methods": methods, "path": route.path,
                       "description": ENDPOINT_DESCRIPTIONS.get(route.path, doc)})
    return listed


def settings_summary(settings: Settings) -> dict[str, Any]:
    """The settings that change what a client sees; secrets are reported as required or not, never shown."""
    return {
        "state": _without_password(settings.state),
        "seed": settings.seed,
        "seed_items": settings.seed_items,
        "auth_token_required": settings.auth_token is not None,
        "admin_token_required": settings.admin_token is not None,
        "latency_ms": list(settings.latency_ms),
        "error_rate": settings.error_rate,
        "stream_delay_ms": settings.stream_delay_ms,
        "cors": settings.cors,
        "max_body_bytes": settings.max_body_bytes,
        "validate_responses": settings.validate_responses,
        "workers": _workers(),
        "specs": [str(path) for path in settings.specs],
    }


def _workers() -> int:
    from mock_server.web.app import WORKERS_ENV  # here: web.app imports this module

    text = os.environ.get(WORKERS_ENV, "1")
    return int(text) if text.isdigit() else 1


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if not parts.password:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


_PAGE: bytes | None = None


def _page() -> Response:
    global _PAGE
    if _PAGE is None:  # read once: the page is a static file of the package
        _PAGE = (files("mock_server.web") / "static" / "dashboard.html").read_bytes()
    return HTMLResponse(_PAGE, headers={"Cache-Control": "no-cache"})
