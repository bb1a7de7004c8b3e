"""Read a CSV or XLSX export into an all-text frame, as a person would see it in a spreadsheet.

Every column is String (values stripped, empty or blank cells null) so that nothing is converted
before validation can report it; a "__row__" column holds the spreadsheet row number of each
record (header = row 1) for error reports. Typing happens later, in dates.py and numbers.py.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import fastexcel
import polars as pl

from tower.ingest import limits
from tower.ingest.errors import ROW, ImportFileError
from tower.ingest.mapping import Mapping

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
DELIMITERS = (",", ";", "\t", "|")

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass(frozen=True)
class SourceTable:
    """The frame read_table returns, with how the file was read (for the import log)."""

    frame: pl.DataFrame
    kind: str  # "csv" or "xlsx"
    encoding: str | None = None  # csv: the text encoding used
    delimiter: str | None = None  # csv
    line_ending: str | None = None  # csv: "LF", "CRLF" or "CR"
    sheet: str | None = None  # xlsx: the sheet read

    @property
    def headers(self) -> list[str]:
        return [c for c in self.frame.columns if c != ROW]


def read_table(path: str | Path, mapping: Mapping | None = None) -> pl.DataFrame:
    return read_source(path, mapping).frame


def read_source(path: str | Path, mapping: Mapping | None = None) -> SourceTable:
    path = Path(path)
    mapping = mapping or Mapping()
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES:
        raise ImportFileError(
            f'cannot import "{path.name}": use a CSV ({", ".join(CSV_SUFFIXES)}) '
            f"or Excel workbook ({', '.join(XLSX_SUFFIXES)}) file"
        )
    if not path.is_file():
        raise ImportFileError(f'file not found: "{path}"')
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path, mapping)
    return _read_csv(path, mapping)


def file_sha256(path: str | Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


# --- CSV -------------------------------------------------------------------------------------


def _read_csv(path: Path, mapping: Mapping) -> SourceTable:
    raw = path.read_bytes()
    data, encoding = _to_utf8(raw, mapping.encoding)
    if not data or data.isspace():  # isspace stops at the first other byte; strip would copy
        raise ImportFileError(f'"{path.name}" is empty')
    header_line, eol = _first_line(data)
    delimiter = mapping.delimiter or _sniff_delimiter(header_line)
    try:
        frame = _polars_csv(data, delimiter, eol)
    except pl.exceptions.PolarsError:
        # Polars refuses a quote inside an unquoted cell (a size such as 5" pipe), which
        # spreadsheets read literally. Python's csv module reads it so; its writer then quotes
        # the file cleanly and Polars reads that. Both loops run in C, and only for such files.
        data = _requoted(path, data, delimiter)
        try:
            frame = _polars_csv(data, delimiter, "LF")
        except pl.exceptions.PolarsError as exc:
            raise ImportFileError(_unreadable(path, data, delimiter, exc)) from None
    return SourceTable(
        frame=_with_header(frame, first_row=1),
        kind="csv",
        encoding=encoding,
        delimiter=delimiter,
        line_ending=eol,
    )


def _to_utf8(raw: bytes, encoding: str | None) -> tuple[bytes, str]:
    """The bytes as UTF-8 without a byte-order mark, and the encoding they were read as."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[3:]
        encoding = encoding or "utf-8"  # the mark says so
    elif encoding is None and raw.startswith(_UTF16_BOMS):
        encoding = "utf-16"  # what Excel writes as "Unicode text"
    if encoding is not None:
        return _checked(raw, encoding, explicit=True), encoding
    # isascii is a fast C scan; most exports are plain ASCII and need no decoding at all.
    if raw.isascii():
        return raw, "utf-8"
    for candidate in ("utf-8", "cp1252"):
        try:
            return _checked(raw, candidate, explicit=False), candidate
        except UnicodeDecodeError:
            continue
    # latin-1 maps every byte, so it always succeeds: the last resort for 0x81, 0x8D, ...
    return raw.decode("latin-1").encode("utf-8"), "latin-1"


def _checked(raw: bytes, encoding: str, *, explicit: bool) -> bytes:
    try:
        text = raw.decode(encoding)
    except LookupError:  # a mapping is checked when read; a Mapping built in code is not
        raise ImportFileError(
            f'unknown encoding "{encoding}"; e.g. utf-8, cp1252, latin-1'
        ) from None
    except UnicodeError as exc:  # idna and punycode raise the base class, without a position
        if not explicit:
            raise
        start = getattr(exc, "start", 0)
        line = (
            raw.count(b"\n", 0, start) + raw.count(b"\r", 0, start) - raw.count(b"\r\n", 0, start)
        )
        raise ImportFileError(
            f"the file is not valid {encoding} text (line {line + 1}); "
            "set encoding in the mapping's [file] table, e.g. cp1252 or latin-1"
        ) from None
    if codecs.lookup(encoding).name == "utf-8":
        return raw
    return text.lstrip("\ufeff").encode("utf-8")


def _first_line(data: bytes) -> tuple[str, str]:
    """The header line and the file's line ending, judged at the end of the header line."""
    match = re.search(rb"\r\n|\r|\n", data)
    if match is None:
        return data.decode("utf-8", "replace"), "LF"
    ending = {b"\r\n": "CRLF", b"\r": "CR", b"\n": "LF"}[match.group()]
    return data[: match.start()].decode("utf-8", "replace"), ending


def _sniff_delimiter(header_line: str) -> str:
    """The candidate that splits the header most often (outside quotes); comma on a tie."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: unquoted.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])  # max keeps the first (comma) on a tie
    return best if counts[best] else ","


def _polars_csv(data: bytes, delimiter: str, eol: str) -> pl.DataFrame:
    # has_header=False: the header row is taken by _with_header, so that duplicate or blank
    # header cells are named by us (not silently renamed) and row numbers stay exact.
    return pl.read_csv(
        data,
        has_header=False,
        infer_schema=False,
        separator=delimiter,
        quote_char='"',
        # Old-Mac files end records with CR only. Telling the parser (rather than rewriting the
        # bytes) leaves line breaks inside quoted cells as they are. CRLF needs nothing.
        eol_char="\r" if eol == "CR" else "\n",
        raise_if_empty=False,
    )


def _requoted(path: Path, data: bytes, delimiter: str) -> bytes:
    """The file rewritten with standard quoting; a quote that is really broken (strict mode)
    is an error naming the line."""
    source = io.StringIO(data.decode("utf-8"), newline="")
    target = io.StringIO()
    reader = csv.reader(source, delimiter=delimiter, strict=True)
    try:
        csv.writer(target, delimiter=delimiter, lineterminator="\n").writerows(reader)
    except csv.Error as exc:
        raise ImportFileError(
            f'cannot read "{path.name}" near line {reader.line_num}: {exc}; '
            "a cell holding the delimiter or a line break must be quoted, and quotes inside a "
            'quoted cell doubled ("")'
        ) from None
    return target.getvalue().encode("utf-8")


def _unreadable(path: Path, data: bytes, delimiter: str, exc: Exception) -> str:
    named = "tab" if delimiter == "\t" else f'"{delimiter}"'
    if "more fields" not in str(exc):
        first = str(exc).splitlines()[0]
        return f'cannot read "{path.name}" as CSV (cells separated by {named}): {first}'
    rows = _ragged_rows(data, delimiter)
    if not rows:
        where = "a row has"
    elif len(rows) == 1:
        where = f"row {rows[0]} has"
    else:
        more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
        where = f"rows {', '.join(map(str, rows[:5]))}{more} have"
    return (
        f'cannot read "{path.name}": {where} more cells than the header '
        f"(cells separated by {named}); check the delimiter and quotes"
    )


def _ragged_rows(data: bytes, delimiter: str) -> list[int]:
    """Row numbers of records with more cells than the header (only called on that error).

    Polars takes the width from the first line, so a wider dummy first line lets it read the
    long rows; those with a value beyond the header's width are found without a Python loop.
    """
    width = len(next(csv.reader(io.StringIO(_first_line(data)[0]), delimiter=delimiter)))
    spare = 64
    dummy = delimiter.encode().join([b"x"] * (width + spare)) + b"\n"
    try:
        wide = pl.read_csv(
            dummy + data,
            has_header=False,
            infer_schema=False,
            separator=delimiter,
            truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError:
        return []
    # Record 0 is the dummy line, so a record's index is its spreadsheet row (header = 1).
    extra = [pl.col(c).is_not_null() for c in wide.columns[width:]]
    ragged = wide.with_row_index("n").slice(1).filter(pl.any_horizontal(extra))
    return ragged["n"].to_list()


# --- XLSX ------------------------------------------------------------------------------------


def _read_xlsx(path: Path, mapping: Mapping) -> SourceTable:
    _check_xlsx_size(path)
    try:
        workbook = fastexcel.read_excel(path)
    except Exception as exc:  # fastexcel raises its own error types for damaged workbooks
        raise ImportFileError(f'cannot open "{path.name}" as an Excel workbook: {exc}') from None
    sheet = _pick_sheet(workbook.sheet_names, mapping.sheet, path.name)
    try:
        # dtypes="string": calamine renders each cell as text, so a column mixing dates, numbers
        # and words ("Date Not Captured") loses nothing, booleans stay "true" instead of becoming
        # 1.0, and whole numbers read "19" (not "19.0"). Numbers keep up to 9 decimals.
        frame = workbook.load_sheet(sheet, header_row=None, dtypes="string").to_polars()
    except Exception as exc:
        raise ImportFileError(f'cannot read sheet "{sheet}" of "{path.name}": {exc}') from None
    # Date cells arrive as "YYYY-MM-DD HH:MM:SS"; a date is a date, not midnight.
    frame = frame.with_columns(
        pl.col(c).str.replace(r"^(\d{4}-\d{2}-\d{2}) 00:00:00(?:\.0+)?$", "${1}")
        for c in frame.columns
    )
    first_row = _first_used_row(path, sheet)
    return SourceTable(frame=_with_header(frame, first_row=first_row), kind="xlsx", sheet=sheet)


def _check_xlsx_size(path: Path) -> None:
    """Refuse a workbook that would inflate beyond the limits (tower.ingest.limits), before
    anything is inflated: the zip's central directory states each member's size, and the
    head of each sheet its dimension; the shared strings table states its count."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            inflated = sum(m.file_size for m in members)
            if inflated > limits.XLSX_MAX_UNCOMPRESSED_BYTES:
                raise ImportFileError(
                    f'"{path.name}" would inflate to {_megabytes(inflated)} (a zip bomb or not, '
                    f"more than the {_megabytes(limits.XLSX_MAX_UNCOMPRESSED_BYTES)} an import "
                    "reads): split the export or save it as CSV"
                )
            for member in members:
                cells = _declared_cells(archive, member.filename)
                if cells is not None and cells > limits.XLSX_MAX_CELLS:
                    raise ImportFileError(
                        f'"{path.name}" declares {cells:,} cells in {member.filename} (more than '
                        f"the {limits.XLSX_MAX_CELLS:,} an import reads): split the export"
                    )
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFileError(f'cannot open "{path.name}" as an Excel workbook: {exc}') from None


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_SST_COUNT = re.compile(rb'<(?:\w+:)?sst\b[^>]*?\s(?:uniqueCount|count)="(\d+)"')


def _declared_cells(archive: zipfile.ZipFile, name: str) -> int | None:
    """Cells a sheet's dimension (A1:Z1000) or the shared strings' count declares, read from
    the first 4 KB of the member only; None when it declares nothing (then the size limit
    alone guards)."""
    is_sheet = name.startswith("xl/worksheets/") and name.endswith(".xml")
    if not (is_sheet or name == "xl/sharedStrings.xml"):
        return None
    with archive.open(name) as stream:
        head = stream.read(4096)
    if not is_sheet:
        found = _SST_COUNT.search(head)
        return int(found.group(1)) if found else None
    found = _DIMENSION.search(head)
    if found is None:
        return None
    first_col, first_row, last_col, last_row = found.groups()
    if last_col is None:
        return 1
    columns = _column_number(last_col) - _column_number(first_col) + 1
    return max(columns, 1) * max(int(last_row) - int(first_row) + 1, 1)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.0f} MB"


def _pick_sheet(names: list[str], wanted: str | None, file_name: str) -> str:
    if wanted is None:
        if not names:
            raise ImportFileError(f'"{file_name}" has no sheets')
        return names[0]
    if wanted in names:
        return wanted
    # A trailing space or other case in a sheet name is easy to miss ("Summary " in SCMS).
    loose = [n for n in names if n.strip().casefold() == wanted.strip().casefold()]
    if len(loose) == 1:
        return loose[0]
    listed = ", ".join(f'"{n}"' for n in names)
    raise ImportFileError(f'"{file_name}" has no sheet "{wanted}"; its sheets are {listed}')


def _first_used_row(path: Path, sheet: str) -> int:
    """The sheet row number (1-based) of the first row holding a value.

    Calamine starts a sheet at its first non-empty row, so a title or blank rows above the
    header would shift every row number in error reports. The sheet XML says where rows are;
    only the rows before the first value are looked at. Falls back to 1 if anything is odd.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            member = _sheet_member(archive, sheet)
            if member is None:
                return 1
            with archive.open(member) as stream:
                for _, element in ET.iterparse(stream, events=("end",)):
                    if element.tag != f"{_MAIN_NS}row":
                        continue
                    if any(_cell_has_value(c) for c in element.iter(f"{_MAIN_NS}c")):
                        return int(element.get("r", "1"))
                    element.clear()
    except (zipfile.BadZipFile, ET.ParseError, KeyError, ValueError, OSError):
        return 1
    return 1


def _sheet_member(archive: zipfile.ZipFile, sheet: str) -> str | None:
    workbook = ET.fromstring(archive.read("xl/workbook.xml"))
    rel_id = next(
        (
            s.get(f"{_REL_NS}id")
            for s in workbook.iter(f"{_MAIN_NS}sheet")
            if s.get("name") == sheet
        ),
        None,
    )
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next(
        (r.get("Target") for r in rels.iter(f"{_PKG_REL_NS}Relationship") if r.get("Id") == rel_id),
        None,
    )
    if target is None:
        return None
    target = target.lstrip("/")
    return target if target.startswith("xl/") else str(PurePosixPath("xl") / target)


def _cell_has_value(cell: ET.Element) -> bool:
    value = cell.find(f"{_MAIN_NS}v")
    if value is not None and value.text:
        return True
    return any(t.text for t in cell.iter(f"{_MAIN_NS}t"))


# --- both ------------------------------------------------------------------------------------


def _with_header(frame: pl.DataFrame, *, first_row: int) -> pl.DataFrame:
    """Use the first record as the header; strip cells; number the rows as a spreadsheet does."""
    if frame.height == 0:
        return pl.DataFrame(schema={ROW: pl.Int64})
    names = _header_names(frame.row(0))
    body = frame.slice(1)
    body.columns = names
    return body.select(
        *(_clean(pl.col(name)) for name in names),
        pl.int_range(first_row + 1, first_row + 1 + body.height, dtype=pl.Int64).alias(ROW),
    )


def _clean(column: pl.Expr) -> pl.Expr:
    stripped = column.str.strip_chars()
    return pl.when(stripped.str.len_bytes() > 0).then(stripped)


def _header_names(cells: tuple) -> list[str]:
    """Stripped header texts; a blank header becomes "column N" and a repeated one "name (2)"
    (so a mapping can still point at it, and lines.py can tell that a header is repeated)."""
    names: list[str] = []
    seen: set[str] = set()
    for position, cell in enumerate(cells, start=1):
        name = (cell or "").strip().lstrip("\ufeff").strip() or f"column {position}"
        candidate, copy = name, 1
        while candidate in seen:
            copy += 1
            candidate = f"{name} ({copy})"
        seen.add(candidate)
        names.append(candidate)
    return names
