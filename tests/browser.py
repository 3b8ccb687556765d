"""Browser fixtures for the end-to-end tests: real headless Chromium (Debian's package) driven by
Playwright, one browser for the whole run (a process can run only one Playwright).

Tests skip, saying why, where /usr/bin/chromium or the playwright package is missing; `.ci/run`
installs Debian's chromium so that CI always runs them. Screenshots go to tests/e2e/screenshots/
(ignored by git). A JavaScript error or a Content-Security-Policy violation fails the test.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent / "e2e" / "screenshots"
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium); end-to-end tests skipped")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    # Playwright's sync API runs an event loop in this thread; the tests' own ORM calls are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from django.db import connections

    before = {alias: connections[alias] for alias in connections}
    with sync_api.sync_playwright() as playwright:
        # With a loop running, Django hands out new connection objects (contexts differ); they must keep
        # the snapshot that restores data-migration rows between transactional tests (serialized_rollback).
        for alias, connection in before.items():
            if hasattr(connection, "_test_serialized_contents"):
                connections[alias]._test_serialized_contents = connection._test_serialized_contents
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, request):
    """A phone-sized page. Parametrize indirectly with context options, e.g. {"viewport": SMALL_PHONE,
    "geolocation": {...}, "permissions": ["geolocation"]}, plus "expected_failed_host" for a host the test
    blocks on purpose."""
    options = {"viewport": PHONE, **(getattr(request, "param", {}) or {})}
    # A test that blocks a host on purpose (map tiles) names it: failed loads from it are expected, not errors.
    expected_failures = options.pop("expected_failed_host", None)
    context = browser.new_context(device_scale_factor=1, is_mobile=True, has_touch=True, locale="id-ID",
                                  timezone_id="Asia/Jakarta", **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))


    def on_console(message):
        if message.type != "error":
            return
        if expected_failures and expected_failures in (message.location or {}).get("url", ""):
            return
        errors.append(message.text)

    page.on("console", on_console)
    yield page
    context.close()
    assert not errors, f"JavaScript errors or CSP violations in the browser: {errors}"


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page, live_server, username: str, password: str = "pkh-test-pass-2026") -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state("networkidle")
