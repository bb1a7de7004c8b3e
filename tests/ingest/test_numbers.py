"""parse_number_columns: the number forms exports write, and text in number columns."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tower.ingest import ROW, ROW_ERROR_SCHEMA, parse_number_columns
from tower.ingest.numbers import NOT_A_NUMBER


def frame(**columns: list) -> pl.DataFrame:
    height = len(next(iter(columns.values())))
    data = {name: pl.Series(values, dtype=pl.String) for name, values in columns.items()}
    return pl.DataFrame(data).with_columns(pl.int_range(2, height + 2, dtype=pl.Int64).alias(ROW))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234", 1234.0),
        ("1234.5", 1234.5),
        ("-3", -3.0),
        ("+3", 3.0),
        ("0", 0.0),
        (".5", 0.5),
        ("12.", 12.0),
        ("1,234", 1234.0),
        ("1,234,567.89", 1234567.89),
        ("-1,234.5", -1234.5),
        ("$1,200", 1200.0),
        ("$ 1,200.50", 1200.5),
        ("€19", 19.0),
        ("£0.97", 0.97),
        ("-$3", -3.0),
        ("$-3", -3.0),
        ("1.5E+05", 150000.0),
        ("2e-3", 0.002),
    ],
)
def test_accepted_forms(text, expected):
    out, errors = parse_number_columns(frame(q=[text]), ["q"])
    assert out["q"].to_list() == [expected]
    assert errors.is_empty()


@pytest.mark.parametrize(
    "text",
    [
        "Freight Included in Commodity Cost",
        "Invoiced Separately",
        "See DN-304 (ID#:10589)",
        "1,23",
        "12,34",
        "1234,567",
        "1.234,56",
        "1,5",
        "1 234",
        "--3",
        "-$-3",
        "$",
        "inf",
        "NaN",
        "3 kg",
        "USD 12",
    ],
)
def test_text_is_not_a_number(text):
    out, errors = parse_number_columns(frame(q=[text]), ["q"])
    assert out["q"].to_list() == [None]
    assert errors.rows() == [(2, "q", text, NOT_A_NUMBER)]


def test_every_bad_value_of_every_column_is_reported():
    data = frame(qty=["1", "x", None, "y"], value=["Invoiced Separately", "2", "3", "1,5"])
    out, errors = parse_number_columns(data, ["qty", "value"])
    assert out["qty"].to_list() == [1.0, None, None, None]
    assert out["value"].to_list() == [None, 2.0, 3.0, None]
    assert errors.schema == ROW_ERROR_SCHEMA
    assert errors.select("row", "column", "value").rows() == [
        (2, "value", "Invoiced Separately"),
        (3, "qty", "x"),
        (5, "qty", "y"),
        (5, "value", "1,5"),
    ]


def test_other_columns_are_untouched():
    data = frame(qty=["1"], note=["1,5"])
    out, _ = parse_number_columns(data, ["qty"])
    assert out.schema == {"qty": pl.Float64, "note": pl.String, ROW: pl.Int64}


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_thousands_grouped_amounts_read_back(amount):
    texts = [f"{amount:,.2f}", f"{amount:.2f}", f"${amount:,.2f}".replace("$-", "-$")]
    out, errors = parse_number_columns(frame(q=texts), ["q"])
    assert errors.is_empty()
    assert out["q"].to_list() == [float(f"{amount:.2f}")] * 3
