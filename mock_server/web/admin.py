"""The admin API under `/__mock/` (reset, state export/import, request journal, health, stubs and scenarios) and
the index at `/`; web/dashboard.py adds the dashboard page and its data."""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mock_server.engine import Engine
from mock_server.errors import SettingsError
from mock_server.models import ApiModel
from mock_server.settings import Settings
from mock_server.store.snapshot import check_state
from mock_server.stubs import StubError, StubRegistry
from mock_server.stubs.registry import STUBS_API
from mock_server.uploads import CONTENT_SUFFIX
from mock_server.web.dashboard import dashboard_routes, page_for_browsers
from mock_server.web.journal import Journal

__all__ = ["admin_app"]

LOOPBACK = {"127.0.0.1", "::1", "localhost", "testclient"}


def admin_app(apis: Mapping[str, ApiModel], engine: Engine, journal: Journal, admin_token: str | None,
              settings: Settings | None = None, stubs: StubRegistry | None = None) -> Starlette:
    """A small Starlette app; the caller routes `/` and `/__mock/*` to it (a browser gets the dashboard there)."""
    known = {name: _resources(api) for name, api in apis.items()}

    def denied(request: Request) -> Response | None:
        if admin_token is not None:
            given = request.headers.get("x-mock-admin-token") or request.headers.get("authorization", "")
            given = given.removeprefix("Bearer ").strip()
            if hmac.compare_digest(given.encode(), admin_token.encode()):
                return None
            return JSONResponse({"message": "admin token required (X-Mock-Admin-Token)"}, status_code=401)
        client = request.client.host if request.client else ""
        if client in LOOPBACK:
            return None
        return JSONResponse({"message": "the admin API answers loopback clients only; start with --admin-token"},
                            status_code=403)

    async def index(request: Request) -> Response:
        return JSONResponse({"apis": [
            {"name": name, "title": api.spec.document.get("info", {}).get("title", name),
             "base_url": api.spec.mount, "ui": f"{api.spec.mount}/ui/", "spec": f"{api.spec.mount}/openapi.yaml",
             "operations": len(api.operations)}
            for name, api in apis.items()
        ], "admin": "/__mock/"})

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "apis": sorted(apis)})

    async def reset(request: Request) -> Response:
        if (refused := denied(request)) is not None:
            return refused
        name = request.query_params.get("api")
        if name is not None and name not in apis:
            return JSONResponse({"message": f"unknown api {name!r}; known: {sorted(apis)}"}, status_code=404)
        await engine.reset(name)
        if stubs is not None:
            await stubs.clear(name)
        if name is None:
            journal.clear()
        return JSONResponse({"reset": name or "all"})

    async def state(request: Request) -> Response:
        if (refused := denied(request)) is not None:
            return refused
        if request.method == "GET":  # the APIs' state; stubs are listed at /__mock/stubs
            return JSONResponse({k: v for k, v in (await engine.store.export()).items() if k != STUBS_API})
        try:
            data = json.loads(await request.body())
            check_state(data, known)  # all of it, before anything changes: a refused import keeps the state
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return JSONResponse({"message": f"state must be JSON: {exc}"}, status_code=400)
        except SettingsError as exc:
            return JSONResponse({"message": str(exc)}, status_code=400)
        kept = await stubs.stubs() if stubs is not None else []
        await engine.store.clear()
        await engine.store.load(data)
        if stubs is not None:  # an import replaces the APIs' state, not the stubs
            await stubs.clear()
            for definition in kept:
                await stubs.add(stubs.parse({k: v for k, v in definition.items() if k not in ("id", "hits")},
                                            definition["id"]))
        for name in apis:  # imported state replaces seeding, also for other processes sharing the store
            await engine.store.claim_seed(name)
        engine.mark_seeded(apis)
        return JSONResponse({"imported": {api: {r: len(v) for r, v in res.items()} for api, res in data.items()}})

    async def requests(request: Request) -> Response:
        if (refused := denied(request)) is not None:
            return refused
        limit = request.query_params.get("limit", "")
        entries = list(journal.entries)
        for name in ("operation", "stub", "api"):  # `?operation=createChat&stub=ID`: what a test asserts on
            wanted = request.query_params.get(name)
            if wanted is not None:
                entries = [e for e in entries if e.get(name) == wanted]
        if limit.isdigit():
            entries = entries[-int(limit):]
        return JSONResponse({"requests": entries, "count": len(entries)})

    async def stub_list(request: Request) -> Response:
        if (refused := denied(request)) is not None:
            return refused
        if stubs is None:
            return JSONResponse({"message": "stubs are off"}, status_code=404)
        if request.method == "GET":
            return JSONResponse({"stubs": await stubs.stubs()})
        if request.method == "DELETE":
            await stubs.clear(keep_preset=False)
            return JSONResponse({"deleted": "all"})
        try:
            data = json.loads(await request.body())
            stub = await stubs.add(stubs.parse(data))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return JSONResponse({"message": f"a stub must be JSON: {exc}"}, status_code=400)
        except StubError as exc:
            return JSONResponse({"message": str(exc), "field": exc.field}, status_code=400)
        return JSONResponse(stub.definition, status_code=201, headers={"location": f"/__mock/stubs/{stub.id}"})

    async def stub_one(request: Request) -> Response:
        if (refused := denied(request)) is not None:
            return refused
        stub_id = request.path_params["id"]
        if stubs is not None:
            if request.method == "DELETE" and await stubs.delete(stub_id):
                return Response(status_code=204)
            found = [s for s in await stubs.stubs() if s["id"] == stub_id]
            if request.method == "GET" and found:
                return JSONResponse(found[0])
        return JSONResponse({"message": f"no stub {stub_id!r}"}, status_code=404)

    async def scenarios(request: Request) -> Response:
        if (refused := denied(request)) is not None:
            return refused
        states = await stubs.scenarios() if stubs is not None else {}
        return JSONResponse({"scenarios": [{"name": k, "state": v} for k, v in sorted(states.items())]})

    return Starlette(routes=[
        Route("/", page_for_browsers(index)),
        Route("/__mock/health", health),
        Route("/__mock/reset", reset, methods=["POST"]),
        Route("/__mock/state", state, methods=["GET", "PUT"]),
        Route("/__mock/requests", requests),
        Route("/__mock/stubs", stub_list, methods=["GET", "POST", "DELETE"]),
        Route("/__mock/stubs/{id}", stub_one, methods=["GET", "DELETE"]),
        Route("/__mock/scenarios", scenarios),
        *dashboard_routes(apis, settings or Settings(admin_token=admin_token), denied),
    ])


def _resources(api: ApiModel) -> set[str]:
    """Every collection an API keeps items in: its resources, link collections, and kept upload bytes."""
    names = set(api.resource_schemas)
    behaviours = [op.behaviour for op in api.operations]
    behaviours += [case.behaviour for b in list(behaviours) for case in b.cases]
    for b in behaviours:
        names.update(n for n in (b.resource, b.links, b.via) if n)
        related = (*b.embed.values(), *b.counts.values())
        names.update(str(spec["resource"]) for spec in related if spec.get("resource"))
        for effect in b.effects:
            names.update(str(effect[key]) for key in ("create", "link", "clear") if effect.get(key))
    return names | {name + CONTENT_SUFFIX for name in names}
