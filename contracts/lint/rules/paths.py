"""Rules about path keys and their templates."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from contracts.findings import Severity
from contracts.lint.registry import RuleRegistry, Violation
from contracts.lint.rules.common import TEMPLATE, path_parameters
from contracts.lint.walk import HTTP_METHODS, items
from contracts.specfile import SpecDocument, join_pointer

__all__ = ["RULES"]

RULES = RuleRegistry()
rule = RULES.rule


@rule("path-params-match")
def path_params_match(doc: SpecDocument) -> Iterator[Violation]:
    """Path template variables and declared path parameters (path level + operation level) match one to one."""
    for path, item in items(doc.data.get("paths")):
        item_pointer = join_pointer("/paths", path)
        variables = [name for name in TEMPLATE.findall(path) if name]
        for name in sorted({name for name in variables if variables.count(name) > 1}):
            yield Violation(item_pointer, f"the path repeats variable {{{name}}}: give each segment its own name")
        item, item_pointer = doc.deref(item, item_pointer)
        if not isinstance(item, Mapping):
            continue
        template = set(variables)
        shared = path_parameters(doc, item, item_pointer)
        for name, pointer in shared.items():
            if name not in template:
                yield Violation(pointer, f"path parameter {name!r} is not in the path {path!r}: remove it or rename it")
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, Mapping):
                continue
            pointer = join_pointer(item_pointer, method)
            own = path_parameters(doc, operation, pointer)
            for name, param_pointer in own.items():
                if name not in template:
                    message = f"path parameter {name!r} is not in the path {path!r}: remove it or rename it"
                    yield Violation(param_pointer, message)
            for name in sorted(template - shared.keys() - own.keys()):
                message = f"path variable {{{name}}} has no parameter: declare it (`in: path`, `required: true`)"
                yield Violation(pointer, message)


@rule("paths-unique")
def paths_unique(doc: SpecDocument) -> Iterator[Violation]:
    """No two paths differ only in the names of their variables (`/a/{id}` and `/a/{name}` are the same path)."""
    first: dict[str, str] = {}
    for path in _paths(doc):
        shape = TEMPLATE.sub("{}", path)
        if shape in first:
            message = f"path {path!r} is the same as {first[shape]!r} (only variable names differ): merge them"
            yield Violation(join_pointer("/paths", path), message)
        else:
            first[shape] = path


@rule("path-format", severity=Severity.WARNING)
def path_format(doc: SpecDocument) -> Iterator[Violation]:
    """Path keys have no trailing slash, no query string and no empty `{}` variable."""
    for path in _paths(doc):
        pointer = join_pointer("/paths", path)
        if len(path) > 1 and path.endswith("/"):
            yield Violation(pointer, f"path {path!r} ends with a slash: remove it")
        if "?" in path:
            yield Violation(pointer, f"path {path!r} has a query string: declare query parameters (`in: query`)")
        if "{}" in path:
            yield Violation(pointer, f"path {path!r} has an empty variable {{}}: name it and declare its parameter")


def _paths(doc: SpecDocument) -> Iterator[str]:
    return (path for path, _item in items(doc.data.get("paths")) if not path.startswith("x-"))
