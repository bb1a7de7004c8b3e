"""The record kinds imported besides order lines (kpis.md 4 and 5), declared once each.

Field names are what a mapping's [columns] names and what headers spell without a mapping. Text
lengths are the database columns' and come from the models (tower.imports.limits), so a value
too long is a row error rather than a failed write. Which database rows the codes (client, site, product, batch, deviation, area)
point to is checked by tower.imports, which knows the database.

The plan's `week` is the Monday the week starts on, written as any date (which must then be a
Monday) or as an ISO week, 2026-W07.
"""

from __future__ import annotations

from tower.ingest.records import (
    CHOICE,
    DATE,
    NUMBER,
    TEXT,
    WEEK,
    Field,
    NotBefore,
    RecordSpec,
    RequiredWhen,
)

CLIENT = Field("client", TEXT, required=True)
PRODUCT = Field("product", TEXT, required=True)
SITE = Field("site", TEXT)

DISPOSITIONS = {
    "released": ("released",),
    "rejected": ("rejected",),
    "on_hold": ("on hold", "on_hold", "on-hold"),
    "reworked": ("reworked",),
}
SEVERITIES = {"minor": ("minor",), "major": ("major",), "critical": ("critical",)}

BATCHES = RecordSpec(
    kind="batches",
    record="batch",
    fields=(
        CLIENT,
        Field("batch", TEXT, required=True),
        PRODUCT,
        SITE,
        Field("planned_start", DATE),
        Field("actual_start", DATE),
        Field("planned_end", DATE),
        Field("actual_end", DATE),
        Field("material_ready_date", DATE),
        Field("planned_release_date", DATE),
        Field("actual_release_date", DATE),
        Field("theoretical_output", NUMBER, minimum=0, positive=True),
        Field("actual_output", NUMBER, minimum=0),
        Field("disposition", CHOICE, choices=DISPOSITIONS, default="", empty_means="pending"),
    ),
    key=("client", "batch"),
    rules=(
        NotBefore("planned_end", "planned_start"),
        NotBefore("actual_end", "actual_start"),
        # The release date is the disposition date, released or rejected (Batch model).
        RequiredWhen(
            "actual_release_date", "disposition", ("released", "rejected"), "released or rejected"
        ),
    ),
)

DEVIATIONS = RecordSpec(
    kind="deviations",
    record="deviation",
    fields=(
        CLIENT,
        Field("deviation", TEXT, required=True),
        Field("batch", TEXT),
        SITE,
        Field("opened_date", DATE, required=True),
        Field("closed_date", DATE),
        Field("severity", CHOICE, required=True, choices=SEVERITIES),
        Field("category", TEXT),
        Field("area", TEXT),
        Field("title", TEXT),
    ),
    key=("client", "deviation"),
    rules=(NotBefore("closed_date", "opened_date"),),
)

CAPAS = RecordSpec(
    kind="capas",
    record="CAPA",
    fields=(
        CLIENT,
        Field("capa", TEXT, required=True),
        Field("deviation", TEXT),
        Field("title", TEXT),
        Field("due_date", DATE, required=True),
        Field("closed_date", DATE),
    ),
    key=("client", "capa"),
)

PLAN = RecordSpec(
    kind="plan",
    record="plan week",
    fields=(
        CLIENT,
        PRODUCT,
        Field("site", TEXT, required=True),
        Field("week", WEEK, required=True),
        Field("planned_qty", NUMBER, required=True, minimum=0),
        Field("released_qty", NUMBER, minimum=0, default=0.0),
    ),
    key=("client", "product", "site", "week"),
)

STOCKOUTS = RecordSpec(
    kind="stockouts",
    record="stock-out",
    fields=(
        CLIENT,
        PRODUCT,
        Field("location", TEXT, required=True),
        Field("start_date", DATE, required=True),
        Field("end_date", DATE),
        Field("note", TEXT),
    ),
    key=("client", "product", "location", "start_date"),
    rules=(NotBefore("end_date", "start_date"),),
)

# The client's stock (kpis.md 8): on hand on a date and the daily demand it serves, per product
# and location (the ship-to of the lines that refill it). Demand must be more than 0: cover in
# days is on hand / daily demand.
STOCK = RecordSpec(
    kind="stock",
    record="stock row",
    fields=(
        CLIENT,
        PRODUCT,
        Field("location", TEXT, required=True),
        Field("date", DATE, required=True),
        Field("on_hand", NUMBER, required=True, minimum=0),
        Field("daily_demand", NUMBER, required=True, minimum=0, positive=True),
    ),
    key=("client", "product", "location", "date"),
)

SPECS = {spec.kind: spec for spec in (BATCHES, DEVIATIONS, CAPAS, PLAN, STOCKOUTS, STOCK)}
