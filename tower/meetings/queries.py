"""Reads of the meetings cadence: the one definition of an overdue meeting, and the series
due or overdue that the meetings page and the board's fragment show."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from tower.meetings import recurrence
from tower.meetings.models import MeetingSeries


def is_overdue(series: MeetingSeries, today: dt.date) -> bool:
    """The one definition: an active series whose next meeting's due date has passed unheld."""
    return series.active and series.next_due < today


def overdue(principal, today: dt.date, client=None) -> QuerySet[MeetingSeries]:
    """is_overdue as a query: the principal's series whose due meeting was not held in time."""
    rows = MeetingSeries.objects.select_related("client").visible_to(principal)
    if client is not None:
        rows = rows.filter(client=client)
    return rows.filter(active=True, next_due__lt=today).order_by("next_due", "pk")


def missed(series: MeetingSeries, today: dt.date) -> int:
    """How many occurrences of the series have passed unheld (0 when it is not overdue)."""
    if not is_overdue(series, today):
        return 0
    return recurrence.missed(series.first_date, series.every, series.unit, series.next_due, today)
