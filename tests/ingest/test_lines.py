"""parse_lines: lines and deliveries from a mapped file, and every bad row reported."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tower.ingest import (
    DELIVERY_SCHEMA,
    LINE_SCHEMA,
    ROW_ERROR_SCHEMA,
    ImportFileError,
    Mapping,
    parse_lines,
    read_table,
)
from tower.ingest.dates import NOT_A_DATE
from tower.ingest.numbers import NOT_A_NUMBER

D = dt.date
MAPPING = Mapping(
    columns={
        "client": "Client",
        "order": "Order",
        "line": "Line",
        "product": "Product",
        "site": "Site",
        "ordered_qty": "Qty",
        "line_value": "Value",
        "requested_date": "Requested",
        "committed_date": "Committed",
        "status": "Status",
        "shipped_date": "Shipped",
        "delivered_date": "Delivered",
        "delivered_qty": "Delivered Qty",
        "delivery_id": "DN",
    }
)
SMALL = Mapping(
    columns={
        "client": "Client",
        "order": "Order",
        "line": "Line",
        "product": "Product",
        "ordered_qty": "Qty",
        "committed_date": "Committed",
        "status": "Status",
        "delivered_date": "Delivered",
        "delivered_qty": "Delivered Qty",
    }
)


@pytest.fixture
def parse(csv_file):
    def run(text: str, mapping: Mapping = SMALL, **options):
        table = read_table(csv_file(text.strip().encode() + b"\n"), mapping)
        return parse_lines(table, mapping, **options)

    return run


def test_lines_and_deliveries(parse):
    parsed = parse(
        """
Client,Order,Line,Product,Site,Qty,Value,Requested,Committed,Status,Shipped,Delivered,Delivered Qty,DN
ACME,PO1,10,P-1,S1,"1,000",$2500.50,2024-01-10,15-Jan-24,Closed,2024-01-12,2024-01-14,600,DN1
ACME,PO1,10,P-1,S1,1000,2500.5,2024-01-10,15-Jan-24,closed,,2024-01-20,400,DN2
ACME,PO1,20,P-2,S1,50,,,2024-02-01,,,,,
""",
        MAPPING,
    )
    assert parsed.errors.is_empty() and parsed.ok
    assert (parsed.rows, parsed.blank_rows, parsed.keyed_by) == (3, 0, "line")
    assert parsed.lines.schema == LINE_SCHEMA
    assert parsed.deliveries.schema == DELIVERY_SCHEMA
    nothing = dict(product_group=None, ship_to=None, transport_mode=None, unit=None, currency=None,
                   planned_ship_date=None, planned_batch=None)  # fmt: skip
    assert parsed.lines.to_dicts() == [
        dict(client="ACME", order="PO1", line="10", product="P-1", site="S1", ordered_qty=1000.0,
             line_value=2500.5, requested_date=D(2024, 1, 10), first_committed_date=None,
             committed_date=D(2024, 1, 15), status="closed", first_row=2, **nothing),
        dict(client="ACME", order="PO1", line="20", product="P-2", site="S1", ordered_qty=50.0,
             line_value=None, requested_date=None, first_committed_date=None,
             committed_date=D(2024, 2, 1), status="open", first_row=4, **nothing),
    ]  # fmt: skip
    assert parsed.deliveries.to_dicts() == [
        dict(client="ACME", order="PO1", line="10", shipped_date=D(2024, 1, 12),
             delivered_date=D(2024, 1, 14), delivered_qty=600.0, delivery_id="DN1", batch=None, row=2),
        dict(client="ACME", order="PO1", line="10", shipped_date=None,
             delivered_date=D(2024, 1, 20), delivered_qty=400.0, delivery_id="DN2", batch=None, row=3),
    ]  # fmt: skip


def test_every_bad_row_is_reported_with_row_column_value_and_reason(parse):
    parsed = parse(
        """
Client,Order,Line,Product,Qty,Committed,Status,Delivered,Delivered Qty
ACME,PO1,1,P-1,10,2024-01-10,open,,
ACME,,2,P-2,abc,2024-01-10,open,,
ACME,PO2,1,,-5,Date Not Captured,shipped,,
ACME,PO3,1,P-3,5,,open,2024-01-05,
ACME,PO4,1,P-4,5,2024-01-10,,,7
"""
    )
    assert parsed.errors.schema == ROW_ERROR_SCHEMA
    assert parsed.error_rows == 4
    assert parsed.errors.rows() == [
        (3, "Order", None, "order is required"),
        (3, "Qty", "abc", NOT_A_NUMBER),
        (4, "Committed", "Date Not Captured", NOT_A_DATE),
        (4, "Product", None, "product is required"),
        (4, "Qty", "-5", "a quantity must not be negative"),
        (4, "Status", "shipped", "status must be open, closed or cancelled"),
        (5, "Committed", None, 'a due date is required: "Committed" (committed_date)'),
        (5, "Delivered Qty", None, "a delivery needs a delivered quantity (this row has a delivery date)"),
        (6, "Delivered", None, 'a delivery needs a date: "Delivered" (delivered_date) (this row has a delivered quantity)'),
    ]  # fmt: skip


def test_due_date_error_names_every_mapped_due_date(parse):
    mapping = Mapping(
        columns={
            "order": "Order",
            "product": "Product",
            "ordered_qty": "Qty",
            "requested_date": "Wanted",
            "committed_date": "Promised",
        }
    )
    parsed = parse("Order,Product,Qty,Wanted,Promised\nPO1,P,1,,\n", mapping, default_client="ACME")
    assert parsed.errors.rows() == [
        (2, "Wanted", None,
         'a due date is required: "Wanted" (requested_date) or "Promised" (committed_date)'),
    ]  # fmt: skip


def test_status_words_in_any_case(parse):
    parsed = parse(
        """
Client,Order,Line,Product,Qty,Committed,Status,Delivered,Delivered Qty
ACME,PO1,1,P,1,2024-01-10,OPEN,,
ACME,PO1,2,P,1,2024-01-10,Canceled,,
ACME,PO1,3,P,1,2024-01-10,cancelled,,
ACME,PO1,4,P,1,2024-01-10,Closed,,
ACME,PO1,5,P,1,2024-01-10,,,
"""
    )
    assert parsed.ok
    assert parsed.lines["status"].to_list() == ["open", "cancelled", "cancelled", "closed", "open"]
    assert parsed.deliveries.is_empty()


def test_client_from_the_option_when_the_file_has_none(parse):
    fields = ("order", "line", "product", "ordered_qty", "committed_date")
    mapping = Mapping(columns={f: SMALL.columns[f] for f in fields})
    parsed = parse("Order,Line,Product,Qty,Committed\nPO1,1,P,1,2024-01-10\n", mapping,
                   default_client="ACME")  # fmt: skip
    assert parsed.ok
    assert parsed.lines["client"].to_list() == ["ACME"]


def test_no_client_at_all_is_a_file_error(parse):
    mapping = Mapping(columns={k: v for k, v in SMALL.columns.items() if k != "client"})
    with pytest.raises(ImportFileError, match="no client column: pass --client CODE"):
        parse("Order,Line,Product,Qty,Committed\nPO1,1,P,1,2024-01-10\n", mapping)


def test_client_column_and_option_must_agree(parse):
    text = """
Client,Order,Line,Product,Qty,Committed,Status,Delivered,Delivered Qty
ACME,PO1,1,P,1,2024-01-10,,,
GLOBEX,PO1,2,P,1,2024-01-10,,,
,PO1,3,P,1,2024-01-10,,,
"""
    parsed = parse(text, default_client="ACME")
    assert parsed.errors.rows() == [
        (3, "Client", "GLOBEX", "client differs from ACME, the client this file is imported for")
    ]
    # Without the option an empty client cell is an error; with it, the cell means that client.
    assert parse(text).errors.rows() == [(4, "Client", None, "client is required")]


def test_lines_keyed_by_product_when_there_are_no_line_numbers(parse):
    mapping = Mapping(
        columns={
            "order": "Order",
            "product": "Product",
            "ordered_qty": "Qty",
            "committed_date": "Due",
            "delivered_date": "Delivered",
            "delivered_qty": "Shipped Qty",
        }
    )
    parsed = parse(
        """
Order,Product,Qty,Due,Delivered,Shipped Qty
PO1,P-1,100,2024-01-10,2024-01-09,60
PO1,P-1,100,2024-01-10,2024-01-12,40
PO1,P-2,5,2024-01-10,,
PO2,P-1,7,2024-01-10,,
""",
        mapping,
        default_client="ACME",
    )
    assert parsed.ok and parsed.keyed_by == "product"
    assert parsed.lines.select("order", "line", "product", "first_row").rows() == [
        ("PO1", "P-1", "P-1", 2),
        ("PO1", "P-2", "P-2", 4),
        ("PO2", "P-1", "P-1", 5),
    ]
    assert parsed.deliveries.select("line", "delivered_qty", "row").rows() == [
        ("P-1", 60.0, 2),
        ("P-1", 40.0, 3),
    ]


def test_rows_of_one_line_must_agree_on_the_line_fields(parse):
    parsed = parse(
        """
Client,Order,Line,Product,Qty,Committed,Status,Delivered,Delivered Qty
ACME,PO1,1,P-1,100,2024-01-10,open,2024-01-09,60
ACME,PO1,1,P-1,"100",10-Jan-24,Open,2024-01-12,40
ACME,PO1,1,P-2,120,2024-01-11,open,2024-01-15,10
ACME,PO1,2,P-9,5,2024-01-10,,,
"""
    )

    def reason(row, value, header):
        return (
            f'differs from row {row} ("{value}"), the first row of this order line: '
            f"the rows of one line must agree on {header}"
        )

    # Row 3 writes the same quantity, date and status differently: typed, they agree.
    assert parsed.errors.rows() == [
        (4, "Committed", "2024-01-11", reason(2, "2024-01-10", "Committed")),
        (4, "Product", "P-2", reason(2, "P-1", "Product")),
        (4, "Qty", "120", reason(2, "100", "Qty")),
    ]


def test_an_empty_line_field_disagrees_with_a_filled_one(parse):
    parsed = parse(
        """
Client,Order,Line,Product,Site,Qty,Value,Requested,Committed,Status,Shipped,Delivered,Delivered Qty,DN
ACME,PO1,1,P-1,,10,,,2024-01-10,,,2024-01-10,5,
ACME,PO1,1,P-1,S2,10,,,2024-01-10,,,2024-01-11,5,
""",
        MAPPING,
    )
    assert parsed.errors.rows() == [
        (3, "Site", "S2", 'differs from row 2 (""), the first row of this order line: '
         "the rows of one line must agree on Site"),
    ]  # fmt: skip


def test_an_unreadable_value_is_reported_once_not_against_every_other_row(parse):
    parsed = parse(
        """
Client,Order,Line,Product,Qty,Committed,Status,Delivered,Delivered Qty
ACME,PO1,1,P-1,12O,2024-01-10,,2024-01-09,60
ACME,PO1,1,P-1,120,2024-01-10,,2024-01-12,40
ACME,PO1,1,P-1,120,2024-01-10,,2024-01-13,20
"""
    )
    assert parsed.errors.rows() == [(2, "Qty", "12O", NOT_A_NUMBER)]


def test_rows_without_a_key_are_not_compared_as_one_line(parse):
    parsed = parse(
        """
Client,Order,Line,Product,Qty,Committed,Status,Delivered,Delivered Qty
ACME,,1,P-1,100,2024-01-10,,,
ACME,,1,P-2,5,2024-02-10,,,
"""
    )
    assert parsed.errors.rows() == [
        (2, "Order", None, "order is required"),
        (3, "Order", None, "order is required"),
    ]


def test_rows_of_different_lines_may_differ(parse):
    parsed = parse(
        """
Client,Order,Line,Product,Qty,Committed,Status,Delivered,Delivered Qty
ACME,PO1,1,P-1,100,2024-01-10,,,
ACME,PO1,2,P-2,5,2024-02-10,,,
ACME,PO2,1,P-3,7,2024-03-10,,,
GLOBEX,PO1,1,P-4,9,2024-04-10,,,
"""
    )
    assert parsed.ok
    assert parsed.lines.height == 4


def test_a_column_mapped_to_two_fields_reports_a_bad_cell_once(parse):
    mapping = Mapping(
        columns={
            "order": "Order",
            "product": "Product",
            "ordered_qty": "Qty",
            "delivered_qty": "Qty",
            "requested_date": "Due",
            "committed_date": "Due",
            "delivered_date": "Delivered",
        }
    )
    parsed = parse(
        "Order,Product,Qty,Due,Delivered\nPO1,P,-2,someday,2024-01-01\nPO2,P,3,2024-01-01,2024-01-02\n",
        mapping,
        default_client="ACME",
    )
    assert parsed.errors.rows() == [
        (2, "Due", "someday", NOT_A_DATE),
        (2, "Qty", "-2", "a quantity must not be negative"),
    ]
    assert parsed.lines.row(1, named=True)["ordered_qty"] == 3.0
    assert parsed.deliveries["delivered_qty"].to_list() == [-2.0, 3.0]


def test_blank_rows_are_skipped_and_counted(parse):
    parsed = parse(
        """
Client,Order,Line,Product,Qty,Committed,Status,Delivered,Delivered Qty,Note
ACME,PO1,1,P,1,2024-01-10,,,,
,,,,,,,,,only a note
,,,,,,,,,
ACME,PO1,2,P,1,2024-01-10,,,,
"""
    )
    assert parsed.ok
    assert (parsed.rows, parsed.blank_rows) == (2, 2)
    assert parsed.lines["first_row"].to_list() == [2, 5]


def test_missing_mapped_header_lists_the_file_headers(parse):
    with pytest.raises(ImportFileError) as caught:
        parse("Client,Order,Line,Product,Quantity,Committed\nACME,PO1,1,P,1,2024-01-10\n")
    message = str(caught.value)
    assert message.startswith('the file has no column "Qty" (ordered_qty)')
    assert '"Status" (status)' in message
    assert (
        'its columns are: "Client", "Order", "Line", "Product", "Quantity", "Committed"' in message
    )


def test_repeated_mapped_header_is_a_file_error(parse):
    with pytest.raises(ImportFileError, match="more than one column named Qty"):
        parse(
            "Client,Order,Line,Product,Qty,Qty,Committed,Status,Delivered,Delivered Qty\n"
            "ACME,PO1,1,P,1,2,2024-01-10,,,\n"
        )


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"order": "O", "ordered_qty": "Q", "committed_date": "D"}, "no column is mapped to product"),
        ({"order": "O", "product": "P", "ordered_qty": "Q"}, "map one of requested_date, first_committed_date, committed_date"),
        ({"order": "O", "product": "P", "ordered_qty": "Q", "committed_date": "D",
          "delivered_qty": "DQ"}, "map shipped_date or delivered_date too"),
        ({"order": "O", "product": "P", "ordered_qty": "Q", "committed_date": "D",
          "shipped_date": "S"}, "map delivered_qty too"),
    ],
)  # fmt: skip
def test_incomplete_mapping_is_a_file_error(columns, message):
    table = pl.DataFrame({h: ["x"] for h in columns.values()}).with_columns(
        pl.lit(2, pl.Int64).alias("__row__")
    )
    with pytest.raises(ImportFileError, match=message):
        parse_lines(table, Mapping(columns=columns), default_client="ACME")


def test_csv_and_xlsx_of_the_same_data_give_equal_frames(csv_file, xlsx_file):
    header = ["Client", "Order", "Line", "Product", "Site", "Qty", "Value", "Requested",
              "Committed", "Status", "Shipped", "Delivered", "Delivered Qty", "DN"]  # fmt: skip
    data = [
        ["ACME", "PO1", 10, "P-1", "S1", 1000, 2500.5, D(2024, 1, 10), D(2024, 1, 15), "closed",
         D(2024, 1, 12), dt.datetime(2024, 1, 14), 600, "DN1"],
        ["ACME", "PO1", 10, "P-1", "S1", 1000, 2500.5, D(2024, 1, 10), D(2024, 1, 15), "closed",
         None, D(2024, 1, 20), 400, "DN2"],
        ["ACME", "PO1", 20, "P-2", "S1", 50, None, None, D(2024, 2, 1), None, None, None, None, None],
    ]  # fmt: skip

    def text(cell) -> str:
        return (
            ""
            if cell is None
            else cell.strftime("%-d-%b-%y")
            if isinstance(cell, dt.date)
            else str(cell)
        )

    csv_bytes = "\n".join(",".join(text(c) for c in row) for row in [header, *data]).encode()
    from_csv = parse_lines(read_table(csv_file(csv_bytes), MAPPING), MAPPING)
    from_xlsx = parse_lines(read_table(xlsx_file({"Lines": [header, *data]}), MAPPING), MAPPING)
    assert from_csv.ok and from_xlsx.ok
    assert_frame_equal(from_csv.lines, from_xlsx.lines)
    assert_frame_equal(from_csv.deliveries, from_xlsx.deliveries)


def test_xlsx_errors_name_sheet_rows(xlsx_file):
    rows = [
        ["Client", "Order", "Line", "Product", "Qty", "Committed"],
        ["ACME", "PO1", 1, "P", 5, D(2024, 1, 10)],
        ["ACME", "PO1", 2, "P", "five", "soon"],
    ]
    mapping = Mapping(columns={f: SMALL.columns[f] for f in
                               ("client", "order", "line", "product", "ordered_qty", "committed_date")})  # fmt: skip
    parsed = parse_lines(read_table(xlsx_file({"S": rows}, start_row=2), mapping), mapping)
    assert parsed.errors.rows() == [
        (4, "Committed", "soon", NOT_A_DATE),
        (4, "Qty", "five", NOT_A_NUMBER),
    ]


def test_planned_ship_date_is_a_line_date_but_not_a_due_date(parse):
    mapping = Mapping(columns={**SMALL.columns, "planned_ship_date": "Planned Ship"})
    parsed = parse(
        """
Client,Order,Line,Product,Qty,Committed,Planned Ship,Status,Delivered,Delivered Qty
ACME,PO1,1,P,10,2024-01-10,2024-01-08,,2024-01-09,6
ACME,PO1,1,P,10,2024-01-10,2024-01-08,,2024-01-11,4
ACME,PO1,2,P,10,2024-01-10,soon,,,
ACME,PO1,3,P,10,,2024-01-08,,,
""",
        mapping,
    )
    assert parsed.lines["planned_ship_date"].to_list() == [D(2024, 1, 8), None, D(2024, 1, 8)]
    # Not a due date: a line with only a planned ship date still has no due date.
    assert [(r, c) for r, c, _, _ in parsed.errors.rows()] == [
        (4, "Planned Ship"),
        (5, "Committed"),
    ]
    assert parsed.errors["reason"][0] == NOT_A_DATE
