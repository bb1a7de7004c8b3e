"""Escalation in a real browser (issue 11): the client approver reports a stock-out, the agreed
trigger opens an escalation at level 1, the CMO's level-1 person acknowledges it from the daily
board, and the client reads the acknowledgement in its communication log."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import menu, sign_in
from tower.agreements import services as agreements
from tower.calendars.services import build_calendar, set_calendar
from tower.escalations.models import Escalation
from tower.masterdata.models import Site
from tower.tenancy.scoping import SYSTEM

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LEVEL_1 = {
    "cmo_person": "CMO Staff",
    "cmo_role": "Customer service",
    "cmo_email": "staff@cmo.example",
    "client_person": "Acme Approver",
    "client_role": "Supply planner",
    "client_email": "approver@acme.example",
    "response_hours": "4",
    "site": "EU1",
}


def test_a_reported_stock_out_is_escalated_and_acknowledged_from_the_board(
    page, march, acme, screenshot
):
    # The agreement: office hours at EU1, one level, and the trigger the client asked for.
    set_calendar(
        site=Site.objects.get(code="EU1"),
        calendar=build_calendar(days="mon-fri", hours="08:00-17:00", time_zone="Europe/Berlin"),
        user=SYSTEM,
    )
    agreements.set_escalation_levels(client=acme, levels=[LEVEL_1], user=SYSTEM)
    agreements.set_escalation_trigger(
        client=acme, kind=Escalation.Kind.STOCK_OUT_REPORTED, enabled=True, threshold=None,
        user=SYSTEM,
    )  # fmt: skip

    sign_in(page, "acme.approver")
    page.goto("/stock-outs/report/?client=ACME")
    page.get_by_label("Product").select_option("AMX-500")
    page.get_by_label("Market or warehouse").fill("Berlin hospital pharmacy")
    page.get_by_label("Out of stock since").fill("2026-03-25")
    page.get_by_role("button", name="Report the stock-out").click()
    expect(page.locator("ul.messages")).to_be_visible()
    page.locator(".usermenu").get_by_role("button", name="Sign out").click()

    sign_in(page, "cmo.staff")
    menu(page, "Daily board").click()
    row = page.locator("tr", has_text="Berlin hospital pharmacy")
    expect(row).to_contain_text(re.compile("due|overdue"))  # the level-1 clock
    screenshot(page, "board-escalation-open")
    row.get_by_role("button", name="Acknowledge").click()
    expect(page).to_have_url(re.compile(r"/board/"))  # back on the board
    expect(page.locator("tr", has_text="Berlin hospital pharmacy")).to_contain_text("acknowledged")
    page.locator(".usermenu").get_by_role("button", name="Sign out").click()

    sign_in(page, "acme.approver")
    page.goto("/communications/")
    log = page.locator("#log")
    expect(log).to_contain_text("Escalation acknowledged")
    expect(log.locator("tr.side-cmo", has_text="Escalation acknowledged")).not_to_have_count(0)
    screenshot(page, "communication-log-escalation")
