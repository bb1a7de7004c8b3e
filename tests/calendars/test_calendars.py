"""Site calendars: the CLI and the page edit the same audited calendar; the CMO's staff edit,
client users read; bad input is a sentence, never a 500."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import make_user
from tower.calendars.models import SiteCalendar
from tower.calendars.services import calendar_of, default_calendar
from tower.masterdata.models import Site
from tower.tenancy.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(db):
    return Site.objects.create(code="EU1", name="Berlin plant")


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_a_site_without_a_calendar_works_the_default_hours(site):
    assert calendar_of(site) == default_calendar()
    assert "no calendar set: the default applies" in run("calendar", "show", "EU1")


def test_the_cli_sets_and_shows_a_calendar_with_its_history(site):
    out = run(
        "calendar", "set", "EU1", "--days", "mon-fri", "--hours", "07:30-16:00",
        "--tz", "Europe/Berlin", "--holiday", "2026-12-24", "--holiday", "2026-12-25",
    )  # fmt: skip
    assert "Calendar of EU1 saved." in out
    cal = calendar_of(site)
    assert cal.weekdays == frozenset(range(5))
    assert (cal.start_minute, cal.end_minute) == (450, 960)
    assert cal.holidays == {dt.date(2026, 12, 24), dt.date(2026, 12, 25)}
    shown = run("calendar", "show", "EU1")
    assert "07:30-16:00" in shown and "2026-12-24, 2026-12-25" in shown
    # The same calendar again writes no history record.
    run("calendar", "set", "EU1", "--days", "mon-fri", "--hours", "07:30-16:00", "--tz",
        "Europe/Berlin", "--holiday", "2026-12-25", "--holiday", "2026-12-24")  # fmt: skip
    assert SiteCalendar.history.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "funday"], "not a day"),
        (["--hours", "17:00-08:00"], "open before it closes"),
        (["--tz", "Mars/Olympus"], "not a time zone"),
    ],
)
def test_bad_calendar_input_is_a_sentence(site, args, message):
    values = {"--days": "mon-fri", "--hours": "08:00-17:00", "--tz": "Europe/Berlin"}
    values[args[0]] = args[1]
    with pytest.raises(CommandError, match=message):
        run("calendar", "set", "EU1", *[x for pair in values.items() for x in pair])
    assert not SiteCalendar.objects.exists()


def test_an_unknown_site_is_named(site):
    with pytest.raises(CommandError, match="unknown site 'XX'.*EU1"):
        run("calendar", "show", "XX")


def test_the_escalation_due_command_prints_the_deadline_in_site_time(site):
    run("calendar", "set", "EU1", "--days", "mon-fri", "--hours", "08:00-17:00", "--tz",
        "Europe/Berlin")  # fmt: skip
    out = run("escalation", "due", "--site", "EU1", "--start", "2026-12-04 16:00", "--hours", "4")
    assert "Mon 2026-12-07 11:00" in out and "Europe/Berlin" in out
    with pytest.raises(CommandError, match="between 0 and 10,000"):
        run("escalation", "due", "--site", "EU1", "--start", "2026-12-04 16:00", "--hours", "-3")
    with pytest.raises(CommandError, match="YYYY-MM-DD HH:MM"):
        run("escalation", "due", "--site", "EU1", "--start", "friday", "--hours", "4")


def test_the_page_shows_the_calendar_to_everyone_and_the_cmo_staff_edit_it(site, client, acme):
    viewer = make_user("viewer", acme, Role.CLIENT_VIEWER)
    staff = make_user("staff", acme, Role.CMO_STAFF)
    client.force_login(viewer)
    page = client.get("/calendars/EU1/")
    assert page.status_code == 200 and "mon-fri" in page.content.decode()
    assert 'id="calendar-form"' not in page.content.decode()
    form = {"days": "mon-sat", "hours": "06:00-22:00", "time_zone": "Europe/Berlin"}
    assert client.post("/calendars/EU1/", form).status_code == 403
    assert not SiteCalendar.objects.exists()
    assert "EU1" in client.get("/calendars/").content.decode()

    client.force_login(staff)
    bad = client.post("/calendars/EU1/", form | {"time_zone": "Nowhere/Town"})
    assert bad.status_code == 200 and "not a time zone" in bad.content.decode()
    bad = client.post("/calendars/EU1/", form | {"holidays": "2026-13-01"})
    assert bad.status_code == 200 and "not a date" in bad.content.decode()
    done = client.post(
        "/calendars/EU1/", form | {"holidays": "2026-12-24\n2026-12-31", "reason": "shifts"}
    )
    assert done.status_code == 302
    assert calendar_of(site).weekdays == frozenset(range(6))
    page = client.get("/calendars/EU1/").content.decode()
    assert "shifts" in page and "staff" in page
    assert client.get("/calendars/NOPE/").status_code == 404
