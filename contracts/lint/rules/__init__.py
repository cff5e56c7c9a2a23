"""The built-in lint rules, one small function each, grouped by what they look at; `DEFAULT_RULES` holds them all.

Severities follow Spectral's `oas` ruleset where a rule matches one of its rules, except that a reference to
something undefined (a security scheme, a scope) is an error here.
"""

from __future__ import annotations

from contracts.lint.registry import RuleRegistry
from contracts.lint.rules import document, examples, operations, paths, references, schemas, security, servers

__all__ = ["DEFAULT_RULES"]

DEFAULT_RULES = RuleRegistry(
    [
        *document.RULES,
        *references.RULES,
        *examples.RULES,
        *operations.RULES,
        *paths.RULES,
        *servers.RULES,
        *security.RULES,
        *schemas.RULES,
    ]
)
