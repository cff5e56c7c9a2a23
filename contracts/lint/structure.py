"""Structural validation against openapi-spec-validator's OpenAPI 3.0 / 3.1 schemas, with precise pointers.

The semantic checks openapi-spec-validator adds on top (operationIds, path parameters, defaults, `$ref`s) are our
own rules, so that each problem is reported once, at its own pointer.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import FormatChecker
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

from contracts.lint.registry import Violation
from contracts.specfile import join_pointer

__all__ = ["SUPPORTED_VERSIONS", "structure_violations"]

SUPPORTED_VERSIONS = ("3.0", "3.1")
_MAX_MESSAGE = 200
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")  # a public address: the domain has a dot
_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
_GENERIC = ("matches none of the allowed forms", "matches more than one of the allowed forms")


def structure_violations(data: Mapping[str, Any]) -> Iterator[Violation]:
    """Where `data` breaks the OpenAPI schema of its `openapi` version."""
    version = data.get("openapi")
    prefix = version[:3] if isinstance(version, str) and version[3:4] in ("", ".") else None
    if prefix not in SUPPORTED_VERSIONS:
        pointer = "/openapi" if "openapi" in data else ""
        yield Violation(pointer, f"unsupported OpenAPI version {version!r}: expected 3.0.x or 3.1.x")
        return
    errors = _validator(prefix).iter_errors(data)
    violations = dict.fromkeys(_violation(leaf, prefix) for error in errors for leaf in _explain(error))
    specific = {v.pointer for v in violations if not v.message.startswith(_GENERIC)}
    for violation in violations:
        # no vague "allowed forms" message where a precise one says what is wrong
        if not (violation.message.startswith(_GENERIC) and violation.pointer in specific):
            yield violation


@cache
def _validator(prefix: str) -> Validator:
    schema = _openapi_schema(prefix)
    cls: type[Validator] = validator_for(schema)
    return cls(schema, format_checker=_FORMAT_CHECKER)


def _openapi_schema(prefix: str) -> dict[str, Any]:
    """openapi-spec-validator's JSON schema of an OpenAPI version, read from its package data.

    Read as a file: importing the package loads its settings machinery (pydantic), a fifth of a second per run.
    """
    spec = importlib.util.find_spec("openapi_spec_validator")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        path = Path(location) / "resources" / "schemas" / f"v{prefix}" / "schema.json"
        if path.is_file():
            return dict(json.loads(path.read_text(encoding="utf-8")))
    from openapi_spec_validator.schemas import schema_v30, schema_v31  # noqa: PLC0415  (another package layout)

    return dict(schema_v30 if prefix == "3.0" else schema_v31)


# Only `email` is checked among the formats the OpenAPI schemas use: `regex` means ECMA-262 there (Python's `re`
# would reject valid patterns), and URI checks need a library the project does not depend on.
_FORMAT_CHECKER = FormatChecker(())
_FORMAT_CHECKER.checks("email")(lambda value: not isinstance(value, str) or bool(_EMAIL.match(value)))


def _explain(error: ValidationError) -> Iterator[ValidationError]:
    """The errors that explain `error`: for a `oneOf`/`anyOf`, those of the one branch the object was meant for."""
    if not error.context:
        yield error
        return
    branches: dict[Any, list[ValidationError]] = {}
    for child in error.context:
        branches.setdefault(child.relative_schema_path[0], []).append(child)
    candidates = list(branches.values())
    for other_form in (_missing_ref, _wrong_type):
        meant = [errors for errors in candidates if not other_form(errors, error.instance)]
        if len(meant) == 1:
            break
        candidates = meant or candidates
    else:
        meant = _discriminated(candidates)
    if len(meant) == 1:
        for child in meant[0]:
            yield from _explain(child)
        return
    yield _fixed_field_error(error, candidates) or _summary_error(error, candidates) or error


def _missing_ref(errors: list[ValidationError], instance: Any) -> bool:
    """The branch is the `$ref` form, and the object has no `$ref`."""
    return any(
        error.validator == "required" and "$ref" in error.validator_value and "$ref" not in instance for error in errors
    )


def _wrong_type(errors: list[ValidationError], instance: Any) -> bool:
    """The branch is for another JSON type than the value's (a boolean where an object was given)."""
    return any(error.validator == "type" and not error.relative_path for error in errors)


def _discriminated(branches: list[list[ValidationError]]) -> list[list[ValidationError]]:
    """The one branch whose value of a telling field (`in: path`) fits, when every other branch rejects that value."""
    failing: dict[Any, set[int]] = {}
    for index, errors in enumerate(branches):
        for error in errors:
            if _fixed_field_mismatch([error], None):
                failing.setdefault(error.relative_path[0], set()).add(index)
    for indexes in failing.values():
        if len(indexes) == len(branches) - 1:
            return [errors for index, errors in enumerate(branches) if index not in indexes]
    return []


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
    path = [*error.absolute_path, name]
    return ValidationError(
        f"{value!r} is not one of {allowed}", validator="enum", validator_value=allowed, path=path, instance=value
    )


def _summary_error(error: ValidationError, branches: list[list[ValidationError]]) -> ValidationError | None:
    """One error that every remaining form agrees on: the JSON types they expect, or the fields they all need."""
    instance = error.instance
    if all(_wrong_type(errors, instance) for errors in branches):
        expected = [_type_phrase(e.validator_value) for errors in branches for e in errors if e.validator == "type"]
        wanted = " or ".join(dict.fromkeys(expected))
        got = _JSON_TYPES.get(type(instance), "a number")
        return ValidationError(f"expected {wanted} here, not {got}", validator="type", path=error.absolute_path)
    if all(errors and all(e.validator == "required" for e in errors) for errors in branches):
        missing = [name for errors in branches for e in errors for name in _missing_fields(e)]
        fields = " or ".join(f"`{name}`" for name in dict.fromkeys(missing))
        return ValidationError(f"add {fields} (one is required here)", validator="required", path=error.absolute_path)
    common = [e for e in branches[0] if all(any(_same(e, o) for o in other) for other in branches[1:])]
    if common and len(branches) > 1:
        return common[0]
    return None


def _same(one: ValidationError, other: ValidationError) -> bool:
    return (one.validator, one.relative_path, one.message) == (other.validator, other.relative_path, other.message)


def _missing_fields(error: ValidationError) -> list[str]:
    instance = error.instance if isinstance(error.instance, Mapping) else {}
    names = error.validator_value if isinstance(error.validator_value, list) else []
    return [name for name in names if name not in instance]


def _type_phrase(value: Any) -> str:
    names = [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []
    phrases = {"object": "an object", "array": "an array", "string": "a string", "boolean": "a boolean", "null": "null"}
    return " or ".join(phrases.get(name, f"a {name}") for name in names)


def _message(error: ValidationError, prefix: str) -> str:
    if error.validator in ("oneOf", "anyOf"):
        if "is valid under each of" in error.message:
            return "matches more than one of the allowed forms of this object"
        return "matches none of the allowed forms of this object"
    path = list(error.absolute_path)
    if prefix == "3.0" and path and path[-1] == "type" and isinstance(error.instance, list):
        return "a list of types needs OpenAPI 3.1: give one type (`nullable: true` adds null, `oneOf` mixes types)"
    if error.validator == "required":
        names = _missing_fields(error)
        if names:
            return f"missing required field `{names[0]}`: add it"
    if error.validator == "enum" and path and isinstance(path[-1], str) and isinstance(error.validator_value, list):
        key, allowed = path[-1], error.validator_value
        if len(allowed) == 1:
            return f"`{key}: {_yaml(error.instance)}` is not allowed here: use `{key}: {_yaml(allowed[0])}`"
        return f"`{key}: {_yaml(error.instance)}` is not allowed here: use one of {', '.join(map(str, allowed))}"
    if error.validator == "format":
        return f"{error.instance!r} is not a valid {error.validator_value}"
    if len(error.message) > _MAX_MESSAGE:
        return error.message[: _MAX_MESSAGE - 3] + "..."
    return error.message


def _yaml(value: Any) -> str:
    """A scalar as YAML writes it (`true`, `null`, `'text'`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else repr(value)


def _violation(error: ValidationError, prefix: str) -> Violation:
    pointer = join_pointer("", *error.absolute_path)
    instance, schema = error.instance, error.schema
    if error.validator == "additionalProperties" and isinstance(instance, Mapping) and isinstance(schema, Mapping):
        extra = [key for key in instance if not _allowed_key(key, schema)]
        if len(extra) == 1:
            return Violation(join_pointer(pointer, extra[0]), f"unexpected field {extra[0]!r}{_expected_keys(schema)}")
        if extra:
            return Violation(pointer, f"unexpected fields {', '.join(map(repr, extra))}{_expected_keys(schema)}")
    return Violation(pointer, _message(error, prefix))


def _expected_keys(schema: Mapping[str, Any]) -> str:
    """What the keys of an object may be, when that is short enough to say."""
    patterns = [pattern for pattern in schema.get("patternProperties", {}) if pattern != "^x-"]
    names = list(schema.get("properties", {}))
    if patterns and len(names) <= 3:
        return f": keys here match {' or '.join(patterns)}" + (f" or are {', '.join(names)}" if names else "")
    return " (a typo? extensions start with x-)"


def _allowed_key(key: str, schema: Mapping[str, Any]) -> bool:
    if key in schema.get("properties", {}):
        return True
    return any(re.search(pattern, key) for pattern in schema.get("patternProperties", {}))
