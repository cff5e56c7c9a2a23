"""Our extra Schemathesis checks, added to the built-in ones by `register_checks()` (called by the runner).

`create_read_round_trip`: after a 2xx response to a create (a POST whose response `links` name the new resource
from a body: `$response.body#/id`, `$request.body#/...`) or an update (a PUT/PATCH linked to a GET of the same
path), read the resource back through the link's item read (a GET whose path ends with a parameter) and compare
every scalar field the client sent that the read response schema declares, at its top level or inside one wrapping
object. It fails when the read says the resource does not exist (404/410), or when a sent value comes back
different. Date/time and binary formats are not compared (servers re-serialise them).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import schemathesis
from schemathesis import Case, CheckContext, Response
from schemathesis.core.failures import Failure
from schemathesis.errors import IncorrectUsage

__all__ = ["CUSTOM_CHECK_NAMES", "RoundTripFailure", "create_read_round_trip", "register_checks"]

_GONE_STATUSES = frozenset({404, 410})
# String formats a server may legitimately re-serialise (`+00:00` vs `Z`): not compared.
_NORMALISED_FORMATS = frozenset({"date", "date-time", "time", "byte", "binary"})
_SCALARS = (str, int, float, bool)
_REGISTRATION_LOCK = threading.Lock()
_registered = False


class RoundTripFailure(Failure):
    """A created resource that cannot be read back, or reads back different from what was sent."""

    code = "ST950"
    checks = ("create_read_round_trip",)
    kind_title = "Created resource differs when read back"

    @property
    def _unique_key(self) -> str:
        return self.title


def create_read_round_trip(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """What the client wrote (a create, or an update) must read back unchanged through the response's links."""
    if not 200 <= response.status_code < 300 or not _is_positive(case) or not isinstance(case.body, dict):
        return None
    raw = case.operation.schema.raw_schema
    operation = _resolve(raw, raw["paths"][case.path][case.method.lower()])
    for operation_id, parameters in _links_for(raw, operation, response.status_code):
        target = _find_item_read(case, operation_id)
        if target is None or not _reads_what_was_written(case, target, parameters):
            continue
        values = _link_values(parameters, case, response)
        if values is not None:
            _read_and_compare(case, target, values)
    return None


CUSTOM_CHECKS = (create_read_round_trip,)
CUSTOM_CHECK_NAMES: tuple[str, ...] = tuple(check.__name__ for check in CUSTOM_CHECKS)


def register_checks() -> tuple[str, ...]:
    """Add our checks to Schemathesis' registry once per process; returns their names."""
    global _registered
    with _REGISTRATION_LOCK:
        if not _registered:
            for check in CUSTOM_CHECKS:
                try:
                    schemathesis.check(check)
                except IncorrectUsage:  # registered by an earlier import of this module under another name
                    pass
            _registered = True
    return CUSTOM_CHECK_NAMES


def _is_positive(case: Case) -> bool:
    meta = case.meta
    return meta is None or meta.generation.mode.is_positive


def _resolve(raw: Mapping[str, Any], node: Any) -> Any:
    """Follow local `$ref`s until a node without one."""
    seen: set[str] = set()
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and node["$ref"] not in seen:
        reference = node["$ref"]
        seen.add(reference)
        if not reference.startswith("#/"):
            return {}
        node = _pointer(raw, reference[1:])
        if node is _MISSING:
            return {}
    return node


class _Missing:
    pass


_MISSING: Any = _Missing()


def _pointer(document: Any, pointer: str) -> Any:
    """RFC 6901 JSON pointer lookup; `_MISSING` when a step does not exist."""
    if pointer in ("", "/"):
        return document if pointer == "" else _MISSING
    current = document
    for token in pointer.lstrip("/").split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(current, Mapping) and token in current:
            current = current[token]
        elif isinstance(current, list) and token.isdigit() and int(token) < len(current):
            current = current[int(token)]
        else:
            return _MISSING
    return current


def _links_for(raw: Mapping[str, Any], operation: Mapping[str, Any], status: int) -> list[tuple[str, Any]]:
    responses = operation.get("responses", {})
    definition = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or {}
    links = _resolve(raw, definition).get("links", {})
    result = []
    for link in links.values():
        link = _resolve(raw, link)
        if isinstance(link, Mapping) and isinstance(link.get("operationId"), str):
            result.append((link["operationId"], link.get("parameters", {})))
    return result


def _find_item_read(case: Case, operation_id: str) -> Any:
    """The GET operation a link points to, when it reads one item (its path ends with a parameter)."""
    try:
        target = case.operation.schema.find_operation_by_id(operation_id)
    except (KeyError, LookupError):
        return None
    if target.method.upper() != "GET" or not target.path.rstrip("/").endswith("}"):
        return None
    return target


def _reads_what_was_written(case: Case, target: Any, parameters: Mapping[str, Any]) -> bool:
    """A POST whose link names the new resource from a body, or a PUT/PATCH linked to a GET of the same path."""
    method = case.method.upper()
    if method == "POST":
        return any(str(value).startswith(("$response.body", "$request.body")) for value in parameters.values())
    return method in ("PUT", "PATCH") and target.path == case.path


def _link_values(parameters: Mapping[str, Any], case: Case, response: Response) -> dict[str, Any] | None:
    """Evaluate a link's parameter expressions; `None` when one cannot be resolved."""
    values: dict[str, Any] = {}
    for name, expression in parameters.items():
        value = _evaluate(expression, case, response)
        if value is _MISSING:
            return None
        values[name.split(".", 1)[1] if "." in name else name] = value
    return values


def _evaluate(expression: Any, case: Case, response: Response) -> Any:
    if not isinstance(expression, str) or not expression.startswith("$"):
        return expression
    if expression.startswith("$response.body"):
        try:
            body = response.json()
        except (ValueError, json.JSONDecodeError):
            return _MISSING
        return _pointer(body, expression.partition("#")[2])
    if expression.startswith("$request.body"):
        return _pointer(case.body, expression.partition("#")[2])
    source, _, name = expression.removeprefix("$").partition(".")[2].partition(".")
    containers: dict[str, Any] = {
        "path": case.path_parameters or {},
        "query": case.query or {},
        "header": {key.lower(): value for key, value in (case.headers or {}).items()},
    }
    if expression.startswith("$response.header."):
        headers = {key.lower(): value for key, value in response.headers.items()}
        value = headers.get(expression.removeprefix("$response.header.").lower(), _MISSING)
        return value[0] if isinstance(value, list) and value else value
    container = containers.get(source)
    if container is None:
        return _MISSING
    return container.get(name.lower() if source == "header" else name, _MISSING)


def _read_and_compare(case: Case, target: Any, values: Mapping[str, Any]) -> None:
    containers: dict[str, dict[str, Any]] = {"path_parameters": {}, "query": {}, "headers": {}}
    for parameter in target.iter_parameters():
        if parameter.name in values and parameter.location.container_name in containers:
            containers[parameter.location.container_name][parameter.name] = values[parameter.name]
    template_names = {part[1:-1] for part in target.path.split("/") if part.startswith("{") and part.endswith("}")}
    if not template_names <= set(containers["path_parameters"]):
        return
    config = case.operation.schema.config
    read = target.Case(
        path_parameters=containers["path_parameters"], query=containers["query"], headers=containers["headers"]
    )
    timeout = config.request_timeout_for(operation=target) or 10
    answer = read.call(headers=config.headers_for(operation=target), timeout=timeout)
    described = f"`{read.method} {read.formatted_path}` (followed the link from `{case.operation.label}`)"
    written = "created" if case.method.upper() == "POST" else "updated"
    if answer.status_code in _GONE_STATUSES:
        raise RoundTripFailure(
            operation=case.operation.label,
            title=f"{written.capitalize()} resource is not readable",
            message=f"{described} answered {answer.status_code} right after a successful {case.method.upper()}.",
        )
    if not 200 <= answer.status_code < 300:
        return
    try:
        document = answer.json()
    except ValueError:
        return
    if not isinstance(document, Mapping):
        return
    raw = case.operation.schema.raw_schema
    fields = _readable_fields(raw, _read_properties(raw, target, answer.status_code), document)
    mismatches = list(_mismatches(case.body, fields))
    if mismatches:
        lines = "\n".join(f"  - `{name}`: sent {sent}, read back {got}" for name, sent, got in mismatches)
        raise RoundTripFailure(
            operation=case.operation.label,
            title=f"{written.capitalize()} resource differs when read back",
            message=f"Fields sent to `{case.operation.label}` came back different from {described}:\n{lines}",
        )


def _read_properties(raw: Mapping[str, Any], target: Any, status: int) -> dict[str, Any]:
    operation = _resolve(raw, raw["paths"][target.path][target.method.lower()])
    responses = operation.get("responses", {})
    response = _resolve(raw, responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or {})
    content = response.get("content", {})
    media = next((value for key, value in content.items() if "json" in key), None)
    if not isinstance(media, Mapping):
        return {}
    return _object_properties(raw, media.get("schema", {}))


def _object_properties(raw: Mapping[str, Any], schema: Any, depth: int = 0) -> dict[str, Any]:
    schema = _resolve(raw, schema)
    if not isinstance(schema, Mapping) or depth > 8:
        return {}
    properties = {name: _resolve(raw, value) for name, value in schema.get("properties", {}).items()}
    for part in schema.get("allOf", []):
        properties.update(_object_properties(raw, part, depth + 1))
    return properties


def _readable_fields(
    raw: Mapping[str, Any], properties: Mapping[str, Any], document: Mapping[str, Any]
) -> dict[str, tuple[Any, Any, str]]:
    """Declared fields present in the read document: top-level ones, then those of a wrapping object (when only
    one wrapper declares the name), as name -> (declared schema, value read, where)."""
    fields = {name: (declared, document[name], name) for name, declared in properties.items() if name in document}
    nested: dict[str, list[tuple[Any, Any, str]]] = {}
    for wrapper, declared in properties.items():
        value = document.get(wrapper)
        if not isinstance(value, Mapping):
            continue
        for name, inner in _object_properties(raw, declared).items():
            if name in value:
                nested.setdefault(name, []).append((inner, value[name], f"{wrapper}.{name}"))
    for name, candidates in nested.items():
        if name not in fields and len(candidates) == 1:
            fields[name] = candidates[0]
    return fields


def _mismatches(sent: Mapping[str, Any], fields: Mapping[str, tuple[Any, Any, str]]) -> Iterator[tuple[str, str, str]]:
    for name, value in sent.items():
        if name not in fields or not isinstance(value, _SCALARS):
            continue
        declared, got, where = fields[name]
        if not isinstance(declared, Mapping) or declared.get("writeOnly"):
            continue
        if declared.get("format") in _NORMALISED_FORMATS or declared.get("type") in ("object", "array"):
            continue
        if not _same(value, got):
            yield where, _show(value), _show(got)


def _same(sent: Any, got: Any) -> bool:
    numbers = (int, float)
    if isinstance(sent, numbers) and isinstance(got, numbers) and not isinstance(sent, bool):
        return not isinstance(got, bool) and float(sent) == float(got)
    return type(sent) is type(got) and bool(sent == got)


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."
