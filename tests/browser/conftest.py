"""Browser tests: Playwright's sync API drives Debian's chromium against pytest-django's live server.

The browser is the system's /usr/bin/chromium, never a `playwright install` download
(`scripts/test` installs the Debian package when it runs as root). Without it the browser tests
are skipped with the reason, or fail under CI=true.

Screenshots go to var/test-artifacts/ (git-ignored with var/); their paths are printed at the end
of the run. A failing browser test leaves a screenshot of the page it failed on there too.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling home, which floods a closed
# network; the live server is the only host the pages may reach.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
VIEWPORT = {"width": 1280, "height": 900}

_saved: list[Path] = []


def _require_chromium() -> None:
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return
    reason = (
        f"Debian's chromium is not installed ({CHROMIUM} is missing), so the browser tests "
        "cannot run. Install it with `sudo apt-get install chromium` (scripts/test does it when "
        "run as root); never `playwright install`."
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} CI=true: browser tests may not be skipped.", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the session."""
    _require_chromium()
    # Playwright's sync API keeps an event loop in the main thread, and Django refuses ORM calls
    # (the test's data, the database flush after it) when a loop is running there.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser context (no cookies) on the live server; relative URLs work in goto.

    The page may load nothing but the live server, and must not raise a JavaScript error.
    """
    context = browser.new_context(
        base_url=live_server.url, viewport=VIEWPORT, locale="en-GB", timezone_id="UTC"
    )
    context.set_default_timeout(10_000)
    outside: list[str] = []

    def only_the_live_server(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_live_server)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    report = getattr(request.node, "_browser_report_call", None)
    if report is not None and report.failed:
        _save(page, f"{request.node.name}-failure")
    context.close()
    problems = []
    if errors:
        problems.append(f"JavaScript errors: {errors}")
    if outside:
        problems.append(f"requests outside the live server (blocked): {outside}")
    if problems:
        pytest.fail("; ".join(problems), pytrace=False)


@pytest.fixture
def screenshot():
    """Save a full-page screenshot to var/test-artifacts/NAME.png and return its path."""
    return _save


def _save(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    if path not in _saved:
        _saved.append(path)
    return path


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"_browser_report_{report.when}", report)
    return report


def pytest_terminal_summary(terminalreporter):
    if _saved:
        terminalreporter.write_sep("-", "browser test artefacts")
        for path in _saved:
            terminalreporter.write_line(str(path))
