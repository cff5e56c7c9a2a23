"""Validate example and default values against the schema at a pointer of the same document.

OpenAPI 3.0 documents use `OAS30Validator` (which knows `nullable`), 3.1 documents `OAS31Validator`. The schema is
reached as `<base>#<pointer>` in a registry holding the whole document, so its `$ref`s resolve as written; a `$ref`
to another file resolves against the base as a relative URI, and the registry reads that file on first use.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from jsonschema.exceptions import SchemaError, UnknownType
from openapi_schema_validator import OAS30Validator, OAS31Validator, oas30_format_checker, oas31_format_checker
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource, Unresolvable
from referencing.jsonschema import DRAFT4, DRAFT202012

from contracts.lint.registry import Violation
from contracts.specfile import SpecDocument, is_external, join_pointer

__all__ = ["ExampleChecker"]

_FOLDER = "/spec"  # the document's folder, as a URI path other files are found relative to
_BASE = f"file://{_FOLDER}/document"
_MAX_MESSAGE = 200


class ExampleChecker:
    """Checks values against schemas of one document."""

    def __init__(self, doc: SpecDocument) -> None:
        self._is_30 = doc.version.startswith("3.0")
        self._doc = doc
        self._specification = DRAFT4 if self._is_30 else DRAFT202012
        resource = Resource.from_contents(dict(doc.data), default_specification=self._specification)
        self._registry: Registry[Any] = Registry(retrieve=self._retrieve).with_resource(_BASE, resource)

    def check(self, schema_pointer: str, value: Any, value_pointer: str) -> Iterator[Violation]:
        """A violation per mismatch of `value` (found at `value_pointer`) with the schema at `schema_pointer`."""
        path, _, pointer = schema_pointer.partition("#") if is_external(schema_pointer) else ("", "", schema_pointer)
        schema = {"$ref": f"{urljoin(_BASE, quote(path))}#{quote(pointer, safe='/~')}"}
        if self._is_30:
            validator = OAS30Validator(schema, registry=self._registry, format_checker=oas30_format_checker)
        else:
            validator = OAS31Validator(schema, registry=self._registry, format_checker=oas31_format_checker)
        try:
            errors = list(validator.iter_errors(value))
        except (Unresolvable, UnknownType, SchemaError):
            return  # a broken schema or `$ref`: other rules report it
        label = value_pointer.rsplit("/", 1)[-1]
        label = "example" if label.isdigit() or label == "value" else label
        first: dict[str, str] = {}  # one message per location; nullable's "None for not nullable" comes last
        for error in sorted(errors, key=lambda e: e.message.endswith("for not nullable")):
            message = error.message
            if error.validator == "format":  # jsonschema says "'x' is not a 'date-time'"
                message = f"{error.instance!r} is not a valid {error.validator_value}"
            message = message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 3] + "..."
            first.setdefault(join_pointer(value_pointer, *error.absolute_path), message)
        for pointer, message in first.items():
            yield Violation(pointer, f"{label} does not match its schema: {message}")

    def _retrieve(self, uri: str) -> Resource[Any]:
        """Another file of the spec, found from its URI relative to the document's folder."""
        parts = urlsplit(uri)
        if parts.scheme != "file":
            raise NoSuchResource(ref=uri)
        try:
            document = self._doc.file(posixpath.relpath(parts.path, _FOLDER))
        except LookupError as exc:
            raise NoSuchResource(ref=uri) from exc
        return Resource.from_contents(dict(document.data), default_specification=self._specification)
