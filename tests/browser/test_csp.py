"""The Content-Security-Policy in a real browser: the dashboard and the scorecard (with their
charts, htmx updates and forms) run without a single violation."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DASHBOARD, sign_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Runs before any page script; records what the browser reports as blocked.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def test_no_violation_on_the_dashboard_and_the_scorecard(page, march):
    page.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, "cmo.staff")
    expect(page.locator("canvas").first).to_be_visible()
    assert violations(page) == []
    # An htmx update swaps in new charts and their data (once htmx has bound the filter bar).
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.htmx !== undefined")
    page.select_option("#f-client", "GLOBEX")
    expect(page).to_have_url(re.compile("client=GLOBEX"))
    expect(page.locator("canvas").first).to_be_visible()
    assert violations(page) == []
    page.goto("/scorecard/?client=ACME&period=2026Q1")
    expect(page.locator("canvas").first).to_be_visible()
    assert violations(page) == []
    page.goto(DASHBOARD)
    assert violations(page) == []


def test_the_recorder_sees_a_violation(browser, live_server, march):
    """The check above is not vacuous: an inline script on the same page is reported."""
    context = browser.new_context(base_url=live_server.url)
    try:
        page = context.new_page()
        page.add_init_script(RECORD_VIOLATIONS)
        page.goto("/accounts/login/")
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.ran = 1'; document.body.appendChild(s); }"
        )
        page.wait_for_function("window.__cspViolations.length > 0")
        assert violations(page)[0].startswith("script-src")
        assert page.evaluate("window.ran") is None
    finally:
        context.close()
