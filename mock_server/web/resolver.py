"""Route every operation of a spec to the engine, applying the client's `Prefer` and the global latency/errors."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from connexion.context import scope as current_scope
from connexion.resolver import Resolution, Resolver
from starlette.datastructures import UploadFile
from starlette.responses import Response

from mock_server.engine import Engine
from mock_server.error_bodies import error_response, response_headers
from mock_server.errors import MockRequestError, NotFoundError
from mock_server.jsontext import copy_json
from mock_server.messages import MockRequest, MockResponse, UploadedFile
from mock_server.models import Action, ApiModel, Behaviour, Operation
from mock_server.prefer import Preferences, parse_prefer
from mock_server.replies import Reply
from mock_server.settings import Settings
from mock_server.stubs import Stub, StubRegistry
from mock_server.stubs.definition import deep_merge
from mock_server.violations import Violation
from mock_server.web.journal import OPERATION_KEY, STUB_KEY
from mock_server.web.responses import to_starlette
from mock_server.web.scopes import request_headers
from mock_server.web.sse import event_stream
from mock_server.web.statuses import documents
from mock_server.web.websockets import upgrade_required

__all__ = ["EngineResolver"]

_NOT_PARAMS = {"body", "user", "token_info"}
_TOMBSTONES = 50_000  # deleted ids remembered per API


class EngineResolver(Resolver):
    """Gives Connexion one handler per operation; each hands the request to the engine."""

    def __init__(self, engine: Engine, api: ApiModel, settings: Settings, stubs: StubRegistry | None = None) -> None:
        super().__init__()
        self.engine, self.api, self.settings, self.stubs = engine, api, settings, stubs
        self._random = random.Random(settings.seed)
        self._static: dict[str, Operation] = {}  # operationId -> the same operation answering statically
        self._deleted: dict[tuple[str, str], None] = {}  # (resource, id) deleted here, oldest first

    def resolve(self, operation: Any) -> Resolution:
        op = self.api.operation(operation.operation_id)
        return Resolution(self._handler(op), op.operation_id)

    def _handler(self, op: Operation) -> Callable[..., Awaitable[Response]]:
        async def handler(**kwargs: Any) -> Response:
            headers = request_headers(current_scope)
            prefs = parse_prefer(headers.get("prefer"))
            await self._delay(prefs)
            mock_request = _mock_request(op, kwargs, headers)
            forced = self._forced(op, prefs)
            if forced is not None:
                return to_starlette(forced)
            if op.websocket is not None:  # a plain GET of a WebSocket operation
                return to_starlette(upgrade_required(self.api, op, self.engine.gen))
            extensions = current_scope.get("extensions")
            if extensions is not None:
                extensions[OPERATION_KEY] = op.operation_id
            stub = await self.stubs.match(self.api, op, mock_request) if self.stubs is not None else None
            try:
                if stub is None:
                    response = await self._engine_answer(op, mock_request)
                else:
                    if extensions is not None:
                        extensions[STUB_KEY] = {"id": stub.id, "invalid_allowed": stub.allow_invalid}
                    response = await self._stub_answer(op, mock_request, stub)
            except MockRequestError as exc:
                response = error_response(self.api, op, exc.status, exc.message, self.engine.gen,
                                          violations=_violations(op, exc))
            else:
                streamed = event_stream(self.engine, self.api, op, mock_request, response, prefs, self.settings,
                                        reply=stub.respond.reply if stub else None,
                                        options=stub.respond.stream if stub else None)
                if streamed is not None:
                    return streamed
                definition = op.response_for(response.status)
                response.headers = {**response_headers(definition, self.engine.gen), **response.headers}
            return to_starlette(response)

        handler.__name__ = op.operation_id
        return handler

    async def _stub_answer(self, op: Operation, request: MockRequest, stub: Stub) -> MockResponse:
        """A matched stub's answer: its body or example as given, a forced status, or the engine's answer with the
        stub's scripted reply written in and its `merge` laid over it (so state changes as without the stub)."""
        respond = stub.respond
        if respond.has_body:
            response = MockResponse(respond.status, copy_json(respond.body),
                                    "application/json" if respond.body is not None else None)
        elif respond.example is not None:
            definition = op.responses[str(respond.status)]
            response = MockResponse(respond.status, copy_json(definition.examples[respond.example]),
                                    definition.json_media_type or next(iter(definition.content), "application/json"))
        elif respond.reply is None and respond.merge is None and respond.status != op.success_status:
            response = self._status_response(op, respond.status)
        else:
            target = request.path_params.get(op.behaviour.id_param or "")
            if respond.stream is not None and op.behaviour.resource and target is not None and self.stubs:
                # Before the reply exists: a WebSocket watching the target streams it as soon as it is stored.
                await self.stubs.remember_stream(self.api.name, op.behaviour.resource, str(target), respond.stream)
            response = await self._engine_answer(op, request, respond.reply)
            if respond.merge is not None and 200 <= response.status < 300:
                response.body = deep_merge(response.body, respond.merge)
        response.headers.update(respond.headers)
        return response

    async def _engine_answer(self, op: Operation, request: MockRequest, reply: Reply | None = None) -> MockResponse:
        """The engine's answer. Where the target is missing but the spec documents no 404 (nor a `4XX`/`default`
        response), the documented success with generated, unstored data, as the contract allows; except for an id
        this process saw deleted, which stays a 404 (a client that deleted it must not read it back)."""
        try:
            response = await self.engine.handle(self.api, op, request, reply)
        except NotFoundError as exc:
            if documents(op, 404) or self._tombstone(op, request, exc.field) in self._deleted:
                raise
            if op.operation_id not in self._static:
                self._static[op.operation_id] = replace(op, behaviour=Behaviour(action=Action.STATIC))
            response = await self.engine.handle(self.api, self._static[op.operation_id], request, reply)
        # A delete the client was told succeeded (also of an id the mock never held) is never read back.
        if op.behaviour.action is Action.DELETE and 200 <= response.status < 300:
            self._deleted[self._tombstone(op, request, op.behaviour.id_param)] = None
            if len(self._deleted) > _TOMBSTONES:
                del self._deleted[next(iter(self._deleted))]
        return response

    def _tombstone(self, op: Operation, request: MockRequest, param: str | None) -> tuple[str, str]:
        """(resource, id) of the resource a path parameter names."""
        own = param is not None and param == op.behaviour.id_param
        resource = (op.behaviour.resource if own else self.api.id_params.get(param or "")) or ""
        return resource, str(request.path_params.get(param or "", ""))

    async def _delay(self, prefs: Preferences) -> None:
        low, high = self.settings.latency_ms
        delay = prefs.delay_ms if prefs.delay_ms is not None else (self._random.randint(low, high) if high else 0)
        if delay:
            await asyncio.sleep(delay / 1000)

    def _forced(self, op: Operation, prefs: Preferences) -> MockResponse | None:
        """A response the client or the error rate asks for instead of the normal one, if any."""
        gen = self.engine.gen
        if prefs.problem is not None:  # a control the client mistyped: say so rather than ignore it
            return error_response(self.api, op, 400, prefs.problem, gen)
        if prefs.example:
            for status, definition in op.responses.items():
                if prefs.example in definition.examples and status.isdigit():
                    media = next(iter(definition.content), "application/json")
                    return MockResponse(int(status), definition.examples[prefs.example], media,
                                        response_headers(definition, gen))
            names = sorted({n for d in op.responses.values() for n in d.examples})
            return error_response(self.api, op, 400, f"Prefer: example={prefs.example} is not an example of "
                                  f"{op.operation_id}; its examples: {', '.join(names) or 'none'}", gen)
        if prefs.code is not None and prefs.code != op.success_status:
            if str(prefs.code) not in op.responses:
                return error_response(self.api, op, 400, f"Prefer: code={prefs.code} is not documented for "
                                      f"{op.operation_id}; documented: {op.documented_statuses()}", gen)
            return self._status_response(op, prefs.code)
        if self.settings.error_rate and self._random.random() < self.settings.error_rate:
            failures = [s for s in op.documented_statuses() if s >= 500 or s == 429]
            if failures:
                return self._status_response(op, self._random.choice(failures))
        return None

    def _status_response(self, op: Operation, status: int) -> MockResponse:
        gen = self.engine.gen
        definition = op.response_for(status)
        if status >= 400 or definition is None:
            return error_response(self.api, op, status, f"forced {status} (mock)", gen)
        schema = next((s for m, s in definition.content.items() if s is not None and "json" in m), None)
        body = gen.value(schema) if schema is not None else None
        return MockResponse(status, body, "application/json" if body is not None else None,
                            response_headers(definition, gen))


def _violations(op: Operation, exc: MockRequestError) -> tuple[Violation, ...]:
    """The engine's error as a violation, when it names the field (a path id, a body field)."""
    if not exc.field:
        return ()
    location = next((p.location for p in op.parameters if p.name == exc.field), "body")
    kind = {404: "not_found", 409: "conflict"}.get(exc.status, "value_error")
    return (Violation((location, exc.field), exc.message, kind),)


def _mock_request(op: Operation, kwargs: dict[str, Any], headers: dict[str, str]) -> MockRequest:
    path_names = set(op.path_params)
    files = tuple(UploadedFile(name, v.filename, v.content_type, v.size or 0, _read_upload(v))
                  for name, v in kwargs.items() if isinstance(v, UploadFile))
    body = kwargs.get("body")
    if headers.get("content-length", "0") == "0" and not {"transfer-encoding", "content-type"} & set(headers):
        body = None  # Connexion passes `{}` when there is no body at all
    if isinstance(body, (bytes, bytearray)):  # a raw upload (`application/octet-stream`, `*/*`)
        files += (UploadedFile("body", None, headers.get("content-type"), len(body), bytes(body)),)
        body = None
    return MockRequest(
        path_params={k: v for k, v in kwargs.items() if k in path_names},
        query={k: v for k, v in kwargs.items() if k not in path_names and k not in _NOT_PARAMS
               and not isinstance(v, UploadFile)},
        body=body,
        files=files,
        headers=headers,
    )


def _read_upload(upload: UploadFile) -> bytes | None:
    """The bytes of a multipart file (already spooled by the form parser, so this read does not block)."""
    try:
        upload.file.seek(0)
        return upload.file.read()
    except (OSError, ValueError):
        return None
