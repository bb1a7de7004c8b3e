"""The service agreement's team and the webhooks in a real browser: the CMO names a person in
the counterpart matrix and adds a webhook endpoint in the section htmx loads (its secret shown
once); the client's approver finds the CMO's person under "Who to call" on a phone."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tower.webhooks.models import Endpoint

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def test_the_cmo_names_its_person_and_the_client_finds_them(page, march, screenshot):
    sign_in(page, "cmo.staff")
    page.goto("/agreements/ACME/")
    form = page.locator("#team-add")
    form.get_by_label("Side").select_option("cmo")
    form.get_by_label("Function").select_option("supply_chain")
    form.get_by_label("Name").fill("Lea Fontaine")
    form.get_by_label("E-mail").fill("lea.fontaine@cmo.example")
    form.get_by_label("Phone").fill("+44 20 7946 0123")
    form.get_by_role("button", name="Add to the team").click()
    expect(page.locator(".messages")).to_contain_text("Lea Fontaine added to the team")
    row = page.locator('#counterpart-matrix tr[data-function="supply_chain"]')
    expect(row).to_contain_text("Lea Fontaine")
    expect(row.locator('a[href="tel:+442079460123"]')).to_be_visible()
    # The webhooks section comes in by htmx; the secret of a new endpoint shows once.
    section = page.locator("#webhooks")
    expect(section).to_contain_text("No webhook endpoint")
    hook = section.locator("#webhook-add")
    hook.get_by_label("Name").fill("Ops channel")
    hook.get_by_label("URL").fill("https://hooks.example.com/services/T000/B000/XXXX")
    hook.get_by_label("Format").select_option("teams")
    hook.get_by_role("button", name="Add the endpoint").click()
    expect(page.get_by_role("heading", name=re.compile("Endpoint added"))).to_be_visible()
    secret = Endpoint.objects.get().secret
    expect(page.locator("#webhook-secret")).to_have_value(secret)
    page.goto("/agreements/ACME/")
    expect(page.locator("#webhook-endpoints")).to_contain_text("Ops channel")
    expect(page.locator("#webhook-endpoints")).not_to_contain_text(secret)
    screenshot(page, "agreement-team-and-webhooks")

    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    sign_in(page, "acme.approver")
    page.goto("/who-to-call/")
    supply = page.locator('#who-to-call tr[data-function="supply_chain"]')
    expect(supply).to_contain_text("Lea Fontaine")
    expect(supply.locator('a[href="tel:+442079460123"]')).to_be_in_viewport()
    # On a phone the columns stack, each under its name ("Call at the CMO", "Your side").
    expect(supply.locator('td[data-label="Call at the CMO"]')).to_contain_text("Lea Fontaine")
    screenshot(page, "who-to-call-phone")
