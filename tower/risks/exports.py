"""The risk register as the client keeps it: a workbook (XlsxWriter) and a PDF (reportlab),
built the way the scorecard's exports are (tower.scorecards.exports: the same palette and text
cleaning; pdf_style's fonts, styles and "Page X of Y"). A register holds tens of risks, so both
are made in the request."""

from __future__ import annotations

import datetime as dt
import io

import xlsxwriter
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from tower.engine.risk import COLOUR_MEANINGS, COLOUR_NAMES, LEVEL_NAMES
from tower.scorecards.exports import common
from tower.scorecards.exports.pdf_style import NumberedCanvas, paragraph, register_fonts

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
# The colour of each cell as the client sees it (the register's palette; grey and none too).
FILLS = {"red": "FCE8E6", "yellow": "FDF1D6", "grey": "E3E6EA", "": "FFFFFF"}
COLUMNS = [
    ("Risk", 8),
    ("Title", 34),
    ("Owner", 16),
    ("Probability", 11),
    ("Impact", 9),
    ("Level", 10),
    ("Colour", 10),
    ("Response (mitigation)", 36),
    ("Contingency plan", 30),
    ("Actions (open / all)", 12),
    ("Residual probability", 11),
    ("Residual impact", 10),
    ("Residual level", 11),
    ("Last review", 12),
    ("Next review", 12),
    ("Review overdue", 10),
]


def file_name(project, fmt: str) -> str:
    return f"risk-register-{project.client.code}-{project.code}.{fmt}".replace(" ", "-")


def _row(risk) -> list:
    return [
        f"R{risk.number}",
        common.plain(risk.title),
        common.plain(risk.owner),
        risk.probability,
        risk.impact,
        LEVEL_NAMES[risk.level],
        COLOUR_NAMES[risk.colour],
        common.plain(risk.response),
        common.plain(risk.contingency),
        f"{risk.open_action_count} / {risk.action_count}",
        risk.residual_probability,
        risk.residual_impact,
        LEVEL_NAMES.get(risk.residual_level, ""),
        risk.last_reviewed_on,
        risk.next_review_on,
        "yes" if risk.overdue else "no",
    ]


def render(project, rows: list, as_of: dt.date, fmt: str) -> bytes:
    return {"xlsx": _xlsx, "pdf": _pdf}[fmt](project, rows, as_of)


def _xlsx(project, rows: list, as_of: dt.date) -> bytes:
    buffer = io.BytesIO()
    options = {
        "strings_to_formulas": False,  # a title starting with "=" stays text
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    with xlsxwriter.Workbook(buffer, options) as book:
        bold = book.add_format({"bold": True})
        title = book.add_format({"bold": True, "font_size": 14})
        head = book.add_format(
            {"bold": True, "font_color": "#FFFFFF", "bg_color": f"#{common.ACCENT}", "text_wrap": 1}
        )
        date = book.add_format({"num_format": "yyyy-mm-dd"})
        wrap = book.add_format({"text_wrap": 1, "valign": "top"})
        fills = {k: book.add_format({"bg_color": f"#{v}", "bold": True}) for k, v in FILLS.items()}
        sheet = book.add_worksheet("Risk register")
        sheet.write(0, 0, f"Risk register: {project.code} {project.name}", title)
        sheet.write(1, 0, f"{project.client.name} · as of {as_of.isoformat()}")
        sheet.write(2, 0, "Colours (kpis.md 10):", bold)
        sheet.write(
            2,
            1,
            "; ".join(f"{COLOUR_NAMES[c]}: {m}" for c, m in COLOUR_MEANINGS.items()),
        )
        for col, (name, width) in enumerate(COLUMNS):
            sheet.write(4, col, name, head)
            sheet.set_column(col, col, width)
        for n, risk in enumerate(rows, start=5):
            for col, value in enumerate(_row(risk)):
                if isinstance(value, dt.date):
                    sheet.write_datetime(n, col, dt.datetime.combine(value, dt.time()), date)
                elif col == 6:
                    sheet.write(n, col, value, fills[risk.colour])
                elif value is None:
                    sheet.write_blank(n, col, None)
                else:
                    sheet.write(n, col, value, wrap if isinstance(value, str) else None)
        sheet.freeze_panes(5, 2)
        if rows:
            sheet.autofilter(4, 0, 4 + len(rows), len(COLUMNS) - 1)
        actions = book.add_worksheet("Plan actions")
        for col, name in enumerate(["Risk", "Action", "Owner", "Due", "Status", "Closed on"]):
            actions.write(0, col, name, head)
        actions.set_column(1, 1, 40)
        actions.set_column(2, 5, 14)
        line = 1
        for risk in rows:
            for action in risk.actions.all():
                actions.write(line, 0, f"R{risk.number}")
                actions.write(line, 1, common.plain(action.title))
                actions.write(line, 2, common.plain(action.owner))
                if action.due_date:
                    actions.write_datetime(
                        line, 3, dt.datetime.combine(action.due_date, dt.time()), date
                    )
                actions.write(line, 4, action.get_status_display())
                if action.closed_at:
                    actions.write(line, 5, action.closed_at.date().isoformat())
                line += 1
    return buffer.getvalue()


def _pdf(project, rows: list, as_of: dt.date) -> bytes:
    register_fonts()

    def p(text, style="cell"):
        return paragraph("" if text is None else str(text), style)

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=14 * mm,
        bottomMargin=16 * mm,
        title=f"Risk register {project.client.name} {project.code}",
        author=common.AUTHOR,
    )
    story = [
        p(f"Risk register: {project.code} {project.name}", "title"),
        p(
            f"{project.client.name} · {project.get_kind_display()} · as of {as_of.isoformat()}",
            "subtitle",
        ),
        p(
            " ".join(f"{COLOUR_NAMES[c]}: {m}." for c, m in COLOUR_MEANINGS.items()),
            "small",
        ),
        Spacer(1, 4 * mm),
    ]
    header = [
        "Risk",
        "Title and owner",
        "P",
        "I",
        "Level",
        "Colour",
        "Response",
        "Contingency",
        "Actions open/all",
        "Residual",
        "Next review",
    ]
    data = [[p(h, "header") for h in header]]
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), HexColor(f"#{common.ACCENT}")),
        ("GRID", (0, 0), (-1, -1), 0.4, HexColor(f"#{common.BORDER}")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for n, risk in enumerate(rows, start=1):
        residual = (
            f"{risk.residual_probability} x {risk.residual_impact}: "
            f"{LEVEL_NAMES[risk.residual_level]}"
            if risk.residual_level
            else "not re-rated"
        )
        review = risk.next_review_on.isoformat() + (" OVERDUE" if risk.overdue else "")
        data.append(
            [
                p(f"R{risk.number}"),
                p(f"{risk.title} ({risk.owner})"),
                p(risk.probability),
                p(risk.impact),
                p(LEVEL_NAMES[risk.level]),
                p(COLOUR_NAMES[risk.colour], "cell_bold"),
                p(common.clip(risk.response, 300)),
                p(common.clip(risk.contingency, 200)),
                p(f"{risk.open_action_count} / {risk.action_count}"),
                p(residual),
                p(review),
            ]
        )
        style.append(("BACKGROUND", (5, n), (5, n), HexColor(f"#{FILLS[risk.colour]}")))
    widths = [12, 55, 8, 8, 18, 18, 50, 40, 18, 25, 22]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(TableStyle(style))
    story.append(table if rows else p("No risk recorded.", "body"))
    doc.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()
