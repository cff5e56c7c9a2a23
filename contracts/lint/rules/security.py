"""Rules about security requirements: they name defined schemes and scopes, and every operation states one."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from contracts.findings import Severity
from contracts.lint.registry import RuleRegistry, Violation
from contracts.lint.rules.common import mapping
from contracts.lint.walk import items, nodes
from contracts.specfile import SpecDocument, join_pointer

__all__ = ["RULES"]

RULES = RuleRegistry()
rule = RULES.rule


@rule("security-defined")
def security_defined(doc: SpecDocument) -> Iterator[Violation]:
    """Security requirements name schemes of `components/securitySchemes`, and OAuth2 scopes its flows define."""
    schemes = mapping(mapping(doc.data.get("components")).get("securitySchemes"))
    yield from _undefined(doc, doc.data.get("security"), "/security", schemes)
    for node in nodes(doc, "operation"):
        yield from _undefined(doc, node.value.get("security"), join_pointer(node.pointer, "security"), schemes)


@rule("security-declared", severity=Severity.WARNING)
def security_declared(doc: SpecDocument) -> Iterator[Violation]:
    """Security is declared at the root or per operation (`security: []` says an operation is public)."""
    if "security" in doc.data:
        return
    for node in nodes(doc, "operation"):
        if "security" not in node.value:
            message = "no security requirement: set `security` at the root or here (`security: []` if public)"
            yield Violation(node.pointer, message)


def _undefined(doc: SpecDocument, requirements: Any, pointer: str, schemes: Mapping[str, Any]) -> Iterator[Violation]:
    if not isinstance(requirements, list):
        return
    for index, requirement in enumerate(requirements):
        for name, scopes in items(requirement):
            where = join_pointer(pointer, index, name)
            if name not in schemes:
                message = f"security scheme {name!r} is not defined: add it to components/securitySchemes"
                yield Violation(where, message)
                continue
            scheme, _ = doc.deref(schemes[name], join_pointer("/components/securitySchemes", name))
            if mapping(scheme).get("type") != "oauth2" or not isinstance(scopes, list):
                continue
            flows = mapping(mapping(scheme).get("flows")).values()
            defined = {scope for flow in flows for scope in mapping(mapping(flow).get("scopes"))}
            for scope_index, scope in enumerate(scopes):
                if scope not in defined:
                    message = f"scope {scope!r} is not defined by any flow of security scheme {name!r}: add it there"
                    yield Violation(join_pointer(where, scope_index), message)
