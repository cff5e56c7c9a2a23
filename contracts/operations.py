"""A spec's operations as plain data: parameters, request body and responses with the JSON pointers of their
schemas (resolved once, `$ref`s followed), and a router from concrete request paths to operations.

Used by the verdicts on contract-run violations (contracts/assumptions.py) and by the validating proxy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from contracts.specfile import join_pointer
from contracts.validation import SchemaChecker

__all__ = ["HTTP_METHODS", "Header", "Operation", "Parameter", "Response", "SpecIndex", "match_media_type"]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TEMPLATE = re.compile(r"\{([^}/]+)\}")


@dataclass(frozen=True, slots=True)
class Parameter:
    """A parameter of an operation; `pointer` is the parameter object (after `$ref`), `schema` its schema."""

    name: str
    location: str
    required: bool
    pointer: str
    schema_pointer: str | None
    schema: Mapping[str, Any]
    style: str
    explode: bool


@dataclass(frozen=True, slots=True)
class Header:
    """A documented response header."""

    name: str
    required: bool
    pointer: str
    schema_pointer: str | None
    schema: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Response:
    """A documented response: media types (type -> schema pointer, `None` without a schema) and headers."""

    status: str
    pointer: str
    media: Mapping[str, str | None]
    headers: tuple[Header, ...]


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the spec."""

    method: str
    path: str
    pointer: str
    definition: Mapping[str, Any]
    parameters: tuple[Parameter, ...]
    body_media: Mapping[str, str | None]
    body_required: bool
    responses: Mapping[str, Response] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    def response_for(self, status: int) -> Response | None:
        """The documented response for `status`: its exact code, else its `NXX` range, else `default`."""
        return (
            self.responses.get(str(status))
            or self.responses.get(f"{str(status)[0]}XX")
            or self.responses.get(f"{str(status)[0]}xx")
            or self.responses.get("default")
        )


def match_media_type(declared: Iterable[str], actual: str | None) -> str | None:
    """The declared media type that `actual` (a Content-Type value) satisfies: exact, then `type/*`, `*/*`."""
    if not actual:
        return None
    essence = actual.split(";", 1)[0].strip().lower()
    main = essence.split("/", 1)[0]
    candidates = {media.split(";", 1)[0].strip().lower(): media for media in declared}
    for wanted in (essence, f"{main}/*", "*/*"):
        if wanted in candidates:
            return candidates[wanted]
    return None


class SpecIndex:
    """Every operation of a spec, by method and path template, with a router for concrete paths."""

    def __init__(self, document: Mapping[str, Any], checker: SchemaChecker | None = None) -> None:
        self.document = document
        self.checker = checker or SchemaChecker(document)
        self.operations: dict[tuple[str, str], Operation] = {}
        # Literal paths before templated ones (OpenAPI: concrete paths match first), then longer first.
        self._routes: list[tuple[re.Pattern[str], str, tuple[str, ...]]] = []
        for path, item in (document.get("paths") or {}).items():
            if not isinstance(item, Mapping):
                continue
            item_pointer = join_pointer("/paths", path)
            for method in HTTP_METHODS:
                definition = item.get(method)
                if isinstance(definition, Mapping):
                    pointer = join_pointer(item_pointer, method)
                    self.operations[(method, path)] = self._operation(method, path, pointer, item, definition)
            names = tuple(_TEMPLATE.findall(path))
            self._routes.append((_compile(path), path, names))
        self._routes.sort(key=lambda route: (len(route[2]) > 0, -len(route[1])))

    def find(self, method: str, path: str) -> Operation | None:
        """The operation for a method and a path template, as written in the spec."""
        return self.operations.get((method.lower(), path))

    def route(self, method: str, concrete: str) -> tuple[Operation | None, Mapping[str, str], bool]:
        """(operation, path parameters, path known) for a request path; `None` with `True` when the path exists
        but not for this method."""
        method = method.lower()
        known = False
        for pattern, path, names in self._routes:
            found = pattern.fullmatch(concrete)
            if found is None:
                continue
            known = True
            operation = self.operations.get((method, path))
            if operation is not None:
                return operation, {n: unquote(v) for n, v in zip(names, found.groups(), strict=True)}, True
        return None, {}, known

    def _operation(
        self, method: str, path: str, pointer: str, item: Mapping[str, Any], definition: Mapping[str, Any]
    ) -> Operation:
        parameters: dict[tuple[str, str], Parameter] = {}
        item_pointer = pointer.rsplit("/", 1)[0]
        for base, declared in ((item_pointer, item.get("parameters")), (pointer, definition.get("parameters"))):
            for index, _ in enumerate(declared if isinstance(declared, list) else []):
                parameter = self._parameter(join_pointer(base, "parameters", index))
                if parameter is not None:
                    parameters[(parameter.location, parameter.name.lower())] = parameter
        body_media: dict[str, str | None] = {}
        body_required = False
        if "requestBody" in definition:
            body_pointer, body = self._resolve(join_pointer(pointer, "requestBody"))
            body_required = bool(body.get("required"))
            body_media = self._media(body_pointer, body)
        responses = {}
        for status in definition.get("responses") or {}:
            response = self._response(join_pointer(pointer, "responses", status), str(status))
            if response is not None:
                responses[str(status)] = response
        return Operation(method, path, pointer, definition, tuple(parameters.values()), body_media, body_required,
                         responses)

    def _resolve(self, pointer: str) -> tuple[str, Mapping[str, Any]]:
        try:
            final, node = self.checker.resolve(pointer)
        except LookupError:
            return pointer, {}
        return final, node if isinstance(node, Mapping) else {}

    def _schema(self, holder: str, node: Mapping[str, Any]) -> tuple[str | None, Mapping[str, Any]]:
        if "schema" not in node:
            return None, {}
        schema_pointer = join_pointer(holder, "schema")
        return schema_pointer, self._resolve(schema_pointer)[1]

    def _parameter(self, pointer: str) -> Parameter | None:
        pointer, node = self._resolve(pointer)
        name, location = node.get("name"), node.get("in")
        if not isinstance(name, str) or location not in ("path", "query", "header", "cookie"):
            return None
        schema_pointer, schema = self._schema(pointer, node)
        style = str(node.get("style") or ("form" if location in ("query", "cookie") else "simple"))
        explode = bool(node.get("explode", style == "form"))
        return Parameter(name, location, bool(node.get("required")) or location == "path", pointer, schema_pointer,
                         schema, style, explode)

    def _media(self, pointer: str, node: Mapping[str, Any]) -> dict[str, str | None]:
        content = node.get("content")
        media: dict[str, str | None] = {}
        for media_type, entry in (content.items() if isinstance(content, Mapping) else []):
            has_schema = isinstance(entry, Mapping) and "schema" in entry
            media[str(media_type)] = join_pointer(pointer, "content", media_type, "schema") if has_schema else None
        return media

    def _response(self, pointer: str, status: str) -> Response | None:
        pointer, node = self._resolve(pointer)
        if not node:
            return None
        headers = []
        for name in node.get("headers") or {}:
            header_pointer, header = self._resolve(join_pointer(pointer, "headers", name))
            schema_pointer, schema = self._schema(header_pointer, header)
            headers.append(Header(str(name), bool(header.get("required")), header_pointer, schema_pointer, schema))
        return Response(status, pointer, self._media(pointer, node), tuple(headers))


def _compile(path: str) -> re.Pattern[str]:
    parts = _TEMPLATE.split(path)
    # split() alternates literal text and parameter names; a parameter matches one non-empty segment.
    regex = "".join(re.escape(part) if index % 2 == 0 else "([^/]+)" for index, part in enumerate(parts))
    return re.compile(regex)
