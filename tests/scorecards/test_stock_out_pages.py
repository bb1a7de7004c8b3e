"""The stock-out pages: reporting one (client users and the CMO), why it is or is not caused by
the CMO (the lines behind it), recording its end, and the list with its filters. Another client's
stock-outs are not found (404), exactly like ones that do not exist.

In the web world, ACME-SO-1002 (ACME-IBUPRO-200) is due 2026-03-16, delivered 7 days late, with
the CMO cause MFG-EQUIPMENT proposed; approving it makes the line count against the CMO.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_user
from tests.web.conftest import ACME_NOTE, GLOBEX_MARK, World, build_world
from tower.masterdata.models import Product
from tower.performance.models import LineOutcome, RootCause
from tower.performance.services import approve_root_cause, reopen_month
from tower.scorecards.services import report_stock_out
from tower.stockouts.models import StockOutEvent
from tower.tenancy.models import Client, Role

IBUPRO = "ACME-IBUPRO-200"
AMOXI = "ACME-AMOXI-500"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(acme, globex, write_csv, run_import) -> World:
    """The two-client world of the web tests (tests/web/conftest.py)."""
    return build_world(acme, globex, write_csv, run_import)


def due_of_late_line(world) -> dt.date:
    return LineOutcome.objects.get(line=world.acme_late).due_date


def approve_late_line(world) -> None:
    approve_root_cause(
        root_cause=RootCause.objects.get(line=world.acme_late),
        user=world.acme_approver,
        comment="Agreed: the blister line.",
    )


def report(world, product=IBUPRO, location="Germany", start=None, end=None, client=None, user=None):
    client = client or world.acme
    return report_stock_out(
        client=client,
        product=Product.objects.get(client=client, code=product),
        location=location,
        start_date=start or due_of_late_line(world) + dt.timedelta(days=10),
        end_date=end,
        user=user or world.admin,
    )


def form(world, **changes) -> dict:
    data = {
        "product": IBUPRO,
        "location": "Germany",
        "start_date": (due_of_late_line(world) + dt.timedelta(days=10)).isoformat(),
        "end_date": "",
        "note": "Pharmacies in Bavaria ran dry.",
    }
    return {**data, **changes}


# ---------------------------------------------------------------------------------------------
# Reporting


def test_a_stock_out_after_a_failed_approved_cmo_line_is_cmo_caused_and_shows_that_line(
    world, client
):
    approve_late_line(world)
    client.force_login(world.acme_viewer)
    page = client.get("/stock-outs/report/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f'value="{IBUPRO}"' in body and f'value="{AMOXI}"' in body
    assert GLOBEX_MARK not in body.lower()

    response = client.post("/stock-outs/report/?client=ACME", form(world))
    assert response.status_code == 302
    event = StockOutEvent.objects.get(client=world.acme, location="Germany")
    assert response["Location"] == f"/stock-outs/{event.pk}/"
    assert event.cmo_caused and list(event.lines.all()) == [world.acme_late]
    assert event.reported_by == world.acme_viewer and event.end_date is None

    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "It counts as caused by the CMO: 1 failed line" in body  # the confirmation
    assert "Why it counts as caused by the CMO" in body
    assert "The look-back used is <strong>60 days</strong>" in body
    linked = body.split('id="linked-lines"', 1)[1].split("</table>", 1)[0]
    assert f'href="/lines/{world.acme_late.pk}/"' in linked and "ACME-SO-1002 / 1" in linked
    assert "2026-03-16" in linked and "10 days" in linked
    assert "MFG-EQUIPMENT" in linked and "Manufacturing" in linked
    assert ACME_NOTE not in body  # the CMO's internal note stays internal
    assert "reported" in body.split('id="history"', 1)[1]


def test_a_failed_line_without_an_approved_cause_makes_the_stock_out_undetermined(world, client):
    """Not "not caused": the late line's cause is only proposed, so nobody knows yet."""
    client.force_login(world.acme_staff)  # the CMO's people report stock-outs too
    response = client.post("/stock-outs/report/?client=ACME", form(world))
    assert response.status_code == 302
    event = StockOutEvent.objects.get(client=world.acme, location="Germany")
    assert event.attribution == "undetermined"
    assert not event.cmo_caused and not event.lines.exists()
    body = client.get(response["Location"]).content.decode()
    assert "It is undetermined for now" in body  # the confirmation
    assert '<span class="badge proposed" id="attribution">Undetermined</span>' in body
    assert "Why it is undetermined" in body and 'id="undetermined-why"' in body
    assert 'id="linked-lines"' not in body
    # The failed line is named with the state of its cause: approving it settles the question.
    others = body.split('id="other-lines"', 1)[1].split("</table>", 1)[0]
    assert "ACME-SO-1002 / 1" in others and "proposed" in others
    listed = client.get("/stock-outs/?caused=undetermined").context["page_obj"]
    assert [e.pk for e in listed] == [event.pk]

    approve_late_line(world)  # the client agrees: the stock-out is attributed again
    event.refresh_from_db()
    assert (event.attribution, event.cmo_caused) == ("caused", True)
    assert 'id="linked-lines"' in client.get(response["Location"]).content.decode()


def test_without_failed_lines_in_the_look_back_the_stock_out_is_not_caused(world, client):
    client.force_login(world.acme_viewer)
    start = (due_of_late_line(world) - dt.timedelta(days=5)).isoformat()  # before any failure
    client.post("/stock-outs/report/?client=ACME", form(world, start_date=start))
    event = StockOutEvent.objects.get(client=world.acme, location="Germany")
    assert (event.attribution, event.cmo_caused) == ("not_caused", False)
    body = client.get(f"/stock-outs/{event.pk}/").content.decode()
    assert "Not caused by the CMO" in body and "Undetermined" not in body


def test_a_line_due_outside_the_look_back_does_not_cause_the_stock_out(world, client):
    approve_late_line(world)
    client.force_login(world.acme_viewer)
    late_start = (due_of_late_line(world) + dt.timedelta(days=61)).isoformat()
    client.post("/stock-outs/report/?client=ACME", form(world, start_date=late_start))
    assert not StockOutEvent.objects.get(location="Germany").cmo_caused


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"location": "  "}, "This field is required."),
        ({"product": ""}, "This field is required."),
        ({"product": "GLOBEX-IBUPRO-200"}, "Choose one of the client&#x27;s products."),
        ({"product": "NOPE"}, "Choose one of the client&#x27;s products."),
        ({"start_date": "26/13/2026"}, "Write the date as YYYY-MM-DD"),
        ({"start_date": "2999-01-01"}, "A stock-out cannot start in the future."),
        ({"end_date": "2026-03-01"}, "The stock-out cannot end before it started."),
        ({"end_date": "2999-01-01"}, "The end date is in the future"),
        ({"location": "x" * 201}, "at most 200 characters"),
    ],
)
def test_bad_input_on_the_report_form_is_shown_and_nothing_is_recorded(
    world, client, changes, message
):
    client.force_login(world.acme_viewer)
    before = StockOutEvent.objects.count()
    response = client.post("/stock-outs/report/?client=ACME", form(world, **changes))
    assert response.status_code == 200
    body = response.content.decode()
    assert "The stock-out was not recorded." in body and 'role="alert"' in body
    assert message in body
    assert StockOutEvent.objects.count() == before


def test_a_stock_out_reported_twice_is_refused_with_a_message(world, client):
    client.force_login(world.acme_viewer)
    assert client.post("/stock-outs/report/?client=ACME", form(world)).status_code == 302
    again = client.post("/stock-outs/report/?client=ACME", form(world))
    assert again.status_code == 200 and "is already recorded" in again.content.decode()
    assert StockOutEvent.objects.filter(location="Germany").count() == 1


def test_the_report_form_offers_only_the_chosen_clients_products(world, client):
    client.force_login(world.admin)
    acme = client.get("/stock-outs/report/?client=ACME").content.decode()
    globex = client.get("/stock-outs/report/?client=GLOBEX").content.decode()
    assert IBUPRO in acme and "GLOBEX-IBUPRO-200" not in acme
    assert "GLOBEX-IBUPRO-200" in globex and IBUPRO not in globex
    # A product given in the address is chosen, if it is the client's.
    chosen = client.get(f"/stock-outs/report/?client=ACME&product={IBUPRO}").content.decode()
    assert f'<option value="{IBUPRO}" selected>' in chosen


# ---------------------------------------------------------------------------------------------
# The end of a stock-out


def test_recording_the_end_date(world, client):
    event = report(world)
    client.force_login(world.acme_approver)
    end = event.start_date + dt.timedelta(days=5)
    response = client.post(f"/stock-outs/{event.pk}/end/", {"end_date": end.isoformat()})
    assert response.status_code == 302 and response["Location"] == f"/stock-outs/{event.pk}/"
    event.refresh_from_db()
    assert event.end_date == end
    latest = event.history.first()
    assert latest.history_user == world.acme_approver and latest.history_change_reason == "ended"
    body = client.get(response["Location"]).content.decode()
    assert "Stock-out ended: back in stock on" in body and "6 days out of stock" in body
    assert "ongoing" not in body.split("</h1>", 1)[1].split("</div>", 1)[0]
    history = body.split('id="history"', 1)[1]
    assert "acme-approver" in history and "ended" in history


@pytest.mark.parametrize(
    "value, message",
    [
        ("2020-01-01", "The stock-out cannot end before it started."),
        ("2999-01-01", "The end date is in the future"),
        ("soon", "Write the date as YYYY-MM-DD"),
        ("", "This field is required."),
    ],
)
def test_a_bad_end_date_is_refused_with_a_message(world, client, value, message):
    event = report(world)
    client.force_login(world.acme_viewer)
    response = client.post(f"/stock-outs/{event.pk}/end/", {"end_date": value}, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    event.refresh_from_db()
    assert event.end_date is None


def test_end_answers_post_only(world, client):
    event = report(world)
    client.force_login(world.acme_viewer)
    assert client.get(f"/stock-outs/{event.pk}/end/").status_code == 405


# ---------------------------------------------------------------------------------------------
# The list


@pytest.fixture
def events(world):
    """Three ACME stock-outs besides any the world has: caused and ended, not caused and ended
    (a quarter later), and open."""
    approve_late_line(world)
    start = due_of_late_line(world) + dt.timedelta(days=10)  # 2026-03-26
    return {
        "caused": report(world, location="Germany", start=start, end=dt.date(2026, 4, 10)),
        "ended": report(
            world,
            product=AMOXI,
            location="France",
            start=dt.date(2026, 7, 10),
            end=dt.date(2026, 7, 20),
        ),
        "open": report(world, location="Spain", start=dt.date(2026, 10, 1)),
    }


def listed(response) -> list[int]:
    assert response.status_code == 200, response.status_code
    return [e.pk for e in response.context["page_obj"]]


def test_the_list_filters_by_cause_state_product_and_period(world, client, events):
    caused, ended, still = events["caused"], events["ended"], events["open"]
    client.force_login(world.acme_viewer)
    everything = listed(client.get("/stock-outs/"))
    assert {caused.pk, ended.pk, still.pk} <= set(everything)
    assert listed(client.get("/stock-outs/?caused=yes")) == [caused.pk]
    no = listed(client.get("/stock-outs/?caused=no"))
    assert ended.pk in no and still.pk in no and caused.pk not in no
    assert listed(client.get("/stock-outs/?open=1")) == [still.pk]
    amoxi = listed(client.get(f"/stock-outs/?product={AMOXI}"))
    assert ended.pk in amoxi and caused.pk not in amoxi and still.pk not in amoxi
    # A stock-out belongs to each period it lasted into.
    assert listed(client.get("/stock-outs/?period=2026Q3")) == [ended.pk]
    assert caused.pk in listed(client.get("/stock-outs/?period=2026Q2"))
    assert listed(client.get("/stock-outs/?period=2026-07")) == [ended.pk]
    assert listed(client.get("/stock-outs/?period=2026Q3&caused=yes")) == []
    # Another client's product reads like one that does not exist: nothing.
    assert listed(client.get("/stock-outs/?product=GLOBEX-IBUPRO-200")) == []


def test_the_list_shows_the_cause_badge_and_the_count_of_lines_behind_each(world, client, events):
    client.force_login(world.acme_viewer)
    body = client.get("/stock-outs/?caused=yes").content.decode()
    row = body.split(f'href="/stock-outs/{events["caused"].pk}/"', 1)[1].split("</tr>", 1)[0]
    assert '<span class="badge cmo-caused">Caused by the CMO</span>' in row
    assert '<td class="num">1</td>' in row  # ACME-SO-1002
    assert '<td class="num">16</td>' in row  # 26 March to 10 April
    assert 'id="f-client"' not in body  # one client: no client choice


def test_the_list_sorts_by_any_column_and_toggles_the_direction(world, client, events):
    client.force_login(world.acme_viewer)
    dates = [e.start_date for e in client.get("/stock-outs/?sort=start").context["page_obj"]]
    assert dates == sorted(dates)
    page = client.get("/stock-outs/")
    dates = [e.start_date for e in page.context["page_obj"]]
    assert dates == sorted(dates, reverse=True)  # newest first by default
    assert page.context["sort_links"]["start"] == {"url": "?sort=start", "state": "desc"}
    by_lines = client.get("/stock-outs/?sort=-lines").context["page_obj"]
    assert by_lines[0].pk == events["caused"].pk
    locations = [e.location for e in client.get("/stock-outs/?sort=location").context["page_obj"]]
    assert locations == sorted(locations)


def test_the_list_is_paginated(world, client):
    product = Product.objects.get(client=world.acme, code=IBUPRO)
    StockOutEvent.objects.bulk_create(
        StockOutEvent(
            client=world.acme,
            product=product,
            location=f"Market {n:02d}",
            start_date=dt.date(2026, 1, 1) + dt.timedelta(days=n),
            source=StockOutEvent.Source.IMPORTED,
        )
        for n in range(60)
    )
    client.force_login(world.acme_viewer)
    first = client.get("/stock-outs/?product=ACME-IBUPRO-200")
    assert len(first.context["page_obj"]) == 50
    assert "Page 1 of 2 · 60 stock-outs" in first.content.decode()
    second = client.get("/stock-outs/?product=ACME-IBUPRO-200&page=2")
    assert len(second.context["page_obj"]) == 10
    assert listed(client.get("/stock-outs/?product=ACME-IBUPRO-200&page=abc"))  # the first page


def test_the_empty_list_says_so(world, client):
    initech = Client.objects.create(code="INITECH", name="Initech Labs")
    client.force_login(make_user("initech-viewer", initech, Role.CLIENT_VIEWER))
    body = client.get("/stock-outs/").content.decode()
    assert "No stock-out has been reported." in body and "report it" in body
    client.force_login(world.acme_viewer)
    body = client.get("/stock-outs/?caused=yes").content.decode()
    assert "No stock-out matches these filters." in body


@pytest.mark.parametrize(
    "query, message",
    [
        ("sort=nope", "Stock-outs can be sorted by"),
        ("period=2026-13", "is not a period"),
        ("period=Q5", "is not a period"),
        ("period=1066-01", "out of range"),
        ("period=0000-01", "is not a period"),
        ("caused=maybe", "Select a valid choice"),
        ("product=%00", "Null characters are not allowed"),
    ],
)
def test_bad_filters_give_a_readable_400(world, client, query, message):
    for user in (world.acme_viewer, world.admin):
        client.force_login(user)
        response = client.get(f"/stock-outs/?{query}")
        assert response.status_code == 400, query
        body = response.content.decode()
        assert "Some filters could not be read" in body and message in body


# ---------------------------------------------------------------------------------------------
# Tenancy


@pytest.mark.parametrize("who", ["acme_viewer", "acme_approver", "acme_staff"])
def test_another_clients_stock_outs_are_not_found(world, client, who):
    theirs = report(world, client=world.globex, product="GLOBEX-IBUPRO-200", location="Globex DE")
    ours = report(world, location="Acme DE")
    client.force_login(getattr(world, who))
    assert client.get(f"/stock-outs/{ours.pk}/").status_code == 200
    assert client.get(f"/stock-outs/{theirs.pk}/").status_code == 404
    assert client.get("/stock-outs/987654321/").status_code == 404
    end = {"end_date": theirs.start_date.isoformat()}
    assert client.post(f"/stock-outs/{theirs.pk}/end/", end).status_code == 404
    theirs.refresh_from_db()
    assert theirs.end_date is None
    for url in ("/stock-outs/?client=GLOBEX", "/stock-outs/?client=NO-SUCH-CLIENT"):
        assert client.get(url).status_code == 404
    for url in ("/stock-outs/report/?client=GLOBEX", "/stock-outs/report/?client=NOPE"):
        assert client.get(url).status_code == 404
        assert client.post(url, form(world, product="GLOBEX-IBUPRO-200")).status_code == 404
    assert (
        not StockOutEvent.objects.filter(client=world.globex)
        .exclude(pk=theirs.pk)
        .filter(location="Germany")
    )
    for url in ("/stock-outs/", "/stock-outs/?sort=client", "/stock-outs/report/"):
        assert GLOBEX_MARK not in client.get(url).content.decode().lower(), url


def test_the_cmo_admin_sees_every_clients_stock_outs(world, client):
    theirs = report(world, client=world.globex, product="GLOBEX-IBUPRO-200", location="Globex DE")
    client.force_login(world.admin)
    body = client.get("/stock-outs/").content.decode()
    assert "GLOBEX-IBUPRO-200" in body and 'id="f-client"' in body
    assert listed(client.get("/stock-outs/?client=GLOBEX")) == list(
        StockOutEvent.objects.filter(client=world.globex)
        .order_by("-start_date", "-pk")
        .values_list("pk", flat=True)
    )
    assert client.get(f"/stock-outs/{theirs.pk}/").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(world, client):
    event = report(world)
    for url in ("/stock-outs/", "/stock-outs/report/", f"/stock-outs/{event.pk}/"):
        assert client.get(url)["Location"].startswith("/accounts/login/")
    response = client.post(f"/stock-outs/{event.pk}/end/", {"end_date": "2026-04-01"})
    assert response["Location"].startswith("/accounts/login/")


# ---------------------------------------------------------------------------------------------
# Queries


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries)


def test_the_pages_run_as_many_queries_whatever_the_number_of_stock_outs_and_lines(world, client):
    approve_late_line(world)
    event = report(world)
    client.force_login(world.acme_staff)
    pages = ["/stock-outs/", "/stock-outs/?client=ACME", f"/stock-outs/{event.pk}/"]
    pages += ["/stock-outs/report/"]
    before = {url: count_queries(client, url) for url in pages}
    # More stock-outs, each caused by the same line, and a longer history.
    for n in range(12):
        report(world, location=f"Market {n}", start=event.start_date + dt.timedelta(days=n))
    client.post(f"/stock-outs/{event.pk}/end/", {"end_date": event.start_date.isoformat()})
    after = {url: count_queries(client, url) for url in pages}
    assert after == before
    assert max(after.values()) <= 15, after


# ---------------------------------------------------------------------------------------------
# The stock-out KPIs' detail page


def test_the_stock_out_kpi_records_say_caused_by_the_cmo_once_and_not_in_green(world, client):
    """One attribution column, no second "counts" column coloured green for yes, red for no."""
    approve_late_line(world)
    # March is closed in this world: a stock-out reported after the close counts once the
    # month is reopened (tests/performance/test_close_freezes_records.py).
    reopen_month(close=world.acme_close, user=world.admin, reason="late stock-out report")
    report(world)  # starts 2026-03-26: caused by ACME-SO-1002
    client.force_login(world.acme_viewer)
    body = client.get("/scorecard/kpi/oos_events/?client=ACME&period=2026Q1").content.decode()
    table = body.split('id="records"', 1)[1].split("</table>", 1)[0]
    head = table.split("</thead>", 1)[0]
    assert head.count("Caused by the CMO") == 1
    assert "counts-true" not in table and "counts-false" not in table
