"""tower fmea ap-table: the whole table the tower uses, as CSV or JSON, against kpis.md 10."""

import csv
import io
import json

from tests.cli.test_help_and_options import tower
from tests.engine.test_fmea import expected_table


def test_csv_prints_every_combination_with_its_priority(tmp_path):
    # A fresh folder without a database: the table reads no data.
    result = tower("fmea", "ap-table", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["s", "o", "d", "ap"]
    assert len(rows) == 1000
    got = {(int(r["s"]), int(r["o"]), int(r["d"])): r["ap"] for r in rows}
    assert got == expected_table()
    assert [r["ap"] for r in rows].count("H") == 318
    assert [r["ap"] for r in rows].count("M") == 214
    assert [r["ap"] for r in rows].count("L") == 468


def test_json_is_one_object_per_combination(tmp_path):
    result = tower("fmea", "ap-table", "--format", "json", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 1000
    assert rows[0] == {"s": 1, "o": 1, "d": 1, "ap": "L"}
    assert {(r["s"], r["o"], r["d"]): r["ap"] for r in rows} == expected_table()


def test_a_bad_format_or_no_subcommand_is_a_usage_error_without_traceback(tmp_path):
    for args in (("fmea", "ap-table", "--format", "xml"), ("fmea",)):
        result = tower(*args, data_dir=tmp_path)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert "usage: tower fmea" in result.stderr
