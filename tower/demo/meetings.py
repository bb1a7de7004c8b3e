"""The demo's service agreements: each client's quality agreement reference and its meetings
cadence (a weekly operations call, a monthly review and a quarterly business review) with the
meetings held so far, their minutes, decisions and agreed actions, written through
tower.agreements.services and tower.meetings.services as the CMO's planner would, so every
step has its history and its entry in the client's communication log.

Every series is held on time up to today except the first client's weekly operations call,
whose last meeting was not held: the demo's overdue meeting. Actions agreed more than two weeks
ago are done; the latest stay open, the weekly calls' three-day ones overdue by now.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from tower.actions import services as actions
from tower.actions.services import NewAction
from tower.agreements.services import set_quality_agreement
from tower.meetings import recurrence, services
from tower.tenancy.models import Client

WEEKLY_HISTORY_WEEKS = 6
MONTHLY_HISTORY_MONTHS = 4
QBR_HISTORY_QUARTERS = 3
DONE_AFTER_DAYS = 14

TOPICS = {
    "weekly_ops": (
        "Open lines of the next four weeks reviewed line by line; QC release queue checked.",
        "Ship the late lines in one consolidated load",
        ("Confirm the consolidated load with the carrier", "CMO logistics", 3),
    ),
    "monthly_review": (
        "Last month's OTIF, the failures and their root causes walked through with the client.",
        "Root causes of the month accepted as presented",
        ("Send the root-cause summary to the client's planners", "CMO project manager", 7),
    ),
    "qbr": (
        "Quarterly scorecard, survey comments and penalty exposure discussed; next quarter's "
        "priorities agreed.",
        "Keep the safety stock of the top products at four weeks",
        ("Propose the capacity plan for the next two quarters", "CMO site director", 30),
    ),
}


def _first(today: dt.date, kind: str) -> dt.date:
    if kind == "weekly_ops":
        monday = today - dt.timedelta(days=today.weekday())
        return monday - dt.timedelta(weeks=WEEKLY_HISTORY_WEEKS)
    months = MONTHLY_HISTORY_MONTHS if kind == "monthly_review" else 3 * QBR_HISTORY_QUARTERS
    return recurrence.occurrence(today.replace(day=min(today.day, 28)), 1, "months", -months)


def build_meetings(clients: list[Client], today: dt.date) -> None:
    User = get_user_model()
    planner = User.objects.get(username="planner")
    for index, client in enumerate(clients):
        set_quality_agreement(
            client=client,
            number=f"QA-{client.code}-001",
            version=str(2 + index % 3),
            effective_date=dt.date(today.year - 1, 1 + index % 12, 1),
            user=planner,
            reason="signed quality agreement",
        )
        for kind in ("weekly_ops", "monthly_review", "qbr"):
            series = services.add_series(
                client=client, kind=kind, first_date=_first(today, kind), user=planner
            )
            overdue = index == 0 and kind == "weekly_ops"
            _hold(series, planner, today, leave_last_unheld=overdue)


def _hold(series, planner, today: dt.date, *, leave_last_unheld: bool) -> None:
    minutes, decision, (title, owner, days) = TOPICS[series.kind]
    due_dates = []
    day = series.next_due
    while day < today:
        due_dates.append(day)
        day = recurrence.next_after(series.first_date, series.every, series.unit, day)
    if leave_last_unheld:
        due_dates = due_dates[:-1]
    for due in due_dates:
        meeting = services.record_meeting(
            series=series,
            held_on=due,
            attendees=(
                f"CMO project manager\nCMO planner\nCMO quality\n"
                f"{series.client.name} supply chain\n{series.client.name} quality"
            ),
            minutes=minutes,
            decisions=[decision],
            actions_agreed=[NewAction(title, owner, due + dt.timedelta(days=days))],
            user=planner,
        )
        if (today - due).days > DONE_AFTER_DAYS:
            for action in meeting.client.actions.filter(source="meeting", source_id=meeting.pk):
                actions.set_status(action=action, status="done", user=planner)
