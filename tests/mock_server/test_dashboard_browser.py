"""The dashboard in a real headless Chromium (Debian's package, driven by Playwright; no browser is downloaded).

One server started with `--admin-token` and no generated items, so what the page shows is exactly what the test
did: the token prompt, the five APIs with working links, a request made from outside showing up live, reset,
export and import. Skipped with a reason when no browser is installed, failed instead under CI (`.ci/run`
installs chromium). Bounded: one browser, one server, waits of at most a few seconds.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server import Settings, create_app
from tests.conftest import API_NAMES
from tests.curl_commands import parse_curl
from tests.mock_server.redis_server import skip_or_fail
from tests.reference_servers.serving import serve

TOKEN = "s3cret-admin"
ADMIN = {"X-Mock-Admin-Token": TOKEN}
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
LIVE_WITHIN_MS = 2000  # the promise: a request shows up without a reload within 2 s
WAIT_MS = 5000  # other waits: generous, they only bound a failure


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    skip_or_fail("no chromium to drive (Debian package `chromium`; .ci/run installs it)")
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed (it is in the test extra: pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def root() -> Iterator[str]:
    with serve(create_app(Settings(seed=5, seed_items=0, admin_token=TOKEN))) as url:
        yield url


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def _state_counts(page: Any) -> dict[tuple[str, str], int]:
    rows = page.locator("#state tbody tr")
    return {(row.get_attribute("data-api"), row.get_attribute("data-resource")): int(row.locator(".count").inner_text())
            for row in rows.all()}


def test_the_dashboard_asks_for_the_admin_token_lists_the_apis_and_follows_the_state(
        page: Any, root: str, tmp_path: Path) -> None:
    expect = _expect()
    page.goto(root + "/")
    # Without the token the admin data is refused: the page asks for it.
    expect(page.locator("#token-panel")).to_be_visible(timeout=WAIT_MS)
    page.fill("#token-input", "wrong")
    page.click("#token-form button")
    expect(page.locator("#token-reason")).to_contain_text("refused", timeout=WAIT_MS)
    page.fill("#token-input", TOKEN)
    page.click("#token-form button")
    expect(page.locator("#token-panel")).to_be_hidden(timeout=WAIT_MS)
    expect(page.locator("#settings")).to_contain_text("required (--admin-token)", timeout=WAIT_MS)

    # The five APIs, with the base URLs `GET /` gives and links that work.
    index = httpx.get(root + "/").json()["apis"]
    rows = page.locator("#apis tbody tr")
    expect(rows).to_have_count(len(API_NAMES))
    assert [row.get_attribute("data-api") for row in rows.all()] == API_NAMES
    for api in index:  # the links are the index's own (test_dashboard_http.py checks that each one answers)
        row = page.locator(f'#apis tr[data-api="{api["name"]}"]')
        assert row.locator(".base-url").inner_text() == root + api["base_url"]
        assert row.locator(".operations").inner_text() == str(api["operations"])
        ui, spec = row.locator("a.ui-link").get_attribute("href"), row.locator("a.spec-link").get_attribute("href")
        assert (ui, spec) == (root + api["ui"], root + api["spec"])
        expect(row.locator("pre.curl")).to_contain_text("curl ", timeout=WAIT_MS)
    # A link followed in the browser: devs-ai's Swagger UI, then back to the dashboard (the token is remembered).
    page.locator('#apis tr[data-api="devs-ai"] a.ui-link').click()
    expect(page).to_have_title(re.compile("swagger", re.I), timeout=WAIT_MS)
    page.go_back()
    expect(page.locator("#settings")).to_contain_text("required (--admin-token)", timeout=WAIT_MS)
    expect(page.locator("#token-panel")).to_be_hidden()

    # The example curl of devs-ai, run from outside the browser, appears in the live table.
    curl = parse_curl(page.locator('#apis tr[data-api="devs-ai"] pre.curl').inner_text())
    assert curl.send().status_code == 200
    newest = page.locator("#requests tbody tr").first
    expect(newest).to_contain_text(curl.url.removeprefix(root + "/devs-ai"), timeout=LIVE_WITHIN_MS)
    expect(newest.locator(".status")).to_have_text("200")

    # Filters: by status, by API.
    assert httpx.get(root + "/pulze/v1/apps/x/conversations/y").status_code == 405  # POST only
    expect(page.locator("#requests tbody tr").first).to_contain_text("/pulze/", timeout=WAIT_MS)
    page.select_option("#filter-status", "4")
    expect(page.locator("#requests tbody tr")).to_have_count(1)
    expect(page.locator("#requests tbody .status")).to_have_text(["405"])
    page.select_option("#filter-status", "")
    page.select_option("#filter-api", "devs-ai")
    assert set(page.locator("#requests tbody td:nth-child(2)").all_inner_texts()) == {"devs-ai"}
    page.select_option("#filter-api", "")

    # State: what a client creates shows up; export downloads exactly the server's state.
    created = httpx.post(root + "/devs-ai/api/v1/ai", headers={"Authorization": "Bearer t"},
                         json={"src": "https://example.com/a.png", "name": "Dash", "description": "d",
                               "instructions": "i"})
    assert created.status_code in (200, 201)
    ai_count = page.locator('#state tr[data-api="devs-ai"][data-resource="ai"] .count')
    expect(ai_count).to_have_text("1", timeout=WAIT_MS)
    with page.expect_download(timeout=WAIT_MS) as download:
        page.click("#export-state")
    exported = json.loads(Path(download.value.path()).read_text())
    assert exported == httpx.get(root + "/__mock/state", headers=ADMIN).json()
    assert len(exported["devs-ai"]["ai"]) == 1

    # Reset empties the state and the table; import restores the export.
    page.click("#reset-all")
    expect(page.locator("#state-empty")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#requests tbody tr")).to_have_count(0, timeout=WAIT_MS)
    saved = tmp_path / "state.json"
    saved.write_text(json.dumps(exported))
    page.set_input_files("#import-state", str(saved))
    expect(page.locator("#state-message")).to_contain_text("Imported 1 items", timeout=WAIT_MS)
    expect(ai_count).to_have_text("1", timeout=WAIT_MS)
    assert httpx.get(root + "/__mock/state", headers=ADMIN).json() == exported

    # Reset of one API leaves the others.
    page.locator('#apis tr[data-api="devs-ai"] button.reset').click()
    expect(page.locator("#state-empty")).to_be_visible(timeout=WAIT_MS)
    assert _state_counts(page) == {}


def test_admin_page_lists_every_admin_endpoint_and_lights_up_stubs_when_they_exist(page: Any, root: str) -> None:
    expect = _expect()
    endpoints = httpx.get(root + "/__mock/").json()["endpoints"]
    stub = {"id": "st-1", "api": "devs-ai", "operation": "listMyAIs", "match": {"query": {"q": "x"}},
            "respond": {"status": 200}}
    page.goto(root + "/__mock/")
    expect(page.locator("#endpoints tbody tr")).to_have_count(len(endpoints), timeout=WAIT_MS)
    for endpoint in endpoints:
        expect(page.locator("#endpoints")).to_contain_text(endpoint["path"])
    expect(page.locator("#stubs-panel")).to_be_hidden()  # GET /__mock/stubs needs the admin token here

    # With the token, the panel shows the registered stubs.
    created = httpx.post(root + "/__mock/stubs", json=stub, headers={"X-Mock-Admin-Token": TOKEN})
    assert created.status_code == 201, created.text
    page.evaluate(f"sessionStorage.setItem('mock-admin-token', '{TOKEN}')")
    page.reload()
    expect(page.locator("#stubs-panel")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#stubs tbody tr")).to_have_count(1)
    expect(page.locator("#stubs tbody tr").first).to_contain_text("listMyAIs")


def test_without_an_admin_token_loopback_browsers_need_no_prompt(page: Any, mock_root: str) -> None:
    expect = _expect()
    page.goto(mock_root + "/")
    expect(page.locator("#settings")).to_contain_text("not set: loopback clients only", timeout=WAIT_MS)
    expect(page.locator("#token-panel")).to_be_hidden()
    expect(page.locator("#apis tbody tr")).to_have_count(len(API_NAMES))
