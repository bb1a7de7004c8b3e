"""Values stored before imports bounded them (inf, nan, 1e308) never reach a page or an export
as "inf %" or Infinity, and never make one fail (issue 9, section 3)."""

from __future__ import annotations

import datetime as dt
import io
import json
import math

import pytest
from pptx import Presentation
from pypdf import PdfReader

from tests.conftest import download
from tower.engine.kpi_catalogue import format_value
from tower.masterdata.models import Product
from tower.orders.models import OrderLine
from tower.quality.models import Batch

PERIOD = "2026Q2"


@pytest.fixture
def extreme(world):
    """The world's ACME with two batches whose outputs are infinite and undefined, and its
    unclassified failed line (ACME-SO-1006) worth infinity, written as an old import would."""
    product = Product.objects.get(client=world.acme, code="ACME-AMOXI-500")
    for number, theoretical, actual in (("B-INF", 100.0, math.inf), ("B-NAN", 0.0, 0.0)):
        Batch.objects.create(
            client=world.acme,
            number=number,
            product=product,
            actual_start=dt.date(2026, 4, 1),
            actual_end=dt.date(2026, 4, 10),
            theoretical_output=theoretical,
            actual_output=actual,
            disposition="released",
            actual_release_date=dt.date(2026, 4, 12),
        )
    OrderLine.objects.filter(client=world.acme, order__number="ACME-SO-1006").update(
        line_value=math.inf
    )
    return world


def test_format_value_never_writes_inf_or_nan():
    for unit in ("%", "of 5", "events", "days", "kg"):
        assert format_value(math.inf, unit) == "no data"
        assert format_value(-math.inf, unit) == "no data"
        assert format_value(math.nan, unit) == "no data"
    assert format_value(96.44, "%") == "96.4 %"


def test_scorecard_page_and_every_export_survive_stored_infinities(extreme, signed_in):
    client = signed_in(extreme.admin)
    page = client.get(f"/scorecard/?client=ACME&period={PERIOD}")
    assert page.status_code == 200
    text = page.content.decode()
    assert "inf %" not in text and "nan %" not in text and "Infinity" not in text

    data = client.get(f"/scorecard/export.json?client=ACME&period={PERIOD}")
    assert data.status_code == 200
    body = data.content.decode()
    assert "Infinity" not in body and "NaN" not in body
    card = json.loads(body)
    yield_kpi = next(k for k in card["kpis"] if k["code"] == "yield")
    assert yield_kpi["value"] is None and yield_kpi["status"] == "no_data"
    # The infinite line value counts as a line without a value: 1 line worth 0.00.
    [penalty] = card["penalties"]
    assert penalty["amount"] == 0.0 and "without a line value" in penalty["basis"]

    # Made by the worker: each job must be done, with its file.
    files = {
        fmt: download(client, f"/scorecard/export.{fmt}?client=ACME&period={PERIOD}")
        for fmt in ("pdf", "pptx", "xlsx")
    }
    assert {fmt: r.status_code for fmt, r in files.items()} == {
        "pdf": 200,
        "pptx": 200,
        "xlsx": 200,
    }
    pdf = files["pdf"].content
    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "inf %" not in pdf_text and "nan %" not in pdf_text and "Infinity" not in pdf_text
    deck = Presentation(io.BytesIO(files["pptx"].content))
    deck_text = " ".join(
        shape.text_frame.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
    )
    assert "inf %" not in deck_text and "nan" not in deck_text.lower().split()
