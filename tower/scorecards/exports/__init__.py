"""Scorecard exports: the quarterly business review deck, the PDF report, the workbook, JSON.

One module per format, each `render(card) -> bytes` from a built Scorecard (no database reads,
except the XLSX's records behind each KPI). The web download and `tower scorecard` call
`render(card, fmt)` here, which adds the content type and the file name:

    export = render(build_scorecard(client, parse_period("2026Q3")), "pptx")
    export.content, export.content_type, export.filename  # ..., "scorecard-ACME-2026Q3.pptx"
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from tower.scorecards.exports import json, pdf, pptx, xlsx
from tower.scorecards.scorecard import Scorecard


class Export(NamedTuple):
    content: bytes
    content_type: str
    filename: str


class Format(NamedTuple):
    render: Callable[[Scorecard], bytes]
    content_type: str


FORMATS = {
    "pdf": Format(pdf.render, "application/pdf"),
    "pptx": Format(
        pptx.render,
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "xlsx": Format(
        xlsx.render, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    "json": Format(json.render, "application/json"),
}


def render(card: Scorecard, fmt: str) -> Export:
    """The scorecard as a file of format `fmt` (pdf, pptx, xlsx or json); ValueError otherwise."""
    if fmt not in FORMATS:
        raise ValueError(f"{fmt!r} is not an export format: choose from {', '.join(FORMATS)}")
    chosen = FORMATS[fmt]
    return Export(chosen.render(card), chosen.content_type, file_name(card, fmt))


def file_name(card: Scorecard, fmt: str) -> str:
    """'scorecard-ACME-2026Q3.pptx' (client codes are slugs, period keys safe in file names)."""
    return f"scorecard-{card.client.code}-{card.period.key}.{fmt}"
