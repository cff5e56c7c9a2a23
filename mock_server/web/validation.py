"""Connexion `validator_map` overrides: messages that name the parameter, and no 500 on undecodable bodies.

These subclass Connexion 3.3 validators and override its `validate_parameter` and `_parse`; the pin in
pyproject.toml (connexion >=3.3,<3.4) and tests/mock_server/test_validation.py guard them across upgrades.
"""

from __future__ import annotations

import json
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
from jsonschema.exceptions import ValidationError as SchemaValidationError
from openapi_schema_validator import OAS30Validator

from mock_server.schemas import oas30_validator

__all__ = ["validator_map"]


class NamedParameterValidator(ParameterValidator):
    """Parameter errors read `query parameter 'page': 0 is less than the minimum of 1`; formats like uuid count."""

    def validate_parameter(self, parameter_type: str, value: Any, param: dict[str, Any],  # type: ignore[override]
                           param_name: str | None = None) -> str | None:
        if is_nullable(param) and is_null(value):
            return None
        if value is not None:
            try:
                oas30_validator(param.get("schema", param)).validate(value)
            except SchemaValidationError as exc:
                return f"{parameter_type} parameter '{param['name']}': {exc.message}"
            return None
        if param.get("required"):
            return f"missing {parameter_type} parameter '{param['name']}'"
        return None


class SafeJSONBodyValidator(JSONRequestBodyValidator):
    """A body that is not UTF-8 or nests too deeply is a 400, not a 500; formats (uuid, int64) are checked."""

    @property
    def _validator(self) -> OAS30Validator:  # type: ignore[override]
        return oas30_validator(self._schema)

    async def _parse(self, stream: Any, scope: Any) -> Any:
        raw = b"".join([chunk async for chunk in stream])
        if not raw:
            return None
        try:
            body = json.loads(raw.decode(self._encoding))
        except UnicodeDecodeError as exc:
            raise BadRequestProblem(detail=f"request body is not valid UTF-8: {exc.reason}") from exc
        except json.JSONDecodeError as exc:
            raise BadRequestProblem(detail=f"request body is not valid JSON: {exc}") from exc
        except RecursionError as exc:
            raise BadRequestProblem(detail="request body nests JSON too deeply") from exc
        if body is None and not self._nullable:  # a literal `null` is not a missing body
            raise BadRequestProblem(detail="request body must not be null")
        return body

    def _validate(self, body: Any) -> Any:
        if body is None and not self._required:  # an optional body may be left out entirely
            return None
        return super()._validate(body)


class _LenientForm:
    """Form fields the schema does not forbid are allowed (Connexion's strict mode rejects any extra field)."""

    def _validate_params_strictly(self, data: dict[str, Any]) -> None:
        return None

    @property
    def _validator(self) -> OAS30Validator:
        return oas30_validator(self._schema)  # type: ignore[attr-defined]


class LenientFormValidator(_LenientForm, FormDataValidator):
    """`application/x-www-form-urlencoded` bodies."""


class LenientMultiPartValidator(_LenientForm, MultiPartFormDataValidator):
    """`multipart/form-data` bodies."""


def validator_map() -> dict[str, Any]:
    """Connexion's validators with ours in place of the parameter, JSON and form ones."""
    body = dict(VALIDATOR_MAP["body"])
    body["*/*json"] = SafeJSONBodyValidator
    body["application/x-www-form-urlencoded"] = LenientFormValidator
    body["multipart/form-data"] = LenientMultiPartValidator
    return {"parameter": NamedParameterValidator, "body": type(VALIDATOR_MAP["body"])(body)}
