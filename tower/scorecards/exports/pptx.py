"""The quarterly business review deck: 16:9, native (editable) charts, one slide per KPI group.

Slides: title; summary of every KPI; one per KPI group (table with value, target, status, basis
and the CMO's commentary, and a line chart per KPI of its trend against the target); the survey;
the agreed actions; the stock-out events and the penalty exposure when there are any. Long texts
are cut to fit (the PDF and the XLSX carry them whole), and long lists continue on further slides.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls
from pptx.util import Emu, Inches, Pt

from tower.engine.kpi_catalogue import format_value
from tower.scorecards.exports import common
from tower.scorecards.scorecard import (
    KpiResult,
    Scorecard,
)

WIDTH, HEIGHT = Emu(12_192_000), Emu(6_858_000)  # 13.33 by 7.5 inches: PowerPoint's 16:9
MARGIN = Inches(0.5)
CONTENT_WIDTH = WIDTH - 2 * MARGIN
CONTENT_TOP = Inches(1.35)
FOOTER_TOP = Inches(7.0)
LAYOUT_TITLE, LAYOUT_TITLE_ONLY = 0, 5  # of python-pptx's default template

ROWS_PER_SLIDE = 12  # of the actions and stock-out tables


@dataclass(frozen=True)
class Cell:
    text: str
    align: PP_ALIGN = PP_ALIGN.LEFT
    status: str | None = None  # a status cell is filled with its colour
    bold: bool = False


def render(card: Scorecard) -> bytes:
    deck = _Deck(card)
    deck.title_slide()
    deck.summary_slide()
    for group, results in card.groups():
        if results:
            deck.group_slide(group, results)
    deck.survey_slide()
    deck.action_slides()
    deck.stock_out_slides()
    deck.penalty_slide()
    return deck.save()


class _Deck:
    def __init__(self, card: Scorecard):
        self.card = card
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = WIDTH, HEIGHT

    def save(self) -> bytes:
        self._add_footers()
        buffer = io.BytesIO()
        self.prs.save(buffer)
        return buffer.getvalue()

    # ---- slides -------------------------------------------------------------------------------

    def title_slide(self) -> None:
        card = self.card
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[LAYOUT_TITLE])
        band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, Inches(2.1), WIDTH, Inches(2.6))
        band.fill.solid()
        band.fill.fore_color.rgb = RGBColor.from_string(common.ACCENT)
        band.line.fill.background()
        title, subtitle = slide.placeholders[0], slide.placeholders[1]
        title._element.addprevious(band._element)  # behind the texts, which came with the layout
        _place(title, MARGIN, Inches(2.3), CONTENT_WIDTH, Inches(1.3))
        _write(title.text_frame, common.clip(card.client.name, 50), 40, bold=True, color="FFFFFF")
        title.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
        _place(subtitle, MARGIN, Inches(3.65), CONTENT_WIDTH, Inches(0.8))
        _write(
            subtitle.text_frame,
            f"Quarterly business review · scorecard {card.period.label}",
            24,
            color="FFFFFF",
        )
        _text_box(
            slide,
            MARGIN,
            Inches(5.0),
            CONTENT_WIDTH,
            Inches(1.0),
            [
                f"Client {card.client.code} · figures as of {common.long_date(card.as_of)}",
                common.PREPARED_BY,
                *(f"{note}." for note in card.unfrozen),
            ],
            16,
            color=common.MUTED,
        )

    def summary_slide(self) -> None:
        slide = self._slide("Scorecard summary")
        rows = []
        for group, results in self.card.groups():
            for index, result in enumerate(results):
                rows.append(
                    [
                        Cell(group if index == 0 else "", bold=True),
                        Cell(result.name),
                        Cell(result.display, PP_ALIGN.RIGHT, bold=True),
                        Cell(common.target_text(result), PP_ALIGN.RIGHT),
                        _status_cell(result.status),
                    ]
                )
        note = common.any_default_target(self.card.kpis)
        bottom = FOOTER_TOP - (Inches(0.4) if note else Inches(0.1))
        row_height = min(Inches(0.32), int((bottom - CONTENT_TOP) / (len(rows) + 1)))
        height = _table(
            slide,
            CONTENT_TOP,
            ["Group", "KPI", "Value", "Target", "Status"],
            [2.1, 3.9, 2.2, 2.4, 1.73],
            rows,
            font_size=11,
            row_height=row_height,
        )
        if note:
            _note(slide, CONTENT_TOP + height + Inches(0.05), common.DEFAULT_TARGET_NOTE)

    def group_slide(self, group: str, results: list[KpiResult]) -> None:
        slide = self._slide(group)
        rows = [
            [
                Cell(result.name, bold=True),
                Cell(result.display, PP_ALIGN.RIGHT, bold=True),
                Cell(common.target_text(result), PP_ALIGN.RIGHT),
                _status_cell(result.status),
                Cell(common.clip(result.basis, 70)),
                Cell(common.clip(result.comment, 110) or "—"),
            ]
            for result in results
        ]
        height = _table(
            slide,
            CONTENT_TOP,
            ["KPI", "Value", "Target", "Status", "Basis", "CMO commentary"],
            [2.3, 1.5, 1.45, 1.3, 2.2, 3.58],
            rows,
            font_size=10,
            row_height=Inches(0.5),
        )
        legend = "Charts: the KPI per period, a gap where a period has no data; dashed: the target."
        if common.any_default_target(results):
            legend += "  " + common.DEFAULT_TARGET_NOTE
        _note(slide, CONTENT_TOP + height + Inches(0.05), legend)
        top = CONTENT_TOP + height + Inches(0.45)
        gap = Inches(0.25)
        width = min(Inches(4.1), int((CONTENT_WIDTH - gap * (len(results) - 1)) / len(results)))
        for index, result in enumerate(results):
            left = MARGIN + index * (width + gap)
            _trend_chart(slide, self.card, result, left, top, width, FOOTER_TOP - top - Inches(0.1))

    def survey_slide(self) -> None:
        card, survey = self.card, self.card.survey
        slide = self._slide("Customer satisfaction survey")
        satisfaction = next((k for k in card.kpis if k.code == "satisfaction"), None)
        target = f" (target {satisfaction.target_display})" if satisfaction else ""
        _text_box(
            slide,
            MARGIN,
            CONTENT_TOP,
            CONTENT_WIDTH,
            Inches(0.45),
            [
                f"{common.plural(survey.responses, 'response')} · "
                f"mean rating {format_value(survey.mean, 'of 5')}{target}"
            ],
            16,
            bold=True,
        )
        top = CONTENT_TOP + Inches(0.6)
        height = FOOTER_TOP - top - Inches(0.1)
        if survey.responses:
            # A bar chart draws its first category at the bottom: feed the questions reversed so
            # they read top to bottom in the survey's order.
            questions = list(reversed(survey.means.items()))
            data = CategoryChartData(number_format=common.number_format("of 5"))
            data.categories = [common.question_label(q) for q, _ in questions]
            data.add_series(
                "Mean rating (1 to 5)", [common.as_displayed(m, "of 5") for _, m in questions]
            )
            frame = slide.shapes.add_chart(
                XL_CHART_TYPE.BAR_CLUSTERED, MARGIN, top, Inches(6.2), height, data
            )
            chart = frame.chart
            _style_chart(chart, "Mean rating per question (1 to 5)")
            axis = chart.value_axis
            axis.minimum_scale, axis.maximum_scale, axis.major_unit = 0, 5, 1
            plot = chart.plots[0]
            plot.gap_width = 60
            plot.series[0].format.fill.solid()
            plot.series[0].format.fill.fore_color.rgb = RGBColor.from_string(common.ACCENT)
            _data_labels(plot.series[0], XL_LABEL_POSITION.OUTSIDE_END)
        else:
            _text_box(
                slide,
                MARGIN,
                top,
                Inches(6.2),
                Inches(0.5),
                [f"No survey responses for {card.period.label}: no data."],
                14,
                color=common.MUTED,
            )
        left = MARGIN + Inches(6.6)
        _text_box(
            slide, left, top, CONTENT_WIDTH - Inches(6.6), Inches(0.4), ["Comments"], 14, bold=True
        )
        _text_box(
            slide,
            left,
            top + Inches(0.45),
            CONTENT_WIDTH - Inches(6.6),
            height - Inches(0.45),
            _comment_lines(survey.comments),
            12,
        )

    def action_slides(self) -> None:
        actions = self.card.actions
        if not actions:
            slide = self._slide("Agreed actions")
            _text_box(
                slide,
                MARGIN,
                CONTENT_TOP,
                CONTENT_WIDTH,
                Inches(0.5),
                ["No agreed actions for this period."],
                14,
                color=common.MUTED,
            )
            return
        rows = [
            [
                Cell(common.clip(a.title, 95)),
                Cell(common.clip(common.kpi_name(a.kpi), 30) if a.kpi else "—"),
                Cell(common.clip(a.owner, 28)),
                Cell(a.period),
                Cell(common.date_text(a.due_date)),
                Cell(common.action_status(a)),
            ]
            for a in actions
        ]
        self._paged_table(
            "Agreed actions",
            ["Action", "KPI", "Owner", "Agreed", "Due", "Status"],
            [4.4, 2.1, 1.9, 1.0, 1.25, 1.68],
            rows,
        )

    def stock_out_slides(self) -> None:
        if not self.card.stock_outs:
            return
        rows = [
            [
                Cell(common.clip(s.product, 40)),
                Cell(common.clip(s.location, 30)),
                Cell(s.start_date.isoformat()),
                Cell(common.date_text(s.end_date, "ongoing")),
                Cell(str(s.days_in_period), PP_ALIGN.RIGHT),
                Cell(s.caused_word, bold=s.cmo_caused),
                Cell(str(s.linked_lines), PP_ALIGN.RIGHT),
                Cell(common.clip(common.stock_out_source(s.source), 24)),
            ]
            for s in self.card.stock_outs
        ]
        self._paged_table(
            "Customer stock-out events",
            ["Product", "Location", "Start", "End", "Days", "CMO-caused", "Lines", "Source"],
            [2.7, 1.9, 1.2, 1.2, 0.8, 1.33, 0.8, 2.4],
            rows,
        )

    def penalty_slide(self) -> None:
        if not self.card.penalties:
            return
        rows = [
            [
                Cell(common.clip(p.term, 70)),
                Cell(common.clip(p.basis, 80)),
                Cell(common.money(p.amount, p.currency), PP_ALIGN.RIGHT, bold=True),
            ]
            for p in self.card.penalties
        ]
        total = "Total exposure: " + " + ".join(common.penalty_totals(self.card))
        slide, bottom = self._paged_table(
            "Penalty exposure", ["Term", "Basis", "Exposure"], [4.6, 5.33, 2.4], rows
        )
        _text_box(
            slide,
            MARGIN,
            bottom + Inches(0.15),
            CONTENT_WIDTH,
            Inches(0.4),
            [total],
            14,
            bold=True,
            align=PP_ALIGN.RIGHT,
        )

    # ---- building blocks ----------------------------------------------------------------------

    def _slide(self, title: str):
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[LAYOUT_TITLE_ONLY])
        placeholder = slide.shapes.title
        _place(placeholder, MARGIN, Inches(0.3), CONTENT_WIDTH, Inches(0.7))
        _write(placeholder.text_frame, title, 28, bold=True)
        placeholder.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
        rule = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, MARGIN, Inches(1.05), CONTENT_WIDTH, Pt(2)
        )
        rule.fill.solid()
        rule.fill.fore_color.rgb = RGBColor.from_string(common.ACCENT)
        rule.line.fill.background()
        return slide

    def _paged_table(self, title, header, widths, rows):
        """The table over as many slides as it needs, ROWS_PER_SLIDE rows each; returns the last
        slide and where its table ends."""
        pages = [rows[i : i + ROWS_PER_SLIDE] for i in range(0, len(rows), ROWS_PER_SLIDE)]
        for number, page in enumerate(pages, start=1):
            suffix = f" ({number} of {len(pages)})" if len(pages) > 1 else ""
            slide = self._slide(title + suffix)
            height = _table(
                slide, CONTENT_TOP, header, widths, page, font_size=11, row_height=Inches(0.38)
            )
        return slide, CONTENT_TOP + height

    def _add_footers(self) -> None:
        slides = list(self.prs.slides)
        left = f"{common.heading(self.card)} · {common.PREPARED_BY}"
        for number, slide in enumerate(slides, start=1):
            if number == 1:
                continue  # the title slide says it all
            _text_box(
                slide, MARGIN, FOOTER_TOP, Inches(9), Inches(0.3), [left], 10, color=common.MUTED
            )
            _text_box(
                slide,
                WIDTH - MARGIN - Inches(2),
                FOOTER_TOP,
                Inches(2),
                Inches(0.3),
                [f"{number} / {len(slides)}"],
                10,
                color=common.MUTED,
                align=PP_ALIGN.RIGHT,
            )


# ---- shapes ---------------------------------------------------------------------------------


def _place(shape, left, top, width, height) -> None:
    shape.left, shape.top, shape.width, shape.height = (
        Emu(int(v)) for v in (left, top, width, height)
    )


def _write(frame, text: str, size: int, *, bold=False, color=common.TEXT, align=PP_ALIGN.LEFT):
    frame.text = common.plain(text)
    frame.word_wrap = True
    for paragraph in frame.paragraphs:
        paragraph.alignment = align
        # The paragraph's own size too: LibreOffice sizes the line by it (18 pt by default).
        paragraph.font.size = Pt(size)
        for run in paragraph.runs:
            _font(run.font, size, bold=bold, color=color)


def _font(font, size: int, *, bold=False, color=common.TEXT) -> None:
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = RGBColor.from_string(color)


def _text_box(
    slide,
    left,
    top,
    width,
    height,
    lines: Sequence[str],
    size: int,
    *,
    bold=False,
    color=common.TEXT,
    align=PP_ALIGN.LEFT,
):
    box = slide.shapes.add_textbox(*(Emu(int(v)) for v in (left, top, width, height)))
    frame = box.text_frame
    frame.word_wrap = True
    for index, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = align
        if index:
            paragraph.space_before = Pt(size * 0.5)
        run = paragraph.add_run()
        run.text = common.plain(line)
        _font(run.font, size, bold=bold, color=color)
    return box


def _note(slide, top, text: str) -> None:
    _text_box(slide, MARGIN, top, CONTENT_WIDTH, Inches(0.3), [text], 10, color=common.MUTED)


def _status_cell(status: str) -> Cell:
    return Cell(common.status_word(status), PP_ALIGN.CENTER, status=status, bold=True)


def _table(slide, top, header, widths_in, rows, *, font_size: int, row_height) -> int:
    """A table with a coloured header, zebra rows and status cells; returns its height."""
    height = row_height * (len(rows) + 1)
    frame = slide.shapes.add_table(
        len(rows) + 1, len(header), MARGIN, Emu(int(top)), CONTENT_WIDTH, Emu(int(height))
    )
    table = frame.table
    table.horz_banding = False
    for index, width in enumerate(widths_in):
        table.columns[index].width = Inches(width)
    aligns = [cell.align for cell in rows[0]] if rows else [PP_ALIGN.LEFT] * len(header)
    styled = [
        [
            (Cell(text, align, bold=True), "FFFFFF", common.ACCENT)
            for text, align in zip(header, aligns, strict=True)
        ]
    ]
    for r, row in enumerate(rows, start=1):
        zebra = common.SURFACE_ALT if r % 2 == 0 else "FFFFFF"
        styled.append([_cell_colours(cell, zebra) for cell in row])
    tbl = table._tbl
    for tr, cells in zip(tbl.tr_lst, styled, strict=True):
        tbl.replace(tr, _row_xml(cells, font_size, int(row_height)))
    return height


def _cell_colours(cell: Cell, background: str) -> tuple[Cell, str, str]:
    """(cell, text colour, fill): a status cell in its status's colours."""
    if cell.status:
        colours = common.status_colours(cell.status)
        return cell, colours.text, colours.fill
    return cell, common.TEXT, background


_ALIGN = {PP_ALIGN.LEFT: "l", PP_ALIGN.CENTER: "ctr", PP_ALIGN.RIGHT: "r"}
_CELL_MARGINS = (
    f'marL="{Inches(0.08)}" marR="{Inches(0.08)}" marT="{Inches(0.03)}" marB="{Inches(0.03)}"'
)


def _row_xml(cells, size: int, height: int):
    """A table row as DrawingML, the markup PowerPoint itself writes for a styled cell.

    Built as text because python-pptx's cell properties each walk the XML (about 2 ms a cell,
    a third of the deck's time); a row is one parse instead. Every paragraph carries its size
    (and an empty cell no run): LibreOffice otherwise sizes the line at 18 pt."""
    sz = size * 100
    parts = []
    for content, color, fill in cells:
        bold = ' b="1"' if content.bold else ""
        text = escape(common.plain(content.text))
        run = (
            f'<a:r><a:rPr lang="en-GB" sz="{sz}"{bold} dirty="0"><a:solidFill>'
            f'<a:srgbClr val="{color}"/></a:solidFill></a:rPr><a:t>{text}</a:t></a:r>'
            if text
            else ""
        )
        parts.append(
            f"<a:tc><a:txBody><a:bodyPr/><a:lstStyle/><a:p>"
            f'<a:pPr algn="{_ALIGN[content.align]}"><a:defRPr sz="{sz}"/></a:pPr>{run}'
            f'<a:endParaRPr lang="en-GB" sz="{sz}" dirty="0"/></a:p></a:txBody>'
            f'<a:tcPr {_CELL_MARGINS} anchor="ctr"><a:solidFill><a:srgbClr val="{fill}"/>'
            f"</a:solidFill></a:tcPr></a:tc>"
        )
    return parse_xml(f'<a:tr {nsdecls("a")} h="{height}">{"".join(parts)}</a:tr>')


# ---- charts ---------------------------------------------------------------------------------


def _trend_chart(slide, card: Scorecard, result: KpiResult, left, top, width, height) -> None:
    """A line chart of the KPI over the trend periods and this one, with its target dashed."""
    series = common.trend_series(card, result)
    data = CategoryChartData(number_format=common.number_format(result.unit))
    data.categories = series.labels
    data.add_series(result.name, series.values)
    data.add_series("Target", [series.target] * len(series.labels))
    frame = slide.shapes.add_chart(
        XL_CHART_TYPE.LINE_MARKERS,
        *(Emu(int(v)) for v in (left, top, width, height)),
        data,
    )
    chart = frame.chart
    narrow = width < Inches(3)
    _style_chart(chart, result.name, title_size=11 if narrow else 12)
    if result.unit == "%":
        chart.value_axis.maximum_scale = 100
    value, target = chart.plots[0].series
    value.smooth = False
    value.format.line.color.rgb = RGBColor.from_string(common.ACCENT)
    value.format.line.width = Pt(2.25)
    value.marker.style = XL_MARKER_STYLE.CIRCLE
    value.marker.size = 7
    value.marker.format.fill.solid()
    value.marker.format.fill.fore_color.rgb = RGBColor.from_string(common.ACCENT)
    value.marker.format.line.color.rgb = RGBColor.from_string(common.ACCENT)
    if narrow:
        # Five labels would overlap on a narrow chart: label the scorecard's period only.
        label = value.points[len(series.values) - 1].data_label
        label.position = XL_LABEL_POSITION.ABOVE
        _font(label.font, 9, bold=True)
    else:
        _data_labels(value, XL_LABEL_POSITION.ABOVE)
    target.smooth = False
    target.format.line.color.rgb = RGBColor.from_string(common.TARGET_LINE)
    target.format.line.width = Pt(1.5)
    target.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
    target.marker.style = XL_MARKER_STYLE.NONE
    if all(v is None for v in series.values):
        _text_box(
            slide,
            left,
            top + height / 2 - Inches(0.2),
            width,
            Inches(0.4),
            ["no data"],
            14,
            bold=True,
            color=common.MUTED,
            align=PP_ALIGN.CENTER,
        )


def _style_chart(chart, title: str, *, title_size: int = 12) -> None:
    """Titled, no legend (a note on the slide explains the lines), light gridlines."""
    chart.font.size = Pt(9)
    chart.font.color.rgb = RGBColor.from_string(common.MUTED)
    chart.has_title = True
    _write(chart.chart_title.text_frame, title, title_size, bold=True)
    chart.has_legend = False
    axis = chart.value_axis
    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = RGBColor.from_string(common.BORDER)
    axis.format.line.fill.background()


def _data_labels(series, position) -> None:
    labels = series.data_labels
    labels.show_value = True
    labels.number_format_is_linked = True
    labels.position = position
    labels.font.size = Pt(9)
    labels.font.color.rgb = RGBColor.from_string(common.TEXT)


def _comment_lines(comments: Sequence[str], shown: int = 6) -> list[str]:
    if not comments:
        return ["No comments."]
    lines = [f"“{common.clip(c, 160)}”" for c in comments[:shown]]
    if len(comments) > shown:
        more = len(comments) - shown
        lines.append(f"… and {common.plural(more, 'more comment')} (see the PDF or XLSX).")
    return lines
