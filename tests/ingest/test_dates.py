"""parse_date_columns: every accepted form, two-digit years, and never guessing day/month."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tower.ingest import ROW, ROW_ERROR_SCHEMA, parse_date_columns
from tower.ingest.dates import AMBIGUOUS, NOT_A_DATE, compile_date_format


def frame(**columns: list) -> pl.DataFrame:
    height = len(next(iter(columns.values())))
    data = {name: pl.Series(values, dtype=pl.String) for name, values in columns.items()}
    return pl.DataFrame(data).with_columns(pl.int_range(2, height + 2, dtype=pl.Int64).alias(ROW))


def parse_one(value: str, date_format: str | None = None):
    out, errors = parse_date_columns(frame(d=[value]), ["d"], date_format)
    return out["d"][0], errors


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2006-06-02", dt.date(2006, 6, 2)),
        ("2006-6-2", dt.date(2006, 6, 2)),
        ("2006-06-02 13:45", dt.date(2006, 6, 2)),
        ("2006-06-02 13:45:07", dt.date(2006, 6, 2)),
        ("2006-06-02T13:45:07.250Z", dt.date(2006, 6, 2)),
        ("2006-06-02T13:45:07+02:00", dt.date(2006, 6, 2)),
        ("2-Jun-06", dt.date(2006, 6, 2)),
        ("02-JUN-06", dt.date(2006, 6, 2)),
        ("2-jun-2006", dt.date(2006, 6, 2)),
        ("14-Nov-06", dt.date(2006, 11, 14)),
        ("1-Jan-00", dt.date(2000, 1, 1)),
        ("31-Dec-68", dt.date(2068, 12, 31)),
        ("1-Jan-69", dt.date(1969, 1, 1)),
        ("1-Jan-99", dt.date(1999, 1, 1)),
        ("June 2, 2006", dt.date(2006, 6, 2)),
        ("Jun 2, 2006", dt.date(2006, 6, 2)),
        ("Sept. 2, 2006", dt.date(2006, 9, 2)),
        ("2 June 2006", dt.date(2006, 6, 2)),
        ("2nd June 2006", dt.date(2006, 6, 2)),
        ("Friday, 2 June 2006", dt.date(2006, 6, 2)),
        ("Friday, June 2, 2006", dt.date(2006, 6, 2)),
        ("Fri 2 Jun 2006", dt.date(2006, 6, 2)),
        ("29-Feb-2004", dt.date(2004, 2, 29)),
    ],
)
def test_accepted_forms(text, expected):
    value, errors = parse_one(text)
    assert value == expected
    assert errors.is_empty()


@pytest.mark.parametrize(
    "text",
    [
        "31-Feb-06",
        "29-Feb-2005",
        "2006-13-01",
        "Date Not Captured",
        "Pre-PQ Process",
        "2-Jux-06",
        "June 31, 2006",
        "20060602",
        "2006/06/02",
        "13/45/2020",
        "1/2/3",
    ],
)
def test_not_a_date(text):
    value, errors = parse_one(text)
    assert value is None
    assert errors.rows() == [(2, "d", text, NOT_A_DATE)]


def test_reason_lists_the_accepted_forms():
    for form in ("YYYY-MM-DD", "2-Jun-06", "June 2, 2006", "6/2/2006"):
        assert form in NOT_A_DATE


def test_empty_cells_stay_null_without_error():
    out, errors = parse_date_columns(frame(d=[None, "2006-06-02"]), ["d"])
    assert out["d"].to_list() == [None, dt.date(2006, 6, 2)]
    assert errors.is_empty()
    assert errors.schema == ROW_ERROR_SCHEMA


def test_slash_dates_without_evidence_are_an_error_never_a_guess():
    out, errors = parse_date_columns(frame(d=["03/04/2020", "3/3/2020", "12/11/20"]), ["d"])
    # 3/3/2020 reads the same either way; the others could be March or April, December or November.
    assert out["d"].to_list() == [None, dt.date(2020, 3, 3), None]
    assert errors.rows() == [(2, "d", "03/04/2020", AMBIGUOUS), (4, "d", "12/11/20", AMBIGUOUS)]
    assert AMBIGUOUS == (
        "ambiguous day/month order: set date_format in the mapping, e.g. %d/%m/%Y or %m/%d/%Y"
    )


def test_day_first_evidence_in_another_column_decides_the_order():
    data = frame(due=["03/04/2020", "5/6/20"], shipped=[None, "13/04/2020"])
    out, errors = parse_date_columns(data, ["due", "shipped"])
    assert errors.is_empty()
    assert out["due"].to_list() == [dt.date(2020, 4, 3), dt.date(2020, 6, 5)]
    assert out["shipped"].to_list() == [None, dt.date(2020, 4, 13)]


def test_month_first_evidence_decides_the_order():
    out, errors = parse_date_columns(frame(d=["03/04/2020", "11/18/09", "2/30/2020"]), ["d"])
    assert out["d"].to_list() == [dt.date(2020, 3, 4), dt.date(2009, 11, 18), None]
    assert errors.rows() == [(4, "d", "2/30/2020", NOT_A_DATE)]


def test_dotted_and_dashed_numeric_dates_follow_the_same_rule():
    out, errors = parse_date_columns(frame(d=["02.06.2006", "25.12.2006", "03-04-2020"]), ["d"])
    assert errors.is_empty()
    assert out["d"].to_list() == [dt.date(2006, 6, 2), dt.date(2006, 12, 25), dt.date(2020, 4, 3)]


def test_both_orders_in_one_file_are_an_error_for_the_slash_values():
    data = frame(
        due=["13/04/2020", "04/13/2020", "03/04/2020", "3/3/2020", "2006-06-02", "13/13/2020"]
    )
    out, errors = parse_date_columns(data, ["due"])
    assert out["due"].to_list() == [
        None,
        None,
        None,
        dt.date(2020, 3, 3),
        dt.date(2006, 6, 2),
        None,
    ]
    assert errors["row"].to_list() == [2, 3, 4, 7]
    assert errors["reason"][3] == NOT_A_DATE
    assert errors["reason"].head(3).unique().to_list() == [
        'day/month order differs within the file ("13/04/2020" is day/month, "04/13/2020" is '
        "month/day): set date_format in the mapping, e.g. %d/%m/%Y or %m/%d/%Y"
    ]


@pytest.mark.parametrize(
    ("date_format", "expected"),
    [("%d/%m/%Y", dt.date(2020, 4, 3)), ("%m/%d/%Y", dt.date(2020, 3, 4))],
)
def test_date_format_resolves_ambiguous_dates(date_format, expected):
    value, errors = parse_one("03/04/2020", date_format)
    assert value == expected
    assert errors.is_empty()


def test_date_format_accepts_iso_but_nothing_else():
    data = frame(d=["02/06/06", "2006-06-03", "2-Jun-06", "31/02/06"])
    out, errors = parse_date_columns(data, ["d"], "%d/%m/%y")
    assert out["d"].to_list() == [dt.date(2006, 6, 2), dt.date(2006, 6, 3), None, None]
    reason = "not a date in the mapping's date_format %d/%m/%y (e.g. 02/06/06) or YYYY-MM-DD"
    assert errors.rows() == [(4, "d", "2-Jun-06", reason), (5, "d", "31/02/06", reason)]


def test_date_format_two_digit_years_follow_python():
    assert parse_one("1/1/68", "%m/%d/%y")[0] == dt.date(2068, 1, 1)
    assert parse_one("1/1/69", "%m/%d/%y")[0] == dt.date(1969, 1, 1)


def test_date_format_with_month_names_and_weekday():
    assert parse_one("Fri 02.Jun.2006", "%a %d.%b.%Y")[0] == dt.date(2006, 6, 2)
    assert parse_one("20060602", "%Y%m%d")[0] == dt.date(2006, 6, 2)


@pytest.mark.parametrize(
    ("date_format", "message"),
    [
        ("%d/%m", "must give a day, a month and a year"),
        ("%d/%m/%Y/%d", "same part of the date twice"),
        ("%d/%m/%Q", '"%Q" in "%d/%m/%Q" is not supported'),
    ],
)
def test_bad_date_formats(date_format, message):
    with pytest.raises(ValueError, match=message):
        compile_date_format(date_format)


def test_each_column_reports_its_own_errors():
    data = frame(due=["x", "2006-06-02"], shipped=["2006-06-02", "x"])
    _, errors = parse_date_columns(data, ["due", "shipped"])
    assert errors.select("row", "column", "value").rows() == [(2, "due", "x"), (3, "shipped", "x")]


_dates = st.dates(min_value=dt.date(1969, 1, 1), max_value=dt.date(2068, 12, 31))


@given(day=_dates)
def test_every_written_form_reads_back(day):
    forms = [
        day.isoformat(),
        f"{day.day}-{day:%b}-{day:%y}",
        f"{day.day}-{day:%b}-{day:%Y}",
        f"{day:%B} {day.day}, {day:%Y}",
        f"{day.day} {day:%B} {day:%Y}",
        f"{day:%A}, {day.day} {day:%B} {day:%Y}",
    ]
    out, errors = parse_date_columns(frame(d=forms), ["d"])
    assert errors.is_empty()
    assert out["d"].to_list() == [day] * len(forms)
