"""Month close: a closed month's figures do not change silently (kpis.md 1, "as-of ... the close
date"); late data shows as a stale close; reopening is explicit and audited.

Data: conftest.py. ACME March 2026 has 4 measured lines, 1 OTIF; April 2 lines, 1 OTIF.
"""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.performance.conftest import (
    ACME_APRIL,
    ACME_MARCH,
    APRIL,
    GLOBEX_MARCH,
    HEADER,
    MARCH,
    line,
    monthly,
)
from tower.engine.periods import add_months
from tower.performance import dashboard
from tower.performance.dashboard import FigureScope, StaleClose
from tower.performance.models import (
    ClosedMonthlyFailure,
    ClosedMonthlyOtif,
    MonthClose,
    MonthlyFailure,
    MonthlyOtif,
)
from tower.performance.services import (
    approve_root_cause,
    close_month,
    propose_root_cause,
    refresh_outcomes,
    reopen_month,
    set_definition,
)
from tower.workflow import NotAllowed, WorkflowError

# Late data for ACME March: a new line PO-6/1 delivered 5 days late, and PO-2/1's delivery
# corrected from 70 to 80 (now OTIF). Live March then has 5 lines: on time PO-1/1, PO-2/1;
# in full PO-1/1, PO-1/2, PO-2/1, PO-6/1; OTIF PO-1/1, PO-2/1.
ACME_LATE_DATA = HEADER + (
    "ACME,PO-2,1,AMX-500,EU2,80,2026-03-20,closed,2026-03-20,80,D3\n"
    "ACME,PO-6,1,AMX-500,EU1,20,2026-03-28,closed,2026-04-02,20,D6\n"
)
ACME_MARCH_LATE = {"lines": 5, "on_time": 2, "in_full": 4, "otif": 2, "net_otif": 2, "excluded": 0}
# Late data for GLOBEX March: PG-1/2 was delivered on time after all.
GLOBEX_LATE_DATA = HEADER + "GLOBEX,PG-1,2,GLX-10,EU1,10,2026-03-05,closed,2026-03-05,10,G2\n"

# Every figure column (all but the id and the client), compared row by row.
FIGURE_FIELDS = [
    f.attname for f in MonthlyOtif._meta.concrete_fields if f.name not in ("id", "client")
]
FAILURE_FIELDS = ["site", "product", "period", "area", "code", "status", "lines", "excused"]


def rows(model, client, period, fields) -> list[tuple]:
    return sorted(
        model.objects.filter(client=client, period=period).values_list(*fields),
        key=lambda r: tuple(str(v) for v in r),
    )


def shown(client_or_clients, month) -> dict[str, int] | None:
    """What the dashboard shows for a month (None when it has no rows)."""
    clients = client_or_clients if isinstance(client_or_clients, tuple) else (client_or_clients,)
    scope = FigureScope(clients=clients, start=MARCH, end=APRIL)
    totals = dashboard.monthly_totals(scope, MARCH, APRIL).get(month)
    if totals is None:
        return None
    return {k: totals.counts[k] for k in ACME_MARCH}


def stale(*clients):
    return dashboard.stale_closes(FigureScope(clients=clients, start=MARCH, end=APRIL))


@pytest.fixture
def closed_march(acme_data, people):
    return close_month(client=acme_data, period=MARCH, user=people["admin"])


# --- closing ---------------------------------------------------------------------------------


def test_close_freezes_the_live_rows_of_that_client_and_month(acme_data, globex_data, people):
    # When a CMO admin closes ACME's March (any day of the month names it)
    close = close_month(
        client=acme_data, period=dt.date(2026, 3, 17), user=people["admin"], note=" Q1 review "
    )

    # Then the close names the month, the definition version and today as its as-of date
    assert (close.period, close.definition_version, close.as_of) == (
        MARCH,
        0,
        timezone.localdate(),
    )
    assert (close.closed_by, close.note, close.is_closed) == ("boss", "Q1 review", True)
    # and the snapshot equals the live rows of ACME's March, and only those
    frozen = rows(ClosedMonthlyOtif, acme_data, MARCH, FIGURE_FIELDS)
    assert frozen == rows(MonthlyOtif, acme_data, MARCH, FIGURE_FIELDS)
    assert len(frozen) == 4  # one per site x product
    assert ClosedMonthlyOtif.objects.count() == 4
    assert set(ClosedMonthlyOtif.objects.values_list("close", flat=True)) == {close.pk}
    failed = rows(ClosedMonthlyFailure, acme_data, MARCH, FAILURE_FIELDS)
    assert failed == rows(MonthlyFailure, acme_data, MARCH, FAILURE_FIELDS)
    assert sum(r[6] for r in failed) == 3 and ClosedMonthlyFailure.objects.count() == len(failed)
    assert sum(r.lines for r in close.otif_rows.all()) == ACME_MARCH["lines"]
    (record,) = close.history.all()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+",
        people["admin"],
        "closed",
    )


def test_close_names_the_definition_version_in_force(acme_data, people):
    # Three grace days make PO-1/2 (3 days late) on time: March OTIF 2 of 4.
    set_definition(client=acme_data, parameters={"late_days": 3}, actor="test")

    close = close_month(client=acme_data, period=MARCH, user=people["admin"])

    assert close.definition_version == 1
    frozen = close.otif_rows.all()
    assert {r.definition_version for r in frozen} == {1}
    assert (sum(r.lines for r in frozen), sum(r.otif for r in frozen)) == (4, 2)


def test_close_brings_the_outcomes_up_to_today_first(acme_data, people):
    # Given outcomes last evaluated as of 15 March: PO-2/1 (due 20th) and PO-3/1 (due 25th)
    # were pending then.
    refresh_outcomes(client=acme_data, trigger="test", as_of=dt.date(2026, 3, 15))
    assert monthly(acme_data, MARCH, ("lines", "pending")) == {"lines": 2, "pending": 2}

    close = close_month(client=acme_data, period=MARCH, user=people["admin"])

    assert close.as_of == timezone.localdate()
    frozen = close.otif_rows.all()
    assert (sum(r.lines for r in frozen), sum(r.pending for r in frozen)) == (4, 0)
    assert sum(r.otif for r in frozen) == 1


@pytest.mark.parametrize("who", ["staff", "approver", "viewer", "other_staff"])
def test_only_a_cmo_admin_may_close_a_month(acme_data, people, who):
    with pytest.raises(NotAllowed):
        close_month(client=acme_data, period=MARCH, user=people[who])
    assert not MonthClose.objects.exists() and not ClosedMonthlyOtif.objects.exists()


def test_a_month_that_has_not_ended_cannot_be_closed(acme_data, people):
    this_month = timezone.localdate().replace(day=1)
    for period in (this_month, add_months(this_month, 1)):
        with pytest.raises(WorkflowError, match="has not ended yet"):
            close_month(client=acme_data, period=period, user=people["admin"])
    assert not MonthClose.objects.exists()
    # The month before this one has ended and can be closed (it has no data: empty snapshot).
    close = close_month(client=acme_data, period=add_months(this_month, -1), user=people["admin"])
    assert close.is_closed and not close.otif_rows.exists()


def test_closing_a_closed_month_is_refused(closed_march, people):
    with pytest.raises(WorkflowError, match="already closed"):
        close_month(client=closed_march.client, period=MARCH, user=people["admin"])
    assert MonthClose.objects.count() == 1
    assert closed_march.otif_rows.count() == ClosedMonthlyOtif.objects.count() == 4


# --- late data and root causes after the close -----------------------------------------------


def test_late_data_moves_live_figures_but_the_closed_month_keeps_its_figures(
    closed_march, import_text
):
    acme = closed_march.client
    assert stale(acme) == []

    # When late data for March arrives (a new late line, a corrected delivery)
    import_text(ACME_LATE_DATA)

    # Then the live figures move...
    assert monthly(acme, MARCH) == ACME_MARCH_LATE
    # ...but the dashboard still shows the closed figures for March (April stays live)
    assert shown(acme, MARCH) == ACME_MARCH
    assert shown(acme, APRIL) == ACME_APRIL
    # and reports the close as stale, with the closed and live line counts
    assert stale(acme) == [StaleClose(closed_march, closed_lines=4, live_lines=5)]


def test_late_data_only_in_a_site_outside_the_filter_is_not_stale_there(closed_march, import_text):
    import_text(HEADER + "ACME,PO-6,1,AMX-500,EU1,20,2026-03-28,closed,2026-04-02,20,D6\n")

    def scoped(site):
        return FigureScope(clients=(closed_march.client,), start=MARCH, end=APRIL, site=site)

    assert dashboard.stale_closes(scoped("EU2")) == []
    assert dashboard.stale_closes(scoped("EU1")) == [StaleClose(closed_march, 2, 3)]
    assert dashboard.monthly_totals(scoped("EU1"), MARCH, MARCH)[MARCH].lines == 2


def test_root_cause_approval_after_the_close_leaves_the_closed_net_figures(closed_march, people):
    acme = closed_march.client
    cause = propose_root_cause(
        line=line("PO-1", "2"), code="CLI-ARTWORK", comment="Artwork late", user=people["staff"]
    )
    approve_root_cause(root_cause=cause, user=people["approver"])

    assert monthly(acme, MARCH)["net_otif"] == 2  # live net OTIF counts PO-1/2 as met
    assert shown(acme, MARCH) == ACME_MARCH  # the closed month still shows net 1 of 4
    scope = FigureScope(clients=(acme,), start=MARCH, end=MARCH)
    assert [(f.area, f.status, f.lines, f.excused) for f in dashboard.failures(scope)] == [
        ("unclassified", "unclassified", 3, 0)
    ]
    assert stale(acme) == [StaleClose(closed_march, closed_lines=4, live_lines=4)]


# --- reopening and closing again -------------------------------------------------------------


def test_reopening_needs_a_reason(closed_march, people):
    for empty in ("", "  "):
        with pytest.raises(WorkflowError, match="Give the reason"):
            reopen_month(close=closed_march, user=people["admin"], reason=empty)
    closed_march.refresh_from_db()
    assert closed_march.is_closed and closed_march.history.count() == 1


@pytest.mark.parametrize("who", ["staff", "approver"])
def test_only_a_cmo_admin_may_reopen_a_month(closed_march, people, who):
    with pytest.raises(NotAllowed):
        reopen_month(close=closed_march, user=people[who], reason="Late data")
    closed_march.refresh_from_db()
    assert closed_march.is_closed


def test_reopened_month_shows_live_figures_and_is_no_longer_stale(
    closed_march, import_text, people
):
    acme, admin = closed_march.client, people["admin"]
    import_text(ACME_LATE_DATA)
    assert shown(acme, MARCH) == ACME_MARCH

    reopened = reopen_month(close=closed_march, user=admin, reason="  Late deliveries booked ")

    assert (reopened.is_closed, reopened.reopened_by, reopened.reopen_reason) == (
        False,
        "boss",
        "Late deliveries booked",
    )
    assert reopened.reopened_at is not None
    assert shown(acme, MARCH) == ACME_MARCH_LATE
    assert stale(acme) == []
    history = list(reopened.history.all())[::-1]
    assert [(r.history_type, r.history_change_reason, r.history_user) for r in history] == [
        ("+", "closed", admin),
        ("~", "reopened", admin),
    ]
    assert (history[0].reopened_at, history[1].reopen_reason) == (None, "Late deliveries booked")
    with pytest.raises(WorkflowError, match="is not closed"):
        reopen_month(close=reopened, user=admin, reason="again")


def test_closing_again_takes_a_new_snapshot_and_keeps_the_old_one(
    closed_march, import_text, people
):
    acme, admin = closed_march.client, people["admin"]
    import_text(ACME_LATE_DATA)
    reopen_month(close=closed_march, user=admin, reason="Late deliveries booked")

    second = close_month(client=acme, period=MARCH, user=admin)

    assert second.pk != closed_march.pk
    assert MonthClose.objects.filter(client=acme, period=MARCH).count() == 2
    assert sum(r.lines for r in second.otif_rows.all()) == 5
    assert sum(r.lines for r in closed_march.otif_rows.all()) == 4  # the old snapshot is kept
    assert shown(acme, MARCH) == ACME_MARCH_LATE
    assert stale(acme) == []
    # A later change is held off by the new snapshot.
    import_text(HEADER + "ACME,PO-7,1,IBU-200,EU1,5,2026-03-30,open,,,\n")
    assert monthly(acme, MARCH)["lines"] == 6
    assert shown(acme, MARCH) == ACME_MARCH_LATE
    assert stale(acme) == [StaleClose(second, closed_lines=5, live_lines=6)]


# --- clients are independent -----------------------------------------------------------------


def test_a_close_of_one_client_never_affects_another(acme_data, globex_data, people, import_text):
    acme, globex = acme_data, globex_data
    close = close_month(client=acme, period=MARCH, user=people["admin"])
    assert not ClosedMonthlyOtif.objects.filter(client=globex).exists()

    import_text(ACME_LATE_DATA)
    import_text(GLOBEX_LATE_DATA)

    globex_now = GLOBEX_MARCH | {"on_time": 2, "otif": 2, "net_otif": 2}
    assert monthly(globex, MARCH) == globex_now
    assert shown(globex, MARCH) == globex_now  # GLOBEX's March is live
    both = shown((acme, globex), MARCH)
    assert both == {k: ACME_MARCH[k] + globex_now[k] for k in ACME_MARCH}  # frozen + live
    assert stale(globex) == []
    assert stale(acme, globex) == [StaleClose(close, 4, 5)]
    # GLOBEX's March can be closed on its own, with its own snapshot
    other = close_month(client=globex, period=MARCH, user=people["admin"])
    assert sum(r.lines for r in other.otif_rows.all()) == 2
    assert sum(r.lines for r in close.otif_rows.all()) == 4


def test_the_late_data_fixture_is_what_the_figures_say(acme_data, import_text):
    # Guard for the hand-computed constants: the same files without any close.
    import_text(ACME_LATE_DATA)
    assert monthly(acme_data, MARCH) == ACME_MARCH_LATE
    assert monthly(acme_data, APRIL) == ACME_APRIL


# --- the command line ------------------------------------------------------------------------


def test_tower_month_closes_lists_and_reopens_a_month(acme_data):
    out = StringIO()
    call_command("month", "close", "ACME", "2026-03", "--note", "QBR figures", stdout=out)
    close = MonthClose.objects.get()
    assert (close.period, close.closed_by, close.note) == (MARCH, "system", "QBR figures")
    assert out.getvalue().startswith("ACME 2026-03 closed: figures frozen as of ")
    assert (
        ClosedMonthlyOtif.objects.filter(close=close).count()
        == MonthlyOtif.objects.filter(client=acme_data, period=MARCH).count()
    )

    call_command("month", "reopen", "ACME", "2026-03", "--reason", "late GR data", stdout=out)
    close.refresh_from_db()
    assert (close.is_closed, close.reopened_by, close.reopen_reason) == (
        False,
        "system",
        "late GR data",
    )
    listing = StringIO()
    call_command("month", "list", "ACME", stdout=listing)
    assert "2026-03  closed" in listing.getvalue()
    assert "reopened" in listing.getvalue() and "late GR data" in listing.getvalue()


def test_tower_month_refusals_are_command_errors(acme_data):
    with pytest.raises(CommandError, match="is not closed"):
        call_command("month", "reopen", "ACME", "2026-03", "--reason", "x")
    this_month = timezone.localdate().strftime("%Y-%m")
    with pytest.raises(CommandError, match="has not ended yet"):
        call_command("month", "close", "ACME", this_month)
    with pytest.raises(CommandError, match="unknown client"):
        call_command("month", "close", "NOPE", "2026-03")
    assert not MonthClose.objects.exists()
