"""Reading and writing site calendars. A site without a calendar works the default hours
(Monday to Friday 08:00-17:00 in the server's time zone), so every clock has a calendar."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from tower.calendars.models import SiteCalendar
from tower.engine.business_hours import Calendar, CalendarError
from tower.masterdata.models import Site
from tower.tenancy.scoping import sees_client_names
from tower.workflow import NotAllowed, WorkflowError, audit_as


def default_calendar() -> Calendar:
    return Calendar(
        weekdays=frozenset(range(5)),
        start_minute=8 * 60,
        end_minute=17 * 60,
        time_zone=settings.TIME_ZONE,
    )


def calendar_of(site: Site | None) -> Calendar:
    """The site's calendar; the default one for a site without a calendar (or no site)."""
    if site is None:
        return default_calendar()
    row = SiteCalendar.objects.filter(site=site).first()
    return row.as_calendar() if row else default_calendar()


def calendars_by_site(site_ids) -> dict[int, Calendar]:
    """Every named site's calendar in one query (the default for those without one)."""
    found = {
        row.site_id: row.as_calendar() for row in SiteCalendar.objects.filter(site_id__in=site_ids)
    }
    default = default_calendar()
    return {pk: found.get(pk, default) for pk in site_ids}


def can_edit_calendars(user) -> bool:
    """Site calendars belong to the CMO: its administrators and staff change them."""
    return sees_client_names(user)


@transaction.atomic
def set_calendar(*, site: Site, calendar: Calendar, user, reason: str = "") -> SiteCalendar:
    """Store a site's calendar (audited); saving the calendar in force writes nothing."""
    if not can_edit_calendars(user):
        raise NotAllowed("Only the CMO's staff change site calendars.")
    if not isinstance(calendar, Calendar):
        raise WorkflowError("Give a calendar.")
    row = SiteCalendar.objects.select_for_update().filter(site=site).first() or SiteCalendar(
        site=site
    )
    values = {
        "weekday_mask": sum(1 << d for d in calendar.weekdays),
        "start_minute": calendar.start_minute,
        "end_minute": calendar.end_minute,
        "time_zone": calendar.time_zone,
        "holidays": sorted(d.isoformat() for d in calendar.holidays),
    }
    if row.pk and all(getattr(row, k) == v for k, v in values.items()):
        return row
    for name, value in values.items():
        setattr(row, name, value)
    audit_as(row, user, reason)
    row.save()
    return row


def build_calendar(
    *, days: str, hours: str, time_zone: str, holidays: list[dt.date] | tuple = ()
) -> Calendar:
    """A calendar from the words people type ('mon-fri', '08:00-17:00', 'Europe/Berlin');
    WorkflowError with the reason otherwise."""
    from tower.engine.business_hours import parse_days, parse_window

    try:
        start, end = parse_window(hours)
        return Calendar(
            weekdays=parse_days(days),
            start_minute=start,
            end_minute=end,
            time_zone=(time_zone or "").strip(),
            holidays=frozenset(holidays),
        )
    except CalendarError as exc:
        raise WorkflowError(str(exc)) from None
