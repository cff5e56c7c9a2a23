"""Pure-ASGI fast path in front of Connexion for the plain requests that are most of a mock's traffic.

Connexion's per-request layers (routing, security, parameter decorators, validators rebuilt per call) cost more
than the mock itself. This middleware serves a request directly (same resolver handler, same validators) only when
it can show that Connexion would route it to exactly one operation and accept its credential and parameters.
Anything unusual — a header or array parameter, a form or upload, an unknown or repeated query parameter, a
parameter that fails validation, a missing credential, an ambiguous path — goes to Connexion unchanged (a body
already read is replayed), so every error Connexion produces is produced as before. The one error answered here is
an invalid JSON body, with the message Connexion would give (`<message> - '<path>'`).

It relies on Connexion 3.3's request context variables (`connexion.context._scope`/`_receive`), which the
resolver's handlers read; the version pin and tests/mock_server/test_fastpath.py guard that.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl

from connexion.context import _receive, _scope
from jsonschema.exceptions import ValidationError as SchemaValidationError
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.error_bodies import error_response
from mock_server.models import ApiModel, Operation
from mock_server.schemas import FORMATS, is_exact, is_valid
from mock_server.web.resolver import EngineResolver, request_headers
from mock_server.web.responses import to_starlette
from mock_server.web.security import accepts

__all__ = ["FastPath"]

Handler = Callable[..., Awaitable[Response]]
_SIMPLE_TYPES = {"string": str, "integer": int, "number": float, "boolean": None}
_METHODS = ("get", "put", "post", "delete", "patch")


@dataclass(frozen=True, slots=True)
class _Credential:
    kind: str  # "bearer" or "header"
    header: str  # lower-case header name


@dataclass(frozen=True, slots=True)
class _Route:
    api: ApiModel
    op: Operation
    pattern: re.Pattern[str]
    path_names: tuple[str, ...]
    handler: Handler
    resolver: EngineResolver
    credential: _Credential | None
    params: Mapping[tuple[str, str], Any]  # (location, name) -> schema
    defaults: Mapping[str, Any]  # query parameter -> default value
    body: OAS30Validator | None  # Connexion's verdict and message
    body_schema: Any  # the inlined body schema, for a fast first check (None: always ask `body`)


class FastPath:
    """Serve plain requests straight from the resolver's handlers; pass everything else to Connexion."""

    def __init__(self, app: ASGIApp, apis: Mapping[str, ApiModel], resolvers: Mapping[str, EngineResolver],
                 auth_token: str | None, enabled: bool = True) -> None:
        self.app, self.auth_token = app, auth_token
        self.served = 0  # requests answered here, not by Connexion
        self._routes: dict[str, dict[str, list[_Route]]] = {}  # api -> method -> routes
        self._templates: dict[str, list[re.Pattern[str]]] = {}  # api -> every path template
        if enabled:
            for name, api in apis.items():
                self._add_api(name, api, resolvers[name])

    def _add_api(self, name: str, api: ApiModel, resolver: EngineResolver) -> None:
        document = api.spec.document
        registry: Registry[Any] = Registry().with_resource(
            "urn:spec", Resource.from_contents(dict(document), default_specification=DRAFT4))
        paths = document.get("paths") or {}
        self._templates[name] = [_compile(path) for path in paths]
        for op in api.operations:
            route = _route(api, op, paths, registry, resolver)
            if route is not None:
                self._routes.setdefault(name, {}).setdefault(op.method.lower(), []).append(route)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._routes:
            await self.app(scope, receive, send)
            return
        found = self._match(scope)
        if found is None:
            await self.app(scope, receive, send)
            return
        route, path_values = found
        headers = request_headers(scope)
        kwargs = self._arguments(route, scope, headers, path_values)
        if kwargs is None:
            await self.app(scope, receive, send)
            return
        body_bytes = b""
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
        response = await route.handler(**kwargs, user="mock-user", token_info={"sub": "mock-user", "scopes": []})
        await response(scope, receive, send)

    def _match(self, scope: Scope) -> tuple[_Route, dict[str, str]] | None:
        path: str = scope["path"]
        name, _, rest = path[1:].partition("/")
        routes = self._routes.get(name, {}).get(scope["method"].lower())
        if not routes:
            return None
        relative = "/" + rest
        if sum(1 for template in self._templates[name] if template.match(relative)) != 1:
            return None  # unknown, or a literal path that a template also matches: Connexion decides
        for route in routes:
            matched = route.pattern.match(relative)
            if matched:
                return route, dict(zip(route.path_names, matched.groups(), strict=True))
        return None

    def _arguments(self, route: _Route, scope: Scope, headers: Mapping[str, str],
                   path_values: dict[str, str]) -> dict[str, Any] | None:
        """Handler keyword arguments, or None when Connexion must look at the request."""
        if route.credential is not None and not self._authorised(route.credential, headers):
            return None
        kwargs: dict[str, Any] = {}
        for name, raw in path_values.items():
            value = _coerce(raw, route.params.get(("path", name)))
            if value is _INVALID:
                return None
            kwargs[name] = value
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        seen: set[str] = set()
        for name, raw in query:
            schema = route.params.get(("query", name))
            if schema is None or name in seen or raw == "":
                return None  # unknown (strict validation), repeated or blank: Connexion's rules apply
            seen.add(name)
            value = _coerce(raw, schema)
            if value is _INVALID:
                return None
            kwargs[name] = value
        for (location, name), _schema in route.params.items():
            if location == "query" and name not in seen:
                if any(p.name == name and p.required for p in route.op.parameters):
                    return None
                if name in route.defaults:
                    kwargs[name] = copy.deepcopy(route.defaults[name])
        return kwargs

    def _authorised(self, credential: _Credential, headers: Mapping[str, str]) -> bool:
        value = headers.get(credential.header)
        if value is None:
            return False
        if credential.kind == "bearer":
            parts = value.split(None, 1)
            if len(parts) != 2 or parts[0].lower() != "bearer":
                return False
            value = parts[1]
        return accepts(value, self.auth_token)

    def _body(self, route: _Route, headers: Mapping[str, str], raw: bytes) -> tuple[Any] | Response | None:
        """(parsed body,), an error response for an invalid one, or None to let Connexion decide."""
        if route.body is None or not raw:
            return None
        if headers.get("content-type") != "application/json":
            return None
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):  # not UTF-8, not JSON, too deep: Connexion's messages
            return None
        if route.body_schema is not None and is_valid(body, route.body_schema):
            return (body,)  # the compiled validator is never more lenient than `route.body`, and ~50x faster
        try:
            route.body.validate(body)
        except SchemaValidationError as exc:
            where = ".".join(str(part) for part in exc.path)
            message = f"{exc.message} - '{where}'" if where else exc.message
            status = 400 if "400" in route.op.responses or "422" not in route.op.responses else 422
            return to_starlette(error_response(route.api, route.op, status, message.strip().split("\n")[0],
                                               route.resolver.engine.gen))
        except RecursionError:
            return None
        return (body,)


_INVALID = object()


def _route(api: ApiModel, op: Operation, paths: Mapping[str, Any], registry: Registry[Any],
           resolver: EngineResolver) -> _Route | None:
    """How to serve `op` directly, or None when it needs Connexion every time."""
    params: dict[tuple[str, str], Any] = {}
    defaults: dict[str, Any] = {}
    for p in op.parameters:
        kind = p.schema.get("type") if isinstance(p.schema, Mapping) else None
        if p.location not in ("path", "query") or kind not in _SIMPLE_TYPES:
            return None
        params[(p.location, p.name)] = p.schema
        if p.location == "query" and "default" in p.schema:
            defaults[p.name] = p.schema["default"]
    body = None
    if op.request_media_types:
        if op.request_media_types != ("application/json",):
            return None
        pointer = "/".join(("#", "paths", _escape(op.path), op.method.lower(), "requestBody"))
        raw = (paths.get(op.path) or {}).get(op.method.lower(), {}).get("requestBody") or {}
        if "$ref" in raw:
            return None
        body = OAS30Validator({"$ref": f"urn:spec{pointer}/content/application~1json/schema"}, registry=registry,
                              format_checker=FORMATS)
    credential = _credential(api, op, paths)
    if credential is False or isinstance(credential, bool):
        return None
    handler = resolver.resolve(SimpleNamespace(operation_id=op.operation_id)).function
    names = tuple(re.findall(r"\{([^}/]+)\}", op.path))
    fast = op.request_schema if body is not None and is_exact(op.request_schema) else None
    return _Route(api, op, _compile(op.path), names, handler, resolver, credential or None, params, defaults, body,
                  fast)


def _credential(api: ApiModel, op: Operation, paths: Mapping[str, Any]) -> _Credential | None | bool:
    """The one credential the operation needs, None for none, False when it is not one plain header."""
    document = api.spec.document
    raw = (paths.get(op.path) or {}).get(op.method.lower()) or {}
    requirements = raw.get("security", document.get("security")) or []
    if not requirements:
        return None
    if len(requirements) != 1 or len(requirements[0]) != 1:
        return False
    name = next(iter(requirements[0]))
    scheme = api.spec.resolve(((document.get("components") or {}).get("securitySchemes") or {}).get(name) or {})
    if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
        return _Credential("bearer", "authorization")
    if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
        return _Credential("header", str(scheme["name"]).lower())
    return False


def _coerce(raw: str, schema: Any) -> Any:
    """Connexion's type coercion, then our parameter validator; `_INVALID` when Connexion must answer."""
    if schema is None:
        return _INVALID
    kind = schema.get("type")
    try:
        if kind == "integer":
            value: Any = int(raw)
        elif kind == "number":
            value = float(raw)
        elif kind == "boolean":
            if raw.lower() not in ("true", "false"):
                return _INVALID
            value = raw.lower() == "true"
        else:
            value = raw
    except ValueError:
        return _INVALID
    if schema.get("nullable") and raw == "null":
        return _INVALID
    return value if is_valid(value, schema) else _INVALID  # never more lenient than Connexion's validator


def _compile(path: str) -> re.Pattern[str]:
    pattern = "".join("([^/]+)" if part.startswith("{") and part.endswith("}") else re.escape(part)
                      for part in re.split(r"(\{[^}/]+\})", path))
    return re.compile(f"^{pattern}$")


def _escape(path: str) -> str:
    return path.replace("~", "~0").replace("/", "~1")


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
