"""The input schemas of the engine: the Polars column names and dtypes of the frames it reads.

Published once, here, so the readers (tower.performance.queries, tower.performance.records), the
importers and the demo build their frames from these names instead of repeating them. Extra
columns are ignored by the engine; the ones listed are the ones it reads.
"""

import polars as pl

# evaluate(lines, deliveries, ...): kpis.md 1. order_key groups the lines of one order.
LINE_SCHEMA = {
    "line_id": pl.Int64,
    "order_key": pl.Int64,
    "requested_date": pl.Date,
    "first_committed_date": pl.Date,
    "committed_date": pl.Date,
    "ordered_qty": pl.Float64,
    "line_value": pl.Float64,
    "status": pl.String,
    "manual_exclusion": pl.String,
}
DELIVERY_SCHEMA = {
    "line_id": pl.Int64,
    "shipped_date": pl.Date,
    "delivered_date": pl.Date,
    "quantity": pl.Float64,
}

# tower.engine.scorecard: the batch columns of kpis.md 4 (material readiness, QC release,
# right first time, yield, incident rate, lot acceptance).
BATCH_SCHEMA = {
    "batch": pl.String,
    "product": pl.String,
    "site": pl.String,
    "planned_start": pl.Date,
    "actual_start": pl.Date,
    "planned_end": pl.Date,
    "actual_end": pl.Date,
    "material_ready_date": pl.Date,
    "planned_release_date": pl.Date,
    "actual_release_date": pl.Date,
    "theoretical_output": pl.Float64,
    "actual_output": pl.Float64,
    "disposition": pl.String,
}
# The deviations, CAPAs and plan weeks of kpis.md 4 (incident rate, CAPA on time, schedule
# adherence).
DEVIATION_SCHEMA = {
    "deviation": pl.String,
    "batch": pl.String,
    "site": pl.String,
    "opened_date": pl.Date,
    "closed_date": pl.Date,
    "severity": pl.String,
    "category": pl.String,
    "area": pl.String,
    "title": pl.String,
}
CAPA_SCHEMA = {
    "capa": pl.String,
    "deviation": pl.String,
    "title": pl.String,
    "due_date": pl.Date,
    "closed_date": pl.Date,
}
PLAN_SCHEMA = {
    "product": pl.String,
    "site": pl.String,
    "week": pl.Date,
    "planned_qty": pl.Float64,
    "released_qty": pl.Float64,
}

# tower.engine.projection.project(lines, deliveries, batches, ...): kpis.md 8. The lines frame
# is LINE_SCHEMA plus these columns (lane, product, the CMO's plan for the line).
PROJECTION_LINE_SCHEMA = {
    "product": pl.String,
    "site": pl.String,
    "ship_to": pl.String,
    "transport_mode": pl.String,
    "planned_ship_date": pl.Date,
    "planned_batch": pl.String,  # BATCH_SCHEMA's `batch`; null: the line starts at ship
}
# The client's shared stock (kpis.md 8, projected client stock-out): the latest row on or
# before T of each (product, location) counts; location matches the lines' ship_to.
STOCK_SCHEMA = {
    "product": pl.String,
    "location": pl.String,
    "date": pl.Date,
    "on_hand": pl.Float64,
    "daily_demand": pl.Float64,
}

# tower.engine.scorecard.acknowledged_escalations (kpis.md 9): one row per escalation; the UTC
# moments decide, the local ones (the clock's site time, naive) are what a reviewer reads.
UTC_MOMENT = pl.Datetime("us", "UTC")
ESCALATION_SCHEMA = {
    "escalation_id": pl.Int64,
    "client_id": pl.Int64,
    "title": pl.String,
    "kind": pl.String,
    "site": pl.String,
    "opened_at": UTC_MOMENT,
    "first_deadline": UTC_MOMENT,
    "acknowledged_at": UTC_MOMENT,
    "deadline_date": pl.Date,
    "opened_local": pl.Datetime("us"),
    "deadline_local": pl.Datetime("us"),
    "acknowledged_local": pl.Datetime("us"),
    "time_zone": pl.String,
    "acknowledged_by": pl.String,
    "level": pl.Int64,
    "judged_at": UTC_MOMENT,
}
