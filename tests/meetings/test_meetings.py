"""The meetings cadence: scheduling, recording a meeting with its minutes, decisions and
actions, the communication log, overdue meetings on the page and in the fragment, and who may
do what. Today is frozen at 2026-11-10 (a Tuesday)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.actions.conftest import TODAY
from tests.conftest import make_user
from tower.actions.models import Action
from tower.actions.services import NewAction
from tower.communications.models import LogEntry
from tower.meetings import services
from tower.meetings.models import Decision, Meeting, MeetingSeries
from tower.tenancy.models import Role
from tower.workflow import NotAllowed, WorkflowError


@pytest.fixture
def weekly(acme, people, today):
    """ACME's weekly operations call, Mondays from 2026-11-02: due 2026-11-02, not held by
    2026-11-10, so overdue (2 and 9 November missed)."""
    return services.add_series(
        client=acme, kind="weekly_ops", first_date=dt.date(2026, 11, 2), user=people.staff
    )


def record(series, user, held_on=dt.date(2026, 11, 3), **extra):
    return services.record_meeting(
        series=series,
        held_on=held_on,
        attendees="Anna (CMO planning)\nBen (client supply)",
        minutes="Reviewed the open lines.",
        user=user,
        **extra,
    )


def test_a_series_takes_its_kinds_usual_rule(acme, people, today):
    qbr = services.add_series(
        client=acme, kind="qbr", first_date=dt.date(2026, 12, 1), user=people.staff
    )
    assert (qbr.title, qbr.every, qbr.unit, qbr.next_due) == (
        "Quarterly business review",
        3,
        "months",
        dt.date(2026, 12, 1),
    )
    monthly = services.add_series(
        client=acme,
        kind="monthly_review",
        title="Supply review",
        every=2,
        unit="weeks",
        first_date=dt.date(2026, 11, 20),
        user=people.staff,
    )
    assert (monthly.every, monthly.unit) == (2, "weeks")
    with pytest.raises(WorkflowError, match="already has a series called “Supply review”"):
        services.add_series(
            client=acme,
            kind="other",
            title="Supply review",
            first_date=dt.date(2026, 11, 20),
            user=people.staff,
        )
    with pytest.raises(WorkflowError, match="every 1 to 52"):
        services.add_series(
            client=acme, kind="other", every=53, unit="weeks", first_date=TODAY, user=people.staff
        )


def test_recording_a_meeting_logs_it_and_its_decisions_and_moves_the_next_due(acme, people, weekly):
    meeting = record(
        weekly,
        people.staff,
        decisions=["Ship the March batch by air", "  ", "Weekly stock report from now on"],
        actions_agreed=[
            NewAction("Book the air freight", "Logistics", dt.date(2026, 11, 6)),
            NewAction("Send the stock report", "Client supply"),
        ],
    )
    # Held on 3 Nov for the meeting due 2 Nov: the next is the Monday after, 9 Nov.
    weekly.refresh_from_db()
    assert (meeting.due_date, meeting.held_on, weekly.next_due) == (
        dt.date(2026, 11, 2),
        dt.date(2026, 11, 3),
        dt.date(2026, 11, 9),
    )
    assert [d.text for d in meeting.decisions.all()] == [
        "Ship the March batch by air",
        "Weekly stock report from now on",
    ]
    actions = list(Action.objects.filter(source="meeting", source_id=meeting.pk).order_by("pk"))
    assert [(a.title, a.owner, a.due_date, a.source_label) for a in actions] == [
        (
            "Book the air freight",
            "Logistics",
            dt.date(2026, 11, 6),
            "Weekly operations call 2026-11-03",
        ),
        ("Send the stock report", "Client supply", None, "Weekly operations call 2026-11-03"),
    ]
    assert actions[0].is_overdue(TODAY) and not actions[1].is_overdue(TODAY)
    entries = list(LogEntry.objects.filter(client=acme).order_by("pk"))
    assert [(e.kind, e.summary, e.internal, e.subject_url) for e in entries] == [
        (
            "meeting_held",
            "Weekly operations call held on 2026-11-03 (2 decisions, 2 actions).",
            False,
            f"/meetings/{meeting.pk}/",
        ),
        (
            "decision",
            "Decision in the Weekly operations call 2026-11-03: Ship the March batch by air",
            False,
            f"/meetings/{meeting.pk}/",
        ),
        (
            "decision",
            "Decision in the Weekly operations call 2026-11-03: Weekly stock report from now on",
            False,
            f"/meetings/{meeting.pk}/",
        ),
    ]
    assert {e.side for e in entries} == {"cmo"}


def test_a_meeting_held_late_moves_the_next_due_past_the_day_it_was_held(people, weekly):
    record(weekly, people.staff, held_on=dt.date(2026, 11, 10))  # due 2 Nov, held 10 Nov
    weekly.refresh_from_db()
    assert weekly.next_due == dt.date(2026, 11, 16)


def test_recording_refuses_bad_input_and_writes_nothing(people, weekly):
    with pytest.raises(WorkflowError, match="the date is in the future"):
        record(weekly, people.staff, held_on=dt.date(2026, 11, 11))
    with pytest.raises(WorkflowError, match="Write the minutes"):
        services.record_meeting(
            series=weekly, held_on=TODAY, attendees="A", minutes=" ", user=people.staff
        )
    with pytest.raises(WorkflowError, match="who does it"):
        record(weekly, people.staff, actions_agreed=[NewAction("Do it", " ")])
    assert not Meeting.objects.exists() and not LogEntry.objects.exists()


def test_client_approvers_read_but_do_not_record_minutes(acme, people, weekly):
    for who in (people.approver, people.viewer):
        with pytest.raises(NotAllowed):
            record(weekly, who)
        with pytest.raises(NotAllowed):
            services.add_series(client=acme, kind="qbr", first_date=TODAY, user=who)


def test_changing_the_rule_counts_from_the_new_next_due(people, weekly):
    services.update_series(
        series=weekly,
        title="Weekly call",
        every=2,
        unit="weeks",
        next_due=dt.date(2026, 11, 12),
        active=True,
        user=people.staff,
        reason="moved to Thursdays",
    )
    record(weekly, people.staff, held_on=dt.date(2026, 11, 10))  # held early for the 12th
    weekly.refresh_from_db()
    assert (weekly.first_date, weekly.next_due) == (dt.date(2026, 11, 12), dt.date(2026, 11, 26))
    reasons = [h.history_change_reason for h in weekly.history.order_by("history_id")]
    assert reasons == ["scheduled", "moved to Thursdays", "held on 2026-11-10"]


# --- pages ----------------------------------------------------------------------------------


def test_the_page_and_the_fragment_show_the_overdue_meeting(client, acme, globex, people, weekly):
    monthly = services.add_series(
        client=acme, kind="monthly_review", first_date=dt.date(2026, 11, 10), user=people.staff
    )  # due today: not overdue
    services.add_series(
        client=globex, kind="qbr", first_date=dt.date(2026, 10, 1), user=people.admin
    )  # GLOBEX's, overdue
    client.force_login(people.viewer)
    response = client.get("/meetings/")
    assert response.status_code == 200
    assert [r["series"].pk for r in response.context["overdue_rows"]] == [weekly.pk]
    assert response.context["overdue_rows"][0]["missed"] == 2  # 2 and 9 November
    page = response.content.decode()
    assert "Globex" not in page and "Quarterly business review" not in page
    assert "2 meetings missed" in page
    assert response.context["series_form"] is None  # the client reads
    fragment = client.get("/meetings/overdue/")
    assert fragment.status_code == 200
    assert [r["series"].pk for r in fragment.context["rows"]] == [weekly.pk]
    assert "<html" not in fragment.content.decode()
    assert client.get("/meetings/overdue/?client=GLOBEX").status_code == 404
    assert monthly.pk not in [r["series"].pk for r in fragment.context["rows"]]
    client.force_login(people.admin)
    assert len(client.get("/meetings/overdue/").context["rows"]) == 2


def test_the_cmo_schedules_and_records_from_the_pages(client, acme, people, today):
    client.force_login(people.staff)
    response = client.post(
        "/meetings/series/add/",
        {"client": "ACME", "kind": "monthly_review", "first_date": "2026-11-03"},
        follow=True,
    )
    assert (
        "“Monthly review” scheduled every month, first on 2026-11-03." in response.content.decode()
    )
    series = MeetingSeries.objects.get(client=acme)
    response = client.post(
        f"/meetings/series/{series.pk}/record/",
        {
            "held_on": "2026-11-04",
            "attendees": "Anna\nBen",
            "minutes": "October reviewed.",
            "decisions": "Keep the safety stock\nAdd a second carrier",
            "action-0-title": "Quote a second carrier",
            "action-0-owner": "Logistics",
            "action-0-due_date": "2026-11-30",
        },
    )
    meeting = Meeting.objects.get(series=series)
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
    series.refresh_from_db()
    assert series.next_due == dt.date(2026, 12, 3)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Keep the safety stock" in page and "Quote a second carrier" in page
    assert Decision.objects.filter(meeting=meeting).count() == 2
    # A bad form answers 400 with the reasons, and records nothing.
    response = client.post(
        f"/meetings/series/{series.pk}/record/",
        {"held_on": "2026-11-31", "attendees": "", "minutes": "x", "action-0-title": "Orphan"},
    )
    assert response.status_code == 400
    assert Meeting.objects.count() == 1
    # An action added later to the held meeting joins the register.
    client.post(
        f"/meetings/{meeting.pk}/actions/", {"new-title": "Call the carrier", "new-owner": "Anna"}
    )
    assert Action.objects.filter(source_id=meeting.pk, source="meeting").count() == 2


def test_client_users_cannot_post_to_the_recording_steps(client, acme, people, weekly):
    client.force_login(people.approver)
    data = {"held_on": "2026-11-03", "attendees": "a", "minutes": "b"}
    assert client.post(f"/meetings/series/{weekly.pk}/record/", data).status_code == 403
    assert not Meeting.objects.exists()
    page = client.get(f"/meetings/series/{weekly.pk}/").content.decode()
    assert "record-form" not in page and "overdue" in page


def test_staff_of_another_client_cannot_record_for_this_one(client, globex, people, weekly):
    other = make_user("gstaff", globex, Role.CMO_STAFF)
    client.force_login(other)
    assert client.get(f"/meetings/series/{weekly.pk}/").status_code == 404
    assert client.post(f"/meetings/series/{weekly.pk}/record/", {}).status_code == 404
