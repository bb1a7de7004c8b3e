"""Escalation clocks (kpis.md 9) driven by a controlled clock: `now` is passed to the services
and to the worker's run (tower.escalations.tasks.run_clock), never patched. E-mails go through
a real SMTP server (aiosmtpd on a local port)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from tests.security.test_password_reset import inbox  # noqa: F401 (the fixture)
from tests.webhooks.conftest import receiver  # noqa: F401 (the fixture)
from tower.agreements import services as agreements
from tower.communications.models import LogEntry, Mail
from tower.escalations import services
from tower.escalations.models import Escalation, EscalationStep
from tower.escalations.queries import acknowledged_in_time, open_escalations
from tower.escalations.tasks import run_clock
from tower.tenancy.scoping import SYSTEM
from tower.workflow import WorkflowError

from .conftest import LEVELS, berlin

pytestmark = pytest.mark.django_db

FRIDAY_16 = berlin("2026-12-04 16:00")  # + 4 business hours (08-17 Mon-Fri) = Monday 11:00
MONDAY_11 = berlin("2026-12-07 11:00")


def open_on_line(ew, line=None, *, now=FRIDAY_16, user=None):
    return services.open_by_hand(
        client=ew.acme,
        title="Batch held in QC, shipment at risk",
        text="Please call us.",
        user=user or ew.viewer,
        line=line or ew.lines[0],
        now=now,
    )


def recipients(message) -> set[str]:
    return {a.strip() for a in message["X-Envelope-To"].split(",")}


def test_level_1_unacknowledged_moves_to_level_2_at_the_exact_minute_and_notifies_its_people(
    ew,
    inbox,  # noqa: F811
):
    escalation = open_on_line(ew)
    assert (escalation.level, escalation.deadline) == (1, MONDAY_11)
    (first,) = inbox.messages
    assert recipients(first) == {"ann@cmo.example", "bob@acme.example"}
    assert "level 1" in first["Subject"]

    assert run_clock(MONDAY_11 - dt.timedelta(minutes=1)) == {"moved": 0, "opened": 0}
    escalation.refresh_from_db()
    assert escalation.level == 1 and len(inbox.messages) == 1

    # The worker runs 3 minutes late: the level still starts at 11:00 sharp.
    assert run_clock(MONDAY_11 + dt.timedelta(minutes=3))["moved"] == 1
    escalation.refresh_from_db()
    assert escalation.level == 2
    assert escalation.level_started_at == MONDAY_11
    assert escalation.deadline == berlin("2026-12-07 13:00")  # level 2: 2 business hours
    assert escalation.first_deadline == MONDAY_11
    second = inbox.messages[1]
    assert recipients(second) == {"cora@cmo.example", "head@acme.example"}
    assert "level 2" in second["Subject"]
    assert "Cora Lead (Supply chain manager)" in second.get_payload(decode=True).decode()
    assert Mail.objects.filter(client=ew.acme, status=Mail.Status.SENT).count() == 2

    moved = LogEntry.objects.get(client=ew.acme, kind=LogEntry.Kind.ESCALATION_ESCALATED)
    assert moved.at == MONDAY_11 and not moved.internal
    assert list(moved.entry_lines.values_list("line_id", flat=True)) == [ew.lines[0].pk]
    # Running again at the same minute moves nothing more.
    assert run_clock(MONDAY_11 + dt.timedelta(minutes=4))["moved"] == 0


def test_a_late_worker_catches_up_level_by_level_and_stops_at_the_last(ew):
    escalation = open_on_line(ew)
    # Level 2 ends Monday 13:00 Berlin (12:00 UTC); level 3 has 8 h on the default calendar
    # (08-17 UTC): 5 h on Monday, 3 h on Tuesday, so it ends Tuesday 11:00 UTC.
    assert run_clock(berlin("2026-12-09 09:00"))["moved"] == 2
    escalation.refresh_from_db()
    assert escalation.level == 3 and escalation.last_level
    assert escalation.level_started_at == berlin("2026-12-07 13:00")
    assert escalation.deadline == dt.datetime(2026, 12, 8, 11, 0, tzinfo=dt.UTC)
    assert run_clock(berlin("2026-12-20 09:00"))["moved"] == 0
    (row,) = open_escalations([ew.acme], now=berlin("2026-12-20 09:00"))
    assert row.overdue and row.level == 3 and row.levels == 3


def test_acknowledgement_stops_the_clock(ew, inbox):  # noqa: F811
    escalation = open_on_line(ew)
    services.acknowledge(
        escalation=escalation, user=ew.staff, comment="On it", now=berlin("2026-12-07 10:30")
    )
    assert run_clock(berlin("2026-12-14 10:00"))["moved"] == 0
    escalation.refresh_from_db()
    assert escalation.level == 1 and escalation.acknowledged_by_name == "staff"
    assert len(inbox.messages) == 1
    with pytest.raises(WorkflowError, match="already acknowledged"):
        services.acknowledge(escalation=escalation, user=ew.viewer, now=berlin("2026-12-07 11:00"))
    # The KPI: acknowledged within the first level's response time.
    assert acknowledged_in_time(
        ew.acme, berlin("2026-12-01 00:00"), berlin("2027-01-01 00:00")
    ) == (
        1,
        1,
    )


def test_one_open_escalation_per_subject(ew):
    escalation = open_on_line(ew)
    with pytest.raises(WorkflowError, match="already open on this line"):
        open_on_line(ew, now=FRIDAY_16 + dt.timedelta(hours=1))
    # The database says so too, whatever the caller.
    duplicate = Escalation.objects.get(pk=escalation.pk)
    duplicate.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    # Another line, or the same line once resolved, may have its own.
    assert open_on_line(ew, ew.lines[1]).pk != escalation.pk
    services.resolve(escalation=escalation, user=ew.staff, text="Shipped", now=MONDAY_11)
    assert open_on_line(ew, now=MONDAY_11).pk != escalation.pk


def test_matrix_edits_do_not_change_a_running_escalation(ew, inbox):  # noqa: F811
    escalation = open_on_line(ew)
    changed = [dict(level, response_hours="40", cmo_email="new@cmo.example") for level in LEVELS]
    agreements.set_escalation_levels(client=ew.acme, levels=changed[:2], user=SYSTEM)
    run_clock(MONDAY_11)
    escalation.refresh_from_db()
    assert escalation.level == 2 and escalation.deadline == berlin("2026-12-07 13:00")
    assert [lv["response_hours"] for lv in escalation.levels] == ["4.00", "2.00", "8.00"]
    assert "cora@cmo.example" in inbox.messages[-1]["X-Envelope-To"]
    # A new escalation takes the new matrix.
    fresh = open_on_line(ew, ew.lines[1], now=MONDAY_11)
    assert [lv["response_hours"] for lv in fresh.levels] == ["40.00", "40.00"]


def test_every_step_is_in_the_clients_communication_log(ew):
    escalation = open_on_line(ew)
    services.add_comment(
        escalation=escalation, user=ew.staff, text="Calling you at 9", now=MONDAY_11
    )
    services.acknowledge(escalation=escalation, user=ew.staff, now=MONDAY_11)
    services.resolve(escalation=escalation, user=ew.viewer, text="Delivered", now=MONDAY_11)
    kinds = list(
        LogEntry.objects.filter(client=ew.acme, subject_type="escalation")
        .order_by("pk")
        .values_list("kind", "side")
    )
    assert kinds == [
        ("escalation_opened", "client"),
        ("escalation_comment", "cmo"),
        ("escalation_acknowledged", "cmo"),
        ("escalation_resolved", "client"),
    ]
    assert list(
        EscalationStep.objects.filter(escalation=escalation).values_list("kind", flat=True)
    ) == ["opened", "comment", "acknowledged", "resolved"]
    with pytest.raises(WorkflowError, match="resolved"):
        services.acknowledge(escalation=escalation, user=ew.staff, now=MONDAY_11)


def test_a_client_without_a_matrix_cannot_escalate(ew):
    agreements.set_escalation_levels(client=ew.acme, levels=[], user=SYSTEM)
    with pytest.raises(WorkflowError, match="no escalation matrix"):
        open_on_line(ew)


def test_other_clients_users_cannot_act(ew):
    escalation = open_on_line(ew)
    with pytest.raises(WorkflowError):
        services.acknowledge(escalation=escalation, user=ew.globex_viewer, now=MONDAY_11)


def test_a_level_calls_the_team_members_it_names(ew, inbox):  # noqa: F811
    from tower.agreements.models import TeamMember

    lead = TeamMember.objects.create(
        client=ew.acme,
        side="cmo",
        function="supply_chain",
        name="Gus Lead",
        email="gus@cmo.example",
    )
    levels = [dict(LEVELS[0], cmo_member=lead.pk, cmo_person="", cmo_email=""), LEVELS[1]]
    agreements.set_escalation_levels(client=ew.acme, levels=levels, user=SYSTEM)
    escalation = open_on_line(ew)
    first = escalation.levels[0]
    assert (first["cmo_person"], first["cmo_email"]) == ("Gus Lead", "gus@cmo.example")
    assert recipients(inbox.messages[0]) == {"gus@cmo.example", "bob@acme.example"}
    other = TeamMember.objects.create(
        client=ew.globex, side="cmo", function="quality", name="Not ours", email="x@cmo.example"
    )
    with pytest.raises(WorkflowError, match="not on the CMO side of ACME"):
        agreements.set_escalation_levels(
            client=ew.acme, levels=[dict(LEVELS[0], cmo_member=other)], user=SYSTEM
        )


def test_the_clients_webhooks_hear_the_opening_and_each_level(ew, receiver):  # noqa: F811
    import json

    from tower.webhooks.services import add_endpoint

    add_endpoint(
        client=ew.acme, name="Teams channel", url=receiver.url(), fmt="json", user=ew.staff
    )
    escalation = open_on_line(ew)
    run_clock(MONDAY_11)
    opened, moved = (json.loads(r.body) for r in receiver.requests)
    assert opened["event"] == "escalation.opened" and opened["data"]["level"] == 1
    assert moved["event"] == "escalation.level_changed" and moved["data"]["level"] == 2
    assert moved["data"]["cmo"] == "Cora Lead (Supply chain manager)"
    assert moved["data"]["url"].endswith(f"/escalations/{escalation.pk}/")
    assert receiver.requests[1].headers["X-Tower-Signature"].startswith("sha256=")
