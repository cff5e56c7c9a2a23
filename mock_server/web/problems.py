"""Connexion's errors (validation, auth, routing, crashes) -> responses in the API's own error shape."""

from __future__ import annotations

import json
import logging
import re
import traceback
from collections.abc import Mapping, Sequence

from connexion import AsyncApp
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from mock_server.engine import Engine
from mock_server.error_bodies import error_response
from mock_server.generation import FakeGenerator
from mock_server.models import ApiModel, Operation
from mock_server.schemas import is_valid
from mock_server.violations import Violation
from mock_server.web.responses import to_starlette
from mock_server.web.routes import compile_path, path_names
from mock_server.web.statuses import error_status
from mock_server.web.uri_parser import coerce
from mock_server.web.validation import parameter_violations

__all__ = ["crash_response", "install_error_handlers", "problem_response"]

logger = logging.getLogger(__name__)


def problem_response(api: ApiModel, op: Operation | None, status: int, message: str, gen: FakeGenerator,
                     violations: Sequence[Violation] = ()) -> Response:
    """The error response for a client error on `op`: the status `error_status` picks, the API's error body."""
    path_value = bool(violations) and all(v.location[:1] == ("path",) for v in violations)
    status = error_status(op, status, path_value=path_value)
    return to_starlette(error_response(api, op, status, _first_line(message), gen, violations=violations))


def crash_response(api: ApiModel | None, op: Operation | None, exc: BaseException, method: str, path: str,
                   gen: FakeGenerator) -> Response:
    """Log an unexpected error briefly and answer 500 in the API's error shape."""
    if isinstance(exc, ClientDisconnect):  # mock_server/logs.py turns this one into a one-line INFO record
        logger.error("unhandled error for %s %s", method, path, exc_info=exc)
    else:  # a few frames say where; a RecursionError's thousands of identical ones would drown the log
        frames = "".join(traceback.format_exception(exc, limit=-6))
        logger.error("unhandled error for %s %s: %s", method, path, frames[-4000:])
    message = f"mock server error: {type(exc).__name__}"
    if api is None:
        return Response(json.dumps({"message": message, "status": 500}), 500, media_type="application/json")
    return to_starlette(error_response(api, op, 500, message, gen))


def _reading_body(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_name in ("get_body", "json", "body"):
            return True
        tb = tb.tb_next
    return False


def install_error_handlers(app: AsyncApp, apis: Mapping[str, ApiModel], engine: Engine) -> None:
    """Register handlers so every error a client sees follows its API's documented error schema."""
    by_mount = {api.spec.mount: api for api in apis.values()}

    def locate(request: ConnexionRequest) -> tuple[ApiModel | None, Operation | None]:
        routing = (request.scope.get("extensions") or {}).get("connexion_routing") or {}
        api = by_mount.get(str(routing.get("api_base_path") or "")) or \
            apis.get(request.url.path.strip("/").split("/")[0])
        op = None
        if api is not None and routing.get("operation_id"):
            try:
                op = api.operation(routing["operation_id"])
            except KeyError:
                op = None
        return api, op

    def render(request: ConnexionRequest, status: int, message: str, headers: Mapping[str, str] | None = None,
               violations: Sequence[Violation] = (), op: Operation | None = None) -> ConnexionResponse:
        api, routed = locate(request)
        op = op or routed
        if api is None:
            body = {"message": message, "status": status}
            return ConnexionResponse(status_code=status, body=json.dumps(body), content_type="application/json",
                                     headers=dict(headers or {}))
        response = problem_response(api, op, status, message, engine.gen, violations)
        status = response.status_code
        merged = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")}
        merged.update(headers or {})
        return ConnexionResponse(status_code=status, body=response.body, content_type=response.media_type,
                                 headers=merged)

    async def on_problem(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        assert isinstance(exc, ProblemException)
        api, _ = locate(request)
        if api is not None and exc.status == 400:
            # `/chats/models` also matches `/chats/{chat}`: a method only the templated path has is a 405
            literal = _literal_methods(api, request.url.path)
            if literal and request.method not in literal:
                return render(request, 405, f"method {request.method} is not allowed here",
                              {"Allow": ", ".join(literal)})
        message = _first_line(str(exc.detail or exc.title or "invalid request"))
        return render(request, exc.status, message, dict(exc.headers or {}), violations=getattr(exc, "violations", ()))

    async def on_bad_form(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        return render(request, 400, f"malformed multipart body: {exc}")

    async def on_http(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        assert isinstance(exc, HTTPException)
        headers: dict[str, str] = {}
        message = str(exc.detail)
        if exc.status_code == 405:
            api, _ = locate(request)
            allowed = _allowed_methods(api, request.url.path) if api else []
            headers["Allow"] = ", ".join(allowed)
            message = f"method {request.method} is not allowed here; allowed: {headers['Allow'] or 'none'}"
        elif exc.status_code == 404:
            message = f"no operation matches {request.method} {request.url.path}"
            api, _ = locate(request)
            if api is not None and (malformed := _malformed_path_value(api, request.method, request.url.path)):
                # Connexion's typed converters (`{id:int}`) route a wrong-typed id nowhere: same rule as a
                # path value that fails validation
                op, violation = malformed
                return render(request, 400, violation.text, violations=[violation], op=op)
            if api is not None and not request.url.path.startswith(api.spec.mount + "/"):
                message += f" (this API's paths start at {api.spec.mount}, its servers' base path)"
        return render(request, exc.status_code, message, headers)

    async def on_crash(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        if isinstance(exc, (RecursionError, UnicodeDecodeError, json.JSONDecodeError)) and _reading_body(exc):
            # a body no validator looked at (an operation that documents none), read for the handler
            violation = Violation(("body",), f"request body could not be read: {type(exc).__name__}", "json_invalid")
            return render(request, 400, violation.text, violations=[violation])
        api, op = locate(request)
        response = crash_response(api, op, exc, request.method, request.url.path, engine.gen)
        return ConnexionResponse(status_code=response.status_code, body=response.body,
                                 content_type=response.media_type)

    app.add_error_handler(ProblemException, on_problem)
    app.add_error_handler(HTTPException, on_http)
    app.add_error_handler(MultiPartException, on_bad_form)
    app.add_error_handler(Exception, on_crash)


def _malformed_path_value(api: ApiModel, method: str, path: str) -> tuple[Operation, Violation] | None:
    """The operation a path would reach but for a path value of the wrong type, and that value's violation."""
    relative = _relative(api, path)
    for op in api.operations:
        if op.method.upper() != method or not (matched := compile_path(op.path).match(relative)):
            continue
        params = {p.name: p.schema for p in op.parameters if p.location == "path"}
        for name, raw in zip(path_names(op.path), matched.groups(), strict=True):
            schema = params.get(name)
            if schema is not None and not is_valid(coerce(raw, schema), schema):
                return op, parameter_violations("path", coerce(raw, schema), {"name": name, "schema": schema})[0]
    return None


def _relative(api: ApiModel, path: str) -> str:
    return path[len(api.spec.mount):] if path.startswith(api.spec.mount) else path


def _allowed_methods(api: ApiModel, path: str) -> list[str]:
    if literal := _literal_methods(api, path):  # a literal path wins over a template that also matches
        return literal
    relative = _relative(api, path)
    methods = []
    for op in api.operations:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(op.path)) + "$"
        if re.match(pattern, relative):
            methods.append(op.method.upper())
    return sorted(set(methods))


def _literal_methods(api: ApiModel, path: str) -> list[str]:
    relative = _relative(api, path)
    return sorted({op.method.upper() for op in api.operations if op.path == relative})


def _first_line(text: str) -> str:
    line = text.strip().split("\n", 1)[0].strip()
    return line or "invalid request"

