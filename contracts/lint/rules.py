"""The built-in lint rules: one small function each, registered in `DEFAULT_RULES` under its rule name."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote

from contracts.findings import Severity
from contracts.lint.examples import ExampleChecker
from contracts.lint.registry import RuleRegistry, Violation
from contracts.lint.structure import structure_violations
from contracts.lint.walk import COMPONENT_KINDS, HTTP_METHODS, Node, items, walk
from contracts.specfile import SpecDocument, join_pointer, resolve_pointer

__all__ = ["DEFAULT_RULES"]

DEFAULT_RULES = RuleRegistry()
rule = DEFAULT_RULES.rule

_TEMPLATE = re.compile(r"\{([^{}]+)\}")
_SUCCESS = re.compile(r"^(2\d\d|2XX|101)$")
_LINK_PARAMETER = re.compile(r"^(path|query|header|cookie)\.(.+)$")
_ALL_OF_PART = re.compile(r"^(.*)/allOf/\d+$")


@rule("spec-valid")
def spec_valid(doc: SpecDocument) -> Iterator[Violation]:
    """The document is a structurally valid OpenAPI 3.0 / 3.1 document (openapi-spec-validator's schemas)."""
    yield from structure_violations(doc.data)


@rule("no-duplicate-keys")
def no_duplicate_keys(doc: SpecDocument) -> Iterator[Violation]:
    """No mapping repeats a key (YAML keeps only the last one, silently)."""
    for pointer, _line in doc.duplicate_keys:
        key = pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
        yield Violation(pointer, f"duplicate key {key!r}: only its last value is used")


@rule("ref-resolves")
def ref_resolves(doc: SpecDocument) -> Iterator[Violation]:
    """Every `$ref` points at an existing object of the right kind."""
    for node in walk(doc.data):
        if node.ref is None:
            continue
        where = join_pointer(node.pointer, "$ref")
        try:
            _value, target = doc.resolve(node.ref)
        except LookupError as exc:
            yield Violation(where, f"$ref {node.ref!r} does not resolve: {exc}")
            continue
        section = _component_section(target, depth=3)
        expected = COMPONENT_KINDS.get(section or "")
        if expected is not None and node.kind not in (expected, "extension"):
            yield Violation(where, f"$ref {node.ref!r} points at a {expected}, but a {node.kind} belongs here")


@rule("example-valid")
def example_valid(doc: SpecDocument) -> Iterator[Violation]:
    """Every `example`, `examples` and `default` validates against its schema."""
    checker = ExampleChecker(doc)
    for node in walk(doc.data):
        if node.ref is not None:
            continue
        if node.kind == "schema":
            for keyword in ("example", "default"):
                if keyword in node.value:
                    yield from checker.check(node.pointer, node.value[keyword], join_pointer(node.pointer, keyword))
            values = node.value.get("examples")
            if isinstance(values, list):
                for index, value in enumerate(values):
                    yield from checker.check(node.pointer, value, join_pointer(node.pointer, "examples", index))
        elif node.kind in ("parameter", "header", "media_type") and "schema" in node.value:
            schema = join_pointer(node.pointer, "schema")
            if "example" in node.value:
                yield from checker.check(schema, node.value["example"], join_pointer(node.pointer, "example"))
            for name, example in items(node.value.get("examples")):
                value, pointer = doc.deref(example, join_pointer(node.pointer, "examples", name))
                if isinstance(value, Mapping) and "value" in value:
                    yield from checker.check(schema, value["value"], join_pointer(pointer, "value"))


@rule("operation-id-unique")
def operation_id_unique(doc: SpecDocument) -> Iterator[Violation]:
    """No two operations share an operationId."""
    first: dict[str, str] = {}
    for node in _nodes(doc, "operation"):
        operation_id = node.value.get("operationId")
        if not isinstance(operation_id, str):
            continue
        if operation_id in first:
            yield Violation(
                join_pointer(node.pointer, "operationId"),
                f"operationId {operation_id!r} is already used by {first[operation_id]}",
            )
        else:
            first[operation_id] = node.pointer


@rule("parameters-unique")
def parameters_unique(doc: SpecDocument) -> Iterator[Violation]:
    """A `parameters` list names each (name, in) once."""
    for node in walk(doc.data):
        if node.kind not in ("path_item", "operation") or node.ref is not None:
            continue
        seen: set[tuple[str, str]] = set()
        for key, pointer in _parameter_keys(doc, node.value, node.pointer):
            if key in seen:
                yield Violation(pointer, f"parameter {key[0]!r} in {key[1]} is declared twice")
            seen.add(key)


@rule("path-params-match")
def path_params_match(doc: SpecDocument) -> Iterator[Violation]:
    """Path template variables and declared path parameters (path level + operation level) match one to one."""
    for path, item in items(doc.data.get("paths")):
        item, item_pointer = doc.deref(item, join_pointer("/paths", path))
        if not isinstance(item, Mapping):
            continue
        template = set(_TEMPLATE.findall(path))
        shared = _path_parameters(doc, item, item_pointer)
        for name, pointer in shared.items():
            if name not in template:
                yield Violation(pointer, f"path parameter {name!r} is not in the path template {path!r}")
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, Mapping):
                continue
            pointer = join_pointer(item_pointer, method)
            own = _path_parameters(doc, operation, pointer)
            for name, param_pointer in own.items():
                if name not in template:
                    yield Violation(param_pointer, f"path parameter {name!r} is not in the path template {path!r}")
            for name in sorted(template - shared.keys() - own.keys()):
                yield Violation(pointer, f"path template variable {{{name}}} is not declared as a path parameter")


@rule("success-response")
def success_response(doc: SpecDocument) -> Iterator[Violation]:
    """Each operation has a 2xx/101 response; one with content gives every media type a schema; 204 has no content."""
    for node in _nodes(doc, "operation"):
        responses = node.value.get("responses")
        if not isinstance(responses, Mapping):
            continue
        codes = [code for code, _ in items(responses) if _SUCCESS.match(code)]
        if not codes:
            yield Violation(join_pointer(node.pointer, "responses"), "no success (2xx or 101) response")
        for code in codes:
            response, pointer = doc.deref(responses[code], join_pointer(node.pointer, "responses", code))
            content = response.get("content") if isinstance(response, Mapping) else None
            if not isinstance(content, Mapping) or not content:
                continue
            if code == "204":
                yield Violation(join_pointer(pointer, "content"), "a 204 response has no content")
                continue
            for media_type, media in items(content):
                if not isinstance(media, Mapping) or "schema" not in media:
                    yield Violation(join_pointer(pointer, "content", media_type), f"{code} {media_type} has no schema")


@rule("security-declared")
def security_declared(doc: SpecDocument) -> Iterator[Violation]:
    """Security is declared at the root or per operation (`security: []` for public ones) with defined schemes."""
    schemes = _mapping(_mapping(doc.data.get("components")).get("securitySchemes"))
    has_global = "security" in doc.data
    yield from _undefined_schemes(doc.data.get("security"), "/security", schemes)
    for node in _nodes(doc, "operation"):
        if "security" in node.value:
            yield from _undefined_schemes(node.value["security"], join_pointer(node.pointer, "security"), schemes)
        elif not has_global:
            yield Violation(node.pointer, "no security requirement: set `security` at the root or on the operation")


@rule("no-unused-components", severity=Severity.WARNING)
def no_unused_components(doc: SpecDocument) -> Iterator[Violation]:
    """Every component is used (referenced from outside components, directly or through other used components)."""
    components = _mapping(doc.data.get("components"))
    edges: dict[tuple[str, str] | None, set[tuple[str, str]]] = {}
    for owner, target in _references(doc):
        edges.setdefault(owner, set()).add(target)
    used: set[tuple[str, str]] = set()
    pending = list(edges.get(None, ()))
    while pending:
        key = pending.pop()
        if key not in used:
            used.add(key)
            pending.extend(edges.get(key, ()))
    used.update(("securitySchemes", name) for name in _security_scheme_names(doc))
    for section in COMPONENT_KINDS:
        for name, _value in items(components.get(section)):
            if (section, name) not in used:
                pointer = join_pointer("/components", section, name)
                yield Violation(pointer, f"components/{section}/{name} is never used")


@rule("enum-unique")
def enum_unique(doc: SpecDocument) -> Iterator[Violation]:
    """No `enum` lists a value twice."""
    for node in _nodes(doc, "schema"):
        values = node.value.get("enum")
        if not isinstance(values, list):
            continue
        seen: set[str] = set()
        for index, value in enumerate(values):
            key = json.dumps([type(value).__name__, value], sort_keys=True, default=str)
            if key in seen:
                yield Violation(join_pointer(node.pointer, "enum", index), f"enum value {value!r} is listed twice")
            seen.add(key)


@rule("required-properties")
def required_properties(doc: SpecDocument) -> Iterator[Violation]:
    """Every name in `required` is one of the schema's `properties` (when it lists properties)."""
    for node in _nodes(doc, "schema"):
        required, properties = node.value.get("required"), node.value.get("properties")
        if not isinstance(required, list) or not isinstance(properties, Mapping):
            continue
        known = set(properties) | _all_of_properties(doc, node.value, set()) | _sibling_properties(doc, node.pointer)
        for index, name in enumerate(required):
            if name not in known:
                yield Violation(join_pointer(node.pointer, "required", index), f"required {name!r} is not a property")


@rule("links-valid")
def links_valid(doc: SpecDocument) -> Iterator[Violation]:
    """Links name an existing operationId (or operationRef) and only parameters that operation has."""
    operations = _operations_by_id(doc)
    for node in _nodes(doc, "link"):
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


def _nodes(doc: SpecDocument, kind: str) -> Iterator[Node]:
    return (node for node in walk(doc.data) if node.kind == kind and node.ref is None)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _component_section(pointer: str, depth: int | None = None) -> str | None:
    parts = pointer.split("/")
    if len(parts) < 4 or parts[1] != "components" or (depth is not None and len(parts) != depth + 1):
        return None
    return parts[2] if parts[2] in COMPONENT_KINDS else None


def _parameter_keys(doc: SpecDocument, owner: Mapping[str, Any], pointer: str) -> Iterator[tuple[tuple[str, str], str]]:
    parameters = owner.get("parameters")
    if not isinstance(parameters, list):
        return
    for index, parameter in enumerate(parameters):
        item_pointer = join_pointer(pointer, "parameters", index)
        value, _ = doc.deref(parameter, item_pointer)
        if isinstance(value, Mapping) and isinstance(value.get("name"), str) and isinstance(value.get("in"), str):
            yield (value["name"], value["in"]), item_pointer


def _path_parameters(doc: SpecDocument, owner: Mapping[str, Any], pointer: str) -> dict[str, str]:
    return {name: where for (name, location), where in _parameter_keys(doc, owner, pointer) if location == "path"}


def _undefined_schemes(requirements: Any, pointer: str, schemes: Mapping[str, Any]) -> Iterator[Violation]:
    if not isinstance(requirements, list):
        return
    for index, requirement in enumerate(requirements):
        for name, _scopes in items(requirement):
            if name not in schemes:
                yield Violation(join_pointer(pointer, index, name), f"security scheme {name!r} is not defined")


def _security_scheme_names(doc: SpecDocument) -> Iterator[str]:
    lists = [doc.data.get("security")] + [node.value.get("security") for node in _nodes(doc, "operation")]
    for requirements in lists:
        for requirement in requirements if isinstance(requirements, list) else ():
            yield from (name for name, _ in items(requirement))


def _references(doc: SpecDocument) -> Iterator[tuple[tuple[str, str] | None, tuple[str, str]]]:
    """(component holding a reference, or None outside components; referenced component) pairs."""
    for node in walk(doc.data):
        targets = [node.ref] if node.ref is not None else []
        if node.kind == "schema":
            mapping = _mapping(_mapping(node.value.get("discriminator")).get("mapping"))
            targets += [v if v.startswith("#") else f"#/components/schemas/{v}" for _, v in items(mapping) if v]
        owner = _component_key(node.pointer)
        for ref in targets:
            target = _component_key(unquote(ref[1:])) if ref.startswith("#") else None
            if target is not None and target != owner:
                yield owner, target


def _component_key(pointer: str) -> tuple[str, str] | None:
    section = _component_section(pointer)
    if section is None:
        return None
    return section, pointer.split("/")[3].replace("~1", "/").replace("~0", "~")


def _all_of_properties(doc: SpecDocument, schema: Mapping[str, Any], seen: set[int]) -> set[str]:
    names: set[str] = set()
    parts = schema.get("allOf")
    for part in parts if isinstance(parts, list) else ():
        value, _ = doc.deref(part, "")
        if isinstance(value, Mapping) and id(value) not in seen:
            seen.add(id(value))
            names |= set(_mapping(value.get("properties"))) | _all_of_properties(doc, value, seen)
    return names


def _sibling_properties(doc: SpecDocument, pointer: str) -> set[str]:
    """Properties of the other `allOf` parts (and the parent) when the schema at `pointer` is an `allOf` part."""
    match = _ALL_OF_PART.match(pointer)
    if match is None:
        return set()
    try:
        parent = resolve_pointer(doc.data, match.group(1))
    except LookupError:
        return set()
    if not isinstance(parent, Mapping):
        return set()
    return set(_mapping(parent.get("properties"))) | _all_of_properties(doc, parent, set())


def _operations_by_id(doc: SpecDocument) -> dict[str, tuple[str, set[tuple[str, str]]]]:
    found: dict[str, tuple[str, set[tuple[str, str]]]] = {}
    for node in _nodes(doc, "operation"):
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
    keys = {key for key, _ in _parameter_keys(doc, item, item_pointer)}
    keys |= {key for key, _ in _parameter_keys(doc, operation, pointer)}
    label = f"operation {operation.get('operationId') or pointer!s}"
    return label, keys
