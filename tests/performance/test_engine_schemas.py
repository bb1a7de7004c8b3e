"""The engine publishes its input schemas (tower.engine.schemas); the readers build on them."""

import datetime as dt

import polars as pl

from tower.engine import OtifDefinition, evaluate
from tower.engine.schemas import (
    BATCH_SCHEMA,
    CAPA_SCHEMA,
    DELIVERY_SCHEMA,
    DEVIATION_SCHEMA,
    LINE_SCHEMA,
    PLAN_SCHEMA,
)
from tower.performance import records
from tower.performance.queries import engine_inputs


def test_the_engine_evaluates_frames_of_its_published_schemas():
    lines = pl.DataFrame(
        {
            "line_id": [1],
            "order_key": [1],
            "requested_date": [None],
            "first_committed_date": [None],
            "committed_date": [dt.date(2026, 1, 10)],
            "ordered_qty": [100.0],
            "line_value": [None],
            "status": ["closed"],
            "manual_exclusion": [None],
        },
        schema=LINE_SCHEMA,
    )
    deliveries = pl.DataFrame(
        {
            "line_id": [1],
            "shipped_date": [None],
            "delivered_date": [dt.date(2026, 1, 10)],
            "quantity": [100.0],
        },
        schema=DELIVERY_SCHEMA,
    )
    outcome = evaluate(lines, deliveries, OtifDefinition(), as_of=dt.date(2026, 2, 1))
    assert outcome.select("line_id", "otif").rows() == [(1, True)]


def test_the_readers_give_the_engine_its_columns_and_types(acme):
    lines, deliveries = engine_inputs(acme)
    assert {c: lines.schema[c] for c in LINE_SCHEMA} == LINE_SCHEMA
    assert dict(deliveries.schema) == DELIVERY_SCHEMA
    batches = records.batches([acme], dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert {c: batches.schema[c] for c in BATCH_SCHEMA} == BATCH_SCHEMA
    span = ([acme], dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    # Each reader adds the row's client last (a closed month's rows come from its snapshot).
    client = {"client_id": pl.Int64}
    assert dict(records.deviations(*span).schema) == {**DEVIATION_SCHEMA, **client}
    assert dict(records.capas(*span).schema) == {**CAPA_SCHEMA, **client}
    assert dict(records.plan(*span).schema) == {**PLAN_SCHEMA, **client}
