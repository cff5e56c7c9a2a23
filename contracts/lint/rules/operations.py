"""Rules about operations: ids, tags, parameters, responses, callbacks and links."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from urllib.parse import unquote

from contracts.findings import Severity
from contracts.lint.registry import RuleRegistry, Violation
from contracts.lint.rules.common import mapping, parameter_keys
from contracts.lint.walk import HTTP_METHODS, items, nodes
from contracts.specfile import SpecDocument, join_pointer, resolve_pointer

__all__ = ["RULES"]

RULES = RuleRegistry()
rule = RULES.rule

_SUCCESS = re.compile(r"^(101|[23]\d\d|[23]XX)$")
_URL_SAFE = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]*$")
_LINK_PARAMETER = re.compile(r"^(path|query|header|cookie)\.(.+)$")


@rule("operation-id-unique")
def operation_id_unique(doc: SpecDocument) -> Iterator[Violation]:
    """No two operations share an operationId."""
    first: dict[str, str] = {}
    for node in nodes(doc, "operation"):
        operation_id = node.value.get("operationId")
        if not isinstance(operation_id, str):
            continue
        if operation_id in first:
            yield Violation(
                join_pointer(node.pointer, "operationId"),
                f"operationId {operation_id!r} is already used by {first[operation_id]}: rename one",
            )
        else:
            first[operation_id] = node.pointer


@rule("operation-id-valid", severity=Severity.WARNING)
def operation_id_valid(doc: SpecDocument) -> Iterator[Violation]:
    """Every operation has an operationId, made of characters a URL can carry as they are."""
    for node in nodes(doc, "operation"):
        operation_id = node.value.get("operationId")
        if operation_id is None and _in_callback(node.pointer):
            continue  # the API calls it; clients implement it, they do not call it by name
        if operation_id is None:
            yield Violation(node.pointer, "the operation has no operationId: add one (generated clients name it)")
        elif isinstance(operation_id, str) and not _URL_SAFE.match(operation_id):
            bad = "".join(sorted({c for c in operation_id if not _URL_SAFE.match(c)}))
            message = f"operationId {operation_id!r} has characters URLs cannot carry ({bad!r}): use letters and digits"
            yield Violation(join_pointer(node.pointer, "operationId"), message)


@rule("operation-tags-defined", severity=Severity.WARNING)
def operation_tags_defined(doc: SpecDocument) -> Iterator[Violation]:
    """Every tag an operation names is defined in the root `tags` list."""
    tags = doc.data.get("tags")
    defined = {mapping(tag).get("name") for tag in tags} if isinstance(tags, list) else set()
    for node in nodes(doc, "operation"):
        names = node.value.get("tags")
        for index, name in enumerate(names if isinstance(names, list) else ()):
            if isinstance(name, str) and name not in defined:
                message = f"tag {name!r} is not in the root `tags` list: add it there (with a description)"
                yield Violation(join_pointer(node.pointer, "tags", index), message)


@rule("parameters-unique")
def parameters_unique(doc: SpecDocument) -> Iterator[Violation]:
    """A `parameters` list names each (name, in) once."""
    for node in (*nodes(doc, "path_item"), *nodes(doc, "operation")):
        seen: set[tuple[str, str]] = set()
        for key, pointer in parameter_keys(doc, node.value, node.pointer):
            if key in seen:
                yield Violation(pointer, f"parameter {key[0]!r} in {key[1]} is declared twice: remove one")
            seen.add(key)


@rule("success-response")
def success_response(doc: SpecDocument) -> Iterator[Violation]:
    """Each operation has a success (2xx, 3xx or 101) response; a 204 has no content."""
    for node in nodes(doc, "operation"):
        responses = node.value.get("responses")
        if not isinstance(responses, Mapping):
            continue
        if not any(_SUCCESS.match(code) for code, _ in items(responses)):
            message = "no success (2xx, 3xx or 101) response: add the one a client gets when the call works"
            yield Violation(join_pointer(node.pointer, "responses"), message)
        if "204" in responses:
            response, pointer = doc.deref(responses["204"], join_pointer(node.pointer, "responses", "204"))
            if mapping(mapping(response).get("content")):
                yield Violation(join_pointer(pointer, "content"), "a 204 response has no content: remove `content`")


@rule("media-type-schema", severity=Severity.WARNING)
def media_type_schema(doc: SpecDocument) -> Iterator[Violation]:
    """Each media type of a success response has a schema or an example (what clients and the mock go by)."""
    for node in nodes(doc, "operation"):
        for code, response in items(node.value.get("responses")):
            if not _SUCCESS.match(code) or code == "204":
                continue
            response, pointer = doc.deref(response, join_pointer(node.pointer, "responses", code))
            for media_type, media in items(mapping(response).get("content")):
                if isinstance(media, Mapping) and not {"schema", "example", "examples"} & media.keys():
                    message = f"{code} {media_type} has no schema: add one so clients know its shape"
                    yield Violation(join_pointer(pointer, "content", media_type), message)


@rule("no-callbacks-in-callbacks", severity=Severity.WARNING)
def no_callbacks_in_callbacks(doc: SpecDocument) -> Iterator[Violation]:
    """A callback's operations define no callbacks of their own."""
    for node in nodes(doc, "operation"):
        if "callbacks" in node.value and _in_callback(node.pointer):
            message = "a callback operation defines callbacks: move them to the operation that registers them"
            yield Violation(join_pointer(node.pointer, "callbacks"), message)


@rule("links-valid")
def links_valid(doc: SpecDocument) -> Iterator[Violation]:
    """Links name an existing operationId (or operationRef) and only parameters that operation has."""
    operations = _operations_by_id(doc)
    for node in nodes(doc, "link"):
        target: tuple[str, set[tuple[str, str]]] | None = None
        operation_id = node.value.get("operationId")
        operation_ref = node.value.get("operationRef")
        if isinstance(operation_id, str):
            target = operations.get(operation_id)
            if target is None:
                yield Violation(join_pointer(node.pointer, "operationId"), f"no operation has id {operation_id!r}")
        elif isinstance(operation_ref, str) and operation_ref.startswith("#"):
            target = _operation_at(doc, unquote(operation_ref[1:]))
            if target is None:
                yield Violation(join_pointer(node.pointer, "operationRef"), f"{operation_ref!r} is not an operation")
        if target is None:
            continue
        label, parameters = target
        names = {name for name, _ in parameters}
        for key, _expression in items(node.value.get("parameters")):
            match = _LINK_PARAMETER.match(key)
            known = (match.group(2), match.group(1)) in parameters if match else key in names
            if not known:
                yield Violation(join_pointer(node.pointer, "parameters", key), f"{label} has no parameter {key!r}")


def _in_callback(pointer: str) -> bool:
    """Whether the object at `pointer` is inside a callback (path keys are escaped, so the token is structural)."""
    return "callbacks" in pointer.split("/")[1:-1]


def _operations_by_id(doc: SpecDocument) -> dict[str, tuple[str, set[tuple[str, str]]]]:
    found: dict[str, tuple[str, set[tuple[str, str]]]] = {}
    for node in nodes(doc, "operation"):
        operation_id = node.value.get("operationId")
        target = _operation_at(doc, node.pointer)
        if isinstance(operation_id, str) and target is not None:
            found.setdefault(operation_id, target)
    return found


def _operation_at(doc: SpecDocument, pointer: str) -> tuple[str, set[tuple[str, str]]] | None:
    """(label, parameter (name, in) keys) of the operation at `pointer`, path-level parameters included."""
    item_pointer, _, method = pointer.rpartition("/")
    try:
        item, item_pointer = doc.deref(resolve_pointer(doc.data, item_pointer), item_pointer)
    except LookupError:
        return None
    operation = item.get(method) if isinstance(item, Mapping) and method in HTTP_METHODS else None
    if not isinstance(operation, Mapping):
        return None
    keys = {key for key, _ in parameter_keys(doc, item, item_pointer)}
    keys |= {key for key, _ in parameter_keys(doc, operation, pointer)}
    label = f"operation {operation.get('operationId') or pointer!s}"
    return label, keys
