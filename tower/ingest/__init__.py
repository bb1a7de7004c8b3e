"""Reading exports (CSV/XLSX), mapping their columns and validating every row.

Pure: no Django here; tower.imports (its one pipeline, for order lines and the other records)
stores what this package returns.

    from tower.ingest import load_profile, parse_lines, read_source

    mapping = load_profile("scms")
    source = read_source("SCMS_Delivery_History_Dataset.csv", mapping)
    parsed = parse_lines(source.frame, mapping, default_client="USAID")
    if parsed.errors.is_empty():
        ...  # store parsed.lines and parsed.deliveries
    else:
        ...  # show parsed.errors: row, column, value, reason

Modules: reader (file -> all-text frame with spreadsheet row numbers), mapping (field -> header,
TOML profiles), dates and numbers (typed columns plus row errors), lines (lines, deliveries and
every row error), records and specs (batches, deviations, CAPAs, plan weeks and stock-outs:
declared kinds and their typed, checked records), errors (ImportFileError, ROW_ERROR_SCHEMA).
"""

from tower.ingest.dates import parse_date_columns
from tower.ingest.errors import ROW, ROW_ERROR_SCHEMA, ImportFileError
from tower.ingest.lines import DELIVERY_SCHEMA, LINE_SCHEMA, ParsedLines, parse_lines
from tower.ingest.mapping import (
    FIELDS,
    Mapping,
    available_profiles,
    default_mapping,
    load_mapping,
    load_profile,
    parse_mapping,
    with_date_format,
)
from tower.ingest.numbers import parse_number_columns
from tower.ingest.reader import SourceTable, file_sha256, read_source, read_table
from tower.ingest.records import ParsedRecords, RecordSpec, parse_records
from tower.ingest.specs import SPECS

__all__ = [
    "DELIVERY_SCHEMA",
    "FIELDS",
    "LINE_SCHEMA",
    "ROW",
    "ROW_ERROR_SCHEMA",
    "ImportFileError",
    "Mapping",
    "ParsedLines",
    "ParsedRecords",
    "RecordSpec",
    "SPECS",
    "SourceTable",
    "available_profiles",
    "default_mapping",
    "file_sha256",
    "load_mapping",
    "load_profile",
    "parse_date_columns",
    "parse_lines",
    "parse_mapping",
    "parse_number_columns",
    "parse_records",
    "read_source",
    "read_table",
    "with_date_format",
]
