"""The dashboard in five seconds, on a phone and on a desktop: the verdict and the worklists come
first, the filters fold away on a 390 px screen, the menu stays reachable, and the board's
big-screen mode refreshes itself. Screenshots go to var/test-artifacts/."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import menu, sign_in

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
    # The menu is reachable: its groups fit the phone's width (no sideways scrolling), an open
    # group drops the full width with links big enough to tap, and its links are followed.
    nav = page.get_by_role("navigation", name="Main")
    nav_box = nav.bounding_box()
    assert nav_box is not None and nav_box["x"] >= -1
    assert nav_box["x"] + nav_box["width"] <= PHONE["width"] + 1, nav_box
    for summary in nav.locator("summary").all():
        box = summary.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"] + 1, box
    log = menu(page, "Communication log", "Relationship")
    box = log.bounding_box()
    assert box is not None and box["height"] >= 40 and box["width"] >= PHONE["width"] * 0.8, box
    screenshot(page, "menu-phone")
    page.keyboard.press("Escape")  # closes the group (tower/static/tower/menu.js)
    expect(log).to_be_hidden()
    menu(page, "Daily board").click()
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


def test_the_menu_works_with_the_keyboard_per_role_and_not_in_print(page, march, screenshot):
    sign_in(page, "cmo.staff")
    nav = page.get_by_role("navigation", name="Main")
    # Grouped: a handful of entries in the bar, the rest in groups that open on demand.
    expect(nav.locator("summary")).to_have_text(
        [
            "Performance",
            "Early warning",
            "Relationship",
            "Projects & improvement",
            "Administration",
        ]
    )
    scorecard = nav.get_by_role("link", name="Scorecard", exact=True)
    expect(scorecard).to_be_hidden()
    # Keyboard only: focus the group, open it with Enter, Tab to its first link, follow it.
    performance = nav.locator("summary", has_text="Performance")
    performance.focus()
    page.keyboard.press("Enter")
    expect(scorecard).to_be_visible()
    # Opening another group closes this one; Escape closes it and gives the focus back.
    nav.locator("summary", has_text="Relationship").click()
    expect(scorecard).to_be_hidden()
    page.keyboard.press("Escape")
    expect(nav.locator("summary", has_text="Relationship")).to_be_focused()
    performance.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(scorecard).to_be_focused()
    screenshot(page, "menu-desktop")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/scorecard/"))
    # On the scorecard, its group is marked as the current section.
    expect(nav.locator("summary.current")).to_have_text(re.compile("^Performance"))
    # Printed, the menu is not there.
    page.emulate_media(media="print")
    expect(nav).to_be_hidden()
    page.emulate_media(media="screen")
    page.locator(".usermenu").get_by_role("button", name="Sign out").click()

    # A client user sees no CMO-only entry and no Administration group.
    sign_in(page, "acme.approver")
    expect(nav.locator("summary")).to_have_count(4)
    menu(page, "Lessons learned", "Projects & improvement")
    expect(nav.get_by_role("link", name="Harmonisation")).to_have_count(0)
    expect(nav.get_by_role("link", name="Site calendars")).to_have_count(0)
