"""The agreement's triggers open escalations (kpis.md 9): each kind over its threshold, once per
subject, only when switched on and only for a client with a matrix."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import make_user
from tower.agreements import services as agreements
from tower.agreements.models import EscalationTrigger
from tower.communications.models import DelayNotice
from tower.escalations.models import Escalation
from tower.escalations.tasks import run_clock
from tower.escalations.triggers import evaluate_triggers
from tower.masterdata.models import Product
from tower.outlook.models import LineProjection
from tower.performance.models import RootCause, RootCauseStatus
from tower.quality.models import Batch, Deviation
from tower.scorecards.services import report_stock_out
from tower.stockouts.models import StockOutEvent
from tower.tenancy.scoping import SYSTEM
from tower.workflow import WorkflowError

from .conftest import berlin

pytestmark = pytest.mark.django_db
Kind = EscalationTrigger.Kind
NOW = berlin("2026-12-07 10:00")  # a Monday


def switch_on(client, kind, threshold=None):
    agreements.set_escalation_trigger(
        client=client, kind=kind, enabled=True, threshold=threshold, user=SYSTEM
    )


def project(line, *, days_late=None, stock_out_from=None):
    # The import projected the line already: this sets its projection as the test needs it.
    LineProjection.objects.update_or_create(
        line=line,
        defaults=dict(
            client=line.client,
            as_of=dt.date(2026, 12, 7),
            due_date=dt.date(2026, 12, 20),
            period=dt.date(2026, 12, 1),
            overdue=False,
            remaining_qty=10,
            transit_days=2,
            transit_from_lane=False,
            risk="late" if days_late else "on_track",
            rank=1,
            rank_key=0,
            projected_days_late=days_late,
            stock_out_from=stock_out_from,
        ),
    )


def test_a_line_projected_late_by_the_threshold_opens_one_escalation(ew):
    switch_on(ew.acme, Kind.LINE_LATE, 3)
    project(ew.lines[0], days_late=5)
    project(ew.lines[1], days_late=2)  # under the threshold
    (opened,) = evaluate_triggers(now=NOW)
    assert opened.kind == Kind.LINE_LATE and opened.subject_id == ew.lines[0].pk
    assert opened.site == ew.site and opened.title == "Line projected 5 days late"
    assert opened.opened_by_name == "CMO Control Tower"
    # Found again on the next run: no second escalation, also once resolved.
    assert evaluate_triggers(now=NOW + dt.timedelta(minutes=5)) == []
    opened.status = Escalation.Status.RESOLVED
    opened.save()
    assert evaluate_triggers(now=NOW + dt.timedelta(minutes=10)) == []


def test_a_switched_off_trigger_opens_nothing(ew):
    project(ew.lines[0], days_late=30)
    assert evaluate_triggers(now=NOW) == []
    switch_on(ew.acme, Kind.LINE_LATE, 3)
    agreements.set_escalation_trigger(
        client=ew.acme, kind=Kind.LINE_LATE, enabled=False, threshold=3, user=SYSTEM
    )
    assert evaluate_triggers(now=NOW) == []


def test_a_projected_stock_out_within_the_horizon(ew):
    switch_on(ew.acme, Kind.STOCK_OUT_PROJECTED, 14)
    project(ew.lines[0], stock_out_from=dt.date(2026, 12, 15))
    project(ew.lines[1], stock_out_from=dt.date(2027, 3, 1))  # beyond 14 days
    (opened,) = evaluate_triggers(now=NOW)
    assert opened.subject_id == ew.lines[0].pk and "2026-12-15" in opened.title


def test_a_stock_out_reported_by_the_client(ew):
    switch_on(ew.acme, Kind.STOCK_OUT_REPORTED)
    product = Product.objects.get(client=ew.acme, code="ACME-AMOXI-500")
    event = StockOutEvent.objects.create(
        client=ew.acme,
        product=product,
        location="Berlin",
        start_date=dt.date(2026, 12, 6),
        source=StockOutEvent.Source.REPORTED,
    )
    assert run_clock(NOW) == {"moved": 0, "opened": 1}
    (opened,) = Escalation.objects.all()
    assert opened.subject_type == "stock_out" and opened.subject_id == event.pk
    assert opened.subject_url == f"/stock-outs/{event.pk}/"


def test_a_major_deviation_on_a_batch_escalates_the_batch_once(ew):
    switch_on(ew.acme, Kind.DEVIATION)
    product = Product.objects.get(client=ew.acme, code="ACME-AMOXI-500")
    batch = Batch.objects.create(client=ew.acme, number="B-1", product=product, site=ew.site)
    for number, severity in (("D-1", "major"), ("D-2", "critical"), ("D-3", "minor")):
        Deviation.objects.create(
            client=ew.acme,
            number=number,
            batch=batch,
            opened_date=dt.date(2026, 12, 1),
            severity=severity,
        )
    (opened,) = evaluate_triggers(now=NOW)
    assert opened.subject_type == "batch" and opened.subject_id == batch.pk
    assert opened.title == "Major deviation D-1 on batch B-1"


def test_a_notice_not_acknowledged_within_business_hours(ew):
    switch_on(ew.acme, Kind.NOTICE_UNACKNOWLEDGED, 8)
    # Sent Friday 15:00 Berlin: 8 business hours (08-17 Mon-Fri) end Monday 14:00.
    notice = DelayNotice.objects.create(
        client=ew.acme,
        cause="QC hold",
        expected_date=dt.date(2027, 1, 10),
        remedial_actions="x",
        cmo_contact="x",
        sent_by_name="staff",
        sent_at=berlin("2026-12-04 15:00"),
        sent_on=dt.date(2026, 12, 4),
    )
    assert evaluate_triggers(now=berlin("2026-12-07 13:59")) == []
    (opened,) = evaluate_triggers(now=berlin("2026-12-07 14:00"))
    assert opened.subject_type == "notice" and opened.subject_id == notice.pk


def test_a_root_cause_disputed_twice(ew):
    switch_on(ew.acme, Kind.CAUSE_DISPUTED, 2)
    from tower.masterdata.models import RootCauseCode

    code = RootCauseCode.objects.first()
    cause = RootCause.objects.create(
        client=ew.acme,
        line=ew.lines[0],
        code=code,
        status=RootCauseStatus.DISPUTED,
        proposed_by="x",
        proposed_at=NOW,
    )
    assert evaluate_triggers(now=NOW) == []  # one dispute
    cause.status = RootCauseStatus.PROPOSED
    cause.save()
    cause.status = RootCauseStatus.DISPUTED
    cause.save()
    (opened,) = evaluate_triggers(now=NOW)
    assert opened.title == "Root cause disputed 2 times"


def test_trigger_thresholds_are_checked(ew):
    with pytest.raises(WorkflowError, match="whole number"):
        agreements.set_escalation_trigger(
            client=ew.acme, kind=Kind.LINE_LATE, enabled=True, threshold=-1, user=SYSTEM
        )
    with pytest.raises(WorkflowError, match="Unknown trigger"):
        agreements.set_escalation_trigger(
            client=ew.acme, kind="nope", enabled=True, threshold=1, user=SYSTEM
        )


def test_the_cli_lists_escalations(ew, capsys):
    switch_on(ew.acme, Kind.LINE_LATE, 3)
    project(ew.lines[0], days_late=5)
    evaluate_triggers(now=NOW)
    call_command("escalation", "list", "--client", "ACME", "--open", "--format", "csv")
    out = capsys.readouterr().out
    assert "Line projected 5 days late" in out and "line_late" in out


def test_a_stock_out_reported_on_the_page_opens_an_escalation_at_once(ew, client):
    switch_on(ew.acme, Kind.STOCK_OUT_REPORTED)
    approver = make_user("approver", ew.acme, "client_approver")

    event = report_stock_out(
        client=ew.acme,
        product=Product.objects.get(client=ew.acme, code="ACME-AMOXI-500"),
        location="Berlin",
        start_date=timezone.localdate(),
        user=approver,
    )
    (opened,) = Escalation.objects.filter(client=ew.acme)
    assert opened.kind == Kind.STOCK_OUT_REPORTED and opened.subject_id == event.pk
