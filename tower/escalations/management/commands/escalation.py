"""tower escalation due --site CODE --start "YYYY-MM-DD HH:MM" --hours N: the deadline of a clock
by the site's calendar (start and deadline in the site's local time), so an operator can check
one; tower escalation list [--client CODE] [--open]: escalations with their clocks."""

from __future__ import annotations

import argparse
import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from tower.calendars.management.commands.calendar import site_by_code
from tower.calendars.services import calendar_of
from tower.engine.business_hours import MAX_HOURS, CalendarError, deadline

STAMP = "%a %Y-%m-%d %H:%M"


def local_start(text: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a start: write YYYY-MM-DD HH:MM, e.g. 2026-12-04 16:00"
        ) from None


def hours_option(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of hours (0 to {MAX_HOURS:,}, e.g. 4 or 1.5)"
        ) from None


class Command(BaseCommand):
    help = (
        "Escalations (kpis.md 9): `list` prints them with their clocks; `due` prints the "
        "deadline of a clock by a site's calendar."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        due = actions.add_parser(
            "due", help="The deadline of a clock by a site's calendar, in the site's local time"
        )
        due.add_argument("--site", required=True, help="Site code")
        due.add_argument("--start", required=True, help="Local time at the site: YYYY-MM-DD HH:MM")
        due.add_argument("--hours", required=True, help="Response time in business hours")
        self.add_list_arguments(actions)

    def add_list_arguments(self, actions) -> None:
        return None

    def handle(self, *args, action, **options):
        if action == "due":
            return self.due(**options)
        return self.listing(**options)

    def listing(self, **options):
        raise CommandError("not available")

    def due(self, *, site, start, hours, **options):
        site = site_by_code(site)
        try:
            start = local_start(start)
            hours = hours_option(hours)
        except argparse.ArgumentTypeError as exc:
            raise CommandError(str(exc)) from None
        cal = calendar_of(site)
        begin = start.replace(tzinfo=cal.zone)
        try:
            due = deadline(begin, hours, cal)
        except CalendarError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Site {site.code}: {cal.describe()}\n"
            f"  start     {begin:{STAMP}} ({cal.time_zone})\n"
            f"  + {hours:g} business hour{'s' if hours != 1 else ''}\n"
            f"  deadline  {due.astimezone(cal.zone):{STAMP}} ({cal.time_zone})\n"
        )
