"""The filter bar in a real browser: htmx updates the page in place, the URL follows the filters
(so the view can be shared as a link), and the choices follow the client."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


def test_changing_a_filter_updates_the_list_and_the_address(page, march):
    sign_in(page, "cmo.staff")
    page.goto("/lines/?client=ACME&from=2026-03&to=2026-03")
    expect(page.locator(".pagination .summary")).to_contain_text("4 lines")

    page.select_option("#f-outcome", "failed")

    # Two failed ACME lines (A3 late, A4 short); the address holds each filter once (htmx
    # pushes it once the new part of the page is in place)
    expect(page).to_have_url(re.compile("outcome=failed"))
    expect(page.locator(".pagination .summary")).to_contain_text("2 lines")
    assert page.url.count("outcome=") == 1
    assert page.url.count("client=") == 1

    # Another client: its own products in the product filter, the ACME ones gone
    page.select_option("#f-client", "GLOBEX")
    expect(page).to_have_url(re.compile("client=GLOBEX"))
    expect(page.locator(".pagination .summary")).to_contain_text("2 lines")
    expect(page.locator("#f-product option", has_text="GLX-100")).to_have_count(1)
    expect(page.locator("#f-product option", has_text="AMX-500")).to_have_count(0)
    assert page.url.count("client=") == 1

    # The address alone reproduces the view
    page.goto(page.url)
    expect(page.locator(".pagination .summary")).to_contain_text("2 lines")
