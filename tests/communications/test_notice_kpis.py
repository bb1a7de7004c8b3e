"""The delay-notice KPIs of kpis.md 8 on hand-computed data: delays announced in advance (late
lines covered by a notice sent at least 1 day before the due date / late lines) and the notice
lead time (median of due date - notice date over the announced lines)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from tests.conftest import download
from tower.communications.models import DelayNotice, NoticeLine
from tower.communications.records import LATE_LINES
from tower.engine import scorecard as kpis
from tower.engine.periods import parse_period
from tower.scorecards.evidence import evidence
from tower.scorecards.scorecard import build_scorecard

D = dt.date
Q2 = (D(2026, 4, 1), D(2026, 6, 30))


def late(*rows) -> pl.DataFrame:
    """(line id, due date, first notice date or None) -> the records frame."""
    return pl.DataFrame(
        [
            (i, f"SO-{i}", "1", "P", due.replace(day=1), due, None, 3, notice, 1)
            for i, due, notice in rows
        ],
        schema=LATE_LINES,
        orient="row",
    )


LINES = late(
    (1, D(2026, 4, 10), D(2026, 4, 1)),  # 9 days' notice: announced
    (2, D(2026, 4, 20), D(2026, 4, 19)),  # 1 day: announced (the boundary)
    (3, D(2026, 5, 5), D(2026, 5, 5)),  # on the due date: not in advance
    (4, D(2026, 5, 10), D(2026, 5, 12)),  # after the due date: not counted
    (5, D(2026, 6, 1), None),  # no notice at all
    (6, D(2026, 6, 10), D(2026, 6, 7)),  # 3 days: announced
    (7, D(2026, 7, 3), D(2026, 6, 20)),  # due in July: outside Q2
)


def test_the_quarter_by_hand():
    rows, measures = kpis.notice_measures(LINES, *Q2)
    # 6 late lines in Q2, 3 announced in advance (1, 2, 6): 50 %; lead times 9, 1, 3: median 3.
    assert rows["line_id"].to_list() == [1, 2, 3, 4, 5, 6]
    assert rows["counts"].to_list() == [True, True, False, False, False, True]
    assert rows["lead_days"].to_list() == [9, 1, 0, -2, None, 3]
    advance = measures["notices_in_advance"]
    assert (advance.value, advance.numerator, advance.denominator) == (50.0, 3, 6)
    lead = measures["notice_lead_time"]
    assert (lead.value, lead.denominator) == (3.0, 3)


def test_a_month_and_periods_without_announcements():
    _, april = kpis.notice_measures(LINES, D(2026, 4, 1), D(2026, 4, 30))
    assert april["notices_in_advance"].value == 100.0
    assert april["notice_lead_time"].value == 5.0  # median of 9 and 1
    _, may = kpis.notice_measures(LINES, D(2026, 5, 1), D(2026, 5, 31))
    assert (may["notices_in_advance"].value, may["notices_in_advance"].denominator) == (0.0, 2)
    assert may["notice_lead_time"].value is None  # nothing announced: no data, never 0
    _, empty = kpis.notice_measures(LINES, D(2025, 1, 1), D(2025, 3, 31))
    assert empty["notices_in_advance"].value is None


@pytest.mark.django_db
def test_the_scorecard_reads_notices_from_the_database(world):
    """ACME in Q2 2026 (tests/web/conftest.py): late lines SO-1002 (due 16 Mar, Q1), SO-1004
    (due 20 Apr, one day late but on time with ACME's 1-day grace), and SO-1006 (due 24 Apr,
    open, nothing delivered). The world's notice on SO-1006 was sent today, long after its due
    date; a notice of 20 April on it (4 days' notice) is written here as sent then."""
    card = build_scorecard(world.acme, parse_period("2026Q2"))
    before = card.kpi("notices_in_advance")
    late_in_q2 = before.denominator
    assert late_in_q2 >= 1 and before.numerator == 0  # today's notice comes after the due date
    assert card.kpi("notice_lead_time").value is None

    april = DelayNotice.objects.create(
        client=world.acme,
        cause="Material late",
        expected_date=D(2026, 5, 2),
        remedial_actions="Air freight",
        cmo_contact="Ann",
        sent_by_name="Ann",
        sent_at=dt.datetime(2026, 4, 20, 9, tzinfo=dt.UTC),
        sent_on=D(2026, 4, 20),
    )
    NoticeLine.objects.create(
        client=world.acme, notice=april, line=world.acme_open, due_date=D(2026, 4, 24)
    )
    card = build_scorecard(world.acme, parse_period("2026Q2"))
    advance = card.kpi("notices_in_advance")
    assert (advance.numerator, advance.denominator) == (1, late_in_q2)
    assert card.kpi("notice_lead_time").value == 4.0
    assert card.kpi("notice_lead_time").display == "4 days"
    assert advance.kpi.group == "Delivery" and advance.target == 80.0
    ev = evidence(world.acme, parse_period("2026Q2"), "notice_lead_time")
    row = ev.frame.filter(pl.col("line_id") == world.acme_open.pk).row(0, named=True)
    assert row["first_notice_date"] == D(2026, 4, 20) and row["lead_days"] == 4 and row["counts"]
    # GLOBEX's scorecard knows nothing of ACME's notice.
    assert (
        build_scorecard(world.globex, parse_period("2026Q2")).kpi("notice_lead_time").value is None
    )


@pytest.mark.django_db
def test_every_export_carries_the_notice_kpis(world, client):
    client.force_login(world.acme_staff)
    for fmt in ("json", "xlsx", "pdf", "pptx"):
        from tests.web.test_isolation import text

        # The files are made by the worker: its job's page, then the download.
        seen = text(download(client, f"/scorecard/export.{fmt}?period=2026Q2"))
        assert "Delays announced in advance" in seen and "Notice lead time" in seen, fmt
    page = client.get("/scorecard/?period=2026Q2").content.decode()
    assert "Delays announced in advance" in page
    detail = client.get("/scorecard/kpi/notices_in_advance/?period=2026Q2")
    assert detail.status_code == 200 and "Days&#x27; notice" in detail.content.decode()
