"""Writes of the meetings cadence: schedule a series, change its rule, record a meeting held
with its minutes, decisions and actions, add an action to a held meeting.

The CMO's people for the client schedule and record (one voice: the CMO keeps the minutes);
client users read the series, the minutes, the decisions and the actions, and find every held
meeting and decision in their communication log (tower.communications.services.log).
Keyword-only functions taking the acting user, audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tower.actions import services as actions
from tower.actions.models import Action, Source
from tower.actions.services import NewAction
from tower.communications.models import LogEntry
from tower.communications.services import log
from tower.meetings import recurrence
from tower.meetings.models import DEFAULT_RULES, MAX_EVERY, Decision, Kind, Meeting, MeetingSeries
from tower.tenancy.models import Client
from tower.tenancy.scoping import CMO_ROLES, require_role
from tower.workflow import WorkflowError, acting_user, audit_as, checked_text

# Who schedules series and records meetings. Client approvers do not record minutes: the CMO
# keeps them (one voice), the client reads them on the meeting page and in the log.
RECORDERS = CMO_ROLES
TEXT_LIMIT = 20_000
MEETING = "meeting"  # LogEntry.subject_type of a meeting
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
MAX_DECISIONS = 50


def _date(value, what: str) -> dt.date:
    if not isinstance(value, dt.date) or not FIRST_DATE <= value <= LAST_DATE:
        raise WorkflowError(f"Give the {what} between the years 1900 and 2999.")
    return value


def _rule(every, unit: str) -> tuple[int, str]:
    if isinstance(every, bool) or not isinstance(every, int) or not 1 <= every <= MAX_EVERY:
        raise WorkflowError(f"A series recurs every 1 to {MAX_EVERY} weeks or months.")
    if unit not in (recurrence.WEEKS, recurrence.MONTHS):
        raise WorkflowError("A series recurs every N weeks or every N months.")
    return every, unit


@transaction.atomic
def add_series(
    *,
    client: Client,
    kind: str,
    first_date: dt.date,
    user,
    title: str = "",
    every: int | None = None,
    unit: str = "",
) -> MeetingSeries:
    """Schedule a recurring meeting with a client; the kind's usual rule when none is given
    (weekly operations call every week, monthly review every month, QBR every 3 months)."""
    require_role(user, client, RECORDERS, "schedule meetings")
    if kind not in Kind.values:
        raise WorkflowError(f"Unknown kind of meeting {kind!r}.")
    default_every, default_unit = DEFAULT_RULES[Kind(kind)]
    every, unit = _rule(every or default_every, unit or default_unit)
    title = checked_text(title or Kind(kind).label, "title", limit=150)
    if MeetingSeries.objects.filter(client=client, title=title).exists():
        raise WorkflowError(f"{client.name} already has a series called “{title}”.")
    first_date = _date(first_date, "date of the first meeting")
    series = MeetingSeries(
        client=client,
        kind=kind,
        title=title,
        every=every,
        unit=unit,
        first_date=first_date,
        next_due=first_date,
        created_by=acting_user(user),
    )
    audit_as(series, user, "scheduled")
    series.save()
    return series


@transaction.atomic
def update_series(
    *,
    series: MeetingSeries,
    title: str,
    every: int,
    unit: str,
    next_due: dt.date,
    active: bool,
    user,
    reason: str = "",
) -> MeetingSeries:
    """Change a series' title, rule, next due date, or end it (an ended series is never
    overdue). A new rule counts from the new next due date."""
    require_role(user, series.client, RECORDERS, "change meetings")
    title = checked_text(title, "title", limit=150)
    every, unit = _rule(every, unit)
    next_due = _date(next_due, "next due date")
    if (
        MeetingSeries.objects.filter(client=series.client, title=title)
        .exclude(pk=series.pk)
        .exists()
    ):
        raise WorkflowError(f"{series.client.name} already has a series called “{title}”.")
    if (series.title, series.every, series.unit, series.next_due, series.active) == (
        title,
        every,
        unit,
        next_due,
        active,
    ):
        return series
    if (every, unit) != (series.every, series.unit):
        series.first_date = next_due  # the new rule counts from here
    series.title, series.every, series.unit = title, every, unit
    series.next_due, series.active = next_due, active
    audit_as(series, user, reason or "changed")
    series.save()
    return series


def meeting_url(meeting: Meeting) -> str:
    return reverse("meetings:meeting", args=[meeting.pk])


def meeting_label(meeting: Meeting) -> str:
    return f"{meeting.series.title} {meeting.held_on:%Y-%m-%d}"


@transaction.atomic
def record_meeting(
    *,
    series: MeetingSeries,
    held_on: dt.date,
    attendees: str,
    minutes: str,
    user,
    decisions: Sequence[str] = (),
    actions_agreed: Sequence[NewAction] = (),
) -> Meeting:
    """Record the series' due meeting as held: attendees, minutes, decisions and the actions
    agreed (added to the actions register). The series' next due date moves to the first
    occurrence after the later of the due date and the day it was held. The meeting and each
    decision are written to the client's communication log."""
    client = series.client
    require_role(user, client, RECORDERS, "record meetings")
    held_on = _date(held_on, "date the meeting was held")
    if held_on > timezone.localdate():
        raise WorkflowError(
            "A meeting is recorded once it has been held: the date is in the future."
        )
    attendees = checked_text(attendees, "attendees", limit=TEXT_LIMIT)
    minutes = checked_text(minutes, "minutes", limit=TEXT_LIMIT)
    decisions = [checked_text(d, "decision", limit=TEXT_LIMIT) for d in decisions if d.strip()]
    if len(decisions) > MAX_DECISIONS:
        raise WorkflowError(f"At most {MAX_DECISIONS} decisions per meeting.")
    due = series.next_due
    meeting = Meeting(
        client=client,
        series=series,
        due_date=due,
        held_on=held_on,
        attendees=attendees,
        minutes=minutes,
        recorded_by=acting_user(user),
    )
    audit_as(meeting, user, "held")
    meeting.save()
    for text in decisions:
        decision = Decision(client=client, meeting=meeting, text=text)
        audit_as(decision, user, "decided")
        decision.save()
    agreed = [add_meeting_action(meeting=meeting, action=a, user=user) for a in actions_agreed]
    series.next_due = recurrence.next_after(
        series.first_date, series.every, series.unit, max(due, held_on)
    )
    audit_as(series, user, f"held on {held_on:%Y-%m-%d}")
    series.save(update_fields=["next_due"])
    url = meeting_url(meeting)
    counts = f"{len(decisions)} decision{'s' if len(decisions) != 1 else ''}, "
    counts += f"{len(agreed)} action{'s' if len(agreed) != 1 else ''}"
    log(
        client=client,
        kind=LogEntry.Kind.MEETING_HELD,
        user=user,
        summary=f"{series.title} held on {held_on:%Y-%m-%d} ({counts}).",
        subject_type=MEETING,
        subject_id=meeting.pk,
        subject_url=url,
    )
    for decision in meeting.decisions.all():
        log(
            client=client,
            kind=LogEntry.Kind.DECISION,
            user=user,
            summary=f"Decision in the {meeting_label(meeting)}: {decision.text}",
            subject_type=MEETING,
            subject_id=meeting.pk,
            subject_url=url,
        )
    return meeting


def add_meeting_action(*, meeting: Meeting, action: NewAction, user) -> Action:
    """An action agreed in a held meeting, added to the actions register."""
    require_role(user, meeting.client, RECORDERS, "record meeting actions")
    return actions.add_agreed_actions(
        client=meeting.client,
        source=Source.MEETING,
        source_id=meeting.pk,
        source_label=meeting_label(meeting),
        source_url=meeting_url(meeting),
        agreed=[action],
        user=user,
        roles=RECORDERS,
    )[0]
