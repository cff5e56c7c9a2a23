"""Facts of specs/project-ai-chat.yaml that are easy to get wrong."""

import re
from pathlib import Path

import pytest
import yaml

from tests.specs.spec_document import resolve

SPEC_PATH = Path(__file__).resolve().parents[2] / "specs" / "project-ai-chat.yaml"
PATH = "/v1/projects/{projectId}/ai/chat"
CODES = [
    "bad_request",
    "unauthorized",
    "payment_required",
    "forbidden",
    "not_found",
    "conflict",
    "rate_limited",
    "internal_error",
    "project_not_found",
    "project_limit_reached",
    "service_not_found",
    "service_name_conflict",
    "subscription_not_found",
    "customer_not_found",
    "insufficient_ai_credits",
    "invalid_billing_cycle",
    "validation_failed",
    "resource_already_exists",
    "public_share_token_not_found",
]


@pytest.fixture(scope="module")
def spec():
    with SPEC_PATH.open() as f:
        return yaml.safe_load(f)


@pytest.fixture(scope="module")
def operation(spec):
    return spec["paths"][PATH]["post"]


def test_single_operation_server_and_bearer(spec):
    assert list(spec["paths"]) == [PATH]
    assert list(spec["paths"][PATH]) == ["post"]
    assert spec["servers"][0]["url"] == "https://api.microvisualizer.com"
    [(name, scheme)] = spec["components"]["securitySchemes"].items()
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert spec["security"] == [{name: []}]


def test_project_id_pattern_and_length(operation):
    [param] = operation["parameters"]
    schema = param["schema"]
    assert param["name"] == "projectId" and param["in"] == "path"
    assert schema["minLength"] == 8
    assert schema["maxLength"] == 60
    assert schema["pattern"] == "^[a-z0-9][a-z0-9-]*[a-z0-9]$"
    assert param["example"] == "my-project-a1b2c"
    pattern = re.compile(schema["pattern"])
    assert pattern.search("my-project-a1b2c")
    for bad in ("-leading-dash", "trailing-dash-", "Upper-Case-1", "under_score1"):
        assert not pattern.search(bad), bad


def test_status_codes(operation):
    assert set(operation["responses"]) == {"200", "400", "401", "404", "429", "500"}


def test_error_code_enum_exact(spec):
    assert spec["components"]["schemas"]["ErrorCode"]["enum"] == CODES


@pytest.mark.parametrize("status", ["400", "401", "404", "500"])
def test_standard_error_body(spec, operation, status):
    schema = resolve(spec, operation["responses"][status]["content"]["application/json"]["schema"])
    assert set(schema["required"]) == {"status", "code", "message"}
    assert "details" in schema["properties"]
    assert resolve(spec, schema["properties"]["code"])["enum"] == CODES


def test_429_retry_after_header_and_body(spec, operation):
    response = operation["responses"]["429"]
    assert response["headers"]["Retry-After"]["schema"]["type"] == "integer"
    schema = resolve(spec, response["content"]["application/json"]["schema"])
    assert "retryAfter" in schema["required"]
    assert schema["properties"]["retryAfter"]["type"] == "integer"
    [example] = response["content"]["application/json"]["examples"].values()
    assert example["value"]["code"] == "rate_limited"
    assert example["value"]["retryAfter"] == 60


def test_example_codes_match_statuses(operation):
    expected = {"400": "validation_failed", "401": "unauthorized", "404": "project_not_found", "500": "internal_error"}
    for status, code in expected.items():
        for example in operation["responses"][status]["content"]["application/json"]["examples"].values():
            assert example["value"]["status"] == int(status)
            assert example["value"]["code"] == code


def test_x_mock_static_and_error_defaults(spec, operation):
    assert operation["x-mock"] == {"action": "static"}
    assert spec["x-mock"]["errors"] == {
        "400": {"code": "validation_failed"},
        "401": {"code": "unauthorized"},
        "404": {"code": "project_not_found"},
        "429": {"code": "rate_limited"},
        "500": {"code": "internal_error"},
    }
