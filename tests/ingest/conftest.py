"""Helpers for the ingest tests: files are written to tmp_path at test time, never committed."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest


@pytest.fixture
def csv_file(tmp_path):
    """Write bytes (exactly as given) to a CSV file and return its path."""

    def write(data: bytes, name: str = "lines.csv") -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write


@pytest.fixture
def xlsx_file(tmp_path):
    """Write rows (lists of cells, real dates as datetime.date) to sheets of a workbook.

    `sheets` maps sheet name -> rows; `start_row` puts the first row lower in the sheet.
    """

    def write(sheets: dict[str, list[list]], name: str = "lines.xlsx", start_row: int = 1) -> Path:
        workbook = openpyxl.Workbook()
        workbook.remove(workbook.active)
        for title, rows in sheets.items():
            sheet = workbook.create_sheet(title)
            for offset, row in enumerate(rows):
                for column, value in enumerate(row, start=1):
                    if value is not None:
                        sheet.cell(row=start_row + offset, column=column, value=value)
        path = tmp_path / name
        workbook.save(path)
        return path

    return write
