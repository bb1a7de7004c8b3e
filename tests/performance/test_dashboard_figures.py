"""The dashboard's figures (kpis.md 1-3, 7) from the monthly aggregates, checked by hand and
against the line-level figures service the command line uses.

Data: conftest.py. ACME March 2026: PO-1/1 OTIF, PO-1/2 late 3 days, PO-2/1 short, PO-3/1 not
delivered; April: PO-4/1 OTIF, PO-4/2 late 2 days, PO-5/1 cancelled. GLOBEX March: 1 OTIF,
1 late.
"""

import datetime as dt

import polars as pl
import pytest

from tests.performance.conftest import (
    ACME_APRIL,
    ACME_MARCH,
    APRIL,
    GLOBEX_MARCH,
    HEADER,
    MARCH,
    line,
)
from tower.agreements.models import KpiTarget
from tower.agreements.queries import DEFAULT_TARGET, Target, common_target, otif_targets
from tower.engine import summarise
from tower.engine.targets import target_status
from tower.performance import dashboard
from tower.performance.dashboard import (
    FailureRow,
    FigureScope,
    Totals,
)
from tower.performance.queries import figures_frame
from tower.performance.services import (
    approve_root_cause,
    propose_root_cause,
    set_line_exclusion,
)

MAY = dt.date(2026, 5, 1)


def scope(*clients, start=MARCH, end=APRIL, site=None, product=None) -> FigureScope:
    return FigureScope(clients=clients, start=start, end=end, site=site, product=product)


def counts(totals: Totals, names=tuple(ACME_MARCH)) -> dict[str, int]:
    return {n: totals.counts[n] for n in names}


def months(figure_scope: FigureScope) -> dict[dt.date, dict[str, int]]:
    found = dashboard.monthly_totals(figure_scope, figure_scope.start, figure_scope.end)
    return {month: counts(totals) for month, totals in found.items()}


def approve(order, number, code, people):
    cause = propose_root_cause(
        line=line(order, number), code=code, comment="why", user=people["staff"]
    )
    return approve_root_cause(root_cause=cause, user=people["approver"])


# --- monthly_totals, client_totals, failures -------------------------------------------------


def test_monthly_totals_give_the_hand_counted_figures_per_month(acme_data):
    totals = dashboard.monthly_totals(scope(acme_data), MARCH, APRIL)

    assert set(totals) == {MARCH, APRIL}
    march, april = totals[MARCH], totals[APRIL]
    assert counts(march) == ACME_MARCH
    assert counts(april) == ACME_APRIL
    # Delay classes: PO-1/2 3 days late, PO-4/2 2 days; PO-3/1 (nothing delivered) has none.
    delays = ("late_1_2", "late_3_7", "late_8_14", "late_over_14", "pending")
    assert counts(march, delays) == {
        "late_1_2": 0,
        "late_3_7": 1,
        "late_8_14": 0,
        "late_over_14": 0,
        "pending": 0,
    }
    assert counts(april, delays)["late_1_2"] == 1
    assert (march.pct("otif"), march.pct("on_time"), march.pct("in_full")) == (25.0, 50.0, 50.0)
    assert (april.pct("otif"), april.pct("on_time"), april.pct("in_full")) == (50.0, 50.0, 100.0)
    assert (march.failed, march.net_failed, april.failed) == (3, 3, 1)


def test_a_month_without_rows_is_absent_not_zero(acme_data):
    assert dashboard.monthly_totals(scope(acme_data, start=MAY, end=MAY), MAY, MAY) == {}
    feb_to_march = scope(acme_data, start=dt.date(2026, 2, 1), end=MARCH)
    assert set(dashboard.monthly_totals(feb_to_march, feb_to_march.start, MARCH)) == {MARCH}


def test_pending_lines_count_in_no_denominator(acme_data, import_text):
    # An open line due in 2099 with nothing delivered is pending: no measured line, no %.
    import_text(HEADER + "ACME,PO-9,1,AMX-500,EU1,10,2099-05-10,open,,,\n")
    future = dt.date(2099, 5, 1)
    (totals,) = dashboard.monthly_totals(scope(acme_data, end=future), future, future).values()
    assert (totals.lines, totals.pending, totals.pct("otif")) == (0, 1, None)


def test_client_totals_are_per_client(acme_data, globex_data):
    totals = dashboard.client_totals(scope(acme_data, globex_data))

    assert set(totals) == {acme_data.pk, globex_data.pk}
    acme_both = {k: ACME_MARCH[k] + ACME_APRIL[k] for k in ACME_MARCH}
    assert counts(totals[acme_data.pk]) == acme_both  # 6 lines, 2 OTIF, 1 excluded
    assert counts(totals[globex_data.pk]) == GLOBEX_MARCH
    assert totals[acme_data.pk].pct("otif") == pytest.approx(100 * 2 / 6)
    only_april = dashboard.client_totals(scope(acme_data, globex_data, start=APRIL))
    assert set(only_april) == {acme_data.pk}
    assert counts(only_april[acme_data.pk]) == ACME_APRIL


def test_failures_break_down_by_area_code_and_status(acme_data, globex_data, people):
    both = scope(acme_data, globex_data)
    assert set(dashboard.failures(both)) == {
        FailureRow(acme_data.pk, "unclassified", None, "unclassified", 4, 0),
        FailureRow(globex_data.pk, "unclassified", None, "unclassified", 1, 0),
    }

    approve("PO-1", "2", "CLI-ARTWORK", people)  # March, client: excused
    approve("PO-4", "2", "MFG-EQUIPMENT", people)  # April, CMO-attributable: not excused
    propose_root_cause(line=line("PO-2"), code="MFG-EQUIPMENT", comment="", user=people["staff"])

    assert set(dashboard.failures(both)) == {
        FailureRow(acme_data.pk, "client", "CLI-ARTWORK", "approved", 1, 1),
        FailureRow(acme_data.pk, "manufacturing", "MFG-EQUIPMENT", "approved", 1, 0),
        FailureRow(acme_data.pk, "manufacturing", "MFG-EQUIPMENT", "proposed", 1, 0),
        FailureRow(acme_data.pk, "unclassified", None, "unclassified", 1, 0),
        FailureRow(globex_data.pk, "unclassified", None, "unclassified", 1, 0),
    }
    # The failure rows add up to the failed lines of monthly_totals; excused to net.
    rows = dashboard.failures(scope(acme_data))
    totals = dashboard.client_totals(scope(acme_data))[acme_data.pk]
    assert sum(r.lines for r in rows) == totals.failed == 4
    assert totals.failed - sum(r.excused for r in rows) == totals.net_failed == 3


# --- no data ---------------------------------------------------------------------------------


def test_a_month_with_no_measured_lines_has_no_percentages(acme_data):
    # ACME April at site EU2 holds only the cancelled PO-5/1: a row, but nothing measured.
    totals = dashboard.monthly_totals(scope(acme_data, site="EU2"), APRIL, APRIL)[APRIL]

    assert (totals.lines, totals.excluded) == (0, 1)
    for name in ("otif", "on_time", "in_full", "net_otif", "net_on_time", "net_in_full"):
        assert totals.pct(name) is None
    assert (totals.dpmo, totals.sigma, totals.net_dpmo, totals.net_sigma) == (None,) * 4
    assert DEFAULT_TARGET.status(totals.pct("net_otif")) == "no_data"
    empty = Totals()
    assert (empty.pct("otif"), empty.dpmo, empty.sigma) == (None, None, None)


# --- filters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("site", "product", "march", "april"),
    [
        # EU1: PO-1/1 OTIF, PO-1/2 late | PO-4/1 OTIF, PO-4/2 late.
        ("EU1", None, (2, 1, 1, 2, 0), (2, 1, 1, 2, 0)),
        # EU2: PO-2/1 short, PO-3/1 not delivered | PO-5/1 cancelled.
        ("EU2", None, (2, 0, 1, 0, 0), (0, 0, 0, 0, 1)),
        # IBU-200: PO-1/2 late, PO-3/1 not delivered | PO-4/2 late.
        (None, "IBU-200", (2, 0, 0, 1, 0), (1, 0, 0, 1, 0)),
        # AMX-500 at EU2: PO-2/1 short | PO-5/1 cancelled.
        ("EU2", "AMX-500", (1, 0, 1, 0, 0), (0, 0, 0, 0, 1)),
        # No lines at all: no month.
        ("EU3", None, None, None),
    ],
)
def test_site_and_product_filters_narrow_the_figures(
    acme_data, globex_data, site, product, march, april
):
    narrowed = scope(acme_data, globex_data, site=site, product=product)
    names = ("lines", "otif", "on_time", "in_full", "excluded")
    if site == "EU1" and product is None:
        # GLOBEX's two March lines are at EU1 too: PG-1/1 OTIF, PG-1/2 late.
        march = (4, 2, 2, 4, 0)

    found = dashboard.monthly_totals(narrowed, MARCH, APRIL)

    expected = {
        month: dict(zip(names, figures, strict=True))
        for month, figures in ((MARCH, march), (APRIL, april))
        if figures is not None
    }
    assert {m: counts(t, names) for m, t in found.items()} == expected
    by_client = dashboard.client_totals(narrowed)
    assert sum(t.lines for t in by_client.values()) == sum(e["lines"] for e in expected.values())
    failed = sum(r.lines for r in dashboard.failures(narrowed))
    assert failed == sum(e["lines"] - e["otif"] for e in expected.values())


# --- Six Sigma (kpis.md 3) -------------------------------------------------------------------


@pytest.fixture
def twenty_lines(globex, import_text):
    """GLOBEX, May 2026: 20 lines, 19 OTIF and PG-20/1 one day late."""
    rows = [
        f"GLOBEX,PG-{i},1,GLX-10,EU1,10,2026-05-12,closed,"
        f"{'2026-05-13' if i == 20 else '2026-05-12'},10,S{i}\n"
        for i in range(1, 21)
    ]
    import_text(HEADER + "".join(rows))
    return globex


def test_ninety_five_percent_is_dpmo_50000_and_sigma_3_14(twenty_lines):
    totals = dashboard.monthly_totals(scope(twenty_lines, start=MAY, end=MAY), MAY, MAY)[MAY]

    assert (totals.lines, totals.otif, totals.failed) == (20, 19, 1)
    assert totals.pct("otif") == 95.0
    assert totals.dpmo == pytest.approx(50_000)
    assert totals.sigma == pytest.approx(1.6449 + 1.5, abs=1e-4)
    assert round(totals.sigma, 2) == 3.14


def test_sigma_is_undefined_without_defects_or_without_successes(acme_data, people):
    april = scope(acme_data, start=APRIL)
    # April: 2 lines, 1 failure (PO-4/2): DPMO 500,000, sigma 0 + 1.5.
    (totals,) = dashboard.monthly_totals(april, APRIL, APRIL).values()
    assert totals.dpmo == pytest.approx(500_000) and totals.sigma == pytest.approx(1.5)
    # An approved client cause excuses the one failure: net has no defect, sigma unbounded.
    approve("PO-4", "2", "CLI-POSTPONE", people)
    (totals,) = dashboard.monthly_totals(april, APRIL, APRIL).values()
    assert (totals.net_failed, totals.net_dpmo, totals.net_sigma) == (0, 0.0, None)
    assert totals.sigma == pytest.approx(1.5)  # gross unchanged
    # Every line failed: DPMO 1,000,000 and no sigma level.
    all_failed = Totals()
    all_failed.add({"lines": 3, "otif": 0})
    assert (all_failed.dpmo, all_failed.sigma) == (1_000_000, None)


# --- targets and colours (kpis.md 7) ---------------------------------------------------------


def test_otif_targets_default_to_95_and_use_the_stored_target(acme, globex):
    targets = otif_targets([acme, globex])
    assert targets == {
        acme.pk: {"otif_net": DEFAULT_TARGET, "otif_gross": DEFAULT_TARGET},
        globex.pk: {"otif_net": DEFAULT_TARGET, "otif_gross": DEFAULT_TARGET},
    }
    assert (DEFAULT_TARGET.value, DEFAULT_TARGET.tolerance) == (95.0, 5.0)
    assert DEFAULT_TARGET.higher_is_better and DEFAULT_TARGET.is_default
    assert common_target(targets, "otif_net") == DEFAULT_TARGET

    KpiTarget.objects.create(client=acme, kpi="otif_net", target=90.0, tolerance=3.0)

    targets = otif_targets([acme, globex])
    assert targets[acme.pk] == {
        "otif_net": Target(90.0, 3.0, True, False),
        "otif_gross": DEFAULT_TARGET,
    }
    assert targets[globex.pk]["otif_net"] == DEFAULT_TARGET
    assert common_target(targets, "otif_net") is None  # the clients' targets differ
    assert common_target(targets, "otif_gross") == DEFAULT_TARGET
    assert common_target(otif_targets([acme]), "otif_net") == Target(90.0, 3.0, True, False)
    assert common_target({}, "otif_net") is None


def test_stored_target_colours_with_its_own_tolerance(acme):
    KpiTarget.objects.create(client=acme, kpi="otif_gross", target=90.0, tolerance=3.0)
    target = otif_targets([acme])[acme.pk]["otif_gross"]
    assert [target.status(v) for v in (90.0, 87.0, 86.9, None)] == [
        "green",
        "amber",
        "red",
        "no_data",
    ]


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (100.0, "green"),
        (95.0, "green"),
        (94.99, "amber"),
        (90.0, "amber"),
        (89.99, "red"),
        (0.0, "red"),
        (None, "no_data"),
    ],
)
def test_target_status_boundaries_higher_is_better(value, status):
    assert target_status(value, 95.0) == status
    assert DEFAULT_TARGET.status(value) == status


@pytest.mark.parametrize(
    ("value", "status"),
    [(1.0, "green"), (2.0, "green"), (7.0, "amber"), (7.01, "red"), (None, "no_data")],
)
def test_target_status_boundaries_lower_is_better(value, status):
    assert target_status(value, 2.0, higher_is_better=False) == status


# --- agreement with the line-level figures of the command line ------------------------------


def test_dashboard_agrees_with_the_line_level_figures(acme_data, globex_data, people):
    # Given root causes that move net OTIF (and one that does not) and a hand exclusion
    approve("PO-1", "2", "CLI-ARTWORK", people)
    approve("PO-3", "1", "MFG-EQUIPMENT", people)
    approve("PO-4", "2", "EXT-FORCE-MAJEURE", people)
    set_line_exclusion(line=line("PO-2"), reason="Duplicate", user=people["admin"])

    frame = figures_frame([acme_data, globex_data]).filter(
        pl.col("period").is_between(MARCH, APRIL)
    )
    both = scope(acme_data, globex_data)
    by_month = dashboard.monthly_totals(both, MARCH, APRIL)
    by_client = dashboard.client_totals(both)
    codes = {acme_data.pk: "ACME", globex_data.pk: "GLOBEX"}

    for net, prefix in ((False, ""), (True, "net_")):
        cli_months = {
            r["month"]: r for r in summarise(frame, by=["month"], grain="line", net=net).to_dicts()
        }
        assert set(cli_months) == {"2026-03", "2026-04"}
        for month, totals in by_month.items():
            cli = cli_months[month.strftime("%Y-%m")]
            assert (cli["count"], cli["excluded"], cli["pending"]) == (
                totals.lines,
                totals.excluded,
                totals.pending,
            )
            for name in ("otif", "on_time", "in_full"):
                assert cli[f"{name}_pct"] == round(totals.pct(prefix + name), 2), (month, name)
        cli_clients = {
            r["client"]: r
            for r in summarise(frame, by=["client"], grain="line", net=net).to_dicts()
        }
        for client_id, totals in by_client.items():
            cli = cli_clients[codes[client_id]]
            assert cli["count"] == totals.lines
            assert cli["otif_pct"] == round(totals.pct(prefix + "otif"), 2)
            dpmo = totals.net_dpmo if net else totals.dpmo
            assert cli["dpmo"] == pytest.approx(dpmo)

    # Hand check of the same: ACME March has 3 measured lines (PO-2/1 excluded), 1 OTIF;
    # net adds PO-1/2 (client cause), not PO-3/1 (CMO cause). April net adds PO-4/2.
    march, april = by_month[MARCH], by_month[APRIL]
    assert (march.lines, march.otif, march.net_otif) == (3 + 2, 1 + 1, 2 + 1)
    assert (april.lines, april.otif, april.net_otif) == (2, 1, 2)
