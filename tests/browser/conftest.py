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
from playwright.sync_api import Page, expect, sync_playwright

from tests.conftest import load_root_cause_catalogue, make_user
from tower.orders.models import OrderLine
from tower.tenancy.models import Membership, Role

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

    The page may load nothing but the live server, must not raise a JavaScript error, and the
    Content-Security-Policy must block nothing (Chromium reports each violation on the console).
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
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
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
    if violations:
        problems.append(f"Content-Security-Policy violations: {violations}")
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


# ---------------------------------------------------------------------------------------------
# The data and sign-in the browser tests share.


@pytest.fixture(autouse=True)
def root_cause_catalogue(transactional_db):
    """The root-cause catalogue, loaded again: the flush after each
    transactional test empties every table, and pytest-django keeps a copy to restore only in
    some test orders (serialized_rollback), so the browser tests do not rely on it."""
    load_root_cause_catalogue()


PASSWORD = "x-long-password"  # tests.conftest.make_user's
DASHBOARD = "/?client=ACME&from=2026-03&to=2026-03"

# Hand-checked with the default definition (due = committed date, no grace, no tolerance).
# ACME, March 2026: 4 measured lines, A1 and A2 on time and in full, A3 four days late, A4 short
# (45 of 60): gross = net = 2/4 = 50.0 %. Once the client approves CLI-ARTWORK (area Client, not
# CMO-attributable) for A3, net counts it as met: 3/4 = 75.0 %; gross stays 50.0 %.
# GLOBEX has lines (and failures) in the same month, which its competitor must never see.
LINES = """
client,order,line,product,site,ordered_qty,committed_date,status,delivered_date,delivered_qty,delivery_id
ACME,PO-A1,1,AMX-500,EU1,100,2026-03-05,closed,2026-03-05,100,DA1
ACME,PO-A2,1,IBU-200,EU1,50,2026-03-10,closed,2026-03-10,50,DA2
ACME,PO-A3,1,AMX-500,EU1,80,2026-03-12,closed,2026-03-16,80,DA3
ACME,PO-A4,1,IBU-200,EU1,60,2026-03-20,closed,2026-03-20,45,DA4
GLOBEX,GX-1,1,GLX-100,EU1,10,2026-03-04,closed,2026-03-04,10,DG1
GLOBEX,GX-2,1,GLX-100,EU1,20,2026-03-18,closed,2026-03-25,20,DG2
GLOBEX,GX-3,1,GLX-200,EU1,30,2026-03-25,closed,2026-03-25,12,DG3
"""
MEASURED = 4
GLOBEX_TRACES = re.compile(r"globex|GX-\d|GLX-\d", re.IGNORECASE)


@pytest.fixture
def march(acme, globex, write_csv, run_import):
    report = run_import(write_csv(LINES), create_missing=True)
    assert report.ok, report.errors
    cmo = make_user("cmo.staff", acme, Role.CMO_STAFF)
    Membership.objects.create(user=cmo, client=globex, role=Role.CMO_STAFF)
    make_user("acme.approver", acme, Role.CLIENT_APPROVER)
    return OrderLine.objects.get(order__number="GX-2")


def menu(page: Page, entry: str, group: str | None = None):
    """The main menu's link `entry`, its group opened first (tower/menu.py): as a user does,
    by the group's summary. Returns the link (visible), to click or check."""
    nav = page.get_by_role("navigation", name="Main")
    if group is not None:
        summary = nav.locator("summary", has_text=group)
        if summary.locator("xpath=..").get_attribute("open") is None:
            summary.click()
    link = nav.get_by_role("link", name=entry, exact=True)
    expect(link).to_be_visible()
    return link


def sign_in(page: Page, username: str) -> None:
    """Open the March dashboard signed out, sign in on the form, land back on it."""
    page.goto(DASHBOARD)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".usermenu")).to_contain_text(f"Signed in as {username}")
    expect(page).to_have_url(re.compile(re.escape(DASHBOARD) + "$"))
