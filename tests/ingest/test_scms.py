"""The real SCMS delivery history (../shared/data/scms), read as found, with the scms profile.

Reference figures from shared/data/README.md (on time = delivered <= scheduled delivery date).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tower.ingest import load_profile, parse_lines, read_source

SCMS = Path(__file__).resolve().parents[3] / "shared" / "data" / "scms"
SCMS_CSV = SCMS / "SCMS_Delivery_History_Dataset.csv"
SCMS_XLSX = SCMS / "SCMS_Data_20151023.xlsx"

pytestmark = pytest.mark.skipif(not SCMS_CSV.exists(), reason="shared SCMS data not present")

BY_MODE = {
    "Air": (6113, 587),
    "Truck": (2830, 455),
    "Air Charter": (650, 75),
    "Ocean": (371, 65),
    "N/A": (360, 4),
}


@pytest.fixture(scope="module")
def mapping():
    return load_profile("scms")


@pytest.fixture(scope="module")
def from_csv(mapping):
    source = read_source(SCMS_CSV, mapping)
    return source, parse_lines(source.frame, mapping, default_client="USAID")


@pytest.fixture(scope="module")
def from_xlsx(mapping):
    source = read_source(SCMS_XLSX, mapping)
    return source, parse_lines(source.frame, mapping, default_client="USAID")


def on_time_by_mode(parsed) -> dict[str, tuple[int, int]]:
    joined = parsed.lines.join(parsed.deliveries, on=["client", "order", "line"], how="left")
    late = ~(pl.col("delivered_date") <= pl.col("committed_date"))
    figures = joined.group_by("transport_mode").agg(pl.len(), late.sum().alias("late"))
    return {mode: (n, late) for mode, n, late in figures.rows()}


def test_csv_quirks_are_detected(from_csv):
    source, _ = from_csv
    assert (source.encoding, source.line_ending, source.delimiter) == ("utf-8", "CR", ",")
    assert source.headers[0] == "ID"  # the byte-order mark is gone
    assert source.frame.height == 10_324
    assert source.frame["Line Item Insurance (USD)"].null_count() == 287  # left empty
    assert source.frame["Shipment Mode"].to_list().count("N/A") == 360  # a value, not empty


def test_csv_gives_the_reference_figures(from_csv):
    _, parsed = from_csv
    assert parsed.errors.is_empty()
    assert (parsed.rows, parsed.lines.height, parsed.deliveries.height) == (10_324, 10_324, 10_324)
    on_time = parsed.lines.join(parsed.deliveries, on=["client", "order", "line"]).filter(
        pl.col("delivered_date") <= pl.col("committed_date")
    )
    assert on_time.height == 9_138
    assert round(100 * on_time.height / parsed.lines.height, 2) == 88.51
    assert on_time_by_mode(parsed) == BY_MODE
    assert parsed.deliveries["delivery_id"].n_unique() == 7_030


def test_csv_values(from_csv):
    _, parsed = from_csv
    first = parsed.lines.row(0, named=True)
    assert first["order"] == "SCMS-4" and first["line"] == "1"
    assert first["product"] == "HIV, Reveal G3 Rapid HIV-1 Antibody Test, 30 Tests"
    assert (first["ordered_qty"], first["line_value"]) == (19.0, 551.0)
    assert first["ship_to"] == "Côte d'Ivoire"
    assert str(first["committed_date"]) == "2006-06-02"
    assert parsed.lines["requested_date"].equals(parsed.lines["committed_date"])
    assert parsed.lines["first_committed_date"].null_count() == parsed.lines.height


def test_xlsx_reads_the_named_sheet_and_gives_the_same_lines(from_csv, from_xlsx):
    xlsx_source, xlsx = from_xlsx
    _, csv = from_csv
    assert xlsx_source.sheet == "SCMS Delivery History Dataset"
    assert xlsx.errors.is_empty()
    assert_frame_equal(xlsx.lines, csv.lines)
    assert_frame_equal(xlsx.deliveries, csv.deliveries)
    assert on_time_by_mode(xlsx) == BY_MODE
