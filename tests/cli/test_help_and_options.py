"""What a new user types first: help on the import kinds, and dates or periods out of range."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

KINDS = ("lines", "batches", "deviations", "capas", "plan", "stockouts")


def tower(*args: str, data_dir=None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)  # these runs need no data: SQLite in their own folder
    if data_dir is not None:
        env["TOWER_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "tower.cli", *args], capture_output=True, text=True, env=env
    )


@pytest.mark.parametrize("args", [("help", "import"), ("import", "--help"), ("import", "-h")])
def test_help_on_import_lists_every_kind_with_its_help(args, tmp_path):
    result = tower(*args, data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Unknown command" not in result.stdout + result.stderr
    listed = [line.strip() for line in result.stdout.splitlines() if line.startswith("  ")]
    assert [k for k in KINDS if k in listed] == list(KINDS)
    # Each kind comes with its own help, not only its name.
    assert "Import order lines and deliveries" in result.stdout
    assert "one row per batch" in result.stdout


def test_help_import_kind_shows_that_kinds_options(tmp_path):
    result = tower("help", "import", "lines", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "--profile" in result.stdout and "--errors-to" in result.stdout


def test_import_without_a_kind_lists_the_kinds_and_fails(tmp_path):
    result = tower("import", data_dir=tmp_path)
    assert result.returncode == 2
    assert "stockouts" in result.stderr and "Traceback" not in result.stderr


# Every date and period option of every command goes through tower.engine.periods, which is
# bounded to the years 1900 to 2999: the neighbours of 0001Q1 or 9999-12 (the trend's previous
# quarters, the next month) do not exist in Python's calendar.
OUT_OF_RANGE = [
    ("otif", "--as-of", "0001-01-02"),
    ("otif", "--from", "0001-01"),
    ("otif", "--to", "9999-12"),
    ("outcomes", "--client", "ACME", "--as-of", "0001-01-02"),
    ("recompute", "--as-of", "9999-12-31"),
    ("scorecard", "ACME", "--quarter", "0001Q1"),
    ("scorecard", "ACME", "--month", "9999-12"),
    ("scorecard", "ACME", "--as-of", "0001-01-02"),
    ("month", "close", "ACME", "9999-12"),
    ("month", "reopen", "ACME", "0001-01", "--reason", "x"),
]


@pytest.mark.parametrize("args", OUT_OF_RANGE, ids=" ".join)
def test_dates_and_periods_out_of_range_are_one_line_errors(args, acme):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as caught:
        call_command(*args)
    message = str(caught.value)
    assert "out of range" in message and "years 1900 to 2999" in message
    assert "\n" not in message.strip()


def test_out_of_range_on_the_console_has_no_traceback(tmp_path, migrated_sqlite):
    migrated_sqlite(tmp_path)
    result = tower("month", "close", "ACME", "9999-12", data_dir=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "out of range" in result.stderr


@pytest.mark.parametrize(
    ("text", "year"), [("1900-01-01", 1900), ("2999-12-31", 2999), ("2026-07-15", 2026)]
)
def test_the_bounds_themselves_are_valid(text, year):
    from tower.engine.periods import parse_iso_date, parse_period

    assert parse_iso_date(text).year == year
    assert parse_period(text[:7]).start.year == year
    assert parse_period(f"{text[:4]}Q4").end.year == year


def test_imports_table_shows_the_whole_file_name_and_the_sha256(acme, tmp_path):
    import hashlib
    import io
    import json

    from django.core.management import call_command

    name = "client-export-" + "very-long-name-" * 6 + "2026-07.csv"
    path = tmp_path / name
    path.write_text(
        "client,order,line,product,ordered_qty,committed_date\nACME,PO-1,1,AMX,1,2026-01-10\n"
    )
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    call_command(
        "import_lines", str(path), "--create-missing", stdout=io.StringIO(), stderr=io.StringIO()
    )

    table = io.StringIO()
    call_command("imports", stdout=table)
    row = next(line for line in table.getvalue().splitlines() if "ACME" in line or "lines" in line)
    assert name in row and f"{sha[:12]}…" in row
    assert sha not in table.getvalue()  # shortened in the table

    listed = io.StringIO()
    call_command("imports", "--format", "json", stdout=listed)
    [entry] = json.loads(listed.getvalue())
    assert entry["file_name"] == name and entry["file_sha256"] == sha


def test_scorecard_refuses_a_file_name_that_contradicts_the_format(acme, tmp_path):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    deck_as_pdf = tmp_path / "y.pdf"
    with pytest.raises(CommandError, match=r"--format pptx does not match the file name .*\.pptx"):
        call_command(
            "scorecard",
            "ACME",
            "--quarter",
            "2026Q2",
            "--format",
            "pptx",
            "--output",
            str(deck_as_pdf),
            stdout=io.StringIO(),
        )
    assert not deck_as_pdf.exists()
    with pytest.raises(CommandError, match="does not match"):
        call_command("scorecard", "ACME", "--format", "table", "--output", str(deck_as_pdf))
    # Without --format the extension decides; with a matching one both agree.
    call_command(
        "scorecard",
        "ACME",
        "--quarter",
        "2026Q2",
        "--output",
        str(tmp_path / "y.pptx"),
        stdout=io.StringIO(),
    )
    assert (tmp_path / "y.pptx").read_bytes().startswith(b"PK\x03\x04")
    call_command(
        "scorecard",
        "ACME",
        "--quarter",
        "2026Q2",
        "--format",
        "pdf",
        "--output",
        str(deck_as_pdf),
        stdout=io.StringIO(),
    )
    assert deck_as_pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="touches no database: scripts/test's SQLite run checks it, and two pip installs into "
    "one .venv at once (its PostgreSQL run beside it) would race",
)
def test_install_script_says_what_it_is_doing():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([root / "scripts" / "install"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    steps = [line for line in result.stderr.splitlines() if line.startswith("scripts/install: ")]
    assert [s.split(": ", 1)[1].split(" ")[0] for s in steps] == [
        "using",
        "installing",
        "installing",
        "done:",
    ]
    assert "locked dependencies from requirements.lock" in steps[1]


# --- the data folder ---------------------------------------------------------------------------

PROJECT = Path(__file__).resolve().parents[2]


def test_the_default_data_folder_is_the_checkouts_var_wherever_tower_runs(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("TOWER_DATA_DIR", "DATABASE_URL")}
    env["DJANGO_SETTINGS_MODULE"] = "tower.settings"
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.DATA_DIR)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    )
    assert result.stdout.strip() == str(PROJECT / "var")
    assert not (tmp_path / "var").exists()


@pytest.mark.parametrize(
    "args", [("otif",), ("client", "list"), ("imports",), ("month", "list", "ACME")]
)
def test_a_read_command_without_a_database_says_where_it_looked(tmp_path, args):
    folder = tmp_path / "nowhere"
    result = tower(*args, data_dir=folder)
    assert result.returncode == 1
    assert f"No database at {folder / 'tower.sqlite3'}" in result.stderr
    assert "run `tower migrate` first" in result.stderr and "`tower demo`" in result.stderr
    assert "Traceback" not in result.stderr
    assert not folder.exists()  # nothing created, not even the folder


def test_tower_data_dir_still_chooses_the_folder(tmp_path, migrated_sqlite):
    # `tower migrate` ran once for the session with TOWER_DATA_DIR set: it wrote there.
    assert (migrated_sqlite.folder / "tower.sqlite3").is_file()
    folder = migrated_sqlite(tmp_path / "data")
    assert tower("client", "add", "ACME", "--name", "Acme", data_dir=folder).returncode == 0
    listed = tower("client", "list", "--format", "csv", data_dir=folder)
    assert listed.returncode == 0 and "ACME" in listed.stdout
