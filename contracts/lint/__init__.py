"""Lint OpenAPI specs: `lint_spec(document)` runs every rule of a registry and returns `Finding`s.

    >>> from contracts.lint import lint_file
    >>> [f.format() for f in lint_file("specs/chat.yaml")]   # doctest: +SKIP
    ['specs/chat.yaml:12: /paths/~1chats/get/responses [success-response] error: no success (2xx, 3xx or 101) ...']

The rules live in `contracts.lint.rules`, one module per part of the document (paths, operations, servers, ...).

A spec turns rules off with a root `x-lint-ignore: [rule-name, ...]`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from contracts.errors import SpecSyntaxError
from contracts.findings import Finding, Severity
from contracts.lint.registry import Rule, RuleRegistry, Violation
from contracts.lint.rules import DEFAULT_RULES
from contracts.specfile import SpecDocument, load_spec_document

__all__ = [
    "DEFAULT_RULES",
    "IGNORE_KEY",
    "Rule",
    "RuleRegistry",
    "Violation",
    "lint_file",
    "lint_spec",
]

IGNORE_KEY = "x-lint-ignore"
_CONFIG_RULE = "lint-config"
_SYNTAX_RULE = "yaml-syntax"


def lint_spec(document: SpecDocument, rules: Iterable[Rule] = DEFAULT_RULES) -> list[Finding]:
    """Every finding of `rules` on `document`, minus rules named in its `x-lint-ignore`, in line order."""
    rules = list(rules)
    ignored, findings = _ignored(document, {rule.name for rule in rules})
    unique: dict[tuple[str, str, str], Finding] = {}
    for rule in rules:
        if rule.name in ignored:
            continue
        for violation in rule.check(document):
            file, pointer = document.where(violation.pointer)
            finding = Finding(
                file=file,
                pointer=pointer,
                line=document.line_of(violation.pointer),
                rule=rule.name,
                severity=rule.severity,
                message=violation.message,
            )
            unique.setdefault((finding.rule, finding.pointer, finding.message), finding)
    findings.extend(unique.values())
    return sorted(findings, key=lambda f: (f.file != document.name, f.file, f.line or 0, f.pointer, f.rule, f.message))


def lint_file(source: str | Path, *, cwd: Path | None = None, rules: Iterable[Rule] = DEFAULT_RULES) -> list[Finding]:
    """Load a spec (path or `git:REF:path`) and lint it; invalid YAML is one `yaml-syntax` finding.

    A file that cannot be read at all raises `SpecLoadError`.
    """
    try:
        document = load_spec_document(source, cwd=cwd)
    except SpecSyntaxError as exc:
        return [Finding(str(source), "", exc.line, _SYNTAX_RULE, Severity.ERROR, str(exc))]
    return lint_spec(document, rules)


def _ignored(document: SpecDocument, known: set[str]) -> tuple[set[str], list[Finding]]:
    value = document.data.get(IGNORE_KEY)
    if value is None:
        return set(), []
    pointer = "/" + IGNORE_KEY
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        message = f"{IGNORE_KEY} must be a list of rule names"
        return set(), [_config_finding(document, pointer, message)]
    findings = [
        _config_finding(document, f"{pointer}/{index}", f"unknown lint rule {name!r}")
        for index, name in enumerate(value)
        if name not in known
    ]
    return set(value), findings


def _config_finding(document: SpecDocument, pointer: str, message: str) -> Finding:
    return Finding(document.name, pointer, document.line_of(pointer), _CONFIG_RULE, Severity.WARNING, message)
