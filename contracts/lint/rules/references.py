"""Rules about `$ref`s: each resolves to the right kind of object, stands alone, and every component is used."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import unquote

from contracts.findings import Severity
from contracts.lint.registry import RuleRegistry, Violation
from contracts.lint.rules.common import component_key, component_section, is_30, mapping
from contracts.lint.walk import COMPONENT_KINDS, items, nodes
from contracts.specfile import SpecDocument, is_external, join_pointer

__all__ = ["RULES"]

RULES = RuleRegistry()
rule = RULES.rule


@rule("ref-resolves")
def ref_resolves(doc: SpecDocument) -> Iterator[Violation]:
    """Every `$ref` points at an existing object of the right kind (in this file or a file next to it)."""
    for node in nodes(doc, refs=True):
        if node.ref is None:
            continue
        where = join_pointer(node.pointer, "$ref")
        try:
            _value, target = doc.resolve(node.ref, node.pointer)
        except LookupError as exc:
            yield Violation(where, f"$ref {node.ref!r} does not resolve: {exc}")
            continue
        inner = target.partition("#")[2] if is_external(target) else target
        expected = COMPONENT_KINDS.get(component_section(inner, depth=3) or "")
        if expected is not None and node.kind not in (expected, "extension"):
            yield Violation(where, f"$ref {node.ref!r} points at a {expected}, but a {node.kind} belongs here")


@rule("ref-siblings")
def ref_siblings(doc: SpecDocument) -> Iterator[Violation]:
    """In OpenAPI 3.0 nothing stands beside a `$ref`: it would be ignored (3.1 documents: `spec-valid` checks)."""
    if not is_30(doc):
        return  # 3.1 schemas may extend a `$ref`, and its Reference objects are checked by the OpenAPI schema
    for node in nodes(doc, refs=True):
        if node.ref is None or node.kind == "extension":
            continue
        for key in node.value:
            if key == "$ref":
                continue
            if node.kind == "schema":
                advice = f"to add to the referenced schema, write `allOf: [{{$ref: ...}}]` with `{key}` beside `allOf`"
            else:
                advice = f"set it in the referenced {node.kind.replace('_', ' ')} instead"
            message = f"`{key}` beside `$ref` is ignored (OpenAPI 3.0 reads only the `$ref`): {advice}"
            yield Violation(join_pointer(node.pointer, key), message)


@rule("no-unused-components", severity=Severity.WARNING)
def no_unused_components(doc: SpecDocument) -> Iterator[Violation]:
    """Every component is used (referenced from outside components, directly or through other used components)."""
    components = mapping(doc.data.get("components"))
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
                yield Violation(pointer, f"components/{section}/{name} is never used: use it or remove it")


def _references(doc: SpecDocument) -> Iterator[tuple[tuple[str, str] | None, tuple[str, str]]]:
    """(component holding a reference, or None outside components; referenced component) pairs."""
    for node in nodes(doc, refs=True):
        targets = [node.ref] if node.ref is not None else []
        if node.kind == "schema":
            discriminator = mapping(mapping(node.value.get("discriminator")).get("mapping"))
            targets += [v if v.startswith("#") else f"#/components/schemas/{v}" for _, v in items(discriminator) if v]
        owner = component_key(node.pointer)
        for ref in targets:
            target = component_key(unquote(ref[1:])) if ref.startswith("#") else None
            if target is not None and target != owner:
                yield owner, target


def _security_scheme_names(doc: SpecDocument) -> Iterator[str]:
    lists = [doc.data.get("security")] + [node.value.get("security") for node in nodes(doc, "operation")]
    for requirements in lists:
        for requirement in requirements if isinstance(requirements, list) else ():
            yield from (name for name, _ in items(requirement))
