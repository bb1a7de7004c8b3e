"""The quarterly review in a real browser.

A client approver signs in, answers the satisfaction survey, opens the scorecard from the main
menu, finds the survey's mean on it, prints it (A4) and downloads the PowerPoint deck from its
job's page, whose title slide names the client. The CMO's staff write their commentary in place
(htmx) and record an agreed action. Screenshots go to var/test-artifacts/.
"""

from __future__ import annotations

import re

import pptx
import pypdf
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.conftest import GLOBEX_TRACES, menu, sign_in
from tower.engine.kpi_catalogue import KPIS
from tower.engine.periods import last_complete_quarter

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

# Rated 4, 4, 5, 4, 4: the mean of all ratings is 21 / 5.
RATINGS = {
    "delivery_reliability": 4,
    "communication": 4,
    "quality": 5,
    "responsiveness": 4,
    "overall": 4,
}
MEAN = "4.20 of 5"
COMMENT = "Much better since the weekly planning call."


def review_quarter():
    """The quarter both the survey and the scorecard open on: the last complete one."""
    return last_complete_quarter(timezone.localdate())


def expect_no_globex(page: Page) -> None:
    expect(page.locator("body")).not_to_contain_text(GLOBEX_TRACES)
    found = GLOBEX_TRACES.search(page.content())  # hidden inputs, options, chart data too
    assert found is None, f"{page.url} shows {found.group()!r} to an ACME user"


def wait_for_charts(page: Page) -> None:
    expect(page.locator("canvas[data-kpi-trend]")).to_have_count(len(KPIS))
    page.wait_for_function(
        "() => window.Chart && [...document.querySelectorAll('canvas[data-kpi-trend]')]"
        ".every(canvas => Chart.getChart(canvas))"
    )


def test_a_client_answers_the_survey_and_takes_the_deck_to_the_review(
    page: Page, march, screenshot, tmp_path
):
    quarter = review_quarter()
    sign_in(page, "acme.approver")

    # --- The survey (the last complete quarter is the default).
    page.goto("/survey/")
    expect(
        page.get_by_role("heading", name=f"Satisfaction survey: {quarter.label}")
    ).to_be_visible()
    for question, rating in RATINGS.items():
        page.locator(f'input[name="{question}"][value="{rating}"]').check()
    page.get_by_label("Comment").fill(COMMENT)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator(".messages .success")).to_contain_text("Thank you")

    # --- The scorecard, from the main menu.
    menu(page, "Scorecard", "Performance").click()
    expect(page).to_have_url(re.compile(r"/scorecard/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Scorecard · Acme Pharma")
    expect(page.locator(".scorecard-meta")).to_contain_text(quarter.label)
    expect(page.locator("[data-survey-mean]")).to_have_text(MEAN)
    expect(page.locator("#survey")).to_contain_text("1 response")
    expect(page.locator("#survey")).to_contain_text(COMMENT)
    satisfaction = page.locator("#kpi-satisfaction")
    expect(satisfaction.locator("[data-value]")).to_have_text(MEAN)
    expect(satisfaction.locator("[data-status]")).to_have_text("On target")  # default target 4
    # Nothing was delivered in that quarter: the delivery KPIs say so, never 0 % or 100 %.
    expect(page.locator("#kpi-otif_net [data-value]")).to_have_text("no data")
    expect(page.locator("#kpi-otif_net [data-status]")).to_have_text("No data")
    expect(page.locator("#sc-client")).to_have_count(0)  # one client: no client chooser
    expect(page.locator(".kpi-comment-edit")).to_have_count(0)  # the CMO writes commentary
    expect_no_globex(page)
    wait_for_charts(page)
    screenshot(page, "scorecard-client")

    # --- Printed on A4: the choosers, buttons and forms stay off the paper.
    page.emulate_media(media="print")
    expect(page.locator(".scorecard-chooser")).to_be_hidden()
    expect(page.locator(".scorecard-downloads")).to_be_hidden()
    for landscape in (False, True):
        printed = tmp_path / f"scorecard-{'landscape' if landscape else 'portrait'}.pdf"
        page.pdf(path=str(printed), format="A4", landscape=landscape, print_background=True)
        words = "\n".join(p.extract_text() for p in pypdf.PdfReader(printed).pages)
        assert "Acme Pharma" in words and MEAN in words
        assert "Download" not in words and "PowerPoint" not in words
    page.emulate_media(media="screen")

    # --- The PowerPoint deck for the review: the worker makes it (here at once), the button
    # opens its job's page, whose link downloads the deck.
    page.get_by_role("link", name="PowerPoint").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    expect(page.locator(".job")).to_contain_text("Done.")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"^Download scorecard-ACME-.*\.pptx$")).click()
    download = info.value
    assert download.suggested_filename.endswith(".pptx")
    deck_path = tmp_path / download.suggested_filename
    download.save_as(deck_path)
    deck = pptx.Presentation(str(deck_path))
    title = "\n".join(
        shape.text_frame.text for shape in deck.slides[0].shapes if shape.has_text_frame
    )
    assert "Acme Pharma" in title, title
    assert quarter.label in title, title
    assert not GLOBEX_TRACES.search(title)

    # --- Another client's scorecard by address is a 404.
    assert page.goto(f"/scorecard/?client=GLOBEX&period={quarter.key}").status == 404


def test_the_cmo_writes_commentary_in_place_and_records_an_action(page: Page, march, screenshot):
    sign_in(page, "cmo.staff")
    page.goto("/scorecard/?client=ACME&period=2026Q1")
    expect(page.locator("#kpi-otif_gross [data-value]")).to_have_text("50.0 %")  # 2 of 4 lines

    # Commentary, in place: htmx swaps the block, the page stays.
    tile = page.locator("#kpi-otif_gross")
    tile.get_by_text("Add commentary").click()
    tile.get_by_label("Commentary for the client").fill("Two March lines failed: see the actions.")
    page.evaluate("window.__stayed = true")
    tile.get_by_role("button", name="Save").click()
    expect(tile.locator(".kpi-comment-done")).to_have_text("Commentary saved.")
    expect(tile.locator(".kpi-comment-text")).to_contain_text("Two March lines failed")
    assert page.evaluate("window.__stayed === true")  # no page load
    page.reload()
    expect(page.locator("#kpi-otif_gross .kpi-comment-text")).to_contain_text(
        "Two March lines failed"
    )

    # An agreed action, then done.
    actions = page.locator("#actions")
    actions.get_by_label("What is to be done").fill("Confirm artwork dates a week ahead")
    actions.get_by_label("Who does it").fill("Account manager")
    actions.get_by_label("KPI it should move").select_option("otif_net")
    actions.get_by_role("button", name="Add the action").click()
    expect(page.locator(".messages .success")).to_contain_text("Action agreed")
    row = page.locator("#action-table tbody tr", has_text="Confirm artwork dates")
    expect(row).to_contain_text("Net OTIF")
    row.get_by_label(re.compile("New status of")).select_option("done")
    row.get_by_role("button", name="Update").click()
    expect(page.locator(".messages .success")).to_contain_text("is now done")
    expect(
        page.locator("#action-table tbody tr", has_text="Confirm artwork dates").locator(".badge")
    ).to_have_text("Done")

    # The CMO works for both clients: the chooser switches, in place. The page came from a form
    # post: htmx (a deferred script) must have started before the change is made.
    page.wait_for_load_state()
    page.select_option("#sc-client", "GLOBEX")
    expect(page).to_have_url(re.compile("client=GLOBEX"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Scorecard · GLOBEX · Globex Therapeutics"
    )
    wait_for_charts(page)
    screenshot(page, "scorecard-cmo")
