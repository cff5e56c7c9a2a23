"""Pure pieces of `contracts run`: credentials from the spec's security scheme, headers, spec names, tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contracts.commands.run import parse_headers, resolve_spec, token_from_env
from contracts.errors import UsageError
from contracts.runner import credential_headers


def _spec(schemes: dict[str, Any], security: list[dict[str, list[str]]] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"components": {"securitySchemes": schemes}}
    if security is not None:
        spec["security"] = security
    return spec


def test_bearer_schemes_send_an_authorization_bearer_header() -> None:
    spec = _spec({"bearer": {"type": "http", "scheme": "bearer"}})
    assert credential_headers(spec, "abc") == {"Authorization": "Bearer abc"}
    assert credential_headers(_spec({"o": {"type": "oauth2", "flows": {}}}), "abc") == {"Authorization": "Bearer abc"}


def test_an_api_key_header_scheme_sends_the_value_as_is() -> None:
    spec = _spec({"session": {"type": "apiKey", "in": "header", "name": "Coder-Session-Token"}})
    assert credential_headers(spec, "abc") == {"Coder-Session-Token": "abc"}
    prefixed = _spec({"pat": {"type": "apiKey", "in": "header", "name": "Authorization"}})
    assert credential_headers(prefixed, "token abc") == {"Authorization": "token abc"}


def test_the_top_level_security_requirement_picks_the_scheme() -> None:
    spec = _spec(
        {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}, "bearer": {"type": "http", "scheme": "bearer"}},
        security=[{"bearer": []}],
    )
    assert credential_headers(spec, "abc") == {"Authorization": "Bearer abc"}


@pytest.mark.parametrize(
    "spec",
    [
        _spec({}),
        _spec({"basic": {"type": "http", "scheme": "basic"}}),
        _spec({"query": {"type": "apiKey", "in": "query", "name": "key"}}),
        _spec({"bearer": {"type": "http", "scheme": "bearer"}}, security=[{"missing": []}]),
    ],
)
def test_schemes_that_cannot_take_a_token_are_usage_errors(spec: dict[str, Any]) -> None:
    with pytest.raises(UsageError, match="header"):
        credential_headers(spec, "abc")


def test_headers_are_parsed_and_malformed_ones_rejected_without_echoing_them() -> None:
    assert parse_headers(["X-A: 1", "Authorization:  token  abc "]) == {"X-A": "1", "Authorization": "token  abc"}
    with pytest.raises(UsageError) as error:
        parse_headers(["X-A: 1", "secret-without-colon"])
    assert "#2" in str(error.value) and "secret" not in str(error.value)
    with pytest.raises(UsageError):
        parse_headers(["Bad Name: x"])


def test_api_names_resolve_to_the_specs_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo_spec = resolve_spec("pulumi-ai", None)
    assert repo_spec.name == "pulumi-ai.yaml" and repo_spec.is_file()
    local = tmp_path / "specs" / "pulumi-ai.yaml"
    local.parent.mkdir()
    local.write_text("openapi: 3.0.3\n")
    monkeypatch.chdir(tmp_path)
    assert resolve_spec("pulumi-ai", None).resolve() == local.resolve(), "the current directory wins"
    for bad in ("../pulumi-ai", "no-such-api", ""):
        with pytest.raises(UsageError):
            resolve_spec(bad, None)
    with pytest.raises(UsageError, match="does not exist"):
        resolve_spec(None, tmp_path / "nope.yaml")


def test_tokens_come_from_the_environment() -> None:
    assert token_from_env("T", {"T": " abc \n"}) == "abc"
    with pytest.raises(UsageError, match="T2"):
        token_from_env("T2", {"T2": ""})
