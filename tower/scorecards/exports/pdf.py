"""The scorecard as a printable report: A4 portrait, vector charts, readable in black and white.

The same content as the deck: a summary of every KPI, then per KPI group a table (value, target,
status, basis), a trend chart per KPI against its target and the CMO's commentary; the survey;
the agreed actions; the stock-out events and the penalty exposure when there are any. Status is
written as a word as well as a colour, and a missing value is "no data", never 0. Every page has
a header (client, period, as-of date) and a footer ("Page X of Y").
"""

from __future__ import annotations

import io
import math
from functools import partial
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Circle, Drawing, Line, String
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from tower.engine.kpi_catalogue import format_value
from tower.scorecards.exports import common
from tower.scorecards.exports.pdf_style import (
    ACCENT,
    BOLD,
    BORDER,
    FONT,
    MARGIN,
    MUTED,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    TEXT,
    NumberedCanvas,
    paragraph,
    register_fonts,
    rgb,
    styles,
)
from tower.scorecards.scorecard import (
    KpiResult,
    Scorecard,
)

BODY_WIDTH = PAGE_WIDTH - 2 * MARGIN
CHARTS_PER_ROW = 3
CHART_HEIGHT = 44 * mm


def render(card: Scorecard) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=22 * mm,
        bottomMargin=18 * mm,
        title=f"Scorecard {card.client.name} {card.period.label}",
        author=common.AUTHOR,
        subject=f"Client scorecard, figures as of {card.as_of.isoformat()}",
    )
    body = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[body], onPage=partial(_decorate, card))])
    doc.build(_story(card), canvasmaker=NumberedCanvas)
    return buffer.getvalue()


# ---- the story --------------------------------------------------------------------------------


def _story(card: Scorecard) -> list:
    story = [
        paragraph("Client scorecard", "kicker"),
        paragraph(card.client.name, "title"),
        paragraph(
            f"{card.period.label} · figures as of {common.long_date(card.as_of)} · "
            f"{common.PREPARED_BY}",
            "subtitle",
        ),
        *(paragraph(f"{note}.", "subtitle") for note in card.unfrozen),
        paragraph("Summary", "h1"),
        _summary_table(card),
        Spacer(0, 4),
        paragraph(
            "Status: On target = the target is met; Within tolerance = short of it by no more "
            "than the agreed tolerance; Off target = further off; No data = nothing measured in "
            "the period.",
            "small",
        ),
    ]
    if common.any_default_target(card.kpis):
        story.append(paragraph(common.DEFAULT_TARGET_NOTE, "small"))
    for group, results in card.groups():
        if results:
            story += _group_section(card, group, results)
    story += _survey_section(card)
    story += _actions_section(card)
    story += _stock_out_section(card)
    story += _penalty_section(card)
    return story


def _summary_table(card: Scorecard) -> Table:
    rows, statuses = [], []
    for group, results in card.groups():
        for index, result in enumerate(results):
            rows.append(
                [
                    paragraph(group if index == 0 else "", "cell_bold"),
                    paragraph(result.name, "cell"),
                    paragraph(result.display, "cell_value"),
                    paragraph(common.target_text(result), "cell_right"),
                    _status_paragraph(result.status),
                ]
            )
            statuses.append(result.status)
    return _table(
        ["Group", "KPI", "Value", "Target", "Status"],
        [30, 52, 28, 30, 34],
        rows,
        right=(2, 3),
        statuses={4: statuses},
    )


def _group_section(card: Scorecard, group: str, results: list[KpiResult]) -> list:
    table = _table(
        ["KPI", "Value", "Target", "Status", "Basis"],
        [38, 24, 28, 34, 50],
        [
            [
                paragraph(r.name, "cell_bold"),
                paragraph(r.display, "cell_value"),
                paragraph(common.target_text(r), "cell_right"),
                _status_paragraph(r.status),
                paragraph(r.basis, "cell"),
            ]
            for r in results
        ],
        right=(1, 2),
        statuses={3: [r.status for r in results]},
    )
    width = BODY_WIDTH / CHARTS_PER_ROW
    drawings = [_trend_drawing(card, r, width - 4 * mm, CHART_HEIGHT) for r in results]
    grid = [drawings[i : i + CHARTS_PER_ROW] for i in range(0, len(drawings), CHARTS_PER_ROW)]
    grid[-1] += [""] * (CHARTS_PER_ROW - len(grid[-1]))
    charts = Table(grid, colWidths=[width] * CHARTS_PER_ROW, hAlign="LEFT")
    charts.setStyle(
        TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    )
    commentary = [
        Paragraph(f"<b>{escape(r.name)}</b>: {escape(common.plain(r.comment))}", styles()["body"])
        for r in results
        if r.comment.strip()
    ]
    commentary = commentary or [paragraph("No commentary for this period.", "small")]
    # The commentary's heading stays with the charts (and its first paragraph with the heading).
    heading = [
        paragraph(group, "h1"),
        table,
        Spacer(0, 6),
        charts,
        paragraph("CMO commentary", "h2"),
    ]
    return [KeepTogether([*heading, commentary[0]]), *commentary[1:]]


def _survey_section(card: Scorecard) -> list:
    survey = card.survey
    satisfaction = next((k for k in card.kpis if k.code == "satisfaction"), None)
    target = f" (target {satisfaction.target_display})" if satisfaction else ""
    responses = common.plural(survey.responses, "response")
    section = [
        paragraph("Customer satisfaction survey", "h1"),
        paragraph(f"{responses} · mean rating {format_value(survey.mean, 'of 5')}{target}", "body"),
        Spacer(0, 4),
    ]
    if survey.responses:
        section.append(_survey_drawing(card))
    else:
        section.append(paragraph(f"No survey responses for {card.period.label}: no data.", "body"))
    section.append(paragraph("Comments", "h2"))
    section += [paragraph(f"“{c}”", "quote") for c in survey.comments] or [
        paragraph("No comments.", "small")
    ]
    return [KeepTogether(section[:6]), *section[6:]]  # to the first comment


def _actions_section(card: Scorecard) -> list:
    if not card.actions:
        return [
            paragraph("Agreed actions", "h1"),
            paragraph("No agreed actions for this period.", "body"),
        ]
    rows = [
        [
            paragraph(a.title, "cell"),
            paragraph(common.kpi_name(a.kpi) if a.kpi else "—", "cell"),
            paragraph(a.owner, "cell"),
            paragraph(a.period, "cell"),
            paragraph(common.date_text(a.due_date), "cell"),
            paragraph(common.action_status(a), "cell_bold"),
        ]
        for a in card.actions
    ]
    table = _table(
        ["Action", "KPI", "Owner", "Agreed", "Due", "Status"], [50, 28, 26, 18, 22, 30], rows
    )
    return [paragraph("Agreed actions", "h1"), table]


def _stock_out_section(card: Scorecard) -> list:
    if not card.stock_outs:
        return []
    rows = [
        [
            paragraph(s.product, "cell"),
            paragraph(s.location, "cell"),
            paragraph(s.start_date.isoformat(), "cell"),
            paragraph(common.date_text(s.end_date, "ongoing"), "cell"),
            paragraph(str(s.days_in_period), "cell_right"),
            paragraph(s.caused_word, "cell_bold" if s.cmo_caused else "cell"),
            paragraph(str(s.linked_lines), "cell_right"),
            paragraph(common.stock_out_source(s.source), "cell"),
        ]
        for s in card.stock_outs
    ]
    table = _table(
        ["Product", "Location", "Start", "End", "Days", "Caused by the CMO", "Lines", "Source"],
        [32, 20, 22, 22, 14, 24, 14, 26],
        rows,
        right=(4, 6),
    )
    return [paragraph("Customer stock-out events", "h1"), table]


def _penalty_section(card: Scorecard) -> list:
    if not card.penalties:
        return []
    rows = [
        [
            paragraph(p.term, "cell"),
            paragraph(p.basis, "cell"),
            paragraph(common.money(p.amount, p.currency), "cell_value"),
        ]
        for p in card.penalties
    ]
    table = _table(["Term", "Basis", "Exposure"], [70, 70, 34], rows, right=(2,))
    total = "Total exposure: " + " + ".join(common.penalty_totals(card))
    return [paragraph("Penalty exposure", "h1"), table, Spacer(0, 4), paragraph(total, "h2")]


# ---- tables -----------------------------------------------------------------------------------


def _status_paragraph(status: str) -> Paragraph:
    style = f"status_{status}" if status in common.STATUS_COLOURS else "status_no_data"
    return paragraph(common.status_word(status), style)


def _table(header, widths_mm, rows, *, right=(), statuses=None) -> Table:
    """A table with a coloured header repeated on every page, zebra rows and status cells."""
    head = [paragraph(h, "header_right" if i in right else "header") for i, h in enumerate(header)]
    table = Table([head, *rows], colWidths=[w * mm for w in widths_mm], repeatRows=1, hAlign="LEFT")
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, BORDER),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    style += [
        ("BACKGROUND", (0, r), (-1, r), rgb(common.SURFACE_ALT)) for r in range(2, len(rows) + 1, 2)
    ]
    for column, values in (statuses or {}).items():
        style += [
            ("BACKGROUND", (column, r), (column, r), rgb(common.status_colours(s).fill))
            for r, s in enumerate(values, start=1)
        ]
    table.setStyle(TableStyle(style))
    return table


# ---- charts -----------------------------------------------------------------------------------


def _trend_drawing(card: Scorecard, result: KpiResult, width: float, height: float) -> Drawing:
    """The KPI over the trend periods and this one, the target dashed; a gap (marked "no data")
    where a period has nothing measured.

    Drawn from shapes rather than reportlab's line chart, which joins across missing values and
    then labels the points after a gap with the wrong values.
    """
    series = common.trend_series(card, result)
    drawing = Drawing(width, height)
    _text(drawing, 0, height - 9, _fit(result.name, BOLD, 8, width), 8, font=BOLD, color=TEXT)
    _text(drawing, 0, height - 18, f"dashed: target {result.target_display}", 6.5)
    left, right, bottom, top = 22, width - 4, 16, height - 32
    known = [v for v in series.values if v is not None]
    low, high, step = _value_range([*known, series.target], result.unit)

    def y(value: float) -> float:
        return bottom + (value - low) / (high - low) * (top - bottom)

    for index in range(round((high - low) / step) + 1):
        tick = low + index * step
        drawing.add(Line(left, y(tick), right, y(tick), strokeColor=BORDER, strokeWidth=0.4))
        _text(drawing, left - 3, y(tick) - 2, f"{tick:g}", 6, anchor="end")
    slot = (right - left) / len(series.labels)
    xs = [left + (i + 0.5) * slot for i in range(len(series.labels))]
    for x, label in zip(xs, series.labels, strict=True):
        # "Q3 2025" on two lines: five periods share a third of the page.
        for line, part in enumerate(label.rsplit(" ", 1)):
            _text(drawing, x, bottom - 7 - 7 * line, part, 6, anchor="middle")
    target = y(series.target)
    drawing.add(
        Line(
            left,
            target,
            right,
            target,
            strokeColor=rgb(common.TARGET_LINE),
            strokeWidth=1,
            strokeDashArray=[3, 2],
        )
    )
    points = list(zip(xs, series.values, strict=True))
    for (x0, v0), (x1, v1) in zip(points, points[1:], strict=False):
        if v0 is not None and v1 is not None:
            drawing.add(Line(x0, y(v0), x1, y(v1), strokeColor=ACCENT, strokeWidth=1.4))
    for index, (x, value) in enumerate(points):
        current = index == len(points) - 1
        if value is not None:
            drawing.add(
                Circle(x, y(value), 2.6 if current else 1.8, fillColor=ACCENT, strokeColor=ACCENT)
            )
            number = format_value(value, result.unit).split(" ", 1)[0]
            _text(
                drawing,
                x,
                y(value) + 4,
                number,
                6.5,
                font=BOLD if current else FONT,
                color=TEXT,
                anchor="middle",
            )
        elif known:  # with nothing known at all, one "no data" across the chart says it
            _text(drawing, x, bottom + 3, "no data", 5.5, anchor="middle")
    if not known:
        _text(
            drawing,
            (left + right) / 2,
            (bottom + top) / 2,
            "no data",
            10,
            font=BOLD,
            anchor="middle",
        )
    return drawing


def _text(drawing, x, y, text, size, *, font=FONT, color=MUTED, anchor="start") -> None:
    drawing.add(
        String(x, y, text, fontName=font, fontSize=size, fillColor=color, textAnchor=anchor)
    )


def _fit(text: str, font: str, size: float, width: float) -> str:
    """`text` cut (with "…") to fit `width` points."""
    for limit in range(len(text), 0, -1):
        fitted = common.clip(text, limit)
        if pdfmetrics.stringWidth(fitted, font, size) <= width:
            return fitted
    return ""


def _value_range(values: list[float], unit: str) -> tuple[float, float, float]:
    """A value axis from a round number to a round number with about four steps between,
    around `values`; never below zero (no KPI is negative), nor above 100 % or 5 of 5."""
    low, high = min(values), max(values)
    pad = (high - low) * 0.15 or max(abs(high) * 0.05, 1.0)
    step = _nice_step((high - low + 2 * pad) / 4)
    low = max(0.0, math.floor((low - pad) / step) * step)
    high = math.ceil((high + pad) / step) * step
    ceiling = {"%": 100.0, "of 5": 5.0}.get(unit)
    if ceiling is not None and max(values) <= ceiling:
        high = min(high, ceiling)
    return low, high, step


def _nice_step(raw: float) -> float:
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def _survey_drawing(card: Scorecard) -> Drawing:
    means = card.survey.means
    width, height = BODY_WIDTH, 16 + 16 * len(means)
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 100, 12, width - 150, height - 16
    chart.data = [[common.as_displayed(m, "of 5") for m in means.values()]]
    chart.categoryAxis.categoryNames = [common.question_label(q) for q in means]
    chart.categoryAxis.reverseDirection = True  # the survey's first question on top
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.labels.textAnchor = "end"
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.strokeColor = BORDER
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 5, 1
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.strokeColor = BORDER
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = BORDER
    chart.bars[0].fillColor = ACCENT
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "%.2f"
    chart.barLabels.fontName = BOLD
    chart.barLabels.fontSize = 7.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 4
    drawing.add(chart)
    return drawing


# ---- page furniture ---------------------------------------------------------------------------


def _decorate(card: Scorecard, canvas: Canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 8)
    canvas.setFillColor(MUTED)
    top = PAGE_HEIGHT - 12 * mm
    canvas.drawString(MARGIN, top, f"{common.heading(card)} · client scorecard")
    canvas.drawRightString(PAGE_WIDTH - MARGIN, top, f"Figures as of {card.as_of.isoformat()}")
    canvas.setStrokeColor(BORDER)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, top - 2.5 * mm, PAGE_WIDTH - MARGIN, top - 2.5 * mm)
    canvas.drawString(MARGIN, 10 * mm, common.PREPARED_BY)
    canvas.restoreState()
