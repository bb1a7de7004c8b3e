"""The pages as a user meets them: signing in and out, changing the password, clear answers to
bad addresses (400/404, never 500), htmx fragments, "no data" instead of 0 %, and every number on
the dashboard leading to exactly that many lines."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.test import Client as Browser

from tower.performance.models import RootCause

from .conftest import PASSWORD

# ---------------------------------------------------------------------------------------------
# Signing in and out, changing the password


def test_sign_in_leads_to_the_dashboard(world, client):
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and "Sign in" in page.content.decode()
    response = client.post("/accounts/login/", {"username": "acme-viewer", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    dashboard = client.get("/")
    assert dashboard.status_code == 200 and "Signed in as <strong>acme-viewer</strong>" in (
        dashboard.content.decode()
    )


def test_sign_in_returns_to_the_page_asked_for(world, client):
    response = client.post(
        "/accounts/login/?next=/lines/",
        {"username": "acme-viewer", "password": PASSWORD, "next": "/lines/"},
    )
    assert response.status_code == 302 and response["Location"] == "/lines/"


def test_a_wrong_password_gives_a_clear_error(world, client):
    response = client.post("/accounts/login/", {"username": "acme-viewer", "password": "wrong"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'role="alert"' in body and "Please enter a correct username and password" in body
    assert client.get("/").status_code == 302  # still signed out


def test_sign_out(world, client):
    client.force_login(world.acme_viewer)
    assert client.get("/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert client.get("/")["Location"] == "/accounts/login/?next=/"


def test_change_password(world, client):
    client.force_login(world.acme_viewer)
    page = client.get("/accounts/password_change/")
    assert page.status_code == 200 and "Change password" in page.content.decode()
    wrong = client.post(
        "/accounts/password_change/",
        {
            "old_password": "nope",
            "new_password1": "n3w-long-pass",
            "new_password2": "n3w-long-pass",
        },
    )
    assert wrong.status_code == 200 and 'role="alert"' in wrong.content.decode()
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "n3w-long-pass",
            "new_password2": "n3w-long-pass",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/password_change/done/"
    assert client.get(response["Location"]).status_code == 200
    client.logout()
    assert not client.login(username="acme-viewer", password=PASSWORD)
    assert client.login(username="acme-viewer", password="n3w-long-pass")


# ---------------------------------------------------------------------------------------------
# Bad addresses: a message a planner understands, never a traceback


BAD_REQUESTS = [
    # (URL, status, what the page says)
    ("/?from=2026-13", 400, "is not a month"),
    ("/?to=March", 400, "is not a month"),
    ("/?from=2026-05&to=2026-01", 400, "must not be before the first"),
    ("/?to=0001-01", 400, "out of range"),
    ("/?from=9999-12", 400, "out of range"),
    ("/?site=NOWHERE", 400, "There is no site"),
    ("/?site=%00", 400, "Null characters are not allowed"),
    ("/lines/?sort=nope", 400, "Lines can be sorted by"),
    ("/lines/?outcome=bogus", 400, "Select a valid choice"),
    ("/lines/?code=NOPE", 400, "Select a valid choice"),
    ("/lines/?q=" + "9" * 101, 400, "at most 100 characters"),
    ("/lines/?to=0001-01", 400, "out of range"),
    ("/lines/export.csv?sort=nope", 400, "Lines can be sorted by"),
    ("/lines/export.xlsx?from=2026-13", 400, "is not a month"),
    ("/lines/export.pdf", 404, "Not found"),
    ("/lines/99999999999999999999/", 404, "Not found"),
    ("/closes/99999999999999999999/", 404, "Not found"),
    ("/closes/?client=NOPE", 404, "Not found"),
    ("/definitions/NOPE/", 404, "Not found"),
    ("/no-such-page/", 404, "Not found"),
]


@pytest.mark.parametrize("who", ["admin", "acme_viewer"])
def test_bad_url_parameters_give_a_clear_answer_never_500(world, client, who):
    client.force_login(getattr(world, who))
    for url, status, message in BAD_REQUESTS:
        response = client.get(url)  # the test client re-raises any exception (a 500)
        assert response.status_code == status, (url, response.status_code)
        body = response.content.decode()
        assert message in body, (url, message)
        assert "Traceback" not in body
        if status == 400:
            assert "Some filters could not be read" in body, url


@pytest.mark.parametrize("who", ["admin", "acme_staff"])
def test_bad_form_data_never_gives_500(world, client, who):
    client.force_login(getattr(world, who))
    posts = [
        ("/lines/propose/", {"code": "MFG-PROCESS", "comment": "x", "line": "9" * 25}),
        ("/lines/propose/", {"code": "MFG-PROCESS", "comment": "x", "line": "²"}),
        (
            "/lines/propose/",
            {"code": "MFG-PROCESS", "comment": "x", "all": "1", "query": "to=0001-01"},
        ),
        ("/lines/propose/", {"code": "NOPE", "comment": "x", "line": str(world.acme_late.pk)}),
        ("/closes/close/", {"client": "ACME", "month": "9999-12"}),
        ("/closes/close/", {"client": "ACME", "month": "2099-01"}),
        (f"/closes/{world.acme_close.pk}/reopen/", {"reason": ""}),
        (f"/lines/{world.acme_late.pk}/root-cause/", {"code": "NOPE", "comment": ""}),
        (f"/lines/{world.acme_late.pk}/exclusion/", {"reason": "x" * 501}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in (302, 403, 404), (url, data, response.status_code)


def test_a_page_number_that_is_not_a_number_shows_the_first_page(world, client):
    client.force_login(world.acme_viewer)
    for page in ("abc", "0", "-1", "1.5"):
        response = client.get(f"/lines/?page={page}&from=2026-01&to=2026-10")
        assert response.status_code == 200, page
        assert response.context["page_obj"].number == 1, page
    last = client.get("/lines/?page=999&from=2026-01&to=2026-10").context["page_obj"]
    assert last.number == last.paginator.num_pages and last.paginator.count > 0


def test_a_closed_month_that_has_not_ended_is_refused_with_a_message(world, client):
    client.force_login(world.admin)
    response = client.post("/closes/close/", {"client": "ACME", "month": "2099-01"}, follow=True)
    assert response.status_code == 200
    assert "has not ended yet" in response.content.decode()


# ---------------------------------------------------------------------------------------------
# htmx: the filters ask for the part below them only


@pytest.mark.parametrize(
    "url, marker",
    [
        ("/?from=2026-01&to=2026-10", 'data-figure="net-otif"'),
        ("/lines/?from=2026-01&to=2026-10", 'id="lines"'),
        ("/lines/?outcome=failed&from=2026-01&to=2026-10", "ACME-SO-1002"),
    ],
)
def test_htmx_requests_get_only_the_fragment(world, client, url, marker):
    client.force_login(world.acme_viewer)
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert "<html" not in body and "<title>" not in body and marker in body
    full = client.get(url).content.decode()
    assert "<html" in full and marker in full
    # A boosted link (whole-page navigation through htmx) gets the whole page.
    boosted = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true").content.decode()
    assert "<html" in boosted


# ---------------------------------------------------------------------------------------------
# The dashboard's figures


def card(body: str, figure: str) -> str:
    match = re.search(rf'<a [^>]*data-figure="{figure}".*?</a>', body, re.S)
    assert match, figure
    return match.group(0)


def test_a_period_without_lines_shows_no_data_not_zero_percent(world, client):
    client.force_login(world.acme_viewer)
    response = client.get("/?from=2020-01&to=2020-06")
    assert response.status_code == 200
    body = response.content.decode()
    for figure in ("net-otif", "gross-otif", "on-time", "in-full"):
        shown = re.search(r'<span class="figure">(.*?)</span>', card(body, figure)).group(1)
        assert shown == "no data", figure
    # A value of 0 % or 100 % (a target such as "≥ 90.0 %" is not one).
    assert not re.search(r"(?<![\d.])(0|100)\.0 %", body)
    assert "status-nodata" in card(body, "net-otif")
    assert "no measured lines" in body  # every month of the trend


def line_count(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page_obj"].paginator.count


def number(text: str) -> int:
    return int(re.match(r"\s*([\d,]+)", text).group(1).replace(",", ""))


@pytest.mark.parametrize(
    "who, query",
    [
        ("admin", "?from=2025-11&to=2026-10"),
        ("admin", "?client=GLOBEX&from=2026-01&to=2026-06"),
        ("acme_viewer", "?from=2026-03&to=2026-04"),
        ("acme_approver", "?from=2026-03&to=2026-03"),
        ("acme_staff", "?site=US1&from=2026-01&to=2026-10"),
    ],
)
def test_every_dashboard_number_links_to_as_many_lines(world, client, who, query):
    client.force_login(getattr(world, who))
    body = client.get("/" + query).content.decode()
    checked = 0

    # Numbers shown as links: table cells, the pending/excluded note, the approval notice.
    for href, text in re.findall(r'<a [^>]*href="(/lines/\?[^"]*)"[^>]*>([^<]*)</a>', body):
        if re.match(r"\s*[\d,]+", text):
            assert line_count(client, html.unescape(href)) == number(text), (href, text)
            checked += 1

    # The cards: failed lines is a count, the percentages are shares of the measured lines.
    measured_card = card(body, "net-otif")
    measured = number(re.search(r"· ([\d,]+) measured lines", measured_card).group(1))
    href = lambda block: html.unescape(re.search(r'href="([^"]*)"', block).group(1))  # noqa: E731
    assert line_count(client, href(measured_card)) == measured
    failed_card = card(body, "failed")
    failed = number(re.search(r'<span class="figure">(.*?)</span>', failed_card).group(1))
    assert line_count(client, href(failed_card)) == failed
    for figure in ("on-time", "in-full", "gross-otif"):
        block = card(body, figure)
        shown = re.search(r'<span class="figure">(.*?)</span>', block).group(1)
        listed = line_count(client, href(block))
        if figure == "gross-otif":
            assert listed == measured
            met = measured - failed
        else:  # the card links to the lines that missed it
            met = measured - listed
        assert shown == (f"{met / measured * 100:.1f} %" if measured else "no data"), figure
    checked += 5

    # The charts' bars link to the lines they count.
    for source in ("delay-data", "area-data", "pareto-data"):
        match = re.search(rf'<script id="{source}" type="application/json">(.*?)</script>', body)
        if match is None:
            continue  # no failed lines: no chart
        chart = json.loads(match.group(1))
        for value, link in zip(chart["values"], chart["links"], strict=True):
            assert line_count(client, link) == value, (source, link)
            checked += 1
    assert measured and failed and checked > 15


# ---------------------------------------------------------------------------------------------
# Bulk steps from the line list


def test_the_approver_approves_ticked_lines_from_the_list(world, signed_in):
    client = signed_in(world.acme_approver)
    page = client.get("/lines/?client=ACME&from=2026-01&to=2026-06&status=proposed")
    assert 'id="bulk-approve"' in page.content.decode()
    assert f'value="{world.acme_late.pk}"' in page.content.decode()

    answer = client.post(
        "/lines/approve/",
        {
            "line": [str(world.acme_late.pk)],
            "comment": "Agreed in the call",
            "query": "client=ACME",
        },
        follow=True,
    )

    assert "1 root cause approved" in answer.content.decode()
    cause = RootCause.objects.get(line=world.acme_late)
    assert (cause.status, cause.reviewed_by, cause.review_comment) == (
        "approved",
        world.acme_approver.username,
        "Agreed in the call",
    )


def test_cmo_staff_cannot_approve_from_the_list(world, signed_in):
    client = signed_in(world.acme_staff)
    assert 'id="bulk-approve"' not in client.get("/lines/?client=ACME").content.decode()
    answer = client.post("/lines/approve/", {"line": [str(world.acme_late.pk)], "query": ""})
    assert answer.status_code == 403
    assert RootCause.objects.get(line=world.acme_late).status == "proposed"


def test_a_form_without_its_security_token_gets_a_readable_page(world, db):
    browser = Browser(enforce_csrf_checks=True)
    browser.force_login(world.acme_staff)
    answer = browser.post(f"/lines/{world.acme_late.pk}/root-cause/", {"code": "MFG-PROCESS"})
    assert answer.status_code == 403
    assert "The form had expired" in answer.content.decode()
