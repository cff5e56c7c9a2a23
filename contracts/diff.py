"""Compare two versions of a spec and classify every change as breaking or not, for clients of the API.

`diff_specs(old, new)` returns one `Finding` per change: `rule` is the change kind (see `CHANGE_KINDS`), `breaking`
says whether existing clients can break, and `pointer` locates it in the new spec (in the old one for removals).
Schemas are compared after resolving `$ref`s, so a change in a shared component is reported for each operation (and
direction: request or response) that uses it; its `line` is where the component is written (no line when that is
another file, which `$ref`s may point into: `common/errors.yaml#/components/responses/NotFound`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from contracts.findings import Finding, Severity
from contracts.schemadiff import SchemaComparison
from contracts.specfile import SpecDocument, join_pointer, load_spec_document

__all__ = ["CHANGE_KINDS", "Location", "diff_files", "diff_specs"]

# change kind -> breaking for clients
CHANGE_KINDS: dict[str, bool] = {
    "path-removed": True,
    "operation-removed": True,
    "parameter-made-required": True,
    "required-parameter-added": True,
    "request-body-removed": True,
    "request-body-made-required": True,
    "required-request-body-added": True,
    "request-content-type-removed": True,
    "request-field-made-required": True,
    "request-type-narrowed": True,
    "request-enum-value-removed": True,
    "request-default-changed": True,
    "success-status-removed": True,
    "response-content-type-removed": True,
    "response-field-removed": True,
    "response-field-made-optional": True,
    "response-type-changed": True,
    "response-enum-value-added": True,
    "response-header-removed": True,
    "response-header-made-optional": True,
    "security-requirement-added": True,
    "path-added": False,
    "operation-added": False,
    "deprecated-path-removed": False,
    "deprecated-operation-removed": False,
    "parameter-removed": False,
    "optional-parameter-added": False,
    "parameter-made-optional": False,
    "optional-request-body-added": False,
    "request-body-made-optional": False,
    "request-content-type-added": False,
    "request-field-added": False,
    "request-field-removed": False,
    "request-field-made-optional": False,
    "request-type-widened": False,
    "request-enum-value-added": False,
    "request-default-added": False,
    "response-status-added": False,
    "response-status-removed": False,
    "response-content-type-added": False,
    "response-field-added": False,
    "response-optional-field-removed": False,
    "response-field-made-required": False,
    "response-type-narrowed": False,
    "response-enum-value-removed": False,
    "response-default-changed": False,
    "response-header-added": False,
    "response-optional-header-removed": False,
    "response-header-made-required": False,
    "security-requirement-removed": False,
    "documentation-changed": False,
}

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_SUCCESS = re.compile(r"^(2\d\d|2XX|101)$")
_TEMPLATE = re.compile(r"\{[^{}]*\}")
_DOC_FIELDS = ("summary", "description")


@dataclass(frozen=True, slots=True)
class Location:
    """A value of one spec version: where it logically is (`pointer`) and where it is written (`real`)."""

    doc: SpecDocument
    value: Any
    pointer: str
    real: str

    def child(self, *tokens: str | int) -> Location:
        """The value under `tokens` (None when missing), after following this value's `$ref`."""
        here = self.resolved()
        value = here.value
        for token in tokens:
            if isinstance(value, Mapping):
                value = value.get(str(token))
            elif isinstance(value, list) and isinstance(token, int) and token < len(value):
                value = value[token]
            else:
                value = None
        return Location(self.doc, value, join_pointer(self.pointer, *tokens), join_pointer(here.real, *tokens))

    def resolved(self) -> Location:
        """This location with its `$ref` followed (value None when the reference is broken)."""
        value, real = self.doc.deref(self.value, self.real)
        return self if value is self.value else replace(self, value=value, real=real)

    def mapping(self) -> Mapping[str, Any]:
        """The resolved value if it is a mapping, else an empty one."""
        value = self.resolved().value
        return value if isinstance(value, Mapping) else {}

    def finding(self, kind: str, message: str, *, at_real: bool = False) -> Finding:
        """A change of `kind` reported at this location (or where it is written, maybe in another file)."""
        breaking = CHANGE_KINDS[kind]
        file, real = self.doc.where(self.real)
        line = self.doc.line_of(self.real) if at_real or file == self.doc.name else None
        return Finding(
            file=file if at_real else self.doc.name,
            pointer=real if at_real else self.pointer,
            line=line,
            rule=kind,
            severity=Severity.ERROR if breaking else Severity.INFO,
            message=message,
            breaking=breaking,
        )


def diff_specs(old: SpecDocument, new: SpecDocument) -> list[Finding]:
    """Every change from `old` to `new`: breaking ones first, then in document order (paths, operations, ...)."""
    findings = dict.fromkeys(_paths(Location(old, old.data, "", ""), Location(new, new.data, "", "")))
    return sorted(findings, key=lambda finding: not finding.breaking)


def diff_files(old: str | Path, new: str | Path, *, cwd: Path | None = None) -> list[Finding]:
    """Load two spec versions (paths or `git:REF:path`) and diff them; unreadable input raises `SpecLoadError`."""
    return diff_specs(load_spec_document(old, cwd=cwd), load_spec_document(new, cwd=cwd))


def _paths(old: Location, new: Location) -> Iterator[Finding]:
    old_paths, new_paths = _by_shape(old.child("paths")), _by_shape(new.child("paths"))
    for shape, old_item in old_paths.items():
        new_item = new_paths.get(shape)
        if new_item is None:
            methods = [m for m in _METHODS if m in old_item.mapping()]
            listed = ", ".join(m.upper() for m in methods)
            if methods and all(_deprecated(old_item.child(m)) for m in methods):
                message = f"deprecated path {_path_of(old_item)} removed ({listed})"
                yield old_item.finding("deprecated-path-removed", message)
            else:
                yield old_item.finding("path-removed", f"path {_path_of(old_item)} removed ({listed})")
        else:
            yield from _path_item(old, new, old_item, new_item)
    for shape, new_item in new_paths.items():
        if shape not in old_paths:
            yield new_item.finding("path-added", f"path {_path_of(new_item)} added")


def _path_item(old_root: Location, new_root: Location, old: Location, new: Location) -> Iterator[Finding]:
    path = _path_of(new)
    for method in _METHODS:
        old_op, new_op = old.child(method), new.child(method)
        label = f"{method.upper()} {path}"
        if old_op.value is not None and new_op.value is None:
            if _deprecated(old_op):
                yield old_op.finding("deprecated-operation-removed", f"deprecated {label} removed")
            else:
                yield old_op.finding("operation-removed", f"{label} removed")
        elif old_op.value is None and new_op.value is not None:
            yield new_op.finding("operation-added", f"{label} added")
        elif old_op.value is not None:
            yield from _operation(label, (old_root, old, old_op), (new_root, new, new_op))


def _operation(
    label: str, old: tuple[Location, Location, Location], new: tuple[Location, Location, Location]
) -> Iterator[Finding]:
    (old_root, old_item, old_op), (new_root, new_item, new_op) = old, new
    yield from _documentation(old_op, new_op)
    yield from _parameters(label, _parameters_of(old_item, old_op), _parameters_of(new_item, new_op))
    yield from _request_body(label, old_op.child("requestBody"), new_op.child("requestBody"))
    yield from _responses(label, old_op.child("responses"), new_op.child("responses"))
    yield from _security(label, _security_of(old_root, old_op), _security_of(new_root, new_op), new_op)


def _documentation(old: Location, new: Location) -> Iterator[Finding]:
    """Summary or description changes, reported once where they are written."""
    old_value, new_value = old.mapping(), new.mapping()
    for field in _DOC_FIELDS:
        if old_value.get(field) != new_value.get(field) and isinstance(new_value.get(field, ""), str):
            yield new.child(field).finding("documentation-changed", f"{field} changed", at_real=True)


def _parameters(
    label: str, old: dict[tuple[str, str], Location], new: dict[tuple[str, str], Location]
) -> Iterator[Finding]:
    for key, old_param in old.items():
        name = f"{key[0]} parameter {old_param.mapping().get('name')!r}"
        new_param = new.get(key)
        if new_param is None:
            yield old_param.finding("parameter-removed", f"{label}: {name} removed")
            continue
        was, now = bool(old_param.mapping().get("required")), bool(new_param.mapping().get("required"))
        if now and not was:
            yield new_param.finding("parameter-made-required", f"{label}: {name} is now required")
        elif was and not now:
            yield new_param.finding("parameter-made-optional", f"{label}: {name} is now optional")
        yield from _documentation(old_param, new_param)
        # a parameter with a `schema` travels as text: a number that became a string is still accepted
        comparison = SchemaComparison("request", f"{label}: {name}", textual="content" not in new_param.mapping())
        yield from comparison.compare(old_param.child("schema"), new_param.child("schema"))
    for key, new_param in new.items():
        if key not in old:
            name = f"{key[0]} parameter {new_param.mapping().get('name')!r}"
            if new_param.mapping().get("required"):
                yield new_param.finding("required-parameter-added", f"{label}: required {name} added")
            else:
                yield new_param.finding("optional-parameter-added", f"{label}: optional {name} added")


def _request_body(label: str, old: Location, new: Location) -> Iterator[Finding]:
    old_body, new_body = old.mapping(), new.mapping()
    if old.value is None and new.value is None:
        return
    if new.value is None:
        yield old.finding("request-body-removed", f"{label}: request body removed")
        return
    if old.value is None:
        if new_body.get("required"):
            yield new.finding("required-request-body-added", f"{label}: required request body added")
        else:
            yield new.finding("optional-request-body-added", f"{label}: optional request body added")
        return
    if new_body.get("required") and not old_body.get("required"):
        yield new.finding("request-body-made-required", f"{label}: request body is now required")
    elif old_body.get("required") and not new_body.get("required"):
        yield new.finding("request-body-made-optional", f"{label}: request body is now optional")
    yield from _content("request", f"{label} request", old.child("content"), new.child("content"))


def _responses(label: str, old: Location, new: Location) -> Iterator[Finding]:
    old_codes, new_codes = old.mapping(), new.mapping()
    for code in old_codes:
        if code not in new_codes:
            kind = "success-status-removed" if _SUCCESS.match(code) else "response-status-removed"
            yield old.child(code).finding(kind, f"{label}: response {code} removed")
            continue
        old_response, new_response = old.child(code), new.child(code)
        yield from _documentation(old_response, new_response)
        old_content, new_content = old_response.child("content"), new_response.child("content")
        yield from _content("response", f"{label} {code}", old_content, new_content)
        yield from _headers(f"{label} {code}", old_response.child("headers"), new_response.child("headers"))
    for code in new_codes:
        if code not in old_codes:
            yield new.child(code).finding("response-status-added", f"{label}: response {code} added")


def _headers(label: str, old: Location, new: Location) -> Iterator[Finding]:
    """Response headers, matched by name without case: removed, added, required or not, and their schemas."""
    old_names = {name.lower(): name for name in old.mapping()}
    new_names = {name.lower(): name for name in new.mapping()}
    for key, name in old_names.items():
        old_header = old.child(name)
        was = old_header.mapping().get("required") is True
        if key not in new_names:
            kind = "response-header-removed" if was else "response-optional-header-removed"
            yield old_header.finding(kind, f"{label}: {'required' if was else 'optional'} header {name} removed")
            continue
        new_header = new.child(new_names[key])
        now = new_header.mapping().get("required") is True
        if was != now:
            kind = "response-header-made-required" if now else "response-header-made-optional"
            yield new_header.finding(kind, f"{label}: header {name} is now {'required' if now else 'optional'}")
        comparison = SchemaComparison("response", f"{label} header {name}")
        yield from comparison.compare(old_header.child("schema"), new_header.child("schema"))
    for key, name in new_names.items():
        if key not in old_names:
            yield new.child(name).finding("response-header-added", f"{label}: header {name} added")


def _content(direction: str, label: str, old: Location, new: Location) -> Iterator[Finding]:
    old_types, new_types = old.mapping(), new.mapping()
    for media_type in old_types:
        if media_type not in new_types:
            kind = f"{direction}-content-type-removed"
            yield old.child(media_type).finding(kind, f"{label}: content type {media_type} removed")
            continue
        comparison = SchemaComparison(direction, f"{label} {media_type}")
        yield from comparison.compare(old.child(media_type, "schema"), new.child(media_type, "schema"))
    for media_type in new_types:
        if media_type not in old_types:
            kind = f"{direction}-content-type-added"
            yield new.child(media_type).finding(kind, f"{label}: content type {media_type} added")


def _security(
    label: str, old: list[dict[str, set[str]]], new: list[dict[str, set[str]]], at: Location
) -> Iterator[Finding]:
    """Breaking when some way a client authenticated before satisfies no requirement any more."""
    where = at.child("security") if "security" in at.mapping() else at
    if any(not any(_satisfies(before, after) for after in new) for before in old):
        yield where.finding("security-requirement-added", f"{label}: security requirement added ({_schemes(new)})")
    elif old != new:
        yield where.finding("security-requirement-removed", f"{label}: security requirement relaxed ({_schemes(new)})")


def _deprecated(operation: Location) -> bool:
    return operation.mapping().get("deprecated") is True


def _satisfies(credentials: dict[str, set[str]], requirement: dict[str, set[str]]) -> bool:
    return all(name in credentials and scopes <= credentials[name] for name, scopes in requirement.items())


def _schemes(requirements: list[dict[str, set[str]]]) -> str:
    options = [" + ".join(sorted(r)) or "none" for r in requirements]
    return " or ".join(options)


def _security_of(root: Location, operation: Location) -> list[dict[str, set[str]]]:
    value = operation.mapping().get("security", root.mapping().get("security"))
    requirements = [
        {str(name): set(scopes or []) for name, scopes in requirement.items()}
        for requirement in (value if isinstance(value, list) else [])
        if isinstance(requirement, Mapping)
    ]
    return requirements or [{}]


def _parameters_of(item: Location, operation: Location) -> dict[tuple[str, str], Location]:
    """Path-level then operation-level parameters by (in, name); path parameters by position in the template."""
    template = _TEMPLATE.findall(_path_of(item))
    found: dict[tuple[str, str], Location] = {}
    for owner in (item, operation):
        parameters = owner.mapping().get("parameters")
        for index in range(len(parameters) if isinstance(parameters, list) else 0):
            parameter = owner.child("parameters", index)
            value = parameter.mapping()
            name, where = str(value.get("name")), str(value.get("in"))
            if where == "path" and "{" + name + "}" in template:
                name = f"#{template.index('{' + name + '}')}"
            found[(where, name)] = parameter
    return found


def _by_shape(paths: Location) -> dict[str, Location]:
    """Path items keyed by their template with variable names blanked (`/a/{id}` and `/a/{aid}` match)."""
    return {_TEMPLATE.sub("{}", path): paths.child(path) for path in paths.mapping() if path.startswith("/")}


def _path_of(item: Location) -> str:
    token = item.pointer.rsplit("/", 1)[-1]
    return token.replace("~1", "/").replace("~0", "~")
