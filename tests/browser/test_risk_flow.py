"""A project risk in a real browser (kpis.md 10): the CMO records a high risk, the client sees it
red; the CMO closes the plan's action and re-rates the risk, and it turns grey for both."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import GLOBEX_TRACES, sign_in
from tower.projects import services as projects
from tower.tenancy.models import Client
from tower.tenancy.scoping import SYSTEM

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def colour_on_register(page: Page, project_pk: int) -> str:
    page.goto(f"/risks/project/{project_pk}/")
    return page.locator("#risk-1 [data-colour]").get_attribute("data-colour")


def test_a_risk_goes_from_red_to_grey_for_the_cmo_and_the_client(page: Page, march, screenshot):
    acme = Client.objects.get(code="ACME")
    globex = Client.objects.get(code="GLOBEX")
    project = projects.create_project(
        client=acme,
        code="TT-1",
        name="Tablet line transfer",
        kind="tech_transfer",
        start_date=dt.date(2026, 1, 5),
        user=SYSTEM,
    )
    projects.create_project(
        client=globex,
        code="GX-9",
        name="Globex project",
        kind="other",
        start_date=dt.date(2026, 1, 5),
        user=SYSTEM,
    )

    # The CMO records a high risk with one plan action.
    sign_in(page, "cmo.staff")
    page.goto(f"/risks/project/{project.pk}/new/")
    page.get_by_label("Title").fill("API supplier late")
    page.get_by_label("Owner").fill("Procurement")
    page.get_by_label("Probability").fill("4")
    page.get_by_label("Impact").fill("4")
    page.get_by_label("Response (mitigation)").fill("Qualify a second supplier")
    page.get_by_role("button", name="Record the risk").click()
    expect(page.locator("#risk-colour")).to_contain_text("Red")
    page.get_by_text("Add an action").click()
    page.locator("#action-form").get_by_label("Title").fill("Audit supplier B")
    page.locator("#action-form").get_by_label("Owner").fill("QA")
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator("#action-table")).to_contain_text("Audit supplier B")
    sign_out(page)

    # The client sees it red, on the project page (htmx fragment) and in the register.
    sign_in(page, "acme.approver")
    page.goto(f"/projects/{project.pk}/")
    expect(page.locator("#risk-summary-body")).to_contain_text("1 red")
    assert colour_on_register(page, project.pk) == "red"
    expect(page.locator("body")).not_to_contain_text(GLOBEX_TRACES)
    screenshot(page, "risk-red-for-the-client")
    sign_out(page)

    # The CMO closes the action: still red (not re-rated), then re-rates: grey.
    sign_in(page, "cmo.staff")
    page.goto(f"/risks/project/{project.pk}/")
    page.get_by_role("link", name="R1 API supplier late").click()
    page.get_by_role("button", name="Close “Audit supplier B”").click()
    expect(page.locator("#action-table")).to_contain_text("Closed")
    expect(page.locator("#risk-colour")).to_contain_text("Red")
    rerate = page.locator("#rerate-form")
    rerate.get_by_label("Probability").fill("2")
    rerate.get_by_label("Impact").fill("2")
    rerate.get_by_role("button", name="Re-rate").click()
    expect(page.locator("#risk-colour")).to_contain_text("Grey")
    assert colour_on_register(page, project.pk) == "grey"
    sign_out(page)

    # ... and grey for the client too.
    sign_in(page, "acme.approver")
    assert colour_on_register(page, project.pk) == "grey"
    page.goto(f"/projects/{project.pk}/")
    expect(page.locator("#risk-summary-body")).to_contain_text("1 grey")
    expect(page.locator("#risk-summary-body")).to_contain_text("0 red")
    screenshot(page, "risk-grey-for-the-client")
