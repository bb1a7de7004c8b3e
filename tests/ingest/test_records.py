"""Record kinds (tower.ingest.specs) parsed and validated without a database (tower.ingest.records)."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from tower.ingest import ImportFileError, Mapping, default_mapping, parse_mapping, read_table
from tower.ingest.dates import AMBIGUOUS
from tower.ingest.records import NOT_A_MONDAY, NOT_A_WEEK, parse_records
from tower.ingest.specs import BATCHES, CAPAS, DEVIATIONS, PLAN, SPECS, STOCKOUTS

D = dt.date


@pytest.fixture
def parse(csv_file):
    """Parse CSV text as `spec`; without a mapping, headers name the fields."""

    def run(spec, text: str, mapping: Mapping | None = None, **options):
        table = read_table(csv_file(textwrap.dedent(text).lstrip("\n").encode()))
        if mapping is None:
            headers = [c for c in table.columns if c != "__row__"]
            mapping = default_mapping(headers, spec.names)
        return parse_records(table, mapping, spec, **options)

    return run


def errors(parsed) -> list[tuple[int, str, str | None, str]]:
    return parsed.errors.rows()


# --- batches ---------------------------------------------------------------------------------

BATCH_HEADER = (
    "client,batch,product,site,planned_start,actual_start,planned_end,actual_end,"
    "material_ready_date,planned_release_date,actual_release_date,theoretical_output,"
    "actual_output,disposition\n"
)


def test_batches_are_typed(parse):
    parsed = parse(
        BATCHES,
        BATCH_HEADER + "ACME,B-1,AMX,EU1,2026-03-02,2026-03-03,2026-03-06,2026-03-07,2026-02-27,"
        '2026-03-13,2026-03-12,"1,000",960.5,Released\n'
        "ACME,B-2,AMX,,,,,,,,,,,\n",
    )
    assert parsed.ok, parsed.errors
    assert (parsed.rows, parsed.blank_rows) == (2, 0)
    assert parsed.records.schema == BATCHES.schema
    first, second = parsed.records.to_dicts()
    assert first == {
        "row": 2,
        "client": "ACME",
        "batch": "B-1",
        "product": "AMX",
        "site": "EU1",
        "planned_start": D(2026, 3, 2),
        "actual_start": D(2026, 3, 3),
        "planned_end": D(2026, 3, 6),
        "actual_end": D(2026, 3, 7),
        "material_ready_date": D(2026, 2, 27),
        "planned_release_date": D(2026, 3, 13),
        "actual_release_date": D(2026, 3, 12),
        "theoretical_output": 1000.0,
        "actual_output": 960.5,
        "disposition": "released",
    }
    # An empty disposition is a batch not yet dispositioned (stored as "").
    assert (second["site"], second["disposition"], second["actual_output"]) == (None, "", None)


@pytest.mark.parametrize(
    ("word", "stored"),
    [("released", "released"), ("REJECTED", "rejected"), ("On Hold", "on_hold"),
     ("on_hold", "on_hold"), ("reworked", "reworked"), ("", "")],
)  # fmt: skip
def test_dispositions_in_any_case(parse, word, stored):
    parsed = parse(
        BATCHES, f"client,batch,product,disposition,actual_release_date\nA,B,P,{word},2026-01-05\n"
    )
    assert parsed.ok and parsed.records["disposition"].to_list() == [stored]


def test_every_batch_check_reports_row_column_and_reason(parse):
    parsed = parse(
        BATCHES,
        BATCH_HEADER
        # row 2: outputs negative and zero; ends before starts
        + "ACME,B-1,AMX,EU1,2026-03-09,2026-03-09,2026-03-06,2026-03-08,,,,0,-5,\n"
        # row 3: released without a release date; an unknown disposition on row 4
        "ACME,B-2,AMX,EU1,,,,,,,,,,released\n"
        "ACME,B-3,AMX,EU1,,,,,,,,,,scrapped\n"
        # row 5: the same batch as row 2; row 6: no product, no batch
        "ACME,B-1,AMX,EU1,,,,,,,,,,\n"
        "ACME,,,EU1,,,,,,,,,,\n",
    )
    assert errors(parsed) == [
        (2, "actual_end", "2026-03-08", "must not be before actual_start (2026-03-09)"),
        (2, "actual_output", "-5", "must not be negative"),
        (2, "planned_end", "2026-03-06", "must not be before planned_start (2026-03-09)"),
        (2, "theoretical_output", "0", "must be more than 0"),
        (3, "actual_release_date", None,
         "actual_release_date is required when disposition is released or rejected"),
        (4, "disposition", "scrapped",
         "disposition must be released, rejected, on hold or reworked (empty: pending)"),
        (5, "batch", "B-1",
         "the same batch as row 2 (client and batch): a file may give each batch once"),
        (6, "batch", None, "batch is required"),
        (6, "product", None, "product is required"),
    ]  # fmt: skip
    assert parsed.rows == 5 and not parsed.ok


def test_ambiguous_dates_are_errors_unless_the_file_shows_the_order(parse):
    text = "client,batch,product,planned_start\nACME,B-1,P,03/04/2026\nACME,B-2,P,05/04/2026\n"
    parsed = parse(BATCHES, text)
    assert [(r, c, reason) for r, c, _, reason in errors(parsed)] == [
        (2, "planned_start", AMBIGUOUS),
        (3, "planned_start", AMBIGUOUS),
    ]
    # 13/04/2026 can only be day/month: the whole file is read so.
    parsed = parse(BATCHES, text + "ACME,B-3,P,13/04/2026\n")
    assert parsed.ok
    assert parsed.records["planned_start"].to_list() == [
        D(2026, 4, 3),
        D(2026, 4, 5),
        D(2026, 4, 13),
    ]
    dated = parse(
        BATCHES,
        text,
        Mapping(
            columns={f: f for f in ("client", "batch", "product", "planned_start")},
            date_format="%m/%d/%Y",
        ),
    )
    assert dated.records["planned_start"].to_list() == [D(2026, 3, 4), D(2026, 5, 4)]


def test_mapped_headers_are_named_in_errors(parse):
    mapping = parse_mapping(
        '[columns]\nclient = "Customer"\nbatch = "Lot"\nproduct = "Material"\n'
        'actual_output = "Yield kg"\n',
        fields=BATCHES.names,
    )
    parsed = parse(BATCHES, "Customer,Lot,Material,Yield kg\nACME,L1,P,-1\n", mapping)
    assert errors(parsed) == [(2, "Yield kg", "-1", "must not be negative")]


# --- client ----------------------------------------------------------------------------------


def test_client_from_the_option_and_a_differing_client_cell(parse):
    parsed = parse(BATCHES, "batch,product\nB-1,P\n", default_client="ACME")
    assert parsed.ok and parsed.records["client"].to_list() == ["ACME"]
    assert "client" in parsed.mapped
    parsed = parse(BATCHES, "client,batch,product\n,B-1,P\nGLOBEX,B-2,P\n", default_client="ACME")
    assert parsed.records["client"].to_list() == ["ACME", "GLOBEX"]
    assert errors(parsed) == [
        (3, "client", "GLOBEX", "client differs from ACME, the client this file is imported for")
    ]


def test_file_level_problems_raise_once(parse):
    with pytest.raises(ImportFileError, match="no client column: pass --client CODE"):
        parse(BATCHES, "batch,product\nB-1,P\n")
    with pytest.raises(ImportFileError, match="no column is mapped to product"):
        parse(BATCHES, "client,batch\nACME,B-1\n")
    with pytest.raises(ImportFileError, match="no column is mapped to opened_date, severity"):
        parse(DEVIATIONS, "client,deviation\nACME,D-1\n")
    with pytest.raises(ImportFileError, match='the file has no column "Lot" \\(batch\\)'):
        parse(
            BATCHES,
            "client,batch,product\nA,B,P\n",
            Mapping(columns={"client": "client", "batch": "Lot", "product": "product"}),
        )
    with pytest.raises(ImportFileError, match="does not have: order; valid: client, batch"):
        parse(
            BATCHES, "client,order\nA,B\n", Mapping(columns={"client": "client", "order": "order"})
        )


def test_blank_rows_are_skipped(parse):
    parsed = parse(CAPAS, "client,capa,due_date\nACME,C-1,2026-05-01\n,,\nACME,C-2,2026-05-02\n")
    assert parsed.ok and (parsed.rows, parsed.blank_rows) == (2, 1)
    assert parsed.records["row"].to_list() == [2, 4]


# --- deviations, CAPAs ------------------------------------------------------------------------


def test_deviation_checks(parse):
    parsed = parse(
        DEVIATIONS,
        """
        client,deviation,batch,opened_date,closed_date,severity,area,title
        ACME,D-1,B-1,2026-03-02,2026-03-20,Major,Manufacturing,Filler stopped
        ACME,D-2,,2026-03-05,2026-03-01,minor,,
        ACME,D-3,,,,severe,,
        """,
    )
    assert errors(parsed) == [
        (3, "closed_date", "2026-03-01", "must not be before opened_date (2026-03-05)"),
        (4, "opened_date", None, "opened_date is required"),
        (4, "severity", "severe", "severity must be minor, major or critical"),
    ]
    first = parsed.records.row(0, named=True)
    # The batch and the area are resolved against the database by tower.imports.
    assert (first["batch"], first["severity"], first["area"]) == ("B-1", "major", "Manufacturing")


def test_capa_needs_a_due_date(parse):
    parsed = parse(CAPAS, "client,capa,deviation,due_date\nACME,C-1,D-1,\nACME,C-2,,2026-06-01\n")
    assert errors(parsed) == [(2, "due_date", None, "due_date is required")]


# --- plan ------------------------------------------------------------------------------------


def test_plan_weeks_as_iso_weeks_or_mondays(parse):
    parsed = parse(
        PLAN,
        """
        client,product,site,week,planned_qty,released_qty
        ACME,AMX,EU1,2026-W07,100,
        ACME,AMX,EU1,2026w8,100,90
        ACME,AMX,EU1,2026-02-23,100,110
        ACME,AMX,EU1,2026-W01,1,0
        ACME,AMX,EU1,2026-W53,1,0
        """,
    )
    assert parsed.ok, parsed.errors
    # ISO week 1 of 2026 starts on Monday 29 December 2025; 2026 has 53 ISO weeks.
    assert parsed.records["week"].to_list() == [
        D(2026, 2, 9), D(2026, 2, 16), D(2026, 2, 23), D(2025, 12, 29), D(2026, 12, 28)
    ]  # fmt: skip
    assert parsed.records["released_qty"].to_list() == [0.0, 90.0, 110.0, 0.0, 0.0]


def test_plan_checks(parse):
    parsed = parse(
        PLAN,
        """
        client,product,site,week,planned_qty,released_qty
        ACME,AMX,EU1,2026-W07,100,
        ACME,AMX,EU1,2026-02-09,50,
        ACME,AMX,EU1,2026-02-11,50,
        ACME,AMX,EU1,2027-W53,50,
        ACME,AMX,,2026-W09,,-3
        """,
    )
    assert errors(parsed) == [
        (3, "week", "2026-02-09", "the same plan week as row 2 (client, product, site and week): "
         "a file may give each plan week once"),
        (4, "week", "2026-02-11", f"a Wednesday: {NOT_A_MONDAY}"),
        (5, "week", "2027-W53", NOT_A_WEEK),
        (6, "planned_qty", None, "planned_qty is required"),
        (6, "released_qty", "-3", "must not be negative"),
        (6, "site", None, "site is required"),
    ]  # fmt: skip


# --- stock-outs ------------------------------------------------------------------------------


def test_stock_out_checks(parse):
    parsed = parse(
        STOCKOUTS,
        """
        client,product,location,start_date,end_date,note
        ACME,AMX,DE warehouse,2026-03-20,2026-03-25,Hospital tender
        ACME,AMX,DE warehouse,2026-04-20,2026-04-01,
        ACME,AMX,,2026-05-01,,
        """,
    )
    assert errors(parsed) == [
        (3, "end_date", "2026-04-01", "must not be before start_date (2026-04-20)"),
        (4, "location", None, "location is required"),
    ]


def test_every_kind_declares_a_client_first_key():
    assert set(SPECS) == {"batches", "deviations", "capas", "plan", "stockouts", "stock"}
    for spec in SPECS.values():
        assert spec.fields[0].name == "client" and spec.key[0] == "client"
        assert set(spec.key) <= set(spec.names)
        assert all(spec.field(k).required for k in spec.key)
