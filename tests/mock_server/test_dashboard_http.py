"""The dashboard over plain HTTP: content negotiation at `/` and `/__mock/`, the admin endpoint list, the data the
page reads (settings without secrets, example requests that work), and its static files."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import yaml

from mock_server import Settings, create_app
from mock_server.accept import prefers
from mock_server.web.app import find_server
from mock_server.web.dashboard import settings_summary
from tests.conftest import API_NAMES, SPECS
from tests.reference_servers.serving import serve

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
FIREFOX_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/json, text/html;q=0.5"])
def test_tools_keep_getting_the_index_as_json(mock_root: str, accept: str | None) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    response = httpx.get(mock_root + "/", headers=headers)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    index = response.json()
    assert [api["name"] for api in index["apis"]] == API_NAMES
    assert {"apis", "admin"} <= set(index)
    assert response.content == httpx.get(mock_root + "/", headers={"Accept": "application/json"}).content


@pytest.mark.parametrize("path", ["/", "/__mock/"])
@pytest.mark.parametrize("accept", [BROWSER_ACCEPT, FIREFOX_ACCEPT])
def test_browsers_get_the_dashboard_page(mock_root: str, path: str, accept: str) -> None:
    response = httpx.get(mock_root + path, headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "<title>Mock server</title>" in response.text
    for asset, media in (("dashboard.js", "javascript"), ("dashboard.css", "text/css")):
        assert f"/__mock/static/{asset}" in response.text
        served = httpx.get(f"{mock_root}/__mock/static/{asset}")
        assert served.status_code == 200 and media in served.headers["content-type"]
    assert "http://" not in response.text.replace("http://www.w3.org", "")  # nothing loaded from elsewhere


@pytest.mark.parametrize("api", API_NAMES)
def test_the_spec_and_swagger_ui_links_of_the_index_answer(mock_root: str, api: str) -> None:
    listed = next(entry for entry in httpx.get(mock_root + "/").json()["apis"] if entry["name"] == api)
    ui = httpx.get(mock_root + listed["ui"])
    assert ui.status_code == 200 and "swagger" in ui.text.lower()
    spec = httpx.get(mock_root + listed["spec"])
    assert spec.status_code == 200 and yaml.safe_load(spec.text)["info"]["title"] == listed["title"]


def test_admin_root_lists_every_admin_endpoint() -> None:
    app = create_app(Settings(specs=(SPECS / "pulze.yaml",)))
    admin_routes = {route.path for route in find_server(app)._admin.routes if hasattr(route, "methods")}
    with serve(app) as root:
        response = httpx.get(root + "/__mock/")
    assert response.status_code == 200
    endpoints = response.json()["endpoints"]
    assert {endpoint["path"] for endpoint in endpoints} == admin_routes
    assert all(endpoint["methods"] and endpoint["description"] for endpoint in endpoints)
    assert {"POST"} == set(next(e for e in endpoints if e["path"] == "/__mock/reset")["methods"])


def test_every_example_request_is_answered_as_documented(mock_root: str) -> None:
    """The example curl of each API (built in the page from these parts) reaches an operation and is accepted."""
    index = {api["name"]: api for api in httpx.get(mock_root + "/").json()["apis"]}
    examples = httpx.get(mock_root + "/__mock/info").json()["examples"]
    assert sorted(examples) == API_NAMES
    for name, example in examples.items():
        url = mock_root + index[name]["base_url"].rstrip("/") + example["path"]
        answer = httpx.request(example["method"], url, headers=example["headers"], json=example["body"])
        paths = yaml.safe_load((SPECS / f"{name}.yaml").read_text())["paths"]
        documented = {code for item in paths.values() for op in item.values() if isinstance(op, dict)
                      and op.get("operationId") == example["operation"] for code in op.get("responses", {})}
        assert answer.status_code < 500 and answer.status_code not in (401, 405), (name, answer.text)
        assert str(answer.status_code) in documented, (name, answer.status_code)


def test_settings_say_whether_tokens_are_required_but_never_show_them() -> None:
    settings = Settings(specs=(SPECS / "pulze.yaml",), auth_token="api-secret", admin_token="admin-secret",
                        state="redis://:db-password@127.0.0.1:6379/0", latency_ms=(5, 9), error_rate=0.25)
    summary = settings_summary(settings)
    text = repr(summary)
    assert "api-secret" not in text and "admin-secret" not in text and "db-password" not in text
    assert summary["auth_token_required"] and summary["admin_token_required"]
    assert summary["state"] == "redis://:***@127.0.0.1:6379/0"
    assert summary["latency_ms"] == [5, 9] and summary["error_rate"] == 0.25


@pytest.fixture(scope="module")
def guarded_root() -> Iterator[str]:
    with serve(create_app(Settings(specs=(SPECS / "pulze.yaml",), admin_token="admin-secret"))) as root:
        yield root


def test_with_an_admin_token_the_page_loads_but_its_data_needs_the_token(guarded_root: str) -> None:
    assert httpx.get(guarded_root + "/__mock/", headers={"Accept": BROWSER_ACCEPT}).status_code == 200
    assert httpx.get(guarded_root + "/__mock/info").status_code == 401
    granted = httpx.get(guarded_root + "/__mock/info", headers={"X-Mock-Admin-Token": "admin-secret"})
    assert granted.status_code == 200 and granted.json()["settings"]["admin_token_required"] is True


def test_the_dashboard_and_its_data_stay_out_of_the_journal(guarded_root: str) -> None:
    admin = {"X-Mock-Admin-Token": "admin-secret"}
    httpx.post(guarded_root + "/__mock/reset", headers=admin)
    for path in ("/", "/__mock/", "/__mock/static/dashboard.js", "/__mock/info"):
        httpx.get(guarded_root + path, headers={"Accept": BROWSER_ACCEPT, **admin})
    assert httpx.get(guarded_root + "/__mock/requests", headers=admin).json()["requests"] == []


@pytest.mark.parametrize(("accept", "html"), [
    (BROWSER_ACCEPT, True), (FIREFOX_ACCEPT, True), ("text/html", True), (None, False), ("*/*", False),
    ("application/json", False), ("text/html;q=0.5, application/json", False), ("text/html;q=0", False),
    ("application/json;q=0.5, text/html", True),
])
def test_html_is_chosen_only_when_the_client_ranks_it_first(accept: str | None, html: bool) -> None:
    assert prefers(accept, "text/html") is html
