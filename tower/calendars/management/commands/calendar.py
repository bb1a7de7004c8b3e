"""tower calendar set SITE --days mon-fri --hours 08:00-17:00 --tz Europe/Berlin
[--holiday 2026-12-24 ...] | tower calendar show SITE: a site's working calendar (kpis.md 9),
the one escalation clocks count business hours by and the site's calendar page edits."""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand, CommandError

from tower.calendars.models import SiteCalendar
from tower.calendars.services import build_calendar, calendar_of, set_calendar
from tower.engine.business_hours import format_days, format_minute
from tower.engine.periods import parse_iso_date
from tower.masterdata.models import Site
from tower.tenancy.scoping import SYSTEM
from tower.workflow import WorkflowError


def site_by_code(code: str) -> Site:
    site = Site.objects.filter(code=code.strip()).first()
    if site is None:
        known = ", ".join(Site.objects.values_list("code", flat=True)[:50]) or "none yet"
        raise CommandError(f"unknown site {code!r} (known: {known})")
    return site


def holiday_option(text: str):
    try:
        return parse_iso_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def describe(site: Site) -> str:
    cal = calendar_of(site)
    stored = SiteCalendar.objects.filter(site=site).exists()
    holidays = ", ".join(d.isoformat() for d in sorted(cal.holidays)) or "none"
    return (
        f"Site {site.code} ({site.name})"
        f"{'' if stored else ' - no calendar set: the default applies'}\n"
        f"  working days  {format_days(cal.weekdays)}\n"
        f"  hours         {format_minute(cal.start_minute)}-{format_minute(cal.end_minute)}\n"
        f"  time zone     {cal.time_zone}\n"
        f"  holidays      {holidays}\n"
    )


class Command(BaseCommand):
    help = (
        "Show or set a site's working calendar (working days, daily hours, time zone, "
        "holidays): the business hours escalation clocks count (kpis.md 9)."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        show = actions.add_parser("show", help="Print a site's calendar")
        show.add_argument("site", help="Site code")
        put = actions.add_parser(
            "set", help="Set a site's calendar (replaces the holidays with the ones given)"
        )
        put.add_argument("site", help="Site code")
        put.add_argument("--days", required=True, help="Working days, e.g. mon-fri or mon,wed,fri")
        put.add_argument("--hours", required=True, help="Daily hours, e.g. 08:00-17:00")
        put.add_argument("--tz", required=True, help="IANA time zone, e.g. Europe/Berlin")
        put.add_argument(
            "--holiday",
            action="append",
            type=holiday_option,
            default=[],
            help="A holiday, YYYY-MM-DD (repeat the option for several)",
        )
        put.add_argument("--reason", default="", help="Why (kept in the calendar's history)")

    def handle(self, *args, action, site, **options):
        site = site_by_code(site)
        if action == "set":
            try:
                calendar = build_calendar(
                    days=options["days"],
                    hours=options["hours"],
                    time_zone=options["tz"],
                    holidays=options["holiday"],
                )
                set_calendar(site=site, calendar=calendar, user=SYSTEM, reason=options["reason"])
            except WorkflowError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"Calendar of {site.code} saved.\n")
        self.stdout.write(describe(site))
