"""Browser tests: Playwright driving Debian's chromium (never a downloaded browser).

They are skipped, loudly, when /usr/bin/chromium is missing — except under CI (CI=true), where a
missing browser is a failure.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError("CI needs /usr/bin/chromium for the browser tests (apt-get install chromium).")
    skip = pytest.mark.skip(reason="BROWSER TESTS SKIPPED: /usr/bin/chromium is missing (apt-get install chromium)")
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself (fixtures, assertions) are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextmanager
def open_page(browser, viewport: dict, *, permissions: tuple[str, ...] = (), **options):
    """A page in a fresh browser context (its own cookies), in Mexican Spanish."""
    context = browser.new_context(viewport=viewport, locale="es-MX", **options)
    if permissions:
        context.grant_permissions(list(permissions))
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def page(browser):
    with open_page(browser, DESKTOP) as page:
        yield page


@pytest.fixture
def phone_page(browser):
    """A phone whose owner has not let the portal read its position."""
    with open_page(browser, PHONE, is_mobile=True, has_touch=True) as page:
        yield page


def log_in(page, live_server, username: str, password: str) -> None:
    """Through the real login page, as a person would."""
    page.goto(f"{live_server.url}/entrar/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
