"""Pure-ASGI fast path in front of Connexion for the plain requests that are most of a mock's traffic.

Connexion's per-request layers (routing, security, parameter decorators, validators rebuilt per call) cost more
than the mock itself. This middleware serves a request directly (same resolver handler, same rules) when it can
show what Connexion would do: routes are tried in the document's order (literal paths first, see normalise.py), as
Starlette does; credentials are checked by the same `OperationSecurity` (web/security.py), values converted by the
same `coerce` (web/uri_parser.py) and bodies parsed and checked by the same `parse_json_body`/`BodyCheck`
(web/validation.py). Anything unusual — a header, array or object parameter, a form or upload, a repeated or
blank query parameter, a parameter that fails validation, a failed credential — goes to Connexion unchanged (a body
already read is replayed), so every such error is produced in one place. The one error answered here is an invalid
JSON body, rendered by the same `problem_response` Connexion's error handler uses.

It relies on Connexion 3.3's request context variables (`connexion.context._scope`/`_receive`), which the
resolver's handlers read; the version pin and tests/mock_server/test_fastpath.py guard that.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from connexion.context import _receive, _scope
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.models import ApiModel, Operation
from mock_server.schemas import is_valid
from mock_server.web.problems import crash_response, problem_response
from mock_server.web.resolver import EngineResolver
from mock_server.web.routes import compile_path, path_names
from mock_server.web.scopes import query_pairs, request_headers
from mock_server.web.security import OperationSecurity
from mock_server.web.uri_parser import coerce
from mock_server.web.validation import BodyCheck, BodyChecks, RequestProblem, parse_json_body

__all__ = ["FastPath"]

Handler = Callable[..., Awaitable[Response]]
_SIMPLE_TYPES = ("string", "integer", "number", "boolean")


@dataclass(frozen=True, slots=True)
class _Route:
    api: ApiModel
    op: Operation
    pattern: re.Pattern[str]
    path_names: tuple[str, ...]
    handler: Handler | None  # None: Connexion serves this operation every time
    resolver: EngineResolver
    security: OperationSecurity
    params: Mapping[tuple[str, str], Any]  # (location, name) -> schema
    required: frozenset[str]  # required query parameters
    defaults: Mapping[str, Any]  # query parameter -> default value
    body: BodyCheck | None


class FastPath:
    """Serve plain requests straight from the resolver's handlers; pass everything else to Connexion."""

    def __init__(self, app: ASGIApp, apis: Mapping[str, ApiModel], resolvers: Mapping[str, EngineResolver],
                 security: Mapping[str, Mapping[str, OperationSecurity]], body_checks: Mapping[str, BodyChecks],
                 auth_token: str | None, enabled: bool = True) -> None:
        self.app, self.auth_token = app, auth_token
        self.served = 0  # requests answered here, not by Connexion
        self._mounts: list[tuple[str, dict[str, list[_Route]]]] = []  # longest mount first
        if enabled:
            for name, api in apis.items():
                self._mounts.append((api.spec.mount, self._api_routes(api, resolvers[name], security[name],
                                                                      body_checks[name])))
            self._mounts.sort(key=lambda pair: -len(pair[0]))

    @staticmethod
    def _api_routes(api: ApiModel, resolver: EngineResolver, security: Mapping[str, OperationSecurity],
                    checks: BodyChecks) -> dict[str, list[_Route]]:
        routes: dict[str, list[_Route]] = {}
        for op in api.operations:  # in the document's order, as Connexion registers them
            routes.setdefault(op.method.upper(), []).append(_route(api, op, resolver, security[op.operation_id],
                                                                   checks))
        return routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self._match(scope) if scope["type"] == "http" and self._mounts else None
        if found is None:
            await self.app(scope, receive, send)
            return
        route, path_values = found
        headers = request_headers(scope)
        query = query_pairs(scope)
        if route.security.alternatives and \
                route.security.failure(headers, dict(reversed(query)), self.auth_token) is not None:
            await self.app(scope, receive, send)
            return
        kwargs = _arguments(route, query, path_values)
        if kwargs is None:
            await self.app(scope, receive, send)
            return
        if route.body is not None or _has_body(headers):
            body_bytes = await _read_body(receive)
            receive = _replay(body_bytes, receive)
            outcome = self._body(route, headers, body_bytes)
            if outcome is None:
                await self.app(scope, receive, send)
                return
            if isinstance(outcome, Response):
                self.served += 1
                await outcome(scope, receive, send)
                return
            kwargs["body"] = outcome[0]
        self.served += 1
        _scope.set(scope)
        _receive.set(receive)
        assert route.handler is not None
        try:
            response = await route.handler(**kwargs, user="mock-user", token_info={"sub": "mock-user", "scopes": []})
        except Exception as exc:  # as Connexion's error handler answers it
            response = crash_response(route.api, route.op, exc, scope["method"], scope["path"],
                                      route.resolver.engine.gen)
        await response(scope, receive, send)

    def _match(self, scope: Scope) -> tuple[_Route, dict[str, str]] | None:
        """The first route, in Connexion's order, whose path and method match (Starlette's rule)."""
        path: str = scope["path"]
        found = next(((mount, routes) for mount, routes in self._mounts if path.startswith(mount + "/")), None)
        if found is None:
            return None
        mount, routes = found
        relative = path[len(mount):]
        for route in routes.get(scope["method"], ()):
            matched = route.pattern.match(relative)
            if matched:
                if route.handler is None:
                    return None
                return route, dict(zip(route.path_names, matched.groups(), strict=True))
        return None

    def _body(self, route: _Route, headers: Mapping[str, str], raw: bytes) -> tuple[Any] | Response | None:
        """(parsed body,), an error response for an invalid one, or None to let Connexion decide."""
        if route.body is None or not raw or headers.get("content-type") != "application/json":
            return None
        try:
            body = parse_json_body(raw)
        except RequestProblem as problem:
            return self._problem(route, problem)
        if body is None:
            return None
        violations = route.body.violations(body)
        if violations:
            return self._problem(route, RequestProblem(violations))
        return (body,)

    @staticmethod
    def _problem(route: _Route, problem: RequestProblem) -> Response:
        return problem_response(route.api, route.op, 400, str(problem.detail), route.resolver.engine.gen,
                                problem.violations)


def _arguments(route: _Route, query: list[tuple[str, str]], path_values: dict[str, str]) -> dict[str, Any] | None:
    """Handler keyword arguments, or None when Connexion must look at the request."""
    kwargs: dict[str, Any] = {}
    for name, raw in path_values.items():
        value = _typed(raw, route.params.get(("path", name)))
        if value is _INVALID:
            return None
        kwargs[name] = value
    seen: set[str] = set()
    for name, raw in query:
        schema = route.params.get(("query", name))
        if schema is None:
            continue  # not declared: ignored, as Connexion does
        if name in seen or raw == "":
            return None  # repeated or blank: Connexion's rules apply
        seen.add(name)
        value = _typed(raw, schema)
        if value is _INVALID:
            return None
        kwargs[name] = value
    if not route.required <= seen:
        return None
    for name, default in route.defaults.items():
        if name not in seen:
            kwargs[name] = copy.deepcopy(default)
    return kwargs


_INVALID = object()


def _typed(raw: str, schema: Any) -> Any:
    """The value Connexion's parser would give, if it passes validation; `_INVALID` when Connexion must answer."""
    if schema is None or (schema.get("nullable") and raw == "null"):
        return _INVALID
    value = coerce(raw, schema)
    return value if is_valid(value, schema) else _INVALID  # never more lenient than Connexion's validator


def _route(api: ApiModel, op: Operation, resolver: EngineResolver, security: OperationSecurity,
           checks: BodyChecks) -> _Route:
    """How to serve `op` directly (its handler None when it needs Connexion every time)."""
    params: dict[tuple[str, str], Any] = {}
    defaults: dict[str, Any] = {}
    simple = True
    for p in op.parameters:
        kind = p.schema.get("type") if isinstance(p.schema, Mapping) else None
        if p.location not in ("path", "query") or kind not in _SIMPLE_TYPES:
            simple = False
            break
        params[(p.location, p.name)] = p.schema
        if p.location == "query" and "default" in p.schema:
            defaults[p.name] = p.schema["default"]
    body = None
    if simple and op.request_media_types:
        simple = op.request_media_types == ("application/json",)
        body = checks.get(op) if simple else None
        simple = simple and body is not None
    handler = resolver.resolve(SimpleNamespace(operation_id=op.operation_id)).function if simple else None
    names = path_names(op.path)
    required = frozenset(p.name for p in op.parameters if p.location == "query" and p.required)
    pattern = compile_path(op.path, {p.name: p.schema for p in op.parameters if p.location == "path"})
    return _Route(api, op, pattern, names, handler, resolver, security, params, required, defaults, body)


def _has_body(headers: Mapping[str, str]) -> bool:
    return headers.get("content-length", "0") != "0" or "transfer-encoding" in headers


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives `body` once, then waits on the real one (for disconnects)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
