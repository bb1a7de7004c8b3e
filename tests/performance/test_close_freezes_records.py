"""Closing a month freezes every figure of it the scorecard and the dashboard show (issue 9, 1).

The ACME data of tests/performance/conftest.py (March 2026) with hand-made records of March:
    B1  AMX-500 started 03-02 (materials 03-01, ready), ended 03-10, released 03-18 (plan 03-20),
        output 95 of 100, no deviation
    plan week 2026-03-02 AMX-500 at EU1: 100 planned, 90 released
    CA-1 due 03-15, closed 03-10
    a stock-out of IBU-200 in DE 03-20..03-29, caused by PO-1/2 (CMO cause approved)
    one survey response for 2026Q1, every rating 4
    shipping: PO-6/1 shipped 03-05 on its planned ship date 03-05
March before and after the late data (each figure moves, hand-computed):
    material readiness 100 % (1 of 1)   -> 50 % (B2's materials came 03-09, planned start 03-05)
    QC release on time 100 % (1 of 1)   -> 50 % (B2 released 03-25, planned 03-20)
    right first time   100 % (1 of 1)   -> 50 % (DV-1 on B1)
    yield              95 %             -> 72.5 % (B2: 50 of 100)
    incident rate      0 (0 of 1)       -> 50 per 100 batches (1 deviation, 2 batches)
    schedule adherence 90 %             -> 50 % (released changed to 50)
    CAPA on time       100 % (1 of 1)   -> 50 % (CA-2 due 03-20, still open)
    stock-outs caused  1 of 1, share 100 % -> 1 of 2, 50 % (AMX-500 in FR, client cause)
    satisfaction       4.0              -> 2.0 (the response changed)
    ship on time       100 % (1 of 1)   -> 50 % (PO-7/1 shipped 03-09, planned 03-06)
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.performance.conftest import HEADER, MARCH, line
from tests.scorecards.test_scorecard_service import explain, report
from tower.engine.periods import parse_period
from tower.masterdata.models import Product, Site
from tower.performance import services
from tower.performance.dashboard import FigureScope, stale_closes
from tower.performance.functions import area_measures
from tower.performance.models import ClosedRecords
from tower.quality.models import Batch, Capa, Deviation, PlanWeek
from tower.scorecards.scorecard import build_scorecard
from tower.scorecards.services import submit_survey
from tower.workflow import WorkflowError

AS_OF = dt.date(2026, 6, 30)
MONTH = parse_period("2026-03")
Q1 = parse_period("2026Q1")
RATINGS = ("delivery_reliability", "communication", "quality", "responsiveness", "overall")
SHIP_HEADER = HEADER.strip() + ",planned_ship_date,shipped_date\n"

BEFORE = {
    "material_readiness": 100.0,
    "qc_release_on_time": 100.0,
    "right_first_time": 100.0,
    "yield": 95.0,
    "incident_rate": 0.0,
    "schedule_adherence": 90.0,
    "capa_on_time": 100.0,
    "oos_events": 1,
    "oos_share": 100.0,
    "satisfaction": 4.0,
    "ship_on_time": 100.0,
}
AFTER = {
    "material_readiness": 50.0,
    "qc_release_on_time": 50.0,
    "right_first_time": 50.0,
    "yield": 72.5,
    "incident_rate": 50.0,
    "schedule_adherence": 50.0,
    "capa_on_time": 50.0,
    "oos_events": 1,
    "oos_share": 50.0,
    "satisfaction": 2.0,
    "ship_on_time": 50.0,
}
AREA_KPIS = (
    "material_readiness",
    "schedule_adherence",
    "right_first_time",
    "qc_release_on_time",
    "ship_on_time",
)


def batch(client, number, **dates):
    product = Product.objects.get(client=client, code="AMX-500")
    return Batch.objects.create(
        client=client, product=product, number=number, disposition="released", **dates
    )


@pytest.fixture
def march(acme_data, people, import_text):
    client = acme_data
    explain(line("PO-1", "2"), "QC-RELEASE-LATE", people)
    explain(line("PO-2", "1"), "CLI-ARTWORK", people)
    import_text(
        SHIP_HEADER + "ACME,PO-6,1,AMX-500,EU1,10,2026-03-06,closed,2026-03-06,10,D6,"
        "2026-03-05,2026-03-05\n"
    )
    batch(
        client, "B1", planned_start=dt.date(2026, 3, 2), actual_start=dt.date(2026, 3, 2),
        material_ready_date=dt.date(2026, 3, 1), actual_end=dt.date(2026, 3, 10),
        planned_release_date=dt.date(2026, 3, 20), actual_release_date=dt.date(2026, 3, 18),
        theoretical_output=100, actual_output=95,
    )  # fmt: skip
    PlanWeek.objects.create(
        client=client,
        product=Product.objects.get(client=client, code="AMX-500"),
        site=Site.objects.get(code="EU1"),
        week=dt.date(2026, 3, 2),
        planned_qty=100,
        released_qty=90,
    )
    Capa.objects.create(
        client=client,
        number="CA-1",
        due_date=dt.date(2026, 3, 15),
        closed_date=dt.date(2026, 3, 10),
    )
    report(client, "IBU-200", "DE", dt.date(2026, 3, 20), dt.date(2026, 3, 29), people)
    survey(client, people, 4)
    return client


def survey(client, people, rating):
    submit_survey(
        client=client, period=Q1, ratings=dict.fromkeys(RATINGS, rating), user=people["viewer"]
    )


def late_data(client, people, import_text):
    """Data for March that arrives after its close; each piece moves one figure."""
    import_text(
        SHIP_HEADER + "ACME,PO-7,1,AMX-500,EU1,10,2026-03-08,closed,2026-03-09,10,D7,"
        "2026-03-06,2026-03-09\n"
    )
    batch(
        client, "B2", planned_start=dt.date(2026, 3, 5), actual_start=dt.date(2026, 3, 5),
        material_ready_date=dt.date(2026, 3, 9), actual_end=dt.date(2026, 3, 12),
        planned_release_date=dt.date(2026, 3, 20), actual_release_date=dt.date(2026, 3, 25),
        theoretical_output=100, actual_output=50,
    )  # fmt: skip
    Deviation.objects.create(
        client=client,
        number="DV-1",
        batch=Batch.objects.get(client=client, number="B1"),
        opened_date=dt.date(2026, 3, 6),
        severity="minor",
    )
    PlanWeek.objects.filter(client=client).update(released_qty=50)
    Capa.objects.create(client=client, number="CA-2", due_date=dt.date(2026, 3, 20))
    report(client, "AMX-500", "FR", dt.date(2026, 3, 25), dt.date(2026, 3, 31), people)
    survey(client, people, 2)


def figures(client, period=MONTH) -> dict:
    card = build_scorecard(client, period, as_of=AS_OF)
    return {code: card.kpi(code).value for code in BEFORE}


def by_kpi(card: dict) -> dict:
    return {k["code"]: k for k in card["kpis"]}


def area_figures(client) -> dict:
    measures = area_measures([client], MARCH, MONTH.end, AS_OF)
    return {kpi.code: measure.value for kpi, measure in measures.values()}


def test_late_data_does_not_move_a_closed_month_until_it_is_reopened_and_closed_again(
    march, people, import_text
):
    assert figures(march) == BEFORE
    assert area_figures(march) == {k: BEFORE[k] for k in AREA_KPIS}
    card_before = build_scorecard(march, MONTH, as_of=AS_OF).to_dict()
    quarter_before = build_scorecard(march, Q1, as_of=AS_OF).to_dict()

    close = services.close_month(client=march, period=MARCH, user=people["admin"], note="ok")
    assert ClosedRecords.objects.filter(close=close).count() == 8  # 6 kinds, lines, late lines
    late_data(march, people, import_text)

    # Every figure of the closed month, on the scorecard (and so every export, which write
    # the scorecard's to_dict) and the dashboard's function KPIs, stays as it was closed ...
    assert figures(march) == BEFORE
    card = build_scorecard(march, MONTH, as_of=AS_OF).to_dict()
    # The survey is quarterly: open January and February show the Q1 responses live (the
    # quarter's survey freezes with its last month, March).
    satisfaction = [p["value"] for p in by_kpi(card)["satisfaction"].pop("trend")]
    assert satisfaction == [None, None, 2.0, 2.0]
    by_kpi(card_before)["satisfaction"].pop("trend")
    # The notice KPIs too: PO-7/1, late and recorded after the close, does not count.
    notices = by_kpi(card)["notices_in_advance"]
    assert (notices["denominator"], by_kpi(card_before)["notices_in_advance"]["denominator"]) == (
        2,
        2,
    )
    assert by_kpi(card) == by_kpi(card_before)
    assert {k: v for k, v in card.items() if k != "kpis"} == {
        k: v for k, v in card_before.items() if k != "kpis"
    }
    # ... in a quarter made only of closed or empty months too (January and February: no data).
    quarter = build_scorecard(march, Q1, as_of=AS_OF).to_dict()
    assert by_kpi(quarter) == by_kpi(quarter_before)
    assert {k: v for k, v in quarter.items() if k != "kpis"} == {
        k: v for k, v in quarter_before.items() if k != "kpis"
    }
    assert area_figures(march) == {k: BEFORE[k] for k in AREA_KPIS}
    # ... and the page says newer data exists.
    scope = FigureScope((march,), MARCH, MARCH)
    assert [(s.close.pk, s.records) for s in stale_closes(scope)] == [(close.pk, True)]

    # Reopening is explicit (a reason) and the live records count again.
    with pytest.raises(WorkflowError):
        services.reopen_month(close=close, user=people["admin"], reason=" ")
    services.reopen_month(close=close, user=people["admin"], reason="late batch records")
    assert figures(march) == AFTER
    assert close.history.first().history_change_reason == "reopened"

    # Closed again, the new snapshot holds the late data; nothing is stale.
    services.close_month(client=march, period=MARCH, user=people["admin"], note="ok")
    assert figures(march) == AFTER
    assert area_figures(march) == {k: AFTER[k] for k in AREA_KPIS}
    assert stale_closes(scope) == []


def test_a_quarter_mixes_a_closed_month_with_live_open_ones(march, people, import_text):
    """April's records stay live beside a closed March: the quarter counts each once."""
    services.close_month(client=march, period=MARCH, user=people["admin"], note="ok")
    # A batch running over the close: started in closed March, ended in open April.
    batch(
        march, "B3", planned_start=dt.date(2026, 3, 30), actual_start=dt.date(2026, 3, 30),
        material_ready_date=dt.date(2026, 4, 2), actual_end=dt.date(2026, 4, 8),
        planned_release_date=dt.date(2026, 4, 20), actual_release_date=dt.date(2026, 4, 15),
        theoretical_output=100, actual_output=80,
    )  # fmt: skip
    q2 = parse_period("2026Q2")
    card = build_scorecard(march, q2, as_of=AS_OF)
    # April is open: B3 counts for its end (yield 80, right first time) and release, but its
    # start fell in closed March, whose snapshot has no B3: no batch started in Q2.
    assert card.kpi("yield").value == 80.0
    assert card.kpi("qc_release_on_time").value == 100.0
    assert card.kpi("material_readiness").value is None
    # The first half-year: March from its snapshot (B1), April live (B3), B1 counted once.
    half = build_scorecard(march, parse_period("2026Q1"), as_of=AS_OF)
    assert half.kpi("yield").value == 95.0
    # A stock-out that runs from closed March into April counts its April days live.
    report(march, "AMX-500", "FR", dt.date(2026, 3, 28), dt.date(2026, 4, 3), people)
    card = build_scorecard(march, q2, as_of=AS_OF)
    assert [(s.product, s.days_in_period) for s in card.stock_outs] == [("AMX-500", 3)]
    # ... and it did not start in Q2: no stock-out starts there.
    assert card.kpi("oos_events").basis.startswith("0 of 0")
