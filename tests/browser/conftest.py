"""Browser tests: Playwright for Python driving the system's Chromium (installed from Debian's packages by
.ci/run; a test tool's own browser download does not work here) against pytest-django's live server.
A failing test leaves a screenshot under test-artifacts/."""

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SERVICES, ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "test-artifacts"
# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def chromium():
    if CHROMIUM is None:
        message = "Chromium is not installed (apt-get install chromium)"
        if REQUIRE_SERVICES:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def _page(chromium, request, live_server, viewport):
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def page(chromium, request, live_server):
    yield from _page(chromium, request, live_server, {"width": 1280, "height": 900})


@pytest.fixture
def phone_page(chromium, request, live_server):
    """A phone-sized screen, for the public forms."""
    yield from _page(chromium, request, live_server, {"width": 390, "height": 844})


def sign_in(page, username: str, password: str, path: str = "/admin/login/") -> None:
    page.goto(path)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    # The sign-in form's own button, not the language switcher's in the header.
    page.click("form:has(input[name=password]) [type=submit]")


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
