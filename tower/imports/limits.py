"""The longest text each import field may hold, read from the models: the one place.

tower.ingest.text checks the read file against these before anything touches the database,
so a value that would not fit (a currency "EURO", a 300-character ship-to) is a row error on
SQLite and PostgreSQL alike. A field stored in a column without a length (a note) gets
tower.ingest.limits.TEXT_CELL_CHARS; choice fields (status, severity, ...) are checked by their
choices, numbers and dates by their parsers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from tower.ingest.records import TEXT
from tower.masterdata.models import FunctionalArea, Product, Site
from tower.orders.models import Delivery, Order, OrderLine
from tower.quality.models import Batch, Deviation
from tower.tenancy.models import Client

if TYPE_CHECKING:
    from tower.imports.records import RecordKind

# Fields that name master data or other stored rows: as long as the code they name.
CODES: dict[str, tuple[type[models.Model], str]] = {
    "client": (Client, "code"),
    "site": (Site, "code"),
    "product": (Product, "code"),
    "product_group": (Product, "product_group"),
    "batch": (Batch, "number"),
    "deviation": (Deviation, "number"),
    "area": (FunctionalArea, "name"),  # a code or a name; the name is the longer
}

# The order-line import's text fields and where each is stored.
LINE_FIELDS: dict[str, tuple[type[models.Model], str]] = {
    "client": CODES["client"],
    "order": (Order, "number"),
    "line": (OrderLine, "line_number"),
    "product": CODES["product"],
    "product_group": CODES["product_group"],
    "site": CODES["site"],
    "ship_to": (OrderLine, "ship_to"),
    "transport_mode": (OrderLine, "transport_mode"),
    "unit": (OrderLine, "unit"),
    "currency": (OrderLine, "currency"),
    "planned_batch": (OrderLine, "planned_batch"),
    "delivery_id": (Delivery, "delivery_id"),
    "batch": (Delivery, "batch"),
}


def _length(model: type[models.Model], name: str) -> int | None:
    return model._meta.get_field(name).max_length


def line_lengths() -> dict[str, int | None]:
    """Order-line field -> its column's length."""
    return {field: _length(*stored) for field, stored in LINE_FIELDS.items()}


def record_lengths(kind: RecordKind) -> dict[str, int | None]:
    """A record kind's text field -> its column's length (None: a column without one)."""
    out = {}
    for f in kind.spec.of_type(TEXT):
        if f.name in CODES:
            out[f.name] = _length(*CODES[f.name])
        else:
            out[f.name] = _length(kind.model, kind.renamed.get(f.name, f.name))
    return out
