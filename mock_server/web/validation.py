"""Request validation decided once: JSON parsing, body and parameter checks that return `Violation`s.

The fast path calls `parse_json_body` and `BodyCheck.violations` directly; Connexion reaches the same functions
through the validators of `validator_map` (they subclass Connexion 3.3's and override `validate_request`, `_parse`
and `_validate`; the pin in pyproject.toml and tests/mock_server/test_fastpath.py guard that). Every failure is a
`RequestProblem`: a 400 carrying the violations, rendered in the API's error shape by web/problems.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from connexion.exceptions import BadRequestProblem
from connexion.validators import (
    VALIDATOR_MAP,
    FormDataValidator,
    JSONRequestBodyValidator,
    MultiPartFormDataValidator,
    ParameterValidator,
)
from connexion.validators.parameter import is_null, is_nullable
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from starlette.datastructures import Headers
from starlette.formparsers import MultiPartException

from mock_server.models import ApiModel, Operation
from mock_server.schemas import FORMATS, compiled_validator, is_exact, is_valid, oas30_validator
from mock_server.violations import Violation, compiled_violations, describe, schema_violations

__all__ = ["BodyCheck", "BodyChecks", "RequestProblem", "parse_json_body", "validator_map"]

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_NULL = object()  # a JSON body that is the literal `null`


class RequestProblem(BadRequestProblem):
    """A request that fails validation: its violations, and one message naming them."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__(detail=describe(violations))
        self.violations = violations


def parse_json_body(raw: bytes) -> Any:
    """The JSON value of a request body; `RequestProblem` when it is not UTF-8 JSON a server can store.

    A string or key holding a lone UTF-16 surrogate (`"\\ud806"`) is refused: it has no UTF-8 form.
    """
    try:
        body = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _body_problem(f"request body is not valid UTF-8: {exc.reason}", "json_invalid") from exc
    except json.JSONDecodeError as exc:
        raise _body_problem(f"request body is not valid JSON: {exc}", "json_invalid") from exc
    except RecursionError as exc:
        raise _body_problem("request body nests JSON too deeply", "json_invalid") from exc
    except ValueError as exc:  # a number of more than 4300 digits
        raise _body_problem("request body holds a number too long to read (over 4300 digits)", "json_invalid") \
            from exc
    if _SURROGATE_ESCAPE.search(raw) and not _encodable(body):
        raise _body_problem("request body holds a lone UTF-16 surrogate escape (\\ud800-\\udfff)", "json_invalid")
    return body


def _encodable(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError, ValueError):
        return False
    return True


def _body_problem(message: str, kind: str) -> RequestProblem:
    return RequestProblem([Violation(("body",), message, kind)])


class BodyCheck:
    """One operation's JSON body schema: a compiled verdict first, readable violations when it fails."""

    def __init__(self, validator: OAS30Validator, schema: Mapping[str, Any] | None, exact: bool) -> None:
        self._validator, self._schema, self._exact = validator, schema, exact

    def violations(self, body: Any) -> list[Violation]:
        if self._exact and self._schema is not None and is_valid(body, self._schema):
            return []
        crashed = False
        try:
            found = schema_violations(self._validator.iter_errors(body), ("body",), body)
        except (TypeError, KeyError, AttributeError, ValueError, RecursionError):
            found, crashed = [], True  # openapi-schema-validator fails on some values (a discriminator as an array)
        if found or not (self._exact or crashed):
            return found
        # The compiled verdict said no: never accept what it refused; it names the problem itself.
        compiled = compiled_validator(self._schema) if self._schema is not None else None
        found = compiled_violations(compiled.iter_errors(body), ("body",)) if compiled is not None else []
        return found or [Violation(("body",), "request body does not match the schema")]


class BodyChecks:
    """Every operation's `BodyCheck` of one API, built on first use (start-up stays fast)."""

    def __init__(self, api: ApiModel) -> None:
        self.api = api
        self._registry: Registry[Any] | None = None
        self._checks: dict[str, BodyCheck | None] = {}

    def get(self, op: Operation) -> BodyCheck | None:
        """The check of the operation's JSON body, None when it takes none."""
        if op.operation_id not in self._checks:
            self._checks[op.operation_id] = self._build(op)
        return self._checks[op.operation_id]

    def _build(self, op: Operation) -> BodyCheck | None:
        document = self.api.spec.document
        item = (document.get("paths") or {}).get(op.path) or {}
        raw = self.api.spec.resolve(self.api.spec.resolve(item).get(op.method) or {})
        given = raw.get("requestBody") or {}
        body = self.api.spec.resolve(given)
        media = next((m for m in (body.get("content") or {}) if "json" in m), None)
        if media is None:
            return None
        if self._registry is None:
            self._registry = Registry().with_resource(
                "urn:spec", Resource.from_contents(dict(document), default_specification=DRAFT4))
        # Refer to the schema in place, so recursive schemas validate exactly (no inlining cut-off).
        where = given["$ref"] if isinstance(given.get("$ref"), str) else \
            f"#/paths/{_escape(op.path)}/{op.method}/requestBody"
        schema: Any = {"$ref": f"urn:spec{where}/content/{_escape(media)}/schema"}
        if "$ref" in item:  # a path item kept elsewhere: validate the inlined copy
            schema = op.request_schema or {}
        validator = OAS30Validator(schema, registry=self._registry, format_checker=FORMATS)
        exact = op.request_schema is not None and is_exact(op.request_schema)
        return BodyCheck(validator, op.request_schema, exact)


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _operation_of(scope: Any, apis: Mapping[str, tuple[ApiModel, BodyChecks]]) -> tuple[Operation | None, Any]:
    routing = (scope.get("extensions") or {}).get("connexion_routing") or {}
    found = apis.get(str(routing.get("api_base_path") or ""))
    if found is None:
        return None, None
    api, checks = found
    try:
        return api.operation(str(routing.get("operation_id"))), checks
    except KeyError:
        return None, None


def validator_map(apis: Mapping[str, tuple[ApiModel, BodyChecks]]) -> dict[str, Any]:
    """Connexion's validators with ours in place of the parameter, JSON and form ones.

    `apis` maps each API's mount path to it and its body checks: Connexion's validators learn the routed
    operation from the scope and use the same `BodyCheck` as the fast path.
    """

    class NamedParameterValidator(ParameterValidator):
        """Every invalid parameter is a violation naming it: `query parameter 'page': 0 is less than ...`."""

        def validate_request(self, request: Any) -> None:  # type: ignore[override]
            violations: list[Violation] = []
            readers = {"query": request.query_params, "path": request.path_params, "header": request.headers,
                       "cookie": request.cookies}
            for location in ("path", "query", "header", "cookie"):
                for param in self.parameters.get(location, []):
                    key = param["name"].replace("-", "_") if location == "path" else param["name"]
                    violations.extend(parameter_violations(location, readers[location].get(key), param))
            if violations:
                raise RequestProblem(violations)

    class SafeJSONBodyValidator(JSONRequestBodyValidator):
        """The body parsed by `parse_json_body` and checked by the operation's `BodyCheck`."""

        _check: BodyCheck | None = None

        async def _parse(self, stream: Any, scope: Any) -> Any:
            op, checks = _operation_of(scope, apis)
            self._check = checks.get(op) if op is not None else None
            raw = b"".join([chunk async for chunk in stream])
            if not raw:
                return None
            body = parse_json_body(raw)
            return _NULL if body is None else body  # a literal `null` is judged by the schema, not as no body

        def _validate(self, body: Any) -> Any:
            if body is None and not self._required:  # an optional body may be left out entirely
                return None
            body = None if body is _NULL else body
            violations = self._check.violations(body) if self._check is not None else \
                schema_violations(oas30_validator(self._schema).iter_errors(body), ("body",))
            if violations:
                raise RequestProblem(violations)
            return None

    return {"parameter": NamedParameterValidator, "body": _body_validators(SafeJSONBodyValidator)}


def parameter_violations(location: str, value: Any, param: Mapping[str, Any]) -> list[Violation]:
    """What is wrong with one parameter's (coerced) value, as violations at `(location, name)`."""
    name = param["name"]
    if is_nullable(param) and is_null(value):
        return []
    if value is None:
        if param.get("required"):
            return [Violation((location, name), "required, but missing", "missing")]
        return []
    schema = param.get("schema", param)
    try:
        errors = list(oas30_validator(schema).iter_errors(value))
    except (TypeError, KeyError, ValueError, RecursionError):
        errors = []
    return schema_violations(errors, (location, name))


class _LenientForm:
    """Form fields the schema does not forbid are allowed; violations like JSON bodies'; a form without a
    Content-Type (or a multipart one without a boundary) is a 400, an empty optional one no body."""

    _schema: dict[str, Any]
    _required: bool

    def _validate_params_strictly(self, data: dict[str, Any]) -> None:
        return None

    async def _parse(self, stream: Any, scope: Any) -> Any:
        if "content-type" not in Headers(scope=scope):
            if b"".join([chunk async for chunk in stream]):
                raise _body_problem("a form body needs a Content-Type header", "value_error")
            return None  # no body at all (a form content type with no fields is an empty form)
        try:
            return await super()._parse(stream, scope)  # type: ignore[misc]
        except (MultiPartException, KeyError, ValueError) as exc:
            raise _body_problem(f"malformed form body: {exc}", "value_error") from exc

    def _validate(self, body: Any) -> Any:
        if body is None and not self._required:
            return None
        if not isinstance(body, dict):
            raise _body_problem("form body must be a set of fields", "dict_type")
        try:
            errors = list(oas30_validator(self._schema).iter_errors(body))
        except (TypeError, KeyError, ValueError, RecursionError):
            errors = []
        if violations := schema_violations(errors, ("body",), body):
            raise RequestProblem(violations)
        return None


class LenientFormValidator(_LenientForm, FormDataValidator):  # type: ignore[misc]
    """`application/x-www-form-urlencoded` bodies."""


class LenientMultiPartValidator(_LenientForm, MultiPartFormDataValidator):  # type: ignore[misc]
    """`multipart/form-data` bodies."""


def _body_validators(json_validator: type) -> Any:
    body = dict(VALIDATOR_MAP["body"])
    body["*/*json"] = json_validator
    body["application/x-www-form-urlencoded"] = LenientFormValidator
    body["multipart/form-data"] = LenientMultiPartValidator
    return type(VALIDATOR_MAP["body"])(body)
