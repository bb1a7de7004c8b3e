"""A delivery row with a shipped date and a quantity but no delivered date is a shipment in
transit (kpis.md 8, the ship milestone): imported as it is, judged by OTIF exactly like nothing
delivered when OTIF is measured at delivery, and shown as "in transit since" on the line page."""

from __future__ import annotations

import pytest

from tests.conftest import Role, make_user
from tower.orders.models import Delivery, OrderLine
from tower.performance import services
from tower.performance.models import LineOutcome

# All due in March 2026, long before the tests' today, so every line is due (open overdue fails).
# T-1: 100 shipped on 03-18, still in transit. T-2: 100 shipped 03-18, delivered 03-21 (late 1
# day). T-3: nothing shipped.
LINES = """
client,order,line,product,site,ordered_qty,committed_date,status,shipped_date,delivered_date,delivered_qty
ACME,T-1,1,AMX-500,EU1,100,2026-03-20,open,2026-03-18,,100
ACME,T-2,1,AMX-500,EU1,100,2026-03-20,closed,2026-03-18,2026-03-21,100
ACME,T-3,1,AMX-500,EU1,100,2026-03-20,open,,,
"""
FACTS = ("state", "on_time", "in_full", "otif", "failure_kind", "delivered_qty", "days_late")


def outcomes() -> dict[str, tuple]:
    return {
        o.line.order.number: tuple(getattr(o, f) for f in FACTS)
        for o in LineOutcome.objects.select_related("line__order")
    }


@pytest.fixture
def in_transit(acme, write_csv, run_import):
    report = run_import(write_csv(LINES), create_missing=True)
    assert report.ok, report.errors
    return report


def test_a_shipment_without_a_delivered_date_is_imported(in_transit):
    assert in_transit.deliveries_written == 2
    shipment = Delivery.objects.get(line__order__number="T-1")
    assert (str(shipment.shipped_date), shipment.delivered_date, shipment.quantity) == (
        "2026-03-18",
        None,
        100.0,
    )


def test_measured_at_delivery_a_shipment_in_transit_counts_as_nothing_delivered(in_transit):
    got = outcomes()
    # Nothing has arrived: T-1 fails exactly as T-3, which shipped nothing.
    assert got["T-1"] == got["T-3"] == ("measured", False, False, False, "not_delivered", 0.0, None)
    assert got["T-2"] == ("measured", False, True, False, "late", 100.0, 1)


def test_measured_at_shipment_a_shipment_in_transit_counts_as_shipped(in_transit, acme):
    services.set_definition(
        client=acme, parameters={"measured_at": "shipment"}, actor="test", note="at shipment"
    )
    got = outcomes()
    # Both shipped on 03-18, two days before the due date: on time (days_late -2).
    assert got["T-1"] == got["T-2"] == ("measured", True, True, True, None, 100.0, -2)
    assert got["T-3"][4] == "not_delivered"


def test_the_delivered_date_arriving_later_replaces_the_shipment(in_transit, write_csv, run_import):
    arrived = LINES.replace("2026-03-18,,100", "2026-03-18,2026-03-19,100")
    report = run_import(write_csv(arrived))
    assert report.ok and report.deliveries_written == 1
    shipment = Delivery.objects.get(line__order__number="T-1")
    assert str(shipment.delivered_date) == "2026-03-19"
    assert outcomes()["T-1"] == ("measured", True, True, True, None, 100.0, -1)


def test_a_quantity_without_any_date_is_still_an_error(acme, write_csv, run_import):
    report = run_import(write_csv(LINES.replace("2026-03-18,,100", ",,100")), create_missing=True)
    [error] = report.errors.to_dicts()
    assert error["row"] == 2 and error["reason"].startswith("a delivery needs a date")
    assert OrderLine.objects.count() == 0


@pytest.mark.parametrize("role", [Role.CLIENT_VIEWER, Role.CMO_STAFF])
def test_the_line_page_shows_the_shipment_in_transit(in_transit, acme, client, role):
    client.force_login(make_user("u", acme, role))
    line = OrderLine.objects.get(order__number="T-1")
    page = client.get(f"/lines/{line.pk}/").content.decode()
    assert "In transit</span> since 2026-03-18" in page
    delivered = OrderLine.objects.get(order__number="T-2")
    assert "In transit" not in client.get(f"/lines/{delivered.pk}/").content.decode()
