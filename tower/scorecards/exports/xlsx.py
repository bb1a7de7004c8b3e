"""The scorecard as a workbook, for people who want to check or reuse the figures.

Sheets: "Scorecard" (every KPI with value, numerator, denominator, basis, target, tolerance,
status, the trend periods, commentary and definition), "Actions", "Survey", "Stock-outs",
"Penalties", then one sheet per KPI with the records behind it (tower.scorecards.evidence);
net OTIF, gross OTIF and on-time delivery share the "Order lines" sheet.
Figures are the JSON export's numbers (not rounded for display: the "Display" column has the
text every other export prints); a missing value is written "no data", never 0. Every table has
a frozen header row and an autofilter.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Protocol

import polars as pl
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from tower.scorecards.evidence import evidence as evidence_of
from tower.scorecards.exports import common
from tower.scorecards.scorecard import KpiResult, Scorecard

NO_DATA = "no data"
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_TEXT = 32_767
HEADER_ROW = 4  # rows above: title, subtitle, note, blank


class Evidence(Protocol):
    """What the XLSX reads of tower.scorecards.evidence.Evidence."""

    title: str
    note: str
    frame: pl.DataFrame  # one row per record; a boolean "counts" column where it applies

    @property
    def columns(self) -> list[tuple[str, str]]:  # (column, label) of the columns to show
        ...


EvidenceSource = Callable[[Scorecard, str], Evidence]


def render(card: Scorecard, *, evidence: EvidenceSource | None = None) -> bytes:
    """The workbook; `evidence(card, kpi_code)` gives the records behind each KPI (by default
    tower.scorecards.evidence.evidence, as of the scorecard's date)."""
    evidence = evidence or _stored_evidence
    buffer = io.BytesIO()
    options = {
        # Rows go to disk as they are written: a quarter's records can be 100,000s of rows.
        "constant_memory": True,
        # Texts are written as texts: a comment starting with "=" must not become a formula.
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "nan_inf_to_errors": True,
    }
    with xlsxwriter.Workbook(buffer, options) as workbook:
        book = _Book(workbook, card)
        sheets = _sheet_names(card)
        book.scorecard_sheet(sheets)
        book.actions_sheet()
        book.survey_sheet()
        book.stock_outs_sheet()
        book.penalties_sheet()
        for result in card.kpis:
            if result.code not in SHARED_SHEETS:
                book.evidence_sheet(sheets[result.code], result, evidence(card, result.code))
    return buffer.getvalue()


def _stored_evidence(card: Scorecard, kpi_code: str) -> Evidence:
    return evidence_of(card.client, card.period, kpi_code, as_of=card.as_of)


FIXED_SHEETS = ("Scorecard", "Actions", "Survey", "Stock-outs", "Penalties")
# Gross OTIF and on-time delivery count the same order lines as net OTIF, each in a column of
# its own there ("OTIF", "On time", "Met (net)"): one sheet of lines, not three copies of it.
SHARED_SHEETS = {"otif_gross": "otif_net", "on_time": "otif_net"}
ORDER_LINES = "Order lines"


def _sheet_names(card: Scorecard) -> dict[str, str]:
    """A valid, unique sheet name per KPI (at most 31 characters, none of []:*?/\\)."""
    used = {name.lower() for name in FIXED_SHEETS}
    names = {}
    for result in card.kpis:
        if result.code in SHARED_SHEETS:
            continue
        if result.code in SHARED_SHEETS.values():
            used.add(ORDER_LINES.lower())
            names[result.code] = ORDER_LINES
            continue
        base = "".join(c for c in result.name if c not in "[]:*?/\\'")
        name = common.clip(base, 31)
        counter = 2
        while name.lower() in used:
            suffix = f" ({counter})"
            name = common.clip(base, 31 - len(suffix)) + suffix
            counter += 1
        used.add(name.lower())
        names[result.code] = name
    for shared, owner in SHARED_SHEETS.items():
        names[shared] = names[owner]
    return names


class Column(NamedTuple):
    header: str
    width: float
    # text, wrap, number, money, date, bool, status, or figure: a KPI's number, where None is a
    # measured nothing and is written "no data" (elsewhere None is an empty cell: no due date)
    kind: str = "text"


class _Book:
    def __init__(self, workbook: xlsxwriter.Workbook, card: Scorecard):
        self.workbook = workbook
        self.card = card
        add = workbook.add_format
        self.formats = {
            "title": add({"bold": True, "font_size": 14, "font_color": f"#{common.TEXT}"}),
            "subtitle": add({"font_color": f"#{common.MUTED}"}),
            "note": add({"italic": True, "font_color": f"#{common.MUTED}"}),
            "header": add(
                {
                    "bold": True,
                    "font_color": "#FFFFFF",
                    "bg_color": f"#{common.ACCENT}",
                    "text_wrap": True,
                    "valign": "top",
                    "border": 1,
                    "border_color": f"#{common.BORDER}",
                }
            ),
            "text": add({"valign": "top"}),
            "wrap": add({"valign": "top", "text_wrap": True}),
            "number": add({"valign": "top"}),
            "money": add({"valign": "top", "num_format": "#,##0.00"}),
            "date": add({"valign": "top", "num_format": "yyyy-mm-dd"}),
            "datetime": add({"valign": "top", "num_format": "yyyy-mm-dd hh:mm"}),
            "bool": add({"valign": "top", "align": "center"}),
            "no_data": add({"valign": "top", "font_color": f"#{common.MUTED}", "align": "right"}),
            "link": add({"valign": "top", "font_color": f"#{common.ACCENT}", "underline": 1}),
            "total": add({"bold": True, "num_format": "#,##0.00"}),
            "label": add({"bold": True}),
        }
        for status, colours in common.STATUS_COLOURS.items():
            self.formats[f"status_{status}"] = add(
                {
                    "bold": True,
                    "valign": "top",
                    "font_color": f"#{colours.text}",
                    "bg_color": f"#{colours.fill}",
                }
            )

    # ---- sheets -------------------------------------------------------------------------------

    def scorecard_sheet(self, evidence_sheets: dict[str, str]) -> None:
        card = self.card
        trend = common.trend_periods(card)
        columns = [
            Column("Group", 20),
            Column("KPI", 34),
            Column("Code", 20),
            Column("Value", 10, "figure"),
            Column("Unit", 14),
            Column("Display", 20),
            Column("Numerator", 12, "number"),
            Column("Denominator", 12, "number"),
            Column("Basis", 34),
            Column("Breakdown", 24),
            Column("Target", 10, "number"),
            Column("Direction", 16),
            Column("Tolerance", 10, "number"),
            Column("Target source", 18),
            Column("Status", 17, "status"),
            *(Column(label, 10, "figure") for _, label in trend),
            Column("CMO commentary", 60, "wrap"),
            Column("Definition", 60, "wrap"),
        ]
        rows = []
        for result in card.kpis:
            data = result.to_dict()  # the JSON's numbers, so both exports agree to the digit
            values = {p["period"]: p["value"] for p in data["trend"]}
            rows.append(
                [
                    result.kpi.group,
                    _Link(f"internal:'{evidence_sheets[result.code]}'!A1", result.name),
                    result.code,
                    data["value"],
                    result.unit,
                    result.display,
                    data["numerator"],
                    data["denominator"],
                    result.basis,
                    common.breakdown_text(result),
                    result.target,
                    "higher is better" if result.kpi.higher_is_better else "lower is better",
                    result.tolerance,
                    "catalogue default" if result.target_is_default else "agreement",
                    result.status,
                    *(values.get(key) for key, _ in trend),
                    result.comment,
                    result.kpi.definition,
                ]
            )
        sheet = self._sheet(
            "Scorecard",
            f"{common.heading(card)} · client scorecard",
            f"Figures as of {card.as_of.isoformat()} · {common.PREPARED_BY}",
            "".join(f"{note}. " for note in card.unfrozen)
            + "Value, numerator, denominator and trend are the figures themselves (as in the "
            "JSON export); Display is how the scorecard prints the value. Click a KPI for the "
            "records behind it.",
        )
        self._table(sheet, columns, rows)

    def actions_sheet(self) -> None:
        card = self.card
        sheet = self._sheet(
            "Actions", "Agreed actions", common.heading(card), "Actions agreed with the client."
        )
        self._table(
            sheet,
            [
                Column("Action", 60, "wrap"),
                Column("KPI", 30),
                Column("Owner", 24),
                Column("Agreed in", 12),
                Column("Due", 12, "date"),
                Column("Status", 16),
            ],
            [
                [
                    a.title,
                    common.kpi_name(a.kpi) if a.kpi else "",
                    a.owner,
                    a.period,
                    a.due_date,
                    common.action_status(a),
                ]
                for a in card.actions
            ],
            empty="No agreed actions for this period.",
        )

    def survey_sheet(self) -> None:
        survey = self.card.survey
        sheet = self._sheet(
            "Survey",
            "Customer satisfaction survey",
            common.heading(self.card),
            f"{common.plural(survey.responses, 'response')}; ratings from 1 to 5.",
        )
        exported = self.card.to_dict()["survey"]  # the JSON's numbers
        rows = [[common.question_label(q), q, exported["means"][q]] for q in survey.means]
        rows.append(["All questions", "mean", exported["mean"]])
        end = self._table(
            sheet,
            [Column("Question", 30), Column("Code", 22), Column("Mean rating", 12, "figure")],
            rows,
        )
        top = end + 2
        sheet.write_string(top, 0, "Comments", self.formats["label"])
        for offset, comment in enumerate(survey.comments or ["No comments."], start=1):
            sheet.write_string(top + offset, 0, _text(comment), self.formats["text"])

    def stock_outs_sheet(self) -> None:
        sheet = self._sheet(
            "Stock-outs",
            "Customer stock-out events",
            common.heading(self.card),
            "Stock-outs in the client's warehouses or markets during the period.",
        )
        self._table(
            sheet,
            [
                Column("Product", 34),
                Column("Location", 18),
                Column("Start", 12, "date"),
                Column("End", 12, "date"),
                Column("Days in period", 10, "number"),
                Column("Caused by the CMO", 12, "bool"),
                Column("Linked lines", 10, "number"),
                Column("Source", 22),
            ],
            [
                [
                    s.product,
                    s.location,
                    s.start_date,
                    s.end_date if s.end_date else "ongoing",
                    s.days_in_period,
                    s.caused_word,
                    s.linked_lines,
                    common.stock_out_source(s.source),
                ]
                for s in self.card.stock_outs
            ],
            empty="No stock-outs in the period.",
        )

    def penalties_sheet(self) -> None:
        sheet = self._sheet(
            "Penalties",
            "Penalty exposure",
            common.heading(self.card),
            "What the agreement's penalty terms imply for the period.",
        )
        end = self._table(
            sheet,
            [
                Column("Term", 50, "wrap"),
                Column("Kind", 20),
                Column("Basis", 50, "wrap"),
                Column("Amount", 14, "money"),
                Column("Currency", 10),
            ],
            [
                [p.term, common.penalty_kind(p.kind), p.basis, p.amount, p.currency]
                for p in self.card.penalties
            ],
            empty="No penalty terms apply.",
        )
        totals: dict[str, float] = {}
        for p in self.card.penalties:
            totals[p.currency] = totals.get(p.currency, 0.0) + p.amount
        for offset, (currency, amount) in enumerate(totals.items(), start=2):
            sheet.write_string(end + offset, 2, "Total exposure", self.formats["label"])
            sheet.write_number(end + offset, 3, amount, self.formats["total"])
            sheet.write_string(end + offset, 4, currency, self.formats["label"])

    def evidence_sheet(self, name: str, result: KpiResult, evidence: Evidence) -> None:
        frame = evidence.frame
        # The columns meant for reading, under their labels (keys for web links are left out).
        labels = _unique([label for _, label in evidence.columns])
        shown = frame.head(EXCEL_MAX_ROWS - HEADER_ROW - 1).select(
            pl.col(column).alias(label)
            for (column, _), label in zip(evidence.columns, labels, strict=True)
        )
        cut = (
            f" Only the first {shown.height:,} of {frame.height:,} records fit in a sheet."
            if shown.height < frame.height
            else ""
        )
        sheet = self._sheet(
            name,
            evidence.title or result.name,
            f"{result.name}: {result.display} ({result.basis}); target "
            f"{common.target_text(result)}; {common.status_word(result.status)}",
            (evidence.note or "") + cut,
        )
        for col, (column, dtype) in enumerate(shown.schema.items()):
            sheet.set_column(col, col, _width(column, shown[column]), self._column_format(dtype))
            sheet.write_string(HEADER_ROW, col, column, self.formats["header"])
        sheet.freeze_panes(HEADER_ROW + 1, 0)
        if shown.is_empty():
            empty = f"No records behind this KPI for {self.card.period.label}."
            sheet.write_string(HEADER_ROW + 1, 0, empty, self.formats["note"])
            return
        # The hot loop of a big workbook: whole rows of plain values, each cell taking its
        # column's format (dates are Excel day numbers, see _cells).
        write_row = sheet.write_row
        for row, values in enumerate(_cells(shown).iter_rows(), start=HEADER_ROW + 1):
            write_row(row, 0, values)
        sheet.autofilter(HEADER_ROW, 0, HEADER_ROW + shown.height, shown.width - 1)

    def _column_format(self, dtype: pl.DataType):
        if dtype == pl.Date:
            return self.formats["date"]
        if isinstance(dtype, pl.Datetime):
            return self.formats["datetime"]
        if dtype == pl.Boolean:
            return self.formats["bool"]
        return self.formats["text"]

    # ---- building blocks ----------------------------------------------------------------------

    def _sheet(self, name: str, title: str, subtitle: str, note: str) -> Worksheet:
        """A sheet with its title lines. Rows must be written top to bottom from here on (the
        workbook is written in constant memory)."""
        sheet = self.workbook.add_worksheet(name)
        sheet.set_row(0, 20)
        sheet.write_string(0, 0, _text(title), self.formats["title"])
        sheet.write_string(1, 0, _text(subtitle), self.formats["subtitle"])
        sheet.write_string(2, 0, _text(note), self.formats["note"])
        return sheet

    def _table(
        self,
        sheet: Worksheet,
        columns: Sequence[Column],
        rows,
        *,
        empty: str = "",
    ) -> int:
        """The header at HEADER_ROW, frozen and filtered, then the rows; returns the last row."""
        formats = self.formats
        for col, column in enumerate(columns):
            sheet.write_string(HEADER_ROW, col, column.header, formats["header"])
            sheet.set_column(col, col, column.width)
        sheet.freeze_panes(HEADER_ROW + 1, 0)
        writers = [self._writer(column.kind) for column in columns]
        missing = {col for col, column in enumerate(columns) if column.kind == "figure"}
        row = HEADER_ROW
        for row, values in enumerate(rows, start=HEADER_ROW + 1):
            for col, value in enumerate(values):
                if value is None or value == "":
                    if col in missing:
                        sheet.write_string(row, col, NO_DATA, formats["no_data"])
                    continue
                writers[col](sheet, row, col, value)
        if row == HEADER_ROW and empty:
            row += 1
            sheet.write_string(row, 0, empty, formats["note"])
            return row
        sheet.autofilter(HEADER_ROW, 0, row, len(columns) - 1)
        return row

    def _writer(self, kind: str) -> Callable[[Worksheet, int, int, Any], None]:
        formats = self.formats
        text, number = formats["wrap" if kind == "wrap" else "text"], formats["number"]

        def write(sheet: Worksheet, row: int, col: int, value: Any) -> None:
            if isinstance(value, _Link):
                sheet.write_url(row, col, value.url, formats["link"], string=_text(value.text))
            elif isinstance(value, bool):
                sheet.write_boolean(row, col, value, formats["bool"])
            elif isinstance(value, int | float):
                sheet.write_number(row, col, value, formats["money"] if kind == "money" else number)
            elif isinstance(value, dt.datetime):
                sheet.write_datetime(row, col, value.replace(tzinfo=None), formats["datetime"])
            elif isinstance(value, dt.date):
                sheet.write_datetime(row, col, value, formats["date"])
            elif kind == "status":
                status = value if value in common.STATUS_COLOURS else "no_data"
                sheet.write_string(row, col, common.status_word(value), formats[f"status_{status}"])
            else:
                sheet.write_string(row, col, _text(value), text)

        return write


def _text(value: Any) -> str:
    return common.plain(str(value))[:EXCEL_MAX_TEXT]


def _unique(labels: list[str]) -> list[str]:
    """The labels, a repeated one numbered ("Quality (2)"): column headers must differ."""
    seen: dict[str, int] = {}
    unique = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        unique.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return unique


class _Link(NamedTuple):
    url: str
    text: str


EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # day 0 of Excel's date numbers (1900 date system)
MICROSECONDS_A_DAY = 86_400_000_000


def _cells(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame as values XlsxWriter writes fastest: dates and times as Excel day numbers (the
    column format shows them as dates), texts cut to Excel's cell limit, anything else as text."""
    columns = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if dtype == pl.Date:
            column = (column - pl.lit(EXCEL_EPOCH.date())).dt.total_days()
        elif isinstance(dtype, pl.Datetime):
            if dtype.time_zone:
                column = column.dt.replace_time_zone(None)  # the wall-clock time shown
            column = (column - pl.lit(EXCEL_EPOCH)).dt.total_microseconds() / MICROSECONDS_A_DAY
        elif dtype == pl.String:
            column = column.str.slice(0, EXCEL_MAX_TEXT)
        elif not (dtype.is_numeric() or dtype == pl.Boolean):
            column = column.map_elements(str, return_dtype=pl.String, skip_nulls=True)
        columns.append(column.alias(name))
    return frame.select(columns)


def _width(header: str, values: pl.Series) -> float:
    """A column as wide as its header or its longest value among the first rows, within limits."""
    if values.dtype == pl.Date:
        longest = 10
    elif values.dtype == pl.Boolean:
        longest = 5
    else:
        longest = values.head(500).cast(pl.String, strict=False).str.len_chars().max() or 0
    return float(min(60, max(8, len(header) + 2, longest + 2)))
