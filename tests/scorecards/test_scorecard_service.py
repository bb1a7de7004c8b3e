"""The scorecard service on the hand-checked ACME data of tests/performance/conftest.py.

Q1 2026 of ACME (only March has lines): 4 measured lines, 1 OTIF, 2 on time.
    PO-1/2 IBU-200 late 3 days   -> root cause QC-RELEASE-LATE (CMO), approved; value 1,000
    PO-2/1 AMX-500 short         -> root cause CLI-ARTWORK (client), approved; value 2,000
    PO-3/1 IBU-200 not delivered -> unclassified (counts against the CMO); value 500
So gross OTIF 1/4 = 25 %, net OTIF 2/4 = 50 %, on time 2/4 = 50 %.
Stock-outs: IBU-200 in DE from 03-20 to 03-29 follows PO-1/2 (due 03-10, CMO cause): CMO-caused,
10 days. AMX-500 in FR from 03-25 to 04-02 follows only PO-2/1 (client cause): not caused.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.performance.conftest import line
from tower.agreements import services as agreement_services
from tower.agreements.models import PenaltyTerm
from tower.engine.periods import parse_period
from tower.masterdata.models import Product
from tower.orders.models import OrderLine
from tower.performance.services import approve_root_cause, propose_root_cause
from tower.quality.models import Batch, Capa, Deviation
from tower.scorecards import services
from tower.scorecards.scorecard import build_scorecard
from tower.stockouts.models import StockOutEvent

Q1 = parse_period("2026Q1")
AS_OF = dt.date(2026, 6, 30)


def explain(line_, code, people):
    cause = propose_root_cause(line=line_, code=code, comment="", user=people["staff"])
    approve_root_cause(root_cause=cause, user=people["approver"])


@pytest.fixture
def reviewed(acme_data, people):
    values = {("PO-1", "2"): 1000, ("PO-2", "1"): 2000, ("PO-3", "1"): 500}
    for (order, number), value in values.items():
        OrderLine.objects.filter(order__number=order, line_number=number).update(line_value=value)
    explain(line("PO-1", "2"), "QC-RELEASE-LATE", people)
    explain(line("PO-2", "1"), "CLI-ARTWORK", people)
    return acme_data


def report(client, product, location, start, end, people):
    return services.report_stock_out(
        client=client,
        product=Product.objects.get(client=client, code=product),
        location=location,
        start_date=start,
        end_date=end,
        user=people["viewer"],
    )


def test_delivery_kpis_targets_and_status(reviewed, people):
    agreement_services.set_kpi_target(
        client=reviewed, kpi="otif_net", target=40, tolerance=5, user=people["admin"]
    )
    card = build_scorecard(reviewed, Q1, as_of=AS_OF)
    net, gross, on_time = card.kpi("otif_net"), card.kpi("otif_gross"), card.kpi("on_time")
    assert (net.value, net.basis, net.target, net.status) == (50.0, "2 of 4 lines", 40, "green")
    assert not net.target_is_default
    assert (gross.value, gross.target, gross.status, gross.target_is_default) == (
        25.0,
        95.0,
        "red",
        True,
    )
    assert on_time.value == 50.0
    # The previous four quarters have no lines: the trend says so, never 0 %.
    assert [p.period for p in net.trend] == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    assert {p.value for p in net.trend} == {None}
    # Nothing was made: the production KPIs are "no data", not a colour.
    for code in ("incident_rate", "right_first_time", "yield", "schedule_adherence"):
        assert (card.kpi(code).value, card.kpi(code).status) == (None, "no_data")
    assert card.kpi("incident_rate").display == "no data"


def test_a_month_scorecard(acme_data):
    card = build_scorecard(acme_data, parse_period("2026-04"), as_of=AS_OF)
    # April: 2 measured lines (PO-4/1 OTIF, PO-4/2 late), PO-5/1 cancelled.
    assert (card.kpi("otif_gross").value, card.kpi("otif_gross").basis) == (50.0, "1 of 2 lines")
    assert [p.period for p in card.kpi("otif_gross").trend] == [
        "2025-12",
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    assert card.kpi("otif_gross").trend[-1].value == 25.0  # March


def test_stock_outs_are_attributed_to_failed_cmo_lines(reviewed, people):
    caused = report(reviewed, "IBU-200", "DE", dt.date(2026, 3, 20), dt.date(2026, 3, 29), people)
    other = report(reviewed, "AMX-500", "FR", dt.date(2026, 3, 25), dt.date(2026, 4, 2), people)
    assert caused.cmo_caused and not other.cmo_caused
    assert list(caused.lines.values_list("order__number", "line_number")) == [("PO-1", "2")]
    card = build_scorecard(reviewed, Q1, as_of=AS_OF)
    assert (card.kpi("oos_events").value, card.kpi("oos_events").basis) == (1, "1 of 2 stock-outs")
    assert card.kpi("oos_days").value == 10
    assert card.kpi("oos_share").value == 50.0
    assert [(s.product, s.days_in_period, s.cmo_caused) for s in card.stock_outs] == [
        ("IBU-200", 10, True),
        ("AMX-500", 7, False),
    ]


def test_attribution_follows_the_root_cause_and_the_lookback(acme_data, people):
    # Before any root cause is approved, nothing is attributed.
    event = report(acme_data, "IBU-200", "DE", dt.date(2026, 3, 20), None, people)
    assert not event.cmo_caused
    explain(line("PO-1", "2"), "QC-RELEASE-LATE", people)  # approval re-attributes
    event.refresh_from_db()
    assert event.cmo_caused
    # A look-back of 5 days no longer reaches PO-1/2 (due 10 days before).
    services.set_agreement(
        client=acme_data, oos_lookback_days=5, currency="EUR", user=people["admin"]
    )
    event.refresh_from_db()
    assert not event.cmo_caused and not event.lines.exists()


def test_quality_kpis_from_the_database(acme_data):
    product = Product.objects.get(client=acme_data, code="AMX-500")
    common = {"client": acme_data, "product": product}
    b1 = Batch.objects.create(
        number="B1", actual_start=dt.date(2026, 2, 1), actual_end=dt.date(2026, 2, 10),
        planned_start=dt.date(2026, 2, 1), material_ready_date=dt.date(2026, 1, 30),
        planned_release_date=dt.date(2026, 2, 20), actual_release_date=dt.date(2026, 2, 18),
        disposition="released", theoretical_output=100, actual_output=96, **common,
    )  # fmt: skip
    Batch.objects.create(
        number="B2", actual_start=dt.date(2026, 3, 1), actual_end=dt.date(2026, 3, 10),
        planned_start=dt.date(2026, 2, 28), material_ready_date=dt.date(2026, 3, 1),
        planned_release_date=dt.date(2026, 3, 20), actual_release_date=dt.date(2026, 3, 25),
        disposition="rejected", theoretical_output=100, actual_output=70, **common,
    )  # fmt: skip
    deviation = Deviation.objects.create(
        client=acme_data, number="DV-1", batch=b1, opened_date=dt.date(2026, 2, 5),
        severity="major",
    )  # fmt: skip
    Capa.objects.create(
        client=acme_data, number="CA-1", deviation=deviation, due_date=dt.date(2026, 3, 1),
        closed_date=dt.date(2026, 3, 3),
    )  # fmt: skip
    card = build_scorecard(acme_data, Q1, as_of=AS_OF)
    values = {k.code: k.value for k in card.kpis}
    assert values["material_readiness"] == 50.0  # B2's materials came a day after plan
    assert values["qc_release_on_time"] == 100.0  # only B1 was released
    assert values["incident_rate"] == 50.0  # 1 deviation, 2 batches completed
    assert card.kpi("incident_rate").breakdown == {"minor": 0.0, "major": 50.0, "critical": 0.0}
    assert card.kpi("incident_rate").basis == (
        "1 deviation (0 minor, 1 major, 0 critical) for 2 batches completed"
    )
    assert values["right_first_time"] == 0.0  # B1 had a deviation, B2 was rejected
    assert values["lot_acceptance"] == 50.0
    assert values["yield"] == 83.0
    assert values["capa_on_time"] == 0.0


def test_survey_penalties_comments_and_actions(reviewed, people):
    for who, ratings in (("viewer", (5, 4, 4, 3, 4)), ("approver", (3, 4, 5, 5, 4))):
        services.submit_survey(
            client=reviewed,
            period=Q1,
            ratings=dict(zip(services.SurveyResponse.QUESTIONS, ratings, strict=True)),
            comment=f"from {who}",
            user=people[who],
        )
    agreement_services.add_penalty_term(
        client=reviewed, kind=PenaltyTerm.Kind.LINE_VALUE_PCT, rate=10, user=people["admin"]
    )
    agreement_services.add_penalty_term(
        client=reviewed, kind=PenaltyTerm.Kind.MONTH_BELOW_TARGET, rate=5000, user=people["admin"]
    )
    services.set_kpi_comment(
        client=reviewed, period=Q1, kpi="otif_net", text="Release backlog", user=people["staff"]
    )
    services.add_action(
        client=reviewed, period=Q1, title="Second QC shift", owner="QC lead", user=people["staff"]
    )
    card = build_scorecard(reviewed, Q1, as_of=AS_OF)
    satisfaction = card.kpi("satisfaction")
    assert satisfaction.value == pytest.approx(4.1)  # (20 + 21) / 10 ratings
    assert satisfaction.basis == "mean of 10 ratings in 2 responses"
    assert card.survey.means["overall"] == 4.0 and card.survey.means["quality"] == 4.5
    assert card.survey.comments == ("from viewer", "from approver")
    line_terms, month_terms = card.penalties
    # PO-1/2 (1,000, CMO cause) and PO-3/1 (500, unclassified) count; PO-2/1 was the client's.
    assert line_terms.amount == pytest.approx(150.0)
    assert line_terms.basis == "2 CMO-attributable failed lines worth 1,500.00 EUR"
    # Only March has lines: 50 % net against the default 95 % target.
    assert month_terms.amount == 5000.0
    assert "1 month below" in month_terms.basis and "Mar 2026" in month_terms.basis
    assert card.kpi("otif_net").comment == "Release backlog"
    assert [a.title for a in card.actions] == ["Second QC shift"]
    data = card.to_dict()
    assert data["kpis"][0]["code"] == "otif_net" and data["kpis"][0]["value"] == 50.0
    assert StockOutEvent.objects.count() == 0


def test_evidence_rows_add_up_to_the_figure(reviewed, people):
    from tower.scorecards.evidence import evidence

    card = build_scorecard(reviewed, Q1, as_of=AS_OF)
    for code in ("otif_net", "otif_gross", "on_time"):
        ev = evidence(reviewed, Q1, code, as_of=AS_OF)
        assert ev.frame.height == card.kpi(code).denominator == 4
        assert ev.frame["counts"].sum() == card.kpi(code).numerator
    net = evidence(reviewed, Q1, "otif_net", as_of=AS_OF)
    met = dict(zip(net.frame["order"] + "/" + net.frame["line"], net.frame["counts"], strict=True))
    assert met == {"PO-1/1": True, "PO-1/2": False, "PO-2/1": True, "PO-3/1": False}
    assert ("counts", "Met (net)") in net.columns
    assert all(not name.endswith("_id") for name, _ in net.columns)
    report(reviewed, "IBU-200", "DE", dt.date(2026, 3, 20), dt.date(2026, 3, 29), people)
    oos = evidence(reviewed, Q1, "oos_events", as_of=AS_OF)
    assert oos.frame.select("product", "days_in_period", "counts").rows() == [("IBU-200", 10, True)]


def test_ship_on_planned_date_from_the_stored_monthly_counts(acme, import_text):
    # Two lines planned to ship on 03-08: one ships 03-08 (on plan), one 03-09 (late); a third
    # line has no planned ship date and is left out.
    import_text(
        "client,order,line,product,site,ordered_qty,committed_date,planned_ship_date,status,"
        "shipped_date,delivered_date,delivered_qty\n"
        "ACME,S-1,1,AMX-500,EU1,10,2026-03-10,2026-03-08,closed,2026-03-08,2026-03-10,10\n"
        "ACME,S-1,2,AMX-500,EU1,10,2026-03-10,2026-03-08,closed,2026-03-09,2026-03-11,10\n"
        "ACME,S-2,1,IBU-200,EU1,10,2026-03-10,,closed,2026-03-07,2026-03-10,10\n"
    )
    from tower.scorecards.evidence import evidence

    ship = build_scorecard(acme, Q1, as_of=AS_OF).kpi("ship_on_time")
    assert (ship.numerator, ship.denominator, ship.value) == (1, 2, 50.0)
    assert ship.basis == "1 of 2 deliveries shipped (1 without a planned ship date left out)"
    rows = evidence(acme, Q1, "ship_on_time", as_of=AS_OF).frame
    assert rows.select("order", "line", "counts").rows() == [
        ("S-2", "1", None),
        ("S-1", "1", True),
        ("S-1", "2", False),
    ]


def test_the_lines_behind_the_line_value_penalty_are_the_net_failures(reviewed, people, client):
    agreement_services.add_penalty_term(
        client=reviewed, kind=PenaltyTerm.Kind.LINE_VALUE_PCT, rate=10, user=people["admin"]
    )
    card = build_scorecard(reviewed, Q1, as_of=AS_OF)
    assert card.penalties[0].basis.startswith("2 CMO-attributable failed lines")
    client.force_login(people["viewer"])
    page = client.get(
        "/lines/", {"client": "ACME", "from": "2026-01", "to": "2026-03", "outcome": "net_failed"}
    )
    assert page.status_code == 200
    listed = {(o.line.order.number, o.line.line_number) for o in page.context["page_obj"]}
    # PO-1/2 (CMO cause) and PO-3/1 (unclassified); PO-2/1's approved cause was the client's.
    assert listed == {("PO-1", "2"), ("PO-3", "1")}
