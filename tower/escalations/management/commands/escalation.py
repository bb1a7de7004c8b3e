"""tower escalation due --site CODE --start "YYYY-MM-DD HH:MM" --hours N: the deadline of a clock
by the site's calendar (start and deadline in the site's local time), so an operator can check
one; tower escalation list [--client CODE] [--open]: escalations with their clocks."""

from __future__ import annotations

import argparse
import datetime as dt

import polars as pl
from django.core.management.base import BaseCommand, CommandError

from tower.calendars.management.commands.calendar import site_by_code
from tower.calendars.services import calendar_of
from tower.engine.business_hours import MAX_HOURS, CalendarError, deadline
from tower.escalations.models import Escalation
from tower.output import FORMATS, write_frame
from tower.tenancy.models import Client

STAMP = "%a %Y-%m-%d %H:%M"
COLUMNS = {
    "escalation": pl.Int64,
    "client": pl.String,
    "kind": pl.String,
    "subject": pl.String,
    "title": pl.String,
    "site": pl.String,
    "status": pl.String,
    "level": pl.Int64,
    "levels": pl.Int64,
    "opened_at": pl.String,
    "deadline": pl.String,
    "acknowledged_at": pl.String,
}


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
        listing = actions.add_parser("list", help="Escalations with their clocks, newest first")
        listing.add_argument("--client", help="Only this client (default: all)")
        listing.add_argument("--open", action="store_true", help="Only the open ones")
        listing.add_argument("--format", choices=FORMATS, default="table")

    def handle(self, *args, action, **options):
        if action == "due":
            return self.due(**options)
        return self.listing(**options)

    def listing(self, *, client, open, format, **options):
        rows = Escalation.objects.select_related("client", "site").order_by("-opened_at", "-pk")
        if client is not None:
            found = Client.objects.filter(code=client).first()
            if found is None:
                known = ", ".join(Client.objects.values_list("code", flat=True)) or "none yet"
                raise CommandError(f"unknown client {client!r} (known: {known})")
            rows = rows.filter(client=found)
        if open:
            rows = rows.filter(status=Escalation.Status.OPEN)
        data = [
            (
                e.pk,
                e.client.code,
                e.kind,
                e.subject_label,
                e.title,
                e.site.code if e.site else "",
                e.status,
                e.level,
                len(e.levels),
                e.opened_at.isoformat(timespec="minutes"),
                e.deadline.isoformat(timespec="minutes") if e.deadline else "",
                e.acknowledged_at.isoformat(timespec="minutes") if e.acknowledged_at else "",
            )
            for e in rows
        ]
        frame = pl.DataFrame(data, schema=COLUMNS, orient="row")
        if format == "table" and frame.is_empty():
            self.stdout.write("No escalation matches.\n")
            return
        write_frame(frame, format, self.stdout, title="Escalations")

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
