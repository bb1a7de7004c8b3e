"""The root-cause workflow in a real browser, from the dashboard to net OTIF.

A CMO user drills from the dashboard to a failed line and proposes a cause; a client approver
signs in, sees only their company, approves it, and the net OTIF changes. Screenshots of the
dashboard (CMO view, client view) are saved to var/test-artifacts/.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DASHBOARD, GLOBEX_TRACES, MEASURED, sign_in

# live_server needs committed data (the catalogue is loaded again by conftest.py).
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


def figure(page: Page, name: str):
    return page.locator(f'a[data-figure="{name}"] .figure')


def percent(text: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?) %", text.strip())
    assert match, f"not a percentage: {text!r}"
    return float(match.group(1))


def root_cause_status(page: Page):
    return page.locator('#root-cause dl.facts dt:text-is("Status") + dd .badge')


def client_choices(page: Page) -> list[str]:
    """The client codes the filter bar offers (a select, or a hidden input for one client)."""
    filters = page.locator("form.filters")
    expect(filters).to_be_visible()
    values = filters.locator("select[name=client] option, input[name=client]").evaluate_all(
        "elements => elements.map(e => e.value)"
    )
    return [v for v in values if v]


def expect_no_globex(page: Page) -> None:
    expect(page.locator("body")).not_to_contain_text(GLOBEX_TRACES)
    found = GLOBEX_TRACES.search(page.content())  # hidden inputs, options, chart data too
    assert found is None, f"{page.url} shows {found.group()!r} to the ACME approver"


def dashboard_screenshot(page: Page, screenshot, name: str):
    """Wait until Chart.js has drawn every chart of the dashboard, then save the full page."""
    expect(page.locator("canvas[data-chart]")).to_have_count(4)  # trend, delay, area, Pareto
    page.wait_for_function(
        "() => window.Chart && [...document.querySelectorAll('canvas[data-chart]')]"
        ".every(canvas => Chart.getChart(canvas))"
    )
    return screenshot(page, name)


def test_cmo_proposes_a_client_cause_the_approver_approves_and_net_otif_rises(
    page: Page, march, screenshot
):
    net, gross = figure(page, "net-otif"), figure(page, "gross-otif")

    # --- CMO staff: from the dashboard to a failed line, propose a cause.
    sign_in(page, "cmo.staff")
    expect(net).to_have_text("50.0 %")
    expect(gross).to_have_text("50.0 %")
    expect(figure(page, "failed")).to_have_text("2")
    net_before = percent(net.inner_text())
    assert client_choices(page) == ["ACME", "GLOBEX"]  # the CMO works for both
    dashboard_screenshot(page, screenshot, "dashboard-cmo")

    page.locator('a[data-figure="failed"]').click()
    expect(page).to_have_url(re.compile(r"/lines/\?.*outcome=failed"))
    expect(page.locator("#lines tbody tr")).to_have_count(2)
    page.get_by_role("link", name="PO-A3 / 1").click()
    expect(page.get_by_role("heading", name="Order PO-A3, line 1")).to_be_visible()
    form = page.locator("#propose-form")
    form.locator("#propose_code").select_option("CLI-ARTWORK")
    form.locator("#propose_comment").fill("Artwork v3 was approved on 14 March, after the cut-off.")
    form.get_by_role("button", name="Propose").click()
    expect(page.locator(".messages .success")).to_have_text(
        "Root cause proposed; the client can now approve or dispute it."
    )
    status = root_cause_status(page)
    expect(status).to_have_class(re.compile(r"\bproposed\b"))
    expect(status).to_have_text("Proposed by the CMO")
    expect(page.locator("#review-form")).to_have_count(0)  # only the client reviews
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    # --- The ACME approver: only ACME, approve the proposal, net OTIF rises.
    sign_in(page, "acme.approver")
    expect(net).to_have_text("50.0 %")  # a proposal alone changes nothing
    expect_no_globex(page)
    assert client_choices(page) == ["ACME"]
    page.get_by_role("link", name="1 root cause awaits your approval").click()
    expect(page).to_have_url(re.compile(r"/lines/\?.*status=proposed"))
    expect(page.locator("#lines tbody tr")).to_have_count(1)
    expect_no_globex(page)
    page.get_by_role("link", name="PO-A3 / 1").click()
    expect(page.locator("#root-cause")).to_contain_text("after the cut-off")
    expect_no_globex(page)
    page.locator("#review-form").get_by_role("button", name="Approve").click()
    expect(page.locator(".messages .success")).to_have_text(
        "Root cause approved; net OTIF now counts it."
    )
    expect(root_cause_status(page)).to_have_class(re.compile(r"\bapproved\b"))

    page.goto(DASHBOARD)
    expect(net).to_have_text("75.0 %")
    expect(gross).to_have_text("50.0 %")  # as the client experienced it: unchanged
    expect(page.locator('a[data-figure="failed"]')).to_contain_text("1 CMO-attributable (net)")
    assert percent(net.inner_text()) - net_before == pytest.approx(100 * 1 / MEASURED)
    expect_no_globex(page)
    dashboard_screenshot(page, screenshot, "dashboard-client")

    # GLOBEX by address is a 404, exactly like something that does not exist.
    assert page.goto("/?client=GLOBEX&from=2026-03&to=2026-03").status == 404
    assert page.goto(f"/lines/{march.pk}/").status == 404
