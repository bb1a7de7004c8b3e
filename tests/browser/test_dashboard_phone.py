"""The dashboard in five seconds, on a phone and on a desktop: the verdict and the worklists come
first, the filters fold away on a 390 px screen, the menu stays reachable, and the board's
big-screen mode refreshes itself. Screenshots go to var/test-artifacts/."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

PHONE = {"width": 390, "height": 844}
SCOPE = "/?from=2026-03&to=2026-03"


def test_the_first_screen_of_a_phone_shows_figures_not_filters(page, march, screenshot):
    sign_in(page, "cmo.staff")
    page.set_viewport_size(PHONE)
    page.goto(SCOPE)
    # The worklist arrives from tower.board after the page (hx-trigger="load").
    expect(page.locator(".worklist-cmo")).to_be_visible()
    screenshot(page, "dashboard-phone")
    verdict = page.locator("section.verdict")
    expect(verdict).to_be_visible()
    box = verdict.bounding_box()
    assert box is not None and box["y"] < PHONE["height"] / 2, box  # on the first screen
    # The filters are folded into one line; the fields are not shown until it is opened.
    expect(page.locator(".filter-drawer > summary")).to_be_visible()
    expect(page.locator("#f-from")).to_be_hidden()
    page.locator(".filter-drawer > summary").click()
    expect(page.locator("#f-from")).to_be_visible()
    # The menu is reachable: it scrolls sideways, and its last link can be reached and followed.
    log = page.get_by_role("navigation", name="Main").get_by_role("link", name="Log")
    log.scroll_into_view_if_needed()
    expect(log).to_be_visible()
    board = page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Board", exact=True
    )
    board.scroll_into_view_if_needed()
    board.click()
    expect(page).to_have_url(re.compile("/board/"))
    screenshot(page, "board-phone")


def test_the_desktop_dashboard_shows_the_verdict_and_both_worklists(page, march, screenshot):
    sign_in(page, "cmo.staff")
    page.goto(SCOPE)
    expect(page.locator(".worklist-cmo")).to_be_visible()
    # Two clients against the default target (95 %, tolerance 5): both red.
    expect(page.locator('[data-verdict="red"] .figure')).to_have_text("2")
    expect(page.locator("#f-from")).to_be_visible()  # the filters are open on a desktop
    # ACME A3 and A4 and GLOBEX GX-2 and GX-3 failed, none with a root cause yet.
    link = page.locator(".worklist-cmo a", has_text="without a root cause")
    expect(link.locator(".figure")).to_have_text("4")
    screenshot(page, "dashboard-desktop")
    link.click()
    expect(page.locator(".pagination .summary")).to_contain_text("4 lines")


def test_big_screen_mode(page, march, screenshot):
    sign_in(page, "cmo.staff")
    page.goto("/board/?date=2026-03-21&screen=1&refresh=30")
    expect(page.locator("h1")).to_contain_text("Daily board · Saturday 21 March 2026")
    expect(page.locator(".mainnav")).to_have_count(0)
    expect(page.locator('[data-figure="missed"] .figure')).to_have_text("1")  # A4 short
    expect(page.locator("#board")).to_have_attribute("hx-trigger", "every 30s")
    screenshot(page, "board-big-screen")
    page.emulate_media(media="print")
    screenshot(page, "board-print")
