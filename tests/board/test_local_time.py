"""The board and the escalation pages show times in the site's local time, the zone named
(issue 11): EU1 works 08:00-17:00 Mon-Fri in Europe/Berlin, US1 the same hours in
America/New_York. Hand-computed across the spring daylight-saving changes of 2026 (Europe: Sunday
29 March, 02:00 CET -> 03:00 CEST; USA: Sunday 8 March, 02:00 EST -> 03:00 EDT):

- ACME's escalation (matrix level on EU1) opens Friday 27 March 16:00 CET (15:00 UTC) with 4
  business hours: 1 h on Friday, 3 h on Monday: due Monday 30 March 11:00 CEST = 09:00 UTC.
- GLOBEX's escalation (matrix level on US1) opens Friday 6 March 16:00 EST (21:00 UTC) with 4
  business hours: due Monday 9 March 11:00 EDT = 15:00 UTC.

Both deadlines are in the past of the test's real clock: the board says "overdue since".
"""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from tower.agreements import services as agreements
from tower.board.queries import site_today
from tower.calendars.services import build_calendar, set_calendar
from tower.engine.business_hours import local_text
from tower.escalations import services as escalations
from tower.masterdata.models import Site
from tower.orders.models import OrderLine
from tower.tenancy.scoping import SYSTEM

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
UTC = dt.UTC
ACME_DUE = "Mon 30 Mar 11:00 (Europe/Berlin)"
GLOBEX_DUE = "Mon 9 Mar 11:00 (America/New_York)"


def level(site: str) -> dict:
    return {"cmo_person": "planner", "client_person": "buyer", "response_hours": "4", "site": site}


@pytest.fixture
def clocks(board_world):
    for code, zone in (("EU1", "Europe/Berlin"), ("US1", "America/New_York")):
        set_calendar(
            site=Site.objects.get(code=code),
            calendar=build_calendar(days="mon-fri", hours="08:00-17:00", time_zone=zone),
            user=SYSTEM,
        )
    acme, globex = board_world.acme, board_world.globex
    agreements.set_escalation_levels(client=acme, levels=[level("EU1")], user=SYSTEM)
    agreements.set_escalation_levels(client=globex, levels=[level("US1")], user=SYSTEM)
    a = escalations.open_by_hand(
        client=acme,
        title="A-2 short",
        text="",
        user=SYSTEM,
        line=OrderLine.objects.get(client=acme, order__number="A-2"),
        now=dt.datetime(2026, 3, 27, 16, 0, tzinfo=BERLIN),
    )
    g = escalations.open_by_hand(
        client=globex,
        title="Globex stand-up",
        text="",
        user=SYSTEM,
        now=dt.datetime(2026, 3, 6, 16, 0, tzinfo=NEW_YORK),
    )
    # The stored clocks are UTC: the hand-computed instants.
    assert a.deadline == dt.datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
    assert g.deadline == dt.datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    return a, g


def test_local_text_names_the_zone_and_follows_daylight_saving():
    # Autumn in Berlin: 02:30 happens twice on Sunday 25 October 2026 (CEST, then CET).
    assert local_text(dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "Europe/Berlin") == (
        "Sun 25 Oct 02:30 (Europe/Berlin)"
    )
    assert local_text(dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "Europe/Berlin") == (
        "Sun 25 Oct 02:30 (Europe/Berlin)"
    )
    assert local_text(dt.datetime(2026, 10, 25, 2, 30, tzinfo=UTC), "Europe/Berlin") == (
        "Sun 25 Oct 03:30 (Europe/Berlin)"
    )
    # The same instant in New York (EDT, UTC-4) and, with the year, before its change.
    assert local_text(dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "America/New_York") == (
        "Sat 24 Oct 21:30 (America/New_York)"
    )
    assert local_text(
        dt.datetime(2026, 3, 8, 6, 59, tzinfo=UTC), "America/New_York", year=True
    ) == ("Sun 8 Mar 2026 01:59 (America/New_York)")
    assert local_text(dt.datetime(2026, 3, 8, 7, 0, tzinfo=UTC), "America/New_York", year=True) == (
        "Sun 8 Mar 2026 03:00 (America/New_York)"
    )
    # A zone that is not one (never stored by the services, but never a 500): UTC, named.
    assert local_text(dt.datetime(2026, 1, 1, tzinfo=UTC), "Mars/Olympus") == (
        "Thu 1 Jan 00:00 (UTC)"
    )


def test_a_sites_today_is_its_own_date(board_world, clocks):
    # 23:30 UTC on Saturday 28 March: already Sunday 29 in Berlin (00:30 CET), still the
    # evening of the 28th in New York (19:30 EDT).
    late = dt.datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    assert site_today("EU1", late) == (dt.date(2026, 3, 29), "Europe/Berlin")
    assert site_today("US1", late) == (dt.date(2026, 3, 28), "America/New_York")


def test_the_board_shows_each_clock_in_its_sites_time(board_world, client, clocks):
    client.force_login(board_world.admin)
    page = client.get("/board/?date=2026-04-07").content.decode()
    assert f"overdue since {ACME_DUE}" in page
    assert f"overdue since {GLOBEX_DUE}" in page
    assert "09:00" not in page and "15:00" not in page  # never the UTC clock
    assert "each clock in its site's time" in page
    # One site's board: its zone for "updated", its rows in their clock's zone.
    page = client.get("/board/?site=EU1&date=2026-04-07").content.decode()
    assert "(Europe/Berlin)" in page and f"overdue since {ACME_DUE}" in page


def test_the_escalation_pages_and_fragment_use_the_same_local_times(board_world, client, clocks):
    a, g = clocks
    client.force_login(board_world.admin)
    listing = client.get("/escalations/").content.decode()
    assert f"overdue since {ACME_DUE}" in listing and f"overdue since {GLOBEX_DUE}" in listing
    # Opened: Friday 16:00 at each site, with the year.
    assert "Fri 27 Mar 2026 16:00 (Europe/Berlin)" in listing
    assert "Fri 6 Mar 2026 16:00 (America/New_York)" in listing
    fragment = client.get("/escalations/open.fragment").content.decode()
    assert ACME_DUE in fragment and GLOBEX_DUE in fragment
    detail = client.get(f"/escalations/{g.pk}/").content.decode()
    assert "Mon 9 Mar 2026 11:00 (America/New_York)" in detail
    assert "Fri 6 Mar 2026 16:00 (America/New_York)" in detail


def test_the_board_command_prints_the_sites_time(board_world, clocks):
    out = io.StringIO()
    call_command("board", "--site", "EU1", "--date", "2026-04-07", stdout=out)
    text = out.getvalue()
    assert "times in the site's time (Europe/Berlin)" in text
    # The table wraps the clock column: "overdue since Mon 30 Mar | 2026 11:00 (Europe/Berlin)".
    assert "overdue since Mon 30 Mar" in text and "2026 11:00 (Europe/Berlin)" in text
