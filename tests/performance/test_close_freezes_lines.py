"""A closed month's order lines are frozen with it: the OTIF KPIs' record lists, the penalty
exposure's line values and the notice KPIs' late lines (issue 9, 1; tower.performance.frozen,
kinds "lines" and "late_lines").

The ACME data of tests/performance/conftest.py, with (hand-made here):
    line values PO-1/2 1,000  PO-2/1 2,000  PO-3/1 500  PO-4/2 300  PO-8/1 400
    root causes PO-1/2 QC-RELEASE-LATE (CMO, approved), PO-2/1 CLI-ARTWORK (client, approved)
    PO-8/1  AMX-500 EU1 10 due 04-20, nothing delivered (open): late in April
    a penalty term of 10 % of the line value per CMO-attributable failed line

March at the close (4 measured lines):
    gross OTIF: PO-1/1 only (1 of 4); net failures PO-1/2 and PO-3/1 (PO-2/1 is excused):
    2 lines worth 1,500.00 -> exposure 150.00
    late lines PO-1/2 (3 days) and PO-3/1 (not delivered), no notice: 0 of 2 announced
April (open): net failures PO-4/2 and PO-8/1, worth 700.00 -> 70.00; late lines PO-4/2 and
    PO-8/1, none announced: 0 of 2

After the close: PO-1/2 is delivered again on its due date 03-10 (on time, OTIF), PO-3/1 is
worth 900, PO-4/2 600, and a notice sent on 04-10 covers PO-3/1 and PO-8/1 (due 04-20: 10 days'
notice). Live, March would have 1 failure worth 900.00 (90.00) and 1 late line (PO-3/1, noticed
04-10, after its due date: not announced); April follows: 600 + 400 = 1,000.00 -> 100.00, and
PO-8/1 announced: 1 of 2 (50 %), lead time 10 days.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.performance.conftest import HEADER, MARCH, line
from tests.scorecards.test_exports import pdf_text
from tests.scorecards.test_scorecard_service import explain
from tower.agreements import services as agreement_services
from tower.agreements.models import PenaltyTerm
from tower.communications import services as notices
from tower.engine.periods import parse_period
from tower.orders.models import OrderLine
from tower.performance import services
from tower.performance.dashboard import FigureScope, stale_closes
from tower.performance.models import ClosedRecords
from tower.scorecards.evidence import evidence
from tower.scorecards.exports import pdf
from tower.scorecards.scorecard import build_scorecard

AS_OF = dt.date(2026, 6, 30)
MONTH, APRIL = parse_period("2026-03"), parse_period("2026-04")
Q1 = parse_period("2026Q1")

VALUES = {("PO-1", "2"): 1000, ("PO-2", "1"): 2000, ("PO-3", "1"): 500, ("PO-4", "2"): 300}


def value(order, number, amount):
    OrderLine.objects.filter(order__number=order, line_number=number).update(line_value=amount)


@pytest.fixture
def lines(acme_data, people, import_text):
    import_text(HEADER + "ACME,PO-8,1,AMX-500,EU1,10,2026-04-20,open,,,\n")
    for (order, number), amount in {**VALUES, ("PO-8", "1"): 400}.items():
        value(order, number, amount)
    explain(line("PO-1", "2"), "QC-RELEASE-LATE", people)
    explain(line("PO-2", "1"), "CLI-ARTWORK", people)
    agreement_services.add_penalty_term(
        client=acme_data, kind=PenaltyTerm.Kind.LINE_VALUE_PCT, rate=10, user=people["admin"]
    )
    return acme_data


def exposure(client, period):
    [penalty] = build_scorecard(client, period, as_of=AS_OF).penalties
    return round(penalty.amount, 2), penalty.basis


def records(client, period, code):
    """The record list of a KPI as (order/line, counts) pairs and the frame itself."""
    frame = evidence(client, period, code, as_of=AS_OF).frame
    return [(f"{r['order']}/{r['line']}", r["counts"]) for r in frame.iter_rows(named=True)]


def notice_rows(client, period):
    frame = evidence(client, period, "notices_in_advance", as_of=AS_OF).frame
    return [
        (f"{r['order']}/{r['line']}", r["first_notice_date"], r["counts"])
        for r in frame.iter_rows(named=True)
    ]


def kpi(client, period, code):
    result = build_scorecard(client, period, as_of=AS_OF).kpi(code)
    return result.value, result.basis


def change_after_close(client, people, import_text):
    """A delivery, two line values and a notice, all after March was closed."""
    import_text(HEADER + "ACME,PO-1,2,IBU-200,EU1,50,2026-03-10,closed,2026-03-10,50,D2\n")
    value("PO-3", "1", 900)
    value("PO-4", "2", 600)
    notices.send_notice(
        client=client,
        lines=[line("PO-3", "1"), line("PO-8", "1")],
        cause="Batch held in QC",
        expected_date=dt.date(2026, 5, 10),
        remedial_actions="Release by Friday",
        cmo_contact="Ann Planner <ann@cmo.example>",
        user=people["staff"],
        now=timezone.make_aware(dt.datetime(2026, 4, 10, 10, 0)),
    )


MARCH_GROSS = [("PO-1/1", True), ("PO-1/2", False), ("PO-2/1", False), ("PO-3/1", False)]
MARCH_NET = [("PO-1/1", True), ("PO-1/2", False), ("PO-2/1", True), ("PO-3/1", False)]
MARCH_EXPOSURE = (150.0, "2 CMO-attributable failed lines worth 1,500.00 EUR")
MARCH_NOTICES = [("PO-1/2", None, False), ("PO-3/1", None, False)]


def test_a_closed_month_keeps_its_lines_until_reopened_and_closed_again(lines, people, import_text):
    client = lines
    assert records(client, MONTH, "otif_gross") == MARCH_GROSS
    assert records(client, MONTH, "otif_net") == MARCH_NET
    assert exposure(client, MONTH) == MARCH_EXPOSURE
    assert notice_rows(client, MONTH) == MARCH_NOTICES
    assert exposure(client, APRIL) == (70.0, "2 CMO-attributable failed lines worth 700.00 EUR")
    assert kpi(client, APRIL, "notices_in_advance") == (
        0.0,
        "0 of 2 late lines announced in advance",
    )

    close = services.close_month(client=client, period=MARCH, user=people["admin"], note="ok")
    kinds = set(ClosedRecords.objects.filter(close=close).values_list("kind", flat=True))
    assert {"lines", "late_lines"} <= kinds
    change_after_close(client, people, import_text)

    # The closed month: record lists, penalty and notice KPIs as at the close ...
    assert records(client, MONTH, "otif_gross") == MARCH_GROSS
    assert records(client, MONTH, "otif_net") == MARCH_NET
    assert records(client, MONTH, "on_time") == [
        ("PO-1/1", True),
        ("PO-1/2", False),
        ("PO-2/1", True),
        ("PO-3/1", False),
    ]
    assert exposure(client, MONTH) == MARCH_EXPOSURE
    assert exposure(client, Q1) == MARCH_EXPOSURE  # January and February have no lines
    assert notice_rows(client, MONTH) == MARCH_NOTICES
    assert kpi(client, MONTH, "notices_in_advance") == (
        0.0,
        "0 of 2 late lines announced in advance",
    )
    # ... the open month follows the data ...
    assert exposure(client, APRIL) == (100.0, "2 CMO-attributable failed lines worth 1,000.00 EUR")
    assert kpi(client, APRIL, "notices_in_advance") == (
        50.0,
        "1 of 2 late lines announced in advance",
    )
    assert kpi(client, APRIL, "notice_lead_time")[0] == 10.0
    # ... and the month says newer data exists.
    scope = FigureScope((client,), MARCH, MARCH)
    assert [s.close.pk for s in stale_closes(scope)] == [close.pk]

    # Reopened, the month reads the lines live; closed again, it keeps the changes.
    services.reopen_month(close=close, user=people["admin"], reason="late delivery record")
    live_exposure = (90.0, "1 CMO-attributable failed lines worth 900.00 EUR")
    assert exposure(client, MONTH) == live_exposure
    services.close_month(client=client, period=MARCH, user=people["admin"], note="ok")
    assert records(client, MONTH, "otif_gross") == [
        ("PO-1/1", True),
        ("PO-1/2", True),
        ("PO-2/1", False),
        ("PO-3/1", False),
    ]
    assert exposure(client, MONTH) == live_exposure
    assert notice_rows(client, MONTH) == [("PO-3/1", dt.date(2026, 4, 10), False)]
    assert stale_closes(scope) == []


def test_a_line_value_alone_makes_newer_data(lines, people):
    close = services.close_month(client=lines, period=MARCH, user=people["admin"], note="ok")
    scope = FigureScope((lines,), MARCH, MARCH)
    assert stale_closes(scope) == []
    value("PO-3", "1", 900)
    assert [(s.close.pk, s.records, s.lines) for s in stale_closes(scope)] == [
        (close.pk, False, True)
    ]
    assert exposure(lines, MONTH) == MARCH_EXPOSURE


def test_a_close_made_before_lines_were_frozen_reads_them_live_and_says_so(
    lines, people, import_text, client
):
    """A close from before this version has the other kinds but no lines: it still loads, its
    frozen kinds stay frozen, and its lines are read live, which the scorecard says."""
    web = client
    close = services.close_month(client=lines, period=MARCH, user=people["admin"], note="ok")
    assert build_scorecard(lines, MONTH, as_of=AS_OF).unfrozen == ()
    ClosedRecords.objects.filter(close=close, kind__in=["lines", "late_lines"]).delete()
    change_after_close(lines, people, import_text)
    card = build_scorecard(lines, MONTH, as_of=AS_OF)
    assert exposure(lines, MONTH) == (90.0, "1 CMO-attributable failed lines worth 900.00 EUR")
    assert card.unfrozen == (
        "Mar 2026 was closed before its order lines and the notice KPIs' late lines were kept "
        "with the close: they are read live (reopen and close it again to freeze them)",
    )
    assert card.to_dict()["unfrozen"] == list(card.unfrozen)
    # ... on the page, the KPI detail pages and in every export (the PDF here).
    web.force_login(people["admin"])
    for url in ("/scorecard/", "/scorecard/kpi/otif_net/"):
        page = web.get(f"{url}?client=ACME&period=2026-03").content.decode()
        assert "Mar 2026 was closed before its order lines and the notice KPIs&#x27; late" in page
    assert card.unfrozen[0] in pdf_text(pdf.render(card))
    # The month-close page marks the month, so the admin knows what to close again.
    page = web.get("/closes/?client=ACME").content.decode()
    assert page.count("closed before snapshots: some records live") == 1
    # A close with no snapshot at all (before record snapshots): everything but OTIF is live.
    ClosedRecords.objects.filter(close=close).delete()
    [note] = build_scorecard(lines, Q1, as_of=AS_OF).unfrozen
    assert note.startswith("Mar 2026 was closed before its batches, deviations, CAPAs")
