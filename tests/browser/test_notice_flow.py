"""One voice in a real browser: a CMO planner finds the line at risk on the outlook, opens its
milestone chain, ticks it and sends a delay notice for its order; the client approver sees it
in the inbox (and the count in the menu), acknowledges it with a comment, and the communication
log shows both sides."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import menu, sign_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# PO-A9/1 is due in five days with neither batch nor planned ship date: "no plan" on the
# outlook (inside the 14-day horizon). PO-A9/2, due in two months, is not at risk yet.
SOON, LATER = dt.date.today() + dt.timedelta(days=5), dt.date.today() + dt.timedelta(days=60)
OPEN = f"""
client,order,line,product,site,ordered_qty,committed_date,status
ACME,PO-A9,1,AMX-500,EU1,40,{SOON},open
ACME,PO-A9,2,IBU-200,EU1,20,{LATER},open
"""


def test_planner_sends_a_notice_and_the_client_acknowledges_it(
    page, march, write_csv, run_import, screenshot
):
    assert run_import(write_csv(OPEN, "open.csv")).ok

    sign_in(page, "cmo.staff")
    menu(page, "Outlook", "Early warning").click()
    row = page.locator("tr", has_text="PO-A9 / 1")
    expect(row).to_contain_text("No plan")
    expect(page.locator("tr", has_text="PO-A9 / 2")).to_have_count(0)  # on track: not listed
    row.get_by_role("link", name="PO-A9 / 1").click()
    expect(page.locator(".line-chain")).to_contain_text("No plan")  # the chain, loaded by htmx
    expect(page.locator("#line-notices")).to_contain_text("No delay notice on this line")
    page.go_back()
    page.locator("tr", has_text="PO-A9 / 1").get_by_role("checkbox").check()
    page.get_by_role("button", name="Write a delay notice for the ticked lines").click()
    expect(page.get_by_role("heading", name="New delay notice")).to_be_visible()
    page.get_by_label(re.compile("Every open line of their orders")).check()
    page.get_by_label("New expected date").fill(f"{SOON + dt.timedelta(days=9)}")
    page.get_by_label("Cause, for the client").fill("The API arrived late from the supplier")
    page.get_by_label("Remedial actions").fill("Production moved to the weekend shift")
    page.get_by_label("CMO contact").fill("Carla, CMO planning, +41 61 000 00 00")
    page.get_by_label("Internal note (CMO only)").fill("Supplier X again")
    page.get_by_role("button", name="Send the delay notice").click()
    expect(page.locator("ul.messages")).to_contain_text("sent on 2 lines")
    expect(page.locator("#notice-lines tbody tr")).to_have_count(2)
    screenshot(page, "delay-notice-cmo")
    page.locator(".usermenu").get_by_role("button", name="Sign out").click()

    sign_in(page, "acme.approver")
    expect(page.locator("#inbox-count")).to_have_text(re.compile(r"^\s*1"))
    menu(page, "Notices", "Early warning").click()
    page.locator("#inbox").get_by_role("link", name=re.compile("Notice")).first.click()
    expect(page.locator("body")).to_contain_text("The API arrived late from the supplier")
    expect(page.locator("body")).not_to_contain_text("Supplier X again")
    page.get_by_label("Comment").fill("Noted: safety stock covers it")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator("#acknowledgements")).to_contain_text("Noted: safety stock covers it")
    screenshot(page, "delay-notice-client")

    menu(page, "Communication log", "Relationship").click()
    log = page.locator("#log")
    expect(log).to_contain_text("Delay notice sent")
    expect(log).to_contain_text("Delay notice acknowledged")
    expect(log.locator("tr.side-cmo")).not_to_have_count(0)
    expect(log.locator("tr.side-client")).not_to_have_count(0)
    screenshot(page, "communication-log")
