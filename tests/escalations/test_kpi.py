"""The scorecard KPI "escalations acknowledged in time" (kpis.md 9, issue 11), hand-computed.

Level 1 of ACME's matrix: 4 business hours on site EU1's calendar (Mon-Fri 08:00-17:00,
Europe/Berlin; summer time from Sunday 29 March 2026). Each escalation counts in the month its
level-1 deadline falls in (the site's local date):

    A  opened Mon 02 Mar 09:00 -> due Mon 02 Mar 13:00; acknowledged 12:30       in time   March
    B  opened Thu 05 Mar 15:00 -> due Fri 06 Mar 10:00; acknowledged 10:30       late      March
    C  opened Fri 13 Mar 16:00 -> due Mon 16 Mar 11:00; never acknowledged       miss      March
    D  opened Tue 31 Mar 15:00 -> due Wed 01 Apr 10:00; acknowledged Tue 16:00   in time   April
    G  opened Tue 31 Mar 16:30 -> due Wed 01 Apr 11:30; never acknowledged       miss      April
                                                        (left out while its clock ran)
March: 1 of 3 = 33.3 %; April: 1 of 2 = 50 % (as of 31 March: D in time, G left out: 100 %).
D started in March but is judged in April, when its clock ran out.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.test import Client as DjangoClient
from django.urls import reverse
from openpyxl import load_workbook
from pptx import Presentation

from tower.agreements import services as agreements
from tower.engine.periods import parse_period
from tower.escalations import services
from tower.performance import services as performance
from tower.scorecards import exports
from tower.scorecards.evidence import evidence
from tower.scorecards.scorecard import build_scorecard, kpi_trend
from tower.tenancy.scoping import SYSTEM

from .conftest import berlin

pytestmark = pytest.mark.django_db

KPI = "escalations_acknowledged"
LATER = dt.date(2026, 5, 15)


def opened(ew, title, at, *, acknowledged=None):
    escalation = services.open_by_hand(
        client=ew.acme, title=title, text="", user=ew.staff, now=berlin(at)
    )
    if acknowledged:
        services.acknowledge(escalation=escalation, user=ew.staff, now=berlin(acknowledged))
    return escalation


@pytest.fixture
def five(ew):
    return {
        "A": opened(ew, "A", "2026-03-02 09:00", acknowledged="2026-03-02 12:30"),
        "B": opened(ew, "B", "2026-03-05 15:00", acknowledged="2026-03-06 10:30"),
        "C": opened(ew, "C", "2026-03-13 16:00"),
        "D": opened(ew, "D", "2026-03-31 15:00", acknowledged="2026-03-31 16:00"),
        "G": opened(ew, "G", "2026-03-31 16:30"),
    }


def figure(ew, period, as_of=LATER):
    return build_scorecard(ew.acme, parse_period(period), as_of=as_of).kpi(KPI)


def test_deadlines_across_business_hours_are_hand_computed(ew, five):
    due = {k: e.first_deadline for k, e in five.items()}
    assert due == {
        "A": berlin("2026-03-02 13:00"),
        "B": berlin("2026-03-06 10:00"),
        "C": berlin("2026-03-16 11:00"),
        "D": berlin("2026-04-01 10:00"),
        "G": berlin("2026-04-01 11:30"),
    }


def test_each_escalation_counts_in_the_month_of_its_deadline(ew, five):
    march = figure(ew, "2026-03")
    assert (march.numerator, march.denominator) == (1, 3)
    assert march.display == "33.3 %" and march.basis == "1 of 3 escalations due"
    april = figure(ew, "2026-04")
    assert (april.numerator, april.denominator, april.value) == (1, 2, 50.0)
    quarter = figure(ew, "2026Q1")
    assert (quarter.numerator, quarter.denominator) == (1, 3)
    assert figure(ew, "2026-02").display == "no data"


def test_a_running_clock_is_left_out_and_a_passed_one_is_a_miss(ew, five):
    # As of 31 March (judged at the end of that day, UTC): G's deadline is still ahead.
    early = figure(ew, "2026-04", as_of=dt.date(2026, 3, 31))
    assert (early.numerator, early.denominator, early.value) == (1, 1, 100.0)
    assert early.basis == "1 of 1 escalations due (1 still within their response time left out)"


def test_target_colour_and_trend(ew, five):
    agreements.set_kpi_target(client=ew.acme, kpi=KPI, target=60.0, tolerance=20.0, user=ew.admin)
    assert figure(ew, "2026-03").status == "red"  # 33.3 < 60 - 20
    assert figure(ew, "2026-04").status == "amber"  # 50 within 20 points below 60
    card = build_scorecard(ew.acme, parse_period("2026-05"), as_of=LATER)
    assert [(p.period, p.value) for p in card.kpi(KPI).trend] == [
        ("2026-01", None),
        ("2026-02", None),
        ("2026-03", pytest.approx(100 / 3)),
        ("2026-04", 50.0),
    ]
    assert [p.value for p in kpi_trend(ew.acme, KPI, [parse_period("2026-04")], as_of=LATER)] == [
        50.0
    ]


def test_the_evidence_lists_deadlines_and_acknowledgements_in_the_sites_time(ew, five):
    found = evidence(ew.acme, parse_period("2026-03"), KPI, as_of=LATER)
    rows = found.frame.select(
        "title", "deadline_local", "acknowledged_local", "time_zone", "outcome", "counts"
    ).rows()
    assert rows == [
        ("A", dt.datetime(2026, 3, 2, 13), dt.datetime(2026, 3, 2, 12, 30), "Europe/Berlin",
         "in time", True),
        ("B", dt.datetime(2026, 3, 6, 10), dt.datetime(2026, 3, 6, 10, 30), "Europe/Berlin",
         "acknowledged late", False),
        ("C", dt.datetime(2026, 3, 16, 11), None, "Europe/Berlin", "not acknowledged", False),
    ]  # fmt: skip
    assert ("deadline_local", "Level 1 deadline") in found.columns
    web = DjangoClient()
    web.force_login(ew.viewer)
    url = reverse("scorecards:kpi", args=[KPI]) + "?client=ACME&period=2026-04"
    page = web.get(url).content.decode()
    # D: due Wed 1 April 10:00 in Berlin (08:00 UTC), acknowledged the day before at 16:00.
    assert "2026-04-01 10:00" in page and "2026-03-31 16:00" in page
    assert reverse("escalations:detail", args=[five["D"].pk]) in page


def test_a_closed_month_judges_its_escalations_as_they_stood_at_the_close(ew, five):
    close = performance.close_month(client=ew.acme, period=dt.date(2026, 3, 1), user=SYSTEM,
                                    note="Escalation KPI test", out_of_order=True)  # fmt: skip
    # Recorded after the close (backdated, as an import or the demo may): not in the closed
    # month, and C's acknowledgement made now is not known to it either.
    opened(ew, "H", "2026-03-09 09:00", acknowledged="2026-03-09 09:30")
    services.acknowledge(escalation=five["C"], user=ew.staff, now=berlin("2026-03-16 10:00"))
    march = figure(ew, "2026-03")
    assert (march.numerator, march.denominator) == (1, 3)
    performance.reopen_month(close=close, user=SYSTEM, reason="late escalations")
    march = figure(ew, "2026-03")
    assert (march.numerator, march.denominator) == (3, 4)  # A, C (backdated), H in time; B late


def test_the_exports_carry_the_kpi(ew, five):
    card = build_scorecard(ew.acme, parse_period("2026-03"), as_of=LATER)
    book = load_workbook(io.BytesIO(exports.render(card, "xlsx").content))
    summary = [[c.value for c in row] for row in book["Scorecard"].iter_rows()]
    assert any("Escalations acknowledged in time" in row for row in summary)
    [name] = [n for n in book.sheetnames if n.startswith("Escalations acknowledged")]
    sheet = [[c.value for c in row] for row in book[name].iter_rows()]
    assert [row[0] for row in sheet if row[0] in ("A", "B", "C")] == ["A", "B", "C"]
    deck = Presentation(io.BytesIO(exports.render(card, "pptx").content))
    assert "Escalations" in [s.shapes.title.text for s in deck.slides]
    pdf = exports.render(card, "pdf").content
    assert pdf.startswith(b"%PDF")
    assert (
        "Escalations acknowledged in time"
        in json.loads(exports.render(card, "json").content)["kpis"][9]["name"]
    )
