"""The outlook app: the stored projection (refreshed after imports, daily, and for the
early-warning settings), `tower outlook`, the /outlook/ page and the line page's chain fragment.

Data (as of T = 2026-06-01, default settings: transit 5 days, tight 2, horizon 14):
- ACME PO-1/1: batch B-1 ended 2 days late (5-20 vs 5-18), QC release planned 5-25 still on hold:
  QC projected 6-01 (slip 7), ship 5-28 + 7 = 6-04, arrival 6-09, due 6-05: late 4 days, cause
  QC release (quality). Stock of AMX-500 at Berlin DC on 6-01: 30 on hand, 10 a day = cover to
  6-04; PO-1/1 is the first to arrive after it: stock-out from 6-04.
- ACME PO-1/2: no batch, ship 6-10, arrival 6-15, due 6-30: on track (not listed).
- ACME PO-2/1: no batch, no planned ship, due 6-10 (within 14 days): no plan (planning).
- GLOBEX PO-9/1: ship 6-01, arrival 6-06, due 6-03: late 3 days, planned late (planning).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.conftest import Role, make_user
from tower.imports import kinds
from tower.outlook.models import LineProjection
from tower.outlook.services import refresh_projection
from tower.tenancy.models import Client
from tower.tenancy.scoping import SYSTEM

T = dt.date(2026, 6, 1)

BATCHES = """
client,batch,product,site,planned_start,actual_start,material_ready_date,planned_end,actual_end,planned_release_date,disposition
ACME,B-1,AMX-500,EU1,2026-05-10,2026-05-10,2026-05-10,2026-05-18,2026-05-20,2026-05-25,on hold
"""
LINES = """
client,order,line,product,site,ship_to,ordered_qty,committed_date,planned_ship_date,planned_batch
ACME,PO-1,1,AMX-500,EU1,Berlin DC,100,2026-06-05,2026-05-28,B-1
ACME,PO-1,2,AMX-500,EU1,Berlin DC,100,2026-06-30,2026-06-10,
ACME,PO-2,1,IBU-200,EU1,Madrid DC,100,2026-06-10,,
GLOBEX,PO-9,1,GLX-100,EU1,Globex market,100,2026-06-03,2026-06-01,
"""
STOCK = """
client,product,location,date,on_hand,daily_demand
ACME,AMX-500,Berlin DC,2026-06-01,30,10
"""


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _records(kind, text, name, write_csv):
    report = kind(path=write_csv(text, name), actor="test", principal=SYSTEM, create_missing=True)
    assert report.ok, report.errors
    return report


@pytest.fixture
def imported(acme, globex, write_csv, run_import):
    _records(kinds.import_batches, BATCHES, "batches.csv", write_csv)
    report = run_import(write_csv(LINES), create_missing=True)
    assert report.ok, report.errors
    _records(kinds.import_stock, STOCK, "stock.csv", write_csv)


@pytest.fixture
def projected(imported, acme, globex):
    for c in (acme, globex):
        refresh_projection(client=c, as_of=T)


def stored() -> dict[str, LineProjection]:
    return {
        f"{p.line.order.number}/{p.line.line_number}": p
        for p in LineProjection.objects.select_related("line__order")
    }


# --- the stored projection --------------------------------------------------------------------


def test_imports_refresh_the_projection(imported):
    # Each import projected its client again (as of today): every open line has a row.
    assert set(stored()) == {"PO-1/1", "PO-1/2", "PO-2/1", "PO-9/1"}


def test_the_stored_projection_is_the_hand_computed_one(projected):
    rows = stored()
    p = rows["PO-1/1"]
    assert (p.as_of, p.risk, p.projected_date, p.projected_days_late) == (
        T,
        "late",
        dt.date(2026, 6, 9),
        4,
    )
    assert (p.cause_milestone, p.cause_area) == ("qc_release", "quality")
    assert p.stock_out_from == dt.date(2026, 6, 4)
    assert (p.qc_release_planned, p.qc_release_projected, p.qc_release_slip) == (
        dt.date(2026, 5, 25),
        T,
        7,
    )
    assert (p.production_end_actual, p.production_end_slip) == (dt.date(2026, 5, 20), 2)
    assert rows["PO-1/2"].risk == "on_track" and rows["PO-1/2"].projected_date == dt.date(
        2026, 6, 15
    )
    assert (rows["PO-2/1"].risk, rows["PO-2/1"].cause_area) == ("no_plan", "planning")
    g = rows["PO-9/1"]
    assert (g.risk, g.projected_days_late, g.cause_milestone) == ("late", 3, "planned_late")
    # The at-risk order: the stock-out, then late by days, then no plan; on track last.
    ranked = sorted(rows.values(), key=lambda r: (r.rank, r.rank_key))
    names = [f"{r.line.order.number}/{r.line.line_number}" for r in ranked]
    assert names == ["PO-1/1", "PO-9/1", "PO-2/1", "PO-1/2"]


def test_the_refresh_replaces_the_clients_rows_only(projected, acme):
    refresh_projection(client=acme, as_of=dt.date(2026, 6, 12))
    rows = stored()
    assert rows["PO-9/1"].as_of == T  # GLOBEX untouched
    assert rows["PO-1/1"].as_of == dt.date(2026, 6, 12)
    assert rows["PO-1/1"].projected_days_late == 4 + 11  # QC still on hold 11 days later


def test_the_daily_task_projects_every_client(imported):
    from tower.outlook.tasks import daily_projection

    LineProjection.objects.all().delete()
    daily_projection.call_local()
    assert LineProjection.objects.filter(client__code="GLOBEX").count() == 1
    assert LineProjection.objects.filter(client__code="ACME").count() == 3


def test_new_early_warning_settings_project_again(projected, acme):
    from tower.scorecards.services import set_early_warning

    # Projected again (as of today) with a default transit of 0 days instead of 5.
    set_early_warning(
        client=Client.objects.get(code="GLOBEX"),
        values={"transit_days": 0},
        user=make_user("boss", admin=True),
    )
    again = stored()["PO-9/1"]
    assert again.as_of != T and again.transit_days == 0
    assert again.arrival_planned == again.ship_planned == dt.date(2026, 6, 1)


def _as_of_by_client() -> dict[str, set[dt.date]]:
    found: dict[str, set[dt.date]] = {}
    for p in LineProjection.objects.select_related("client"):
        found.setdefault(p.client.code, set()).add(p.as_of)
    return found


def test_an_exclusion_projects_the_client_again_without_the_line(projected, acme):
    from tower.orders.models import OrderLine
    from tower.performance.services import set_line_exclusion

    line = OrderLine.objects.get(client=acme, order__number="PO-1", line_number="1")
    set_line_exclusion(
        line=line, reason="Client cancelled by phone", user=make_user("b", admin=True)
    )
    # The queued job ran (tests run jobs at once): ACME projected as of today, without the
    # excluded line; GLOBEX untouched.
    assert set(stored()) == {"PO-1/2", "PO-2/1", "PO-9/1"}
    assert _as_of_by_client() == {"ACME": {timezone.localdate()}, "GLOBEX": {T}}


def test_a_new_definition_projects_the_client_again(projected, globex):
    from tower.performance.services import set_definition

    set_definition(client=globex, parameters={"late_days": 3}, actor="test")
    assert _as_of_by_client() == {"ACME": {T}, "GLOBEX": {timezone.localdate()}}


def test_a_stock_count_on_the_stock_page_projects_the_client_again(projected, acme):
    from tower.stock.models import ClientStock
    from tower.stock.services import update_stock

    row = ClientStock.objects.get(client=acme)
    update_stock(row=row, on_hand=500, daily_demand=10, date=T, user=make_user("b", admin=True))
    assert _as_of_by_client() == {"ACME": {timezone.localdate()}, "GLOBEX": {T}}


def test_tower_recompute_queues_the_projection_for_the_worker(projected):
    from io import StringIO

    out = StringIO()
    call_command("recompute", "--client", "GLOBEX", stdout=out)
    assert "job worker projects the open lines again" in out.getvalue()
    assert _as_of_by_client() == {"ACME": {T}, "GLOBEX": {timezone.localdate()}}


# --- tower outlook ------------------------------------------------------------------------------


def outlook(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("outlook", *args, stdout=out)
    return out.getvalue()


def test_json_gives_every_open_line_with_its_milestones(projected):
    rows = json.loads(outlook("--format", "json"))
    assert [(r["client"], r["order"], r["line"]) for r in rows] == [
        ("ACME", "PO-1", "1"),
        ("GLOBEX", "PO-9", "1"),
        ("ACME", "PO-2", "1"),
        ("ACME", "PO-1", "2"),
    ]
    first = rows[0]
    assert {k: first[k] for k in first if k != "milestones"} == {
        "client": "ACME",
        "order": "PO-1",
        "line": "1",
        "product": "AMX-500",
        "due_date": "2026-06-05",
        "projected_date": "2026-06-09",
        "risk": "late",
        "projected_days_late": 4,
        "cause_milestone": "qc_release",
        "cause_area": "quality",
        "stock_out_from": "2026-06-04",
    }
    assert [m["name"] for m in first["milestones"]] == [
        "material_ready",
        "production_start",
        "production_end",
        "qc_release",
        "ship",
        "arrival",
    ]
    assert first["milestones"][3] == {
        "name": "qc_release",
        "planned": "2026-05-25",
        "actual": None,
        "projected": "2026-06-01",
        "slip_days": 7,
    }
    # A line without batch starts at ship.
    assert [m["name"] for m in rows[1]["milestones"]] == ["ship", "arrival"]
    assert rows[2]["stock_out_from"] is None and rows[2]["projected_date"] is None


def test_risk_and_client_filters(projected):
    rows = json.loads(outlook("--format", "json", "--risk", "late,no_plan", "--client", "ACME"))
    assert [(r["order"], r["risk"]) for r in rows] == [("PO-1", "late"), ("PO-2", "no_plan")]
    csv = outlook("--format", "csv", "--client", "GLOBEX")
    assert csv.splitlines()[0].startswith("client,order,line,product,due_date,projected_date,risk")
    assert "PO-9,1,GLX-100,2026-06-03,2026-06-06,late,3,planned_late,planning," in csv
    assert "PO-1" in outlook("--client", "ACME")  # the table


def test_as_of_evaluates_fresh(projected):
    # On 2026-05-20 production has just ended 2 days late: QC 5-27, ship 5-30, arrival 6-04,
    # one day before the due date: tight.
    rows = json.loads(outlook("--format", "json", "--client", "ACME", "--as-of", "2026-05-20"))
    first = {(r["order"], r["line"]): r for r in rows}[("PO-1", "1")]
    assert (first["projected_date"], first["risk"]) == ("2026-06-04", "tight")
    # The stored projection is unchanged.
    assert stored()["PO-1/1"].as_of == T


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--risk", "late,soon"], "unknown risk soon"),
        (["--risk", ","], "unknown risk"),
        (["--client", "NOPE"], "unknown client 'NOPE'"),
    ],
)
def test_bad_options_are_clear_errors(projected, args, message):
    with pytest.raises(CommandError, match=message):
        outlook(*args)


@pytest.mark.parametrize(
    "args", [["--as-of", "2026-13-01"], ["--as-of", "0001-01-01"], ["--format", "xml"]]
)
def test_bad_dates_and_formats_are_refused(projected, args):
    with pytest.raises(CommandError):
        outlook(*args)


# --- the page -----------------------------------------------------------------------------------


def page_orders(response) -> list[str]:
    import re

    return re.findall(r">(PO-\d) / (\d)</a>", response.content.decode())


def test_the_page_lists_lines_at_risk_most_urgent_first(projected, client):
    client.force_login(make_user("boss", admin=True))
    response = client.get("/outlook/")
    assert response.status_code == 200
    assert page_orders(response) == [("PO-1", "1"), ("PO-9", "1"), ("PO-2", "1")]
    html = response.content.decode()
    assert "stock-out from 2026-06-04" in html
    assert "+5 d · Quality control and release" in html  # the QC step added 5 days of slip
    assert "batch B-1" in html  # CMO side: batch numbers


def test_filters_by_risk_area_and_client(projected, client):
    client.force_login(make_user("boss", admin=True))
    assert page_orders(client.get("/outlook/?risk=no_plan")) == [("PO-2", "1")]
    assert page_orders(client.get("/outlook/?area=quality")) == [("PO-1", "1")]
    assert page_orders(client.get("/outlook/?client=GLOBEX")) == [("PO-9", "1")]
    assert page_orders(client.get("/outlook/?sort=due_date")) == [
        ("PO-9", "1"),
        ("PO-1", "1"),
        ("PO-2", "1"),
    ]


def test_bad_filters_are_a_message_never_a_500(projected, client):
    client.force_login(make_user("boss", admin=True))
    response = client.get("/outlook/?risk=soon&sort=bogus")
    assert response.status_code == 400
    assert "Some filters could not be read" in response.content.decode()


def test_the_empty_state(acme, client):
    client.force_login(make_user("boss", admin=True))
    response = client.get("/outlook/")
    assert response.status_code == 200
    assert "No open line at risk" in response.content.decode()


def test_a_client_user_sees_only_their_lines_and_no_batch(projected, acme, client):
    client.force_login(make_user("anna", acme, Role.CLIENT_VIEWER))
    response = client.get("/outlook/")
    assert page_orders(response) == [("PO-1", "1"), ("PO-2", "1")]
    assert "B-1" not in response.content.decode()
    assert client.get("/outlook/?client=GLOBEX").status_code == 404


def test_the_line_chain_fragment_and_its_isolation(projected, acme, client):
    own = LineProjection.objects.get(line__order__number="PO-1", line__line_number="1").line_id
    other = LineProjection.objects.get(client__code="GLOBEX").line_id
    client.force_login(make_user("anna", acme, Role.CLIENT_VIEWER))
    fragment = client.get(f"/outlook/lines/{own}/chain/", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert "<html" not in html and "QC" in html and "4 days late" in html
    assert client.get(f"/outlook/lines/{own}/chain/").status_code == 200  # the plain fallback
    assert client.get(f"/outlook/lines/{other}/chain/").status_code == 404
    assert client.get("/outlook/lines/999999/chain/").status_code == 404


def test_the_line_page_and_the_dashboard_link_to_the_outlook(projected, acme, client):
    own = LineProjection.objects.get(line__order__number="PO-1", line__line_number="1").line_id
    client.force_login(make_user("boss", admin=True))
    line_page = client.get(f"/lines/{own}/").content.decode()
    assert f'hx-get="/outlook/lines/{own}/chain/"' in line_page
    assert 'hx-trigger="load"' in line_page
    assert 'href="/outlook/"' in client.get("/").content.decode()


def test_the_page_runs_a_bounded_number_of_queries(
    projected, client, django_assert_max_num_queries
):
    client.force_login(make_user("boss", admin=True))
    with django_assert_max_num_queries(20):
        assert client.get("/outlook/").status_code == 200
    with django_assert_max_num_queries(12):
        line = LineProjection.objects.first().line_id
        assert (
            client.get(f"/outlook/lines/{line}/chain/", headers={"HX-Request": "true"}).status_code
            == 200
        )


def test_signed_out_users_are_sent_to_sign_in(client):
    assert client.get("/outlook/").status_code == 302
    assert client.get("/outlook/lines/1/chain/").status_code == 302


def test_ticked_lines_lead_to_a_delay_notice_and_the_page_shows_its_status(projected, acme, client):
    """The planner ticks the most urgent line and writes a notice for it (the compose page reads
    one `line` per ticked box); the outlook then says a notice speaks for the line, and whether the
    client acknowledged it. A client user has no boxes to tick."""
    from tower.communications import services as communications

    boss = make_user("boss", admin=True)
    client.force_login(boss)
    html = client.get("/outlook/").content.decode()
    urgent = LineProjection.objects.get(line__order__number="PO-1", line__line_number="1")
    assert 'action="/communications/notices/new/"' in html
    assert f'name="line" value="{urgent.line_id}"' in html
    assert html.count("no notice sent") == 3
    compose = client.get(f"/communications/notices/new/?line={urgent.line_id}")
    assert compose.status_code == 200
    assert "PO-1" in compose.content.decode()

    notice = communications.send_notice(
        client=acme,
        lines=[urgent.line],
        cause="QC hold",
        expected_date=dt.date(2026, 6, 9),
        remedial_actions="Retest on priority",
        cmo_contact="Planner",
        internal_note="Lab short of analysts",
        user=boss,
    )
    html = client.get("/outlook/").content.decode()
    assert f'href="/communications/notices/{notice.pk}/"' in html
    assert "not acknowledged yet" in html and html.count("no notice sent") == 2
    assert "internal: Lab short of analysts" in html  # the CMO side reads its own note

    client.force_login(make_user("anna", acme, Role.CLIENT_APPROVER))
    communications.acknowledge_notice(
        notice=notice, user=make_user("ack", acme, Role.CLIENT_APPROVER), comment=""
    )
    html = client.get("/outlook/").content.decode()
    assert 'name="line"' not in html and "Lab short of analysts" not in html
    assert f'href="/communications/notices/{notice.pk}/"' in html and ">notice 20" in html
    assert "acknowledged</a>" in html
