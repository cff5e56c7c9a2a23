"""Build the ASGI app: one Connexion API per spec at `/<name><servers' base path>`, the admin API, CORS and the
journal."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from pathlib import Path

from connexion import AsyncApp
from connexion.middleware.main import ConnexionMiddleware
from connexion.middleware.security import SecurityMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.engine import Engine
from mock_server.errors import SettingsError
from mock_server.events import PublishingStore, open_bus
from mock_server.inference import build_api_model
from mock_server.loader import discover_specs, load_spec
from mock_server.models import ApiModel
from mock_server.settings import Settings, settings_from_json
from mock_server.store import open_store
from mock_server.stubs import StubRegistry, load_stubs_file
from mock_server.web.admin import admin_app
from mock_server.web.fastpath import FastPath
from mock_server.web.journal import Journal, JournalMiddleware
from mock_server.web.limits import BodyLimitMiddleware, api_error_renderer
from mock_server.web.problems import install_error_handlers
from mock_server.web.resolver import EngineResolver
from mock_server.web.security import SecurityGate, compile_security
from mock_server.web.spec_documents import SpecDocuments
from mock_server.web.uri_parser import TypedURIParser
from mock_server.web.validation import BodyChecks, validator_map
from mock_server.web.websockets import WebSocketRoutes

__all__ = ["SETTINGS_ENV", "WORKERS_ENV", "MockServer", "app_from_environment", "create_app", "load_apis"]

SETTINGS_ENV = "MOCK_SERVER_SETTINGS"  # Settings as JSON, for worker processes (`settings_to_json`)
WORKERS_ENV = "MOCK_SERVER_WORKERS"


def load_apis(paths: tuple[Path, ...]) -> dict[str, ApiModel]:
    """Every spec under the given files/folders, keyed by the name it is mounted under (its file stem)."""
    apis: dict[str, ApiModel] = {}
    for path in discover_specs(paths):
        model = build_api_model(load_spec(path))
        apis[model.name] = model
    return apis


class MockServer:
    """The ASGI app: `/` and `/__mock/*` go to the admin app, everything else to Connexion."""

    def __init__(self, settings: Settings, apis: Mapping[str, ApiModel], engine: Engine, journal: Journal,
                 api_app: ASGIApp, admin: ASGIApp) -> None:
        self.settings, self.apis, self.engine, self.journal = settings, apis, engine, journal
        self._api_app, self._admin = api_app, admin
        self.websockets: ASGIApp | None = None  # operations with `x-websocket` (web/websockets.py)
        self.documents: SpecDocuments | None = None  # each API's openapi.json / .yaml

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Connexion records the matched operation in scope["extensions"]; it must exist before Connexion's
        # middleware copies the scope, or its error handlers never learn which operation failed.
        scope.setdefault("extensions", {})
        if scope["type"] == "websocket" and self.websockets is not None:
            await self.websockets(scope, receive, send)
        elif scope["type"] == "http" and (scope["path"] == "/" or scope["path"].startswith("/__mock/")):
            await self._admin(scope, receive, send)
        elif scope["type"] == "http" and self.documents is not None and scope["path"] in self.documents:
            await self.documents(scope, receive, send)
        else:
            await self._api_app(scope, receive, send)


def create_app(settings: Settings | None = None) -> ASGIApp:
    """The whole mock server as one ASGI app, ready for uvicorn."""
    settings = settings or Settings()
    apis = load_apis(settings.specs)
    bus = open_bus(settings.state)  # state changes, for WebSocket watchers (mock_server/events.py)
    store = open_store(settings.state)
    engine = Engine(apis, PublishingStore(store, bus), settings.seed, settings.seed_items)
    preset = load_stubs_file(settings.stubs, apis) if settings.stubs is not None else ()
    stubs = StubRegistry(store, apis, shared=settings.state not in ("memory", "memory://", ""), preset=preset)
    security = {name: compile_security(api) for name, api in apis.items()}
    body_checks = {name: BodyChecks(api) for name, api in apis.items()}
    gate = partial(SecurityGate, rules={api.spec.mount: security[name] for name, api in apis.items()},
                   auth_token=settings.auth_token)
    middlewares = [gate if m is SecurityMiddleware else m for m in ConnexionMiddleware.default_middlewares]
    connexion_app = AsyncApp(__name__, middlewares=middlewares)
    resolvers = {name: EngineResolver(engine, api, settings, stubs) for name, api in apis.items()}
    validators = validator_map({api.spec.mount: (api, body_checks[name]) for name, api in apis.items()})
    for name, api in apis.items():
        connexion_app.add_api(
            dict(api.spec.document),
            base_path=api.spec.mount,
            name=name,
            resolver=resolvers[name],
            validator_map=validators,
            uri_parser_class=TypedURIParser,
            strict_validation=False,  # unknown query parameters are ignored, as real servers do
            validate_responses=settings.validate_responses,
        )
    install_error_handlers(connexion_app, apis, engine)
    for noisy in ("connexion.decorators.parameter", "connexion.operations.openapi3"):
        # per-request warnings about ignored query parameters and the chosen media type: not problems
        logging.getLogger(noisy).setLevel(logging.ERROR)
    journal = Journal(settings.journal_size)
    fast = FastPath(connexion_app, apis, resolvers, security, body_checks, settings.auth_token,
                    enabled=settings.fast_path and not settings.validate_responses)
    admin = admin_app(apis, engine, journal, settings.admin_token, settings, stubs)
    server = MockServer(settings, apis, engine, journal, fast, admin)
    server.documents = SpecDocuments(apis)
    sockets = WebSocketRoutes(apis, engine, bus, settings, journal)
    sockets.stream_options = stubs.stream_options  # a stub's stream options for the reply it scripted
    server.websockets = sockets
    app: ASGIApp = JournalMiddleware(server, journal)
    app = BodyLimitMiddleware(app, settings.max_body_bytes, api_error_renderer(apis, engine))
    if settings.cors:
        app = CORSMiddleware(app, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"],
                             expose_headers=["*"], max_age=600)
    return app


def find_server(app: object) -> MockServer:
    """The `MockServer` inside the middleware layers `create_app` wraps it in."""
    while not isinstance(app, MockServer):
        app = app.app
    return app


def app_from_environment() -> ASGIApp:
    """The uvicorn factory of each worker process: `create_app` with the Settings the CLI put in the environment.

    Workers sharing a store (SQLite, Redis) must not generate the same ids: with a seed, each derives its own.
    """
    text = os.environ.get(SETTINGS_ENV)
    if not text:
        raise SettingsError(f"{SETTINGS_ENV} is not set: start worker processes with `mock-server serve --workers N`")
    settings = settings_from_json(text)
    shared = not settings.state.startswith("memory") and settings.state != ""
    if shared and settings.seed is not None and int(os.environ.get(WORKERS_ENV, "1")) > 1:
        settings = replace(settings, seed=settings.seed * 1_000_003 + os.getpid())
    app = create_app(settings)
    settle_memory()
    return app


def settle_memory() -> None:
    """Move everything built at start-up (specs, schemas, validators, Faker's data) out of the garbage
    collector's sight: full collections then scan only what requests created, instead of stalling every request
    for tens of milliseconds while they walk the start-up objects again."""
    gc.collect()
    gc.freeze()
