"""The house style of every PDF report (reportlab): the fonts, the palette, the paragraph
styles and the "Page X of Y" footer. The scorecard's report (pdf.py) and the risk register
(tower.risks.exports) are built from these, so they look alike."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from tower.scorecards.exports import common

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm

# Bitstream Vera ships with reportlab, so the report looks the same on every machine; unlike the
# PDF base fonts it has "≥", "≤" and "…", which the targets and cut texts use.
FONT, BOLD, ITALIC = "Vera", "Vera-Bold", "Vera-Italic"


@cache
def register_fonts() -> None:
    folder = Path(reportlab.__file__).parent / "fonts"
    for name, file in ((FONT, "Vera.ttf"), (BOLD, "VeraBd.ttf"), (ITALIC, "VeraIt.ttf")):
        pdfmetrics.registerFont(TTFont(name, folder / file))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=ITALIC, boldItalic=BOLD)


def rgb(hex_rgb: str) -> Color:
    return HexColor(f"#{hex_rgb}")


TEXT, MUTED, ACCENT, BORDER = (
    rgb(c) for c in (common.TEXT, common.MUTED, common.ACCENT, common.BORDER)
)


@cache
def styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, textColor=TEXT)
    cell = ParagraphStyle("cell", body, fontSize=8.5, leading=10.5)
    cell_bold = ParagraphStyle("cell_bold", cell, fontName=BOLD)
    header = ParagraphStyle("header", cell_bold, textColor=white)
    named = {
        "body": body,
        "small": ParagraphStyle("small", body, fontSize=7.5, leading=10, textColor=MUTED),
        "kicker": ParagraphStyle("kicker", body, fontSize=10, textColor=MUTED, spaceAfter=2),
        "title": ParagraphStyle("title", body, fontName=BOLD, fontSize=22, leading=27),
        "subtitle": ParagraphStyle("subtitle", body, fontSize=11, leading=15, spaceAfter=6),
        "h1": ParagraphStyle(
            "h1", body, fontName=BOLD, fontSize=14, leading=18, spaceBefore=10, spaceAfter=6
        ),
        "h2": ParagraphStyle(
            "h2", body, fontName=BOLD, fontSize=10.5, leading=14, spaceBefore=6, spaceAfter=3
        ),
        "quote": ParagraphStyle("quote", body, fontName=ITALIC, leftIndent=8, spaceAfter=4),
        "cell": cell,
        "cell_bold": cell_bold,
        "cell_right": ParagraphStyle("cell_right", cell, alignment=TA_RIGHT),
        "cell_value": ParagraphStyle("cell_value", cell_bold, alignment=TA_RIGHT),
        "header": header,
        "header_right": ParagraphStyle("header_right", header, alignment=TA_RIGHT),
    }
    for status, colours in common.STATUS_COLOURS.items():
        named[f"status_{status}"] = ParagraphStyle(
            f"status_{status}", cell_bold, alignment=TA_CENTER, textColor=rgb(colours.text)
        )
    return named


def paragraph(text: str, style: str = "body") -> Paragraph:
    """`text` as written (control characters dropped, markup escaped) in a named style."""
    return Paragraph(escape(common.plain(text)), styles()[style])


class NumberedCanvas(Canvas):
    """Writes "Page X of Y": pages are kept until the end, when Y is known."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(FONT, 8)
            self.setFillColor(MUTED)
            self.drawRightString(
                PAGE_WIDTH - MARGIN, 10 * mm, f"Page {number} of {len(self._pages)}"
            )
            super().showPage()
        super().save()
