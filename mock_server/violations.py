"""What is wrong with a request, as data: each problem's location, reason and kind.

The validation layer (Connexion's validators and the fast path alike) turns schema errors into `Violation`s;
error_bodies.py writes them into whatever fields the API's error schema has (`loc`, `field`, `pointer`, `type`,
one item per problem where the body holds a list). Kinds follow the pydantic/FastAPI names (`missing`,
`string_type`, `enum`, ...) because they are the most widely used machine-readable ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import ValidationError as SchemaValidationError

__all__ = ["Violation", "compiled_violations", "describe", "schema_violations"]

_TYPE_KINDS = {"string": "string_type", "integer": "int_type", "number": "float_type", "boolean": "bool_type",
               "array": "list_type", "object": "dict_type"}
_KEYWORD_KINDS = {
    "required": "missing", "enum": "enum", "const": "enum", "pattern": "string_pattern_mismatch",
    "minLength": "string_too_short", "maxLength": "string_too_long", "minimum": "greater_than_equal",
    "maximum": "less_than_equal", "exclusiveMinimum": "greater_than", "exclusiveMaximum": "less_than",
    "minItems": "too_short", "maxItems": "too_long", "additionalProperties": "extra_forbidden",
    "multipleOf": "multiple_of", "uniqueItems": "list_unique", "format": "value_error",
}
_MAX = 20  # problems reported per request: enough for any form, bounded for hostile bodies


@dataclass(frozen=True, slots=True)
class Violation:
    """One problem: where (`("body", "messages", 0, "role")`, `("query", "page")`), why, and its kind."""

    location: tuple[str | int, ...]
    message: str
    kind: str = "value_error"

    @property
    def field(self) -> str:
        """The offending field as a dotted name without its location (`messages.0.role`; `page`)."""
        return ".".join(str(part) for part in self.location[1:]) or str(self.location[0] if self.location else "")

    @property
    def pointer(self) -> str:
        """The offending field as a JSON pointer into the body (`/messages/0/role`)."""
        return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in self.location[1:])

    @property
    def text(self) -> str:
        """A one-line reason naming the field: `body.messages.0.role: 'role' is a required property`,
        `query parameter 'page': 0 is less than the minimum of 1`."""
        if self.location[:1] in (("query",), ("path",), ("header",), ("cookie",)) and len(self.location) > 1:
            return f"{self.location[0]} parameter '{self.field}': {self.message}"
        where = ".".join(str(part) for part in self.location)
        return f"{where}: {self.message}" if where else self.message


def describe(violations: Iterable[Violation]) -> str:
    """One message for them all (the reasons, `; `-joined)."""
    return "; ".join(v.text for v in violations) or "invalid request"


def schema_violations(errors: Iterable[SchemaValidationError], location: tuple[str | int, ...],
                      instance: Any = None) -> list[Violation]:
    """Violations from a validator's `iter_errors`, every missing required property its own, deepest first.

    Errors of `anyOf`/`oneOf` are replaced by the reasons of their best branch, so the field is the real one.
    """
    out: list[Violation] = []
    seen: set[tuple[tuple[str | int, ...], str]] = set()
    for error in errors:
        for leaf in _leaves(error):
            for violation in _from_error(leaf, location):
                key = (violation.location, violation.kind)
                if key not in seen:
                    seen.add(key)
                    out.append(violation)
        if len(out) >= _MAX:
            break
    return out[:_MAX]


def compiled_violations(errors: Iterable[Any], location: tuple[str | int, ...]) -> list[Violation]:
    """Violations from jsonschema-rs errors (`message`, `instance_path`, `schema_path`): the fallback when the
    Python validator cannot judge a value (it fails on a discriminator sent as an array)."""
    out: list[Violation] = []
    for error in errors:
        keyword = str(error.schema_path[-1]) if error.schema_path else ""
        kind = _KEYWORD_KINDS.get(keyword, "value_error")
        if keyword == "type":
            expected = re.search(r'is not of type "?(\w+)', error.message)
            kind = _TYPE_KINDS.get(expected.group(1) if expected else "", "type_error")
        path = (*location, *error.instance_path)
        if keyword == "required" and (name := re.match(r'"(.+)" is a required property', error.message)):
            out.append(Violation((*path, name.group(1)), f"'{name.group(1)}' is a required property", "missing"))
        else:
            out.append(Violation(path, _first_line(error.message), kind))
        if len(out) >= _MAX:
            break
    return out


def _leaves(error: SchemaValidationError) -> list[SchemaValidationError]:
    if error.validator in ("anyOf", "oneOf") and error.context:
        best = min(error.context, key=lambda e: (-len(e.absolute_path), e.validator in ("type", "enum")))
        return [best]
    return [error]


def _from_error(error: SchemaValidationError, location: tuple[str | int, ...]) -> list[Violation]:
    path = (*location, *error.absolute_path)
    first_line = _first_line(error.message)
    if error.validator == "required" and isinstance(error.instance, Mapping):
        missing = [name for name in error.validator_value if name not in error.instance]
        return [Violation((*path, name), f"'{name}' is a required property", "missing")
                for name in missing] or [Violation(path, first_line, "missing")]
    if error.validator == "type":
        expected = error.validator_value
        kind = _TYPE_KINDS.get(expected if isinstance(expected, str) else "", "type_error")
        return [Violation(path, first_line, kind)]
    return [Violation(path, first_line, _KEYWORD_KINDS.get(str(error.validator), "value_error"))]


def _first_line(text: str) -> str:
    line = text.strip().split("\n", 1)[0].strip()
    if len(line) > 300:  # a huge offending value must not make a huge message
        line = line[:297] + "..."
    return line or "invalid value"
