"""read_table / read_source: every quirk of real exports, on small files written at test time."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib

import polars as pl
import pytest

from tower.ingest import ROW, ImportFileError, Mapping, file_sha256, read_source, read_table


def rows(frame: pl.DataFrame) -> list[dict]:
    return frame.to_dicts()


# --- CSV: encodings, BOM, line endings --------------------------------------------------------


def test_utf8_bom_is_dropped(csv_file):
    source = read_source(csv_file(b"\xef\xbb\xbforder,qty\nA,1\n"))
    assert source.headers == ["order", "qty"]
    assert source.encoding == "utf-8"
    assert rows(source.frame) == [{"order": "A", "qty": "1", ROW: 2}]


def test_cr_only_line_endings_keep_quoted_commas_and_breaks(csv_file):
    data = b'order,product,qty\rA,"HIV, test kit",1\rB,"two\rlines",2\r'
    source = read_source(csv_file(data))
    assert source.line_ending == "CR"
    assert rows(source.frame) == [
        {"order": "A", "product": "HIV, test kit", "qty": "1", ROW: 2},
        {"order": "B", "product": "two\rlines", "qty": "2", ROW: 3},
    ]


def test_crlf_line_endings_leave_no_carriage_return(csv_file):
    source = read_source(csv_file(b'order,qty\r\nA,1\r\nB,"2"\r\n'))
    assert source.line_ending == "CRLF"
    assert source.headers == ["order", "qty"]
    assert source.frame["qty"].to_list() == ["1", "2"]


def test_lf_without_final_newline(csv_file):
    source = read_source(csv_file(b"order,qty\nA,1\nB,2"))
    assert source.line_ending == "LF"
    assert source.frame["order"].to_list() == ["A", "B"]


def test_cp1252_bytes_are_read_as_cp1252(csv_file):
    data = "order,site\nA,Société Générale\nB,Zürich – Nord\n".encode("cp1252")
    source = read_source(csv_file(data))
    assert source.encoding == "cp1252"
    assert source.frame["site"].to_list() == ["Société Générale", "Zürich – Nord"]


def test_latin1_bytes_undefined_in_cp1252_fall_back_to_latin1(csv_file):
    # 0x81 has no cp1252 character; latin-1 reads every byte.
    data = "order,site\nA,Société\n".encode("latin-1") + b"B,x\x81y\n"
    source = read_source(csv_file(data))
    assert source.encoding == "latin-1"
    assert source.frame["site"].to_list() == ["Société", "x\x81y"]


def test_encoding_from_the_mapping_is_used(csv_file):
    data = "order,site\nA,Société\n".encode("latin-1")
    source = read_source(csv_file(data), Mapping(encoding="latin-1"))
    assert source.encoding == "latin-1"
    assert source.frame["site"].to_list() == ["Société"]


def test_bytes_invalid_in_the_mapping_encoding_are_a_file_error(csv_file):
    data = "order,site\nA,Societe\nB,Société\n".encode("latin-1")
    with pytest.raises(ImportFileError, match=r"not valid utf-8 text \(line 3\)"):
        read_table(csv_file(data), Mapping(encoding="utf-8"))


def test_utf8_bom_with_an_explicit_encoding_is_still_dropped(csv_file):
    data = codecs.BOM_UTF8 + "order,site\nA,Société\n".encode("cp1252")
    source = read_source(csv_file(data), Mapping(encoding="cp1252"))
    assert source.headers == ["order", "site"]
    assert source.frame["site"].to_list() == ["Société"]


def test_utf16_with_bom_as_excel_unicode_text(csv_file):
    data = "order\tsite\nA\tSociété\n".encode("utf-16")
    source = read_source(csv_file(data, "export.txt"))
    assert (source.encoding, source.delimiter) == ("utf-16", "\t")
    assert rows(source.frame) == [{"order": "A", "site": "Société", ROW: 2}]


# --- CSV: delimiters, cells, headers, row numbers ------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed_from_the_header(csv_file, delimiter):
    d = delimiter.encode()
    data = b"order" + d + b"qty" + d + b"note\nA" + d + b"1" + d + b'"x, y; z"\n'
    source = read_source(csv_file(data))
    assert source.delimiter == delimiter
    assert rows(source.frame) == [{"order": "A", "qty": "1", "note": "x, y; z", ROW: 2}]


def test_delimiter_from_the_mapping_wins(csv_file):
    source = read_source(csv_file(b"order;qty,x\nA;1,5\n"), Mapping(delimiter=","))
    assert source.headers == ["order;qty", "x"]


def test_cells_are_stripped_and_blank_cells_are_null(csv_file):
    data = b' order , qty ,note\n  A  ,   , \t \n B,"  2 ",N/A\n'
    frame = read_table(csv_file(data))
    assert rows(frame) == [
        {"order": "A", "qty": None, "note": None, ROW: 2},
        {"order": "B", "qty": "2", "note": "N/A", ROW: 3},
    ]


def test_row_numbers_count_blank_lines_and_multiline_cells_as_a_spreadsheet_does(csv_file):
    data = b'order,note\nA,"two\nlines"\n\nB,x\n,\nC,y\n'
    frame = read_table(csv_file(data))
    assert frame.select("order", ROW).rows() == [("A", 2), (None, 3), ("B", 4), (None, 5), ("C", 6)]


def test_repeated_and_blank_headers_get_distinct_names(csv_file):
    frame = read_table(csv_file(b"qty,,qty,qty\n1,2,3,4\n"))
    assert frame.columns == ["qty", "column 2", "qty (2)", "qty (3)", ROW]


def test_header_only_file_has_no_rows(csv_file):
    frame = read_table(csv_file(b"order,qty\n"))
    assert frame.columns == ["order", "qty", ROW]
    assert frame.height == 0


def test_row_with_more_cells_than_the_header_names_the_row(csv_file):
    with pytest.raises(ImportFileError, match="row 3 has more cells than the header"):
        read_table(csv_file(b"order,qty\nA,1\nB,2,3\n"))


def test_quote_inside_an_unquoted_cell_is_read_literally_as_a_spreadsheet_does(csv_file):
    data = b'order,desc,qty\r\nA,5" pipe,3\r\nB,"say ""hi"", then\r\ngo",4\r\n\r\nC,,5\r\n'
    frame = read_table(csv_file(data))
    assert rows(frame) == [
        {"order": "A", "desc": '5" pipe', "qty": "3", ROW: 2},
        {"order": "B", "desc": 'say "hi", then\r\ngo', "qty": "4", ROW: 3},
        {"order": None, "desc": None, "qty": None, ROW: 4},
        {"order": "C", "desc": None, "qty": "5", ROW: 5},
    ]


def test_unclosed_quote_is_a_file_error(csv_file):
    with pytest.raises(ImportFileError, match="near line 3: unexpected end of data"):
        read_table(csv_file(b'order,qty\nA,"1\nB,2\n'))


def test_text_after_a_closing_quote_is_a_file_error(csv_file):
    with pytest.raises(ImportFileError, match="near line 2: ',' expected after '\"'"):
        read_table(csv_file(b'order,qty\nA,"1"x\nB,2\n'))


def test_ragged_row_is_found_in_a_file_polars_cannot_read(csv_file):
    with pytest.raises(ImportFileError, match="row 3 has more cells than the header"):
        read_table(csv_file(b'order,qty\nA,5" pipe\nB,2,3\n'))


def test_empty_file_is_a_file_error(csv_file):
    with pytest.raises(ImportFileError, match="is empty"):
        read_table(csv_file(b"\xef\xbb\xbf \r\n"))


def test_unknown_extension_is_a_file_error(tmp_path):
    path = tmp_path / "lines.pdf"
    path.write_bytes(b"%PDF")
    with pytest.raises(ImportFileError, match=r"use a CSV .* or Excel workbook"):
        read_table(path)


def test_missing_file_is_a_file_error(tmp_path):
    with pytest.raises(ImportFileError, match="file not found"):
        read_table(tmp_path / "nope.csv")


def test_file_sha256(csv_file):
    path = csv_file(b"order\nA\n")
    assert file_sha256(path) == hashlib.sha256(b"order\nA\n").hexdigest()


# --- XLSX -------------------------------------------------------------------------------------


def test_xlsx_cells_become_text_as_a_person_reads_them(xlsx_file):
    path = xlsx_file(
        {
            "Lines": [
                ["order", "qty", "value", "due", "stamp", "flag", "note"],
                [
                    "A",
                    19,
                    19.5,
                    dt.date(2006, 6, 2),
                    dt.datetime(2006, 6, 2, 13, 45, 7),
                    True,
                    " x ",
                ],
                ["B", 1e6, 0.1, dt.datetime(2006, 6, 3), dt.datetime(2006, 6, 3), False, "  "],
            ]
        }
    )
    source = read_source(path)
    assert source.kind == "xlsx"
    assert source.sheet == "Lines"
    assert source.frame.schema == {c: pl.String for c in source.headers} | {ROW: pl.Int64}
    assert rows(source.frame) == [
        {
            "order": "A",
            "qty": "19",
            "value": "19.5",
            "due": "2006-06-02",
            "stamp": "2006-06-02 13:45:07",
            "flag": "true",
            "note": "x",
            ROW: 2,
        },
        {
            "order": "B",
            "qty": "1000000",
            "value": "0.1",
            "due": "2006-06-03",
            "stamp": "2006-06-03",
            "flag": "false",
            "note": None,
            ROW: 3,
        },
    ]


def test_xlsx_column_mixing_dates_and_text_keeps_both(xlsx_file):
    path = xlsx_file(
        {"S": [["order", "sent"], ["A", dt.date(2009, 11, 18)], ["B", "Date Not Captured"]]}
    )
    assert read_table(path)["sent"].to_list() == ["2009-11-18", "Date Not Captured"]


def test_xlsx_sheet_from_the_mapping_else_the_first(xlsx_file):
    path = xlsx_file({"Summary": [["about"], ["x"]], "Data": [["order"], ["A"]]})
    assert read_table(path).columns == ["about", ROW]
    assert read_table(path, Mapping(sheet="Data"))["order"].to_list() == ["A"]
    # A trailing space or other case in the sheet name is tolerated when unambiguous.
    assert read_table(path, Mapping(sheet=" data"))["order"].to_list() == ["A"]


def test_xlsx_unknown_sheet_lists_the_sheets(xlsx_file):
    path = xlsx_file({"Summary": [["a"]], "Data": [["b"]]})
    with pytest.raises(ImportFileError, match='no sheet "Lines"; its sheets are "Summary", "Data"'):
        read_table(path, Mapping(sheet="Lines"))


def test_xlsx_row_numbers_are_sheet_rows(xlsx_file):
    # A header on sheet row 3 (a title and a blank row above) and a blank row among the data.
    path = xlsx_file({"S": [["order", "qty"], ["A", 1], [None, None], ["B", 2]]}, start_row=3)
    frame = read_table(path)
    assert frame.select("order", ROW).rows() == [("A", 4), (None, 5), ("B", 6)]


def test_damaged_workbook_is_a_file_error(tmp_path):
    path = tmp_path / "lines.xlsx"
    path.write_bytes(b"order,qty\nA,1\n")
    with pytest.raises(ImportFileError, match="cannot open"):
        read_table(path)
