"""Structural validation against openapi-spec-validator's OpenAPI 3.0 / 3.1 schemas, with precise pointers.

The semantic checks openapi-spec-validator adds on top (operationIds, path parameters, defaults, `$ref`s) are our
own rules, so that each problem is reported once, at its own pointer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from openapi_spec_validator.schemas import schema_v30, schema_v31

from contracts.lint.registry import Violation
from contracts.specfile import join_pointer

__all__ = ["SUPPORTED_VERSIONS", "structure_violations"]

SUPPORTED_VERSIONS = ("3.0", "3.1")
_MAX_MESSAGE = 200


def structure_violations(data: Mapping[str, Any]) -> Iterator[Violation]:
    """Where `data` breaks the OpenAPI schema of its `openapi` version."""
    version = data.get("openapi")
    prefix = version[:3] if isinstance(version, str) and version[3:4] in ("", ".") else None
    if prefix not in SUPPORTED_VERSIONS:
        pointer = "/openapi" if "openapi" in data else ""
        yield Violation(pointer, f"unsupported OpenAPI version {version!r}: expected 3.0.x or 3.1.x")
        return
    for error in _validator(prefix).iter_errors(data):
        for leaf in _explain(error):
            yield _violation(leaf)


@cache
def _validator(prefix: str) -> Validator:
    schema = dict(schema_v30 if prefix == "3.0" else schema_v31)
    cls: type[Validator] = validator_for(schema)
    return cls(schema)


def _explain(error: ValidationError) -> Iterator[ValidationError]:
    """The errors that explain `error`: for a `oneOf`/`anyOf`, those of the one branch the object was meant for."""
    if not error.context:
        yield error
        return
    branches: dict[Any, list[ValidationError]] = {}
    for child in error.context:
        branches.setdefault(child.relative_schema_path[0], []).append(child)
    candidates = list(branches.values())
    for other_form in (_missing_ref, _fixed_field_mismatch):
        meant = [errors for errors in candidates if not other_form(errors, error.instance)]
        if len(meant) == 1:
            for child in meant[0]:
                yield from _explain(child)
            return
        candidates = meant or candidates
    yield _fixed_field_error(error, candidates) or error


def _missing_ref(errors: list[ValidationError], instance: Any) -> bool:
    """The branch is the `$ref` form, and the object has no `$ref`."""
    return any(
        error.validator == "required" and "$ref" in error.validator_value and "$ref" not in instance
        for error in errors
    )


def _fixed_field_mismatch(errors: list[ValidationError], instance: Any) -> bool:
    """The branch is for another value of a field that tells forms apart (`in: query`, `type: apiKey`)."""
    return any(error.validator in ("enum", "const") and len(error.relative_path) == 1 for error in errors)


def _fixed_field_error(error: ValidationError, branches: list[list[ValidationError]]) -> ValidationError | None:
    """When every form failed on the same fixed field (`in`), one error naming the values that field allows."""
    fields = {e.relative_path[0] for errors in branches for e in errors if _fixed_field_mismatch([e], None)}
    if len(fields) != 1 or not all(_fixed_field_mismatch(errors, None) for errors in branches):
        return None
    name = fields.pop()
    allowed: list[Any] = []
    for errors in branches:
        for e in (e for e in errors if _fixed_field_mismatch([e], None) and e.relative_path[0] == name):
            values = e.validator_value if e.validator == "enum" else [e.validator_value]
            allowed += [value for value in values if value not in allowed]
    value = error.instance.get(name) if isinstance(error.instance, Mapping) else None
    return ValidationError(
        f"{value!r} is not one of {allowed}", validator="enum", path=[*error.absolute_path, name], instance=value
    )


def _message(error: ValidationError) -> str:
    if error.validator in ("oneOf", "anyOf"):
        if "is valid under each of" in error.message:
            return "matches more than one of the allowed forms of this object"
        return "matches none of the allowed forms of this object"
    if len(error.message) > _MAX_MESSAGE:
        return error.message[: _MAX_MESSAGE - 3] + "..."
    return error.message


def _violation(error: ValidationError) -> Violation:
    pointer = join_pointer("", *error.absolute_path)
    instance, schema = error.instance, error.schema
    if error.validator == "additionalProperties" and isinstance(instance, Mapping) and isinstance(schema, Mapping):
        extra = [key for key in instance if not _allowed_key(key, schema)]
        if len(extra) == 1:
            return Violation(join_pointer(pointer, extra[0]), f"unexpected field {extra[0]!r}")
        if extra:
            return Violation(pointer, f"unexpected fields {', '.join(map(repr, extra))}")
    return Violation(pointer, _message(error))


def _allowed_key(key: str, schema: Mapping[str, Any]) -> bool:
    if key in schema.get("properties", {}):
        return True
    return any(re.search(pattern, key) for pattern in schema.get("patternProperties", {}))
