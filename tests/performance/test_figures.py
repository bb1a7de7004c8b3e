"""Stored outcomes, definition versions, net OTIF and the otif/outcomes commands."""

import csv
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.orders.test_import_lines import SMALL
from tower.orders.models import OrderLine
from tower.performance.models import LineOutcome, MonthlyOtif, RootCause
from tower.performance.queries import figures_frame
from tower.performance.services import refresh_outcomes
from tower.tenancy.models import Client


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def otif_json(*args) -> list[dict]:
    return json.loads(run("otif", "--format", "json", *args))


@pytest.fixture
def small(acme, write_csv, run_import):
    assert run_import(write_csv(SMALL), create_missing=True).ok
    return acme


def test_line_grain_figures(small):
    (row,) = otif_json()
    # 3 measured lines: PO-1/1 late, PO-1/2 OTIF, PO-2/1 short.
    assert (row["count"], row["on_time_pct"], row["in_full_pct"], row["otif_pct"]) == (
        3,
        66.67,
        66.67,
        33.33,
    )
    assert (row["failed"], row["pending"], row["excluded"], row["grain"]) == (2, 1, 1, "line")
    assert row["definitions"] == ["ACME v0"]  # every figure names its definition version


def test_order_and_quantity_grains(small):
    (order,) = otif_json("--grain", "order")
    # PO-1 in full but late; PO-2 on time but short.
    assert (order["count"], order["on_time_pct"], order["in_full_pct"], order["otif_pct"]) == (
        2,
        50.0,
        50.0,
        0.0,
    )
    (quantity,) = otif_json("--grain", "quantity")
    # Weights 100, 50, 80: on time 130/230, in full 150/230, OTIF 50/230.
    assert (quantity["on_time_pct"], quantity["in_full_pct"], quantity["otif_pct"]) == (
        56.52,
        65.22,
        21.74,
    )


def test_by_month_shows_no_data_as_null_and_period_filters(small):
    rows = {r["month"]: r for r in otif_json("--by", "month")}
    assert (rows["2026-01"]["count"], rows["2026-01"]["otif_pct"]) == (2, 50.0)
    assert (rows["2026-02"]["count"], rows["2026-02"]["otif_pct"]) == (1, 0.0)
    assert (rows["2026-03"]["count"], rows["2026-03"]["otif_pct"], rows["2026-03"]["excluded"]) == (
        0,
        None,
        1,
    )
    assert (rows["2099-01"]["pending"], rows["2099-01"]["otif_pct"]) == (1, None)
    (february,) = otif_json("--from", "2026-02", "--to", "2026-02")
    assert february["count"] == 1


def test_as_of_ignores_later_deliveries(small):
    # On 11 January the second delivery of PO-1/1 had not arrived: short but on time; PO-2 pending.
    (row,) = otif_json("--as-of", "2026-01-11")
    assert (row["count"], row["on_time_pct"], row["in_full_pct"], row["otif_pct"]) == (
        2,
        100.0,
        50.0,
        50.0,
    )
    assert row["pending"] == 2


def test_stored_outcomes_equal_a_fresh_evaluation(small):
    stored = figures_frame([small]).sort("line_id")
    fresh = figures_frame([small], timezone.localdate()).sort("line_id")
    assert stored.equals(fresh)


def test_new_definition_version_recomputes_outcomes(small, tmp_path):
    path = tmp_path / "definition.toml"
    path.write_text("late_days = 2\nunder_pct = 15.0\n")
    assert "version 1 is in force" in run("definition", "set", "ACME", str(path))
    assert set(LineOutcome.objects.values_list("definition_version", flat=True)) == {1}
    (row,) = otif_json()
    # Two grace days make PO-1/1 on time; 15 % tolerance makes 70 of 80 in full.
    assert row["otif_pct"] == 100.0 and row["definitions"] == ["ACME v1"]
    shown = json.loads(run("definition", "show", "ACME", "--format", "json"))
    assert (shown["version"], shown["late_days"], shown["under_pct"]) == (1, 2, 15.0)


def test_invalid_definition_file_writes_no_version(small, tmp_path):
    path = tmp_path / "definition.toml"
    path.write_text('basis = "promised"\n')
    with pytest.raises(CommandError, match="basis must be one of"):
        run("definition", "set", "ACME", str(path))
    assert not small.otif_definitions.exists()


def test_net_otif_counts_approved_non_cmo_causes_as_met(small):
    short = OrderLine.objects.get(order__number="PO-2")
    cause = RootCause.objects.create(
        client=small,
        line=short,
        code_id="CLI-ORDER-CHANGE",
        status="proposed",
        proposed_by="planner",
        proposed_at=timezone.now(),
    )
    refresh_outcomes(client=small, trigger="test")
    assert otif_json("--net")[0]["otif_pct"] == 33.33  # proposed only: no effect
    cause.status = "approved"
    cause.save()
    refresh_outcomes(client=small, trigger="test")
    assert otif_json("--net")[0]["otif_pct"] == 66.67
    assert otif_json("--gross")[0]["otif_pct"] == 33.33
    areas = {
        r["functional_area"]: r["count"]
        for r in otif_json("--by", "functional_area")
        if r["functional_area"]
    }
    assert areas == {"client": 1, "unclassified": 1}
    monthly = MonthlyOtif.objects.get(period__month=2)
    assert (monthly.lines, monthly.otif, monthly.net_otif, monthly.failed_short) == (1, 0, 1, 1)


def test_monthly_figures_add_up(small):
    rows = MonthlyOtif.objects.filter(client=small)
    assert sum(r.lines for r in rows) == 3 and sum(r.otif for r in rows) == 1
    assert sum(r.pending for r in rows) == 1 and sum(r.excluded for r in rows) == 1
    assert sum(r.late_1_2 for r in rows) == 1 and sum(r.qty for r in rows) == 230.0


def test_outcomes_command_prints_every_line(small):
    rows = list(csv.DictReader(StringIO(run("outcomes", "--client", "ACME", "--format", "csv"))))
    assert len(rows) == 5
    split = next(r for r in rows if r["order"] == "PO-1" and r["line"] == "1")
    assert (split["failure_kind"], split["days_late"], split["delay_class"]) == ("late", "2", "1-2")
    assert split["functional_area"] == "unclassified"
    assert split["definition_version"] == "0"  # the default definition


def test_bad_options_are_clear_errors(small):
    with pytest.raises(CommandError, match="unknown dimension"):
        run("otif", "--by", "colour")
    with pytest.raises(CommandError, match="not a month"):
        run("otif", "--from", "March")
    with pytest.raises(CommandError, match="unknown client"):
        run("otif", "--client", "NOPE")
    with pytest.raises(CommandError, match="not a date"):
        run("otif", "--as-of", "31/12/2026")


@pytest.mark.django_db
def test_no_data_is_no_data():
    Client.objects.create(code="EMPTY", name="Nothing yet")
    (row,) = otif_json()
    assert (row["count"], row["otif_pct"], row["on_time_pct"]) == (0, None, None)


def test_definition_show_prints_toml_that_set_reads_back(small, tmp_path):
    path = tmp_path / "definition.toml"
    path.write_text('basis = "requested"\nearly_days = 3\nover_pct = 5.0\n')
    run("definition", "set", "ACME", str(path))
    shown = tmp_path / "shown.toml"
    shown.write_text(run("definition", "show", "ACME"))
    assert "version 2 is in force" in run("definition", "set", "ACME", str(shown))
    versions = list(small.otif_definitions.order_by("version").values_list("parameters", flat=True))
    assert versions[0] == versions[1]
    assert (versions[1]["basis"], versions[1]["early_days"], versions[1]["over_pct"]) == (
        "requested",
        3,
        5.0,
    )
