"""Rules about example values: they match their schemas, and each Example object says where its value is."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from contracts.findings import Severity
from contracts.lint.examples import ExampleChecker
from contracts.lint.registry import RuleRegistry, Violation
from contracts.lint.walk import items, nodes
from contracts.specfile import SpecDocument, join_pointer

__all__ = ["RULES"]

RULES = RuleRegistry()
rule = RULES.rule


@rule("example-valid")
def example_valid(doc: SpecDocument) -> Iterator[Violation]:
    """Every `example`, `examples` and `default` validates against its schema."""
    checker = ExampleChecker(doc)
    for node in nodes(doc):
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


@rule("example-value-or-external", severity=Severity.WARNING)
def example_value_or_external(doc: SpecDocument) -> Iterator[Violation]:
    """Each Example object has exactly one of `value` and `externalValue`."""
    for node in nodes(doc, "example"):
        has_value, has_external = "value" in node.value, "externalValue" in node.value
        if has_value and has_external:
            message = "the example has both `value` and `externalValue`, which exclude each other: keep one"
            yield Violation(node.pointer, message)
        elif not has_value and not has_external:
            yield Violation(node.pointer, "the example has neither `value` nor `externalValue`: add one")
