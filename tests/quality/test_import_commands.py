"""`tower import batches|deviations|capas|plan|stockouts` on the command line."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tower.cli import NEEDS_SCHEMA
from tower.imports.models import ImportLog
from tower.quality.models import Batch, PlanWeek

KINDS = ("batches", "deviations", "capas", "plan", "stockouts")

PLAN = """
client,product,site,week,planned_qty,released_qty
ACME,AMX-500,EU1,2026-W10,1000,950
ACME,AMX-500,EU1,2026-W11,1000,
"""


def run(kind: str, *args):
    out, err = StringIO(), StringIO()
    call_command(f"import_{kind}", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_success_prints_one_summary_line(acme, write_csv):
    out, _ = run("plan", write_csv(PLAN, "plan.csv"), "--create-missing")
    assert out.strip().splitlines()[-1] == (
        "plan.csv: 2 rows; created 2 plan weeks, updated 0, 0 unchanged; created 1 site, 1 product."
    )
    assert PlanWeek.objects.count() == 2


def test_errors_are_shown_written_to_a_csv_and_nothing_is_imported(acme, write_csv, tmp_path):
    report = tmp_path / "errors.csv"
    bad = PLAN.replace("1000,950", "lots,950").replace("2026-W11", "2026-03-10")
    with pytest.raises(CommandError, match=r"2 error\(s\) in 2 rows; nothing was written"):
        run("plan", write_csv(bad), "--create-missing", "--errors-to", report)
    rows = list(csv.DictReader(report.open()))
    assert [(r["row"], r["column"], r["value"]) for r in rows] == [
        ("2", "planned_qty", "lots"),
        ("3", "week", "2026-03-10"),
    ]
    assert rows[1]["reason"].startswith("a Tuesday: a week is given by its Monday")
    assert PlanWeek.objects.count() == 0
    assert ImportLog.objects.get().outcome == "rejected"


def test_client_option_mapping_and_dry_run(acme, write_csv, tmp_path):
    mapping = tmp_path / "mes.toml"
    mapping.write_text('[columns]\nbatch = "Lot"\nproduct = "Item"\n', encoding="utf-8")
    path = write_csv("Lot,Item\nL-1,AMX\nL-2,AMX\n", "mes.csv")
    out, _ = run(
        "batches", path, "--client", "ACME", "--mapping", mapping, "--create-missing", "--dry-run"
    )
    assert "would create 2 batches" in out and "dry run: nothing written" in out
    assert Batch.objects.count() == 0
    run("batches", path, "--client", "ACME", "--mapping", mapping, "--create-missing")
    assert sorted(Batch.objects.values_list("number", flat=True)) == ["L-1", "L-2"]


def test_a_mapping_is_checked_against_the_kinds_fields(acme, write_csv, tmp_path):
    mapping = tmp_path / "wrong.toml"
    mapping.write_text('[columns]\norder = "PO"\n', encoding="utf-8")
    with pytest.raises(
        CommandError, match="unknown fields in \\[columns\\]: order; valid: client, capa"
    ):
        run("capas", write_csv("PO\nx\n"), "--mapping", mapping)


def test_date_format_option_resolves_ambiguous_dates(acme, write_csv):
    path = write_csv("client,capa,due_date\nACME,C-1,03/04/2026\n")
    with pytest.raises(CommandError, match="1 error"):
        run("capas", path)
    run("capas", path, "--date-format", "%d/%m/%Y")
    assert str(acme.capas.get().due_date) == "2026-04-03"


def test_file_level_problems_are_clear(acme, write_csv, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run("batches", tmp_path / "missing.csv")
    with pytest.raises(CommandError, match="no client column: pass --client CODE"):
        run("stockouts", write_csv("product,location,start_date\nAMX,DE,2026-01-05\n"))


def test_every_kind_is_a_two_word_command_that_checks_the_schema(tmp_path):
    for kind in KINDS:
        assert f"import_{kind}" in NEEDS_SCHEMA
    usage = subprocess.run(
        [sys.executable, "-m", "tower.cli", "import", "deviations", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for option in (
        "--client",
        "--mapping",
        "--date-format",
        "--create-missing",
        "--dry-run",
        "--errors-to",
    ):
        assert option in usage
    env = {**os.environ, "TOWER_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "tower.cli", "import", "stockouts", "x.csv"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 1 and "run `tower migrate` first" in result.stderr
