"""Rules about the document as a whole: its structure, its YAML, its tag list, its prose."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from contracts.findings import Severity
from contracts.lint.registry import RuleRegistry, Violation
from contracts.lint.rules.common import unescape
from contracts.lint.structure import structure_violations
from contracts.specfile import SpecDocument, join_pointer

__all__ = ["RULES"]

RULES = RuleRegistry()
rule = RULES.rule

_SCRIPT = re.compile(r"<script", re.IGNORECASE)
_EVAL = re.compile(r"\beval\s*\(")
_PROSE_KEYS = ("title", "description")


@rule("spec-valid")
def spec_valid(doc: SpecDocument) -> Iterator[Violation]:
    """The document is a structurally valid OpenAPI 3.0 / 3.1 document (openapi-spec-validator's schemas)."""
    yield from structure_violations(doc.data)


@rule("no-duplicate-keys")
def no_duplicate_keys(doc: SpecDocument) -> Iterator[Violation]:
    """No mapping repeats a key (YAML keeps only the last one, silently)."""
    for pointer, _line in doc.duplicate_keys:
        key = unescape(pointer.rsplit("/", 1)[-1])
        yield Violation(pointer, f"duplicate key {key!r}: only its last value is used; remove or merge the other")


@rule("tags-unique")
def tags_unique(doc: SpecDocument) -> Iterator[Violation]:
    """The root `tags` list names each tag once."""
    tags = doc.data.get("tags")
    first: dict[str, int] = {}
    for index, tag in enumerate(tags if isinstance(tags, list) else ()):
        name = tag.get("name") if isinstance(tag, Mapping) else None
        if not isinstance(name, str):
            continue
        if name in first:
            yield Violation(
                f"/tags/{index}/name", f"tag {name!r} is already defined at /tags/{first[name]}: merge the two"
            )
        else:
            first[name] = index


@rule("markdown-no-script", severity=Severity.WARNING)
def markdown_no_script(doc: SpecDocument) -> Iterator[Violation]:
    """No `title` or `description` holds a `<script` tag or an `eval(` call (docs renderers may run them)."""
    for pointer, key, text in _prose(doc.data, "", set()):
        if _SCRIPT.search(text):
            yield Violation(pointer, f"{key} contains a <script> tag, which rendered docs may run: remove it")
        if _EVAL.search(text):
            yield Violation(pointer, f"{key} contains eval(, which rendered docs may run: remove it")


def _prose(value: Any, pointer: str, active: set[int]) -> Iterator[tuple[str, str, str]]:
    """(pointer, key, text) of every string `title` / `description` anywhere in the document."""
    if id(value) in active:
        return
    if isinstance(value, Mapping):
        active.add(id(value))
        for key, child in value.items():
            child_pointer = join_pointer(pointer, key)
            if key in _PROSE_KEYS and isinstance(child, str):
                yield child_pointer, key, child
            elif isinstance(child, Mapping | list):
                yield from _prose(child, child_pointer, active)
        active.discard(id(value))
    elif isinstance(value, list):
        active.add(id(value))
        for index, child in enumerate(value):
            if isinstance(child, Mapping | list):
                yield from _prose(child, join_pointer(pointer, index), active)
        active.discard(id(value))
