"""Scorecard exports: every file says what the JSON export says, and "no data" where nothing was
measured.

Most tests read back files made from scorecards built by hand (tests/scorecards/conftest.py):
the deck with python-pptx, the PDF with pypdf, the workbook with openpyxl. The last ones build a
scorecard from a small database and run the `tower scorecard` command.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE, XL_MARKER_STYLE
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

from tests.scorecards.conftest import (
    EXPORT_COMMENTS,
    export_fake_evidence,
    export_scorecard,
)
from tower.engine.kpi_catalogue import GROUPS, format_value
from tower.engine.periods import parse_period, quarter_of
from tower.masterdata.models import Product
from tower.quality.models import Batch, Deviation
from tower.scorecards import exports, services
from tower.scorecards.exports import common, pdf, pptx, xlsx
from tower.scorecards.management.commands import scorecard as command
from tower.scorecards.models import SurveyResponse
from tower.scorecards.scorecard import (
    ActionRow,
    build_scorecard,
)
from tower.scorecards.scorecard import Scorecard as ScorecardData

STATUS_WORDS = ("On target", "Within tolerance", "Off target", "No data")
A4_POINTS = (595.28, 841.89)


@pytest.fixture(scope="module")
def card():
    return export_scorecard()


@pytest.fixture(scope="module")
def empty_card():
    return export_scorecard(empty=True)


@pytest.fixture(scope="module")
def deck(card):
    return Presentation(io.BytesIO(pptx.render(card)))


@pytest.fixture(scope="module")
def report_text(card):
    return pdf_text(pdf.render(card))


@pytest.fixture(scope="module")
def workbook(card):
    return openpyxl.load_workbook(io.BytesIO(xlsx.render(card, evidence=export_fake_evidence)))


# ---- reading the files back -------------------------------------------------------------------


def shape_texts(slide) -> list[str]:
    """Every text on the slide: text boxes, placeholders and table cells."""
    texts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            texts.append(shape.text_frame.text)
        if shape.has_table:
            texts += [cell.text for row in shape.table.rows for cell in row.cells]
    return texts


def table_rows(slide) -> list[list[str]]:
    [table] = [s.table for s in slide.shapes if s.has_table]
    return [[cell.text for cell in row.cells] for row in table.rows]


def charts(slide):
    return [s.chart for s in slide.shapes if s.has_chart]


def titles(presentation) -> list[str]:
    return [s.shapes.title.text for s in presentation.slides]


def pdf_text(content: bytes) -> str:
    """The PDF's text with every run of white space as one space (table cells wrap)."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def scorecard_rows(book) -> dict[str, dict]:
    """The Scorecard sheet's KPI rows by code, as {header: value}."""
    rows = list(book["Scorecard"].iter_rows(min_row=xlsx.HEADER_ROW + 1, values_only=True))
    header, body = rows[0], rows[1:]
    return {row[2]: dict(zip(header, row, strict=True)) for row in body}


def sheet_rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(min_row=xlsx.HEADER_ROW + 1, values_only=True))


# ---- render and JSON --------------------------------------------------------------------------


def test_render_gives_content_type_and_file_name(card):
    types = {}
    for fmt in ("json", "pdf", "pptx"):
        export = exports.render(card, fmt)
        assert export.filename == f"scorecard-ACME-2026Q3.{fmt}"
        types[fmt] = export.content_type
        content, content_type, filename = export  # the web view unpacks it
        assert content.startswith({"json": b"{", "pdf": b"%PDF", "pptx": b"PK"}[fmt])
    assert types["pdf"] == "application/pdf" and types["json"] == "application/json"
    assert types["pptx"].endswith("presentationml.presentation")
    assert exports.FORMATS["xlsx"].content_type.endswith("spreadsheetml.sheet")
    with pytest.raises(ValueError, match="not an export format"):
        exports.render(card, "docx")


def test_json_export_round_trips(card):
    data = json.loads(exports.render(card, "json").content)
    assert data == card.to_dict()
    assert data["kpis"][3]["value"] is None and data["kpis"][3]["display"] == "no data"
    assert "timeline — please" in exports.render(card, "json").content.decode()  # not \u2014


def test_every_display_is_the_json_value_formatted(card):
    for kpi in card.to_dict()["kpis"]:
        assert kpi["display"] == format_value(kpi["value"], kpi["unit"])


# ---- the deck ---------------------------------------------------------------------------------


def test_deck_slides_and_titles(deck):
    assert titles(deck) == [
        "Acme Pharma",
        "Scorecard summary",
        *GROUPS,
        "Customer satisfaction survey",
        "Agreed actions",
        "Customer stock-out events",
        "Penalty exposure",
    ]
    assert deck.slide_width * 9 == deck.slide_height * 16
    first = " ".join(shape_texts(deck.slides[0]))
    assert "Q3 2026" in first and "5 October 2026" in first and "Prepared by the CMO" in first


def test_deck_summary_has_every_kpi_with_the_json_figures(deck, card):
    rows = table_rows(deck.slides[1])
    assert rows[0] == ["Group", "KPI", "Value", "Target", "Status"]
    by_name = {row[1]: row for row in rows[1:]}
    for kpi in card.to_dict()["kpis"]:
        _, _, value, target, status = by_name[kpi["name"]]
        assert value == format_value(kpi["value"], kpi["unit"]) == kpi["display"]
        assert target.startswith(card.kpi(kpi["code"]).target_display)
        assert status == common.status_word(kpi["status"])
    assert {row[4] for row in rows[1:]} == set(STATUS_WORDS)


def test_status_cells_are_coloured(deck):
    table = next(s.table for s in deck.slides[1].shapes if s.has_table)
    fills = {cell.text: str(cell.fill.fore_color.rgb) for row in table.rows for cell in row.cells}
    assert fills["On target"] == common.STATUS_COLOURS["green"].fill
    assert fills["Off target"] == common.STATUS_COLOURS["red"].fill
    assert fills["No data"] == common.STATUS_COLOURS["no_data"].fill


def test_each_group_slide_has_a_native_chart_per_kpi_with_the_json_figures(deck, card):
    data = {k["code"]: k for k in card.to_dict()["kpis"]}
    for slide, (group, results) in zip(list(deck.slides)[2:8], card.groups(), strict=True):
        assert slide.shapes.title.text == group
        assert all(s.shape_type != MSO_SHAPE_TYPE.PICTURE for s in slide.shapes)
        slide_charts = charts(slide)
        assert len(slide_charts) == len(results)
        texts = shape_texts(slide)
        for chart, result in zip(slide_charts, results, strict=True):
            kpi = data[result.code]
            # A line chart, the KPI's line with markers, the target's (dashed) without.
            assert chart.chart_type in (XL_CHART_TYPE.LINE, XL_CHART_TYPE.LINE_MARKERS)
            assert chart.chart_title.text_frame.text == kpi["name"]
            # Editable: the chart carries its own workbook of figures.
            assert chart.part.chart_workbook.xlsx_part is not None
            values, target = chart.plots[0].series
            assert values.marker.style == XL_MARKER_STYLE.CIRCLE
            expected = [p["value"] for p in kpi["trend"]] + [kpi["value"]]
            assert list(values.values) == [common.as_displayed(v, kpi["unit"]) for v in expected]
            assert set(target.values) == {kpi["target"]}
            assert list(chart.plots[0].categories) == [p["label"] for p in kpi["trend"]] + [
                "Q3 2026"
            ]
            assert kpi["display"] in texts
            assert common.status_word(kpi["status"]) in texts


def test_deck_commentary_is_cut_to_fit(deck):
    delivery = table_rows(deck.slides[2])
    comments = {row[0]: row[5] for row in delivery[1:]}
    assert comments["Net OTIF"] == EXPORT_COMMENTS["otif_net"]
    assert comments["Ship on planned date"] == "—"
    long = comments["On-time delivery"]
    assert long.endswith("…") and len(long) <= 110
    assert EXPORT_COMMENTS["on_time"].startswith(long.removesuffix("…"))


def test_deck_survey_actions_stock_outs_and_penalties(deck, card):
    survey = deck.slides[8]
    [bar] = charts(survey)
    assert bar.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    means = dict(zip(bar.plots[0].categories, bar.plots[0].series[0].values, strict=True))
    assert means == {
        SurveyResponse.QUESTIONS[q]: m for q, m in card.to_dict()["survey"]["means"].items()
    }
    text = " ".join(shape_texts(survey))
    assert "5 responses · mean rating 4.20 of 5" in text
    assert "Much better communication since the weekly call." in text
    actions = table_rows(deck.slides[9])
    assert [row[0] for row in actions[1:]] == [a.title for a in card.actions]
    assert actions[2][5] == "Open, overdue"  # due 15 September, figures as of 5 October
    stock_outs = table_rows(deck.slides[10])
    assert stock_outs[2][3] == "ongoing"
    penalties = " ".join(shape_texts(deck.slides[11]))
    assert "248.00 EUR" in penalties and "Total exposure: 5,248.00 EUR" in penalties


def test_deck_footers_name_client_period_and_slide(deck):
    count = len(deck.slides)
    for number, slide in enumerate(deck.slides, start=1):
        texts = shape_texts(slide)
        if number > 1:
            assert f"{number} / {count}" in texts
            assert any(t.startswith("Acme Pharma (ACME) · Q3 2026") for t in texts)


def test_long_lists_continue_on_further_slides():
    card = export_scorecard()
    card.actions = [
        ActionRow(f"Action {n}", "QC", None, "open", "", "2026Q3") for n in range(1, 31)
    ]
    presentation = Presentation(io.BytesIO(pptx.render(card)))
    action_titles = [t for t in titles(presentation) if t.startswith("Agreed actions")]
    assert action_titles == [f"Agreed actions ({n} of 3)" for n in (1, 2, 3)]
    rows = [
        row[0]
        for slide in presentation.slides
        if slide.shapes.title.text.startswith("Agreed actions")
        for row in table_rows(slide)[1:]
    ]
    assert rows == [f"Action {n}" for n in range(1, 31)]


def test_deck_with_no_data_says_so_everywhere(empty_card):
    presentation = Presentation(io.BytesIO(pptx.render(empty_card)))
    # No stock-outs and no penalty terms: no slides for them.
    assert titles(presentation)[-1] == "Agreed actions"
    rows = table_rows(presentation.slides[1])[1:]
    assert {row[2] for row in rows} == {"no data"} and {row[4] for row in rows} == {"No data"}
    for slide in list(presentation.slides)[2:8]:
        assert {row[1] for row in table_rows(slide)[1:]} == {"no data"}
        for chart in charts(slide):
            assert set(chart.plots[0].series[0].values) == {None}  # gaps, never 0
        assert "no data" in shape_texts(slide)  # written over the empty charts
    survey = " ".join(shape_texts(presentation.slides[8]))
    assert "mean rating no data" in survey and not charts(presentation.slides[8])
    assert "No agreed actions" in " ".join(shape_texts(presentation.slides[9]))


def test_texts_are_made_safe_for_the_file():
    card = export_scorecard()
    card.actions = [ActionRow("Fix \x0bthe <line> & report", "QA", None, "open", "", "2026Q3")]
    presentation = Presentation(io.BytesIO(pptx.render(card)))
    assert table_rows(presentation.slides[9])[1][0] == "Fix the <line> & report"
    assert "Fix the <line> & report" in pdf_text(pdf.render(card))


# ---- the PDF ----------------------------------------------------------------------------------


def test_pdf_pages_are_a4_with_header_and_page_numbers(card):
    reader = PdfReader(io.BytesIO(pdf.render(card)))
    pages = reader.pages
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx(A4_POINTS, abs=0.1)
        text = page.extract_text()
        assert "Acme Pharma (ACME) · Q3 2026" in text
        assert f"Page {number} of {len(pages)}" in text
    assert reader.metadata.title == "Scorecard Acme Pharma Q3 2026"


def test_pdf_has_every_kpi_with_its_value_and_status_in_words(report_text, card):
    for kpi in card.to_dict()["kpis"]:
        assert kpi["name"] in report_text
        assert kpi["display"] in report_text
    for word in STATUS_WORDS:
        assert word in report_text
    assert "Net OTIF 96.4 % ≥ 95.0 % On target" in report_text  # a summary row, in order


def test_pdf_has_commentary_survey_actions_stock_outs_and_penalties(report_text):
    # Whole, and with the characters that mean something in reportlab's markup.
    assert " ".join(EXPORT_COMMENTS["on_time"].split()) in report_text
    assert "<tooling>, one major." in report_text
    assert "Still waiting for the revised artwork timeline — please confirm." in report_text
    assert "Reduce QC release backlog to under 5 batches" in report_text
    assert "Open, overdue" in report_text
    assert "AMX-500 Amoxicillin 500 mg" in report_text and "ongoing" in report_text
    assert "Total exposure: 5,248.00 EUR" in report_text


def test_pdf_with_no_data_says_so(empty_card):
    text = pdf_text(pdf.render(empty_card))
    # Every KPI in the summary and in its group's table, and over each empty chart.
    assert text.count("no data") >= 3 * len(empty_card.kpis)
    assert text.count("No data") >= 2 * len(empty_card.kpis)
    assert "mean rating no data" in text and "No agreed actions for this period." in text
    assert "96.4" not in text


# ---- the workbook -----------------------------------------------------------------------------


def test_workbook_sheets(workbook, card):
    assert workbook.sheetnames[:5] == ["Scorecard", "Actions", "Survey", "Stock-outs", "Penalties"]
    kpi_sheets = workbook.sheetnames[5:]
    # Net and gross OTIF and on-time delivery share one sheet of order lines.
    assert len(kpi_sheets) == len(card.kpis) - 2 == len(set(kpi_sheets))
    assert all(len(name) <= 31 for name in kpi_sheets)
    assert kpi_sheets[0] == "Order lines"


def test_workbook_scorecard_sheet_has_the_json_figures(workbook, card):
    rows = scorecard_rows(workbook)
    for kpi in card.to_dict()["kpis"]:
        row = rows[kpi["code"]]
        assert row["KPI"] == kpi["name"]
        assert row["Value"] == (kpi["value"] if kpi["value"] is not None else "no data")
        assert row["Display"] == kpi["display"]
        assert row["Numerator"] == kpi["numerator"]
        assert row["Denominator"] == kpi["denominator"]
        assert row["Target"] == kpi["target"] and row["Tolerance"] == kpi["tolerance"]
        assert row["Status"] == common.status_word(kpi["status"])
        for point in kpi["trend"]:
            expected = point["value"] if point["value"] is not None else "no data"
            assert row[point["label"]] == expected
    assert rows["otif_net"]["CMO commentary"] == EXPORT_COMMENTS["otif_net"]
    assert rows["otif_net"]["Target source"] == "agreement"
    assert rows["otif_gross"]["Target source"] == "catalogue default"


def test_workbook_tables_have_frozen_headers_filters_and_links(workbook):
    sheet = workbook["Scorecard"]
    header = xlsx.HEADER_ROW + 1
    assert sheet.freeze_panes == f"A{header + 1}"
    assert sheet.auto_filter.ref.startswith(f"A{header}:")
    assert sheet.cell(header + 1, 2).hyperlink.location == "'Order lines'!A1"
    assert sheet.cell(header + 2, 2).hyperlink.location == "'Order lines'!A1"  # gross OTIF
    assert sheet.column_dimensions["B"].width > 20
    assert workbook["Actions"].auto_filter.ref == f"A{header}:F{header + 3}"


def test_workbook_kpi_sheets_have_the_records_behind_each_kpi(workbook):
    sheet = workbook["Order lines"]
    assert sheet["A1"].value == "Net OTIF: Acme Pharma, Q3 2026"
    assert sheet["A2"].value.startswith("Net OTIF: 96.4 % (412 of 427 lines)")
    header, *rows = sheet_rows(sheet)
    # Keys for links ("line_id") are left out; the labels of the evidence are the headers.
    assert header == ("Order", "Due", "quantity", "days late", "Met")
    assert rows[0] == ("PO-1", dt.datetime(2026, 7, 1), 100, 0, True)
    assert rows[1][4] is False and rows[2][4] is None
    # A text that looks like a formula stays a text.
    assert rows[2][0] == '=HYPERLINK("http://example.com")'
    assert sheet.cell(xlsx.HEADER_ROW + 4, 1).data_type == "s"
    assert sheet.cell(xlsx.HEADER_ROW + 2, 2).number_format == "yyyy-mm-dd"
    empty = sheet_rows(workbook["Ship on planned date"])
    assert empty[1][0] == "No records behind this KPI for Q3 2026."


def test_workbook_actions_survey_stock_outs_and_penalties(workbook, card):
    actions = sheet_rows(workbook["Actions"])[1:]
    assert actions[0] == (
        "Second carrier for Iberian lanes",
        "On-time delivery",
        "Logistics lead",
        "2026Q2",
        dt.datetime(2026, 9, 30),
        "Done",
    )
    survey = sheet_rows(workbook["Survey"])
    means = card.to_dict()["survey"]["means"]
    assert {row[1]: row[2] for row in survey[1:6]} == means
    assert survey[6] == ("All questions", "mean", 4.2)
    stock_outs = sheet_rows(workbook["Stock-outs"])[1:]
    # Caused by the CMO in words, since it has three states (yes, no, undetermined).
    assert stock_outs[1][3] == "ongoing" and stock_outs[1][5] == "Yes"
    penalties = sheet_rows(workbook["Penalties"])
    assert penalties[1][3] == 248.0 and penalties[-1][2:] == ("Total exposure", 5248, "EUR")


def test_workbook_with_no_data_says_so(empty_card):
    book = openpyxl.load_workbook(
        io.BytesIO(xlsx.render(empty_card, evidence=export_fake_evidence))
    )
    for row in scorecard_rows(book).values():
        assert row["Value"] == "no data" and row["Display"] == "no data"
        assert row["Status"] == "No data"
        assert row["Q3 2025"] == "no data"
    assert sheet_rows(book["Actions"])[1][0] == "No agreed actions for this period."
    assert sheet_rows(book["Survey"])[6] == ("All questions", "mean", "no data")


# ---- the command ------------------------------------------------------------------------------


@pytest.fixture
def hand_built(monkeypatch, acme):
    """`tower scorecard` on the hand-built card (the client and period it asks for are kept)."""
    asked = {}

    def build(client, period, *, as_of=None):
        asked.update(client=client, period=period, as_of=as_of)
        return export_scorecard()

    monkeypatch.setattr(command, "build_scorecard", build)
    monkeypatch.setattr(xlsx, "_stored_evidence", export_fake_evidence)
    return asked


@pytest.mark.parametrize("fmt", ["pdf", "pptx", "xlsx", "json"])
def test_command_writes_each_format(hand_built, tmp_path, fmt):
    path = tmp_path / f"deck.{fmt}"
    out = io.StringIO()
    call_command("scorecard", "ACME", "--quarter", "2026Q3", "--output", str(path), stdout=out)
    content = path.read_bytes()
    if fmt == "json":
        assert json.loads(content) == export_scorecard().to_dict()
    else:  # PDF, or a zip (the deck and the workbook)
        assert content.startswith(b"%PDF" if fmt == "pdf" else b"PK\x03\x04")
    assert f"Wrote {path}" in out.getvalue()
    assert hand_built["period"] == parse_period("2026Q3")


def test_command_prints_a_table_by_default_for_the_last_complete_quarter(hand_built):
    out = io.StringIO()
    call_command("scorecard", "ACME", stdout=out)
    text = out.getvalue()
    assert "Acme Pharma (ACME) · Q3 2026" in text
    for name in ("Net OTIF", "Customer satisfaction", "On target", "no data", "96.4 %"):
        assert name in text
    assert "Penalty exposure: 5,248.00 EUR" in text
    from django.utils import timezone

    assert hand_built["period"] == quarter_of(timezone.localdate()).shifted(-1)


def test_command_writes_json_to_standard_output_and_reads_months(hand_built):
    out = io.StringIO()
    call_command("scorecard", "ACME", "--month", "2026-07", "--output", "-", stdout=out)
    assert json.loads(out.getvalue())["client"]["code"] == "ACME"
    assert hand_built["period"] == parse_period("2026-07")


def test_command_default_file_name_and_format_from_the_extension(hand_built, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    call_command(
        "scorecard", "ACME", "--quarter", "2026Q3", "--format", "pdf", stdout=io.StringIO()
    )
    assert (tmp_path / "scorecard-ACME-2026Q3.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(CommandError, match="cannot tell the format from 'x.doc'"):
        call_command("scorecard", "ACME", "--output", "x.doc")
    with pytest.raises(CommandError, match="a pdf file cannot go to standard output"):
        call_command("scorecard", "ACME", "--format", "pdf", "--output", "-")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["ACME", "--quarter", "2026Q5"], "'2026Q5' is not a quarter: write it as 2026Q3"),
        (["ACME", "--quarter", "2026-07"], "'2026-07' is not a quarter"),
        (["ACME", "--month", "2026-13"], "'2026-13' is not a month: write it as 2026-07"),
        (["NOPE"], "unknown client 'NOPE' (known: ACME)"),
        (["ACME", "--output", "/no/such/folder/x.pdf"], "cannot write /no/such/folder/x.pdf"),
    ],
)
def test_command_errors_are_sentences_not_tracebacks(
    hand_built, settings, tmp_path, capsys, argv, message
):
    from tower.cli import main

    settings.DATA_DIR = tmp_path
    with pytest.raises(SystemExit) as stopped:
        main(["tower", "scorecard", *argv])
    assert stopped.value.code != 0
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


# ---- a scorecard from the database ------------------------------------------------------------


@pytest.fixture
def reviewed_quarter(acme_data, people):
    """Q1 2026 of ACME: the lines of tests/performance/conftest.py, two batches (one with a
    deviation), a survey, a comment and an agreed action."""
    client, users = acme_data, people
    product = Product.objects.get(client=client, code="AMX-500")
    for number, start, disposition, output in (
        ("B1", 1, "released", 96),
        ("B2", 3, "rejected", 70),
    ):
        batch = Batch.objects.create(
            client=client, product=product, number=number,
            planned_start=dt.date(2026, start, 1), actual_start=dt.date(2026, start, 1),
            actual_end=dt.date(2026, start, 10), material_ready_date=dt.date(2026, start, 1),
            planned_release_date=dt.date(2026, start, 20), actual_release_date=dt.date(2026, start, 18),
            disposition=disposition, theoretical_output=100, actual_output=output,
        )  # fmt: skip
    Deviation.objects.create(
        client=client,
        number="DV-1",
        batch=batch,
        opened_date=dt.date(2026, 3, 5),
        severity="minor",
    )
    quarter = parse_period("2026Q1")
    services.submit_survey(
        client=client,
        period=quarter,
        ratings=dict(zip(SurveyResponse.QUESTIONS, (4, 5, 3, 4, 4), strict=True)),
        comment="Good recovery in March.",
        user=users["viewer"],
    )
    services.set_kpi_comment(
        client=client, period=quarter, kpi="otif_net", text="QC backlog", user=users["staff"]
    )
    services.add_action(
        client=client,
        period=quarter,
        title="Second QC shift",
        owner="QC lead",
        user=users["staff"],
    )
    return build_scorecard(client, quarter, as_of=dt.date(2026, 6, 30))


def test_exports_of_a_scorecard_from_the_database_agree_with_its_json(reviewed_quarter):
    card: ScorecardData = reviewed_quarter
    data = json.loads(exports.render(card, "json").content)
    kpis = {k["code"]: k for k in data["kpis"]}
    assert kpis["otif_gross"]["display"] == "25.0 %" and kpis["yield"]["display"] == "83.0 %"

    presentation = Presentation(io.BytesIO(exports.render(card, "pptx").content))
    summary = {row[1]: row for row in table_rows(presentation.slides[1])[1:]}
    report = pdf_text(exports.render(card, "pdf").content)
    book = openpyxl.load_workbook(io.BytesIO(exports.render(card, "xlsx").content))
    rows = scorecard_rows(book)
    for code, kpi in kpis.items():
        assert kpi["display"] == format_value(kpi["value"], kpi["unit"])
        assert summary[kpi["name"]][2] == kpi["display"]
        assert summary[kpi["name"]][4] == common.status_word(kpi["status"])
        assert kpi["name"] in report and kpi["display"] in report
        expected = kpi["value"] if kpi["value"] is not None else "no data"
        assert rows[code]["Value"] == expected and rows[code]["Display"] == kpi["display"]
        assert rows[code]["Numerator"] == kpi["numerator"]
    assert "Good recovery in March." in report and "QC backlog" in report
    # The records behind net OTIF: the four measured lines of March.
    header, *lines = sheet_rows(book["Order lines"])
    assert len(lines) == kpis["otif_net"]["denominator"] == 4
    assert (
        sum(1 for line in lines if line[header.index("Met (net)")]) == kpis["otif_net"]["numerator"]
    )
