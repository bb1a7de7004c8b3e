"""`tower import lines` on the command line: messages, the error report file, the console script."""

import csv
import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tower.imports.models import ImportLog
from tower.orders.models import OrderLine

BAD = """
client,order,line,product,ordered_qty,committed_date
ACME,PO-1,1,AMX,12,2026-01-10
ACME,PO-2,1,AMX,many,2026-01-10
ACME,PO-3,1,AMX,5,someday
"""


def import_lines(*args):
    out, err = StringIO(), StringIO()
    call_command("import_lines", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_errors_are_shown_written_to_a_csv_and_nothing_is_imported(acme, write_csv, tmp_path):
    report = tmp_path / "errors.csv"
    with pytest.raises(CommandError, match="2 error\\(s\\) in 3 rows; nothing was written"):
        import_lines(write_csv(BAD), "--create-missing", "--errors-to", report)
    rows = list(csv.DictReader(report.open()))
    assert [(r["row"], r["column"], r["value"]) for r in rows] == [
        ("3", "ordered_qty", "many"),
        ("4", "committed_date", "someday"),
    ]
    assert all(r["reason"] for r in rows)
    assert OrderLine.objects.count() == 0
    assert ImportLog.objects.get().outcome == "rejected"


def test_success_prints_one_summary_line(acme, write_csv):
    good = BAD.replace("many", "7").replace("someday", "2026-02-01")
    out, _ = import_lines(write_csv(good), "--create-missing")
    assert out.strip().splitlines()[-1] == (
        "lines.csv: 3 rows; created 3 lines, updated 0, 0 unchanged; 0 deliveries written; "
        "created 1 product."
    )


def test_dry_run_says_so(acme, write_csv):
    good = BAD.replace("many", "7").replace("someday", "2026-02-01")
    out, _ = import_lines(write_csv(good), "--create-missing", "--dry-run")
    assert "would create 3 lines" in out and "dry run: nothing written" in out
    assert OrderLine.objects.count() == 0


def test_file_level_problems_are_clear(acme, write_csv, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        import_lines(tmp_path / "missing.csv")
    with pytest.raises(CommandError, match="scms"):
        import_lines(write_csv(BAD), "--profile", "sap")
    with pytest.raises(CommandError, match="--client"):
        import_lines(write_csv("order,product,ordered_qty,committed_date\nPO-1,AMX,1,2026-01-10\n"))


def test_console_script_lists_every_command_and_spells_import_as_two_words():
    listing = subprocess.run(
        [sys.executable, "-m", "tower.cli", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in (
        "client",
        "user",
        "definition",
        "import_lines",
        "otif",
        "outcomes",
        "recompute",
        "demo",
    ):
        assert command in listing
    usage = subprocess.run(
        [sys.executable, "-m", "tower.cli", "import", "lines", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--create-missing" in usage and "--errors-to" in usage


def test_date_format_option_resolves_ambiguous_dates(acme, write_csv):
    path = write_csv(
        "client,order,line,product,ordered_qty,committed_date\nACME,PO-1,1,AMX,5,03/04/2026\n"
    )
    with pytest.raises(CommandError, match="1 error"):
        import_lines(path, "--create-missing")
    import_lines(path, "--create-missing", "--date-format", "%d/%m/%Y")
    assert str(OrderLine.objects.get().committed_date) == "2026-04-03"
    with pytest.raises(CommandError, match="--date-format"):
        import_lines(path, "--date-format", "%Q")


def test_commands_on_a_database_without_schema_say_to_migrate(tmp_path):
    env = {**os.environ, "TOWER_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "tower.cli", "client", "list"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 1
    assert "run `tower migrate` first" in result.stderr and "Traceback" not in result.stderr


def test_imports_command_lists_the_log_newest_first(acme, write_csv):
    good = BAD.replace("many", "7").replace("someday", "2026-02-01")
    import_lines(write_csv(good, "first.csv"), "--create-missing")
    with pytest.raises(CommandError):
        import_lines(write_csv(BAD, "second.csv"))
    out = StringIO()
    call_command("imports", "--format", "json", stdout=out)
    logged = json.loads(out.getvalue())
    assert [(e["file_name"], e["outcome"], e["records_created"], e["errors"]) for e in logged] == [
        ("second.csv", "rejected", 0, 2),
        ("first.csv", "applied", 3, 0),
    ]
    assert all(len(e["file_sha256"]) == 64 for e in logged)
