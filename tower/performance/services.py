"""Writes for OTIF: definition versions and keeping materialised outcomes current.

Keyword-only functions that take the acting user (or the CLI's operator name); the CLI, the web
app and the demo all call these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from tower.bulk import delete_where_in, insert_frame, read_frame
from tower.engine import OtifDefinition, evaluate
from tower.engine.otif import DELAY_CLASSES, FAILURE_KINDS, OUTCOME_SCHEMA
from tower.performance.models import (
    LineOutcome,
    MonthlyFailure,
    MonthlyOtif,
    OtifDefinitionVersion,
    OutcomeRefresh,
)
from tower.performance.queries import (
    current_definition,
    engine_inputs,
    line_places,
    root_causes,
    stored_outcomes,
    with_dimensions,
)
from tower.tenancy.models import Client

# Stored per line; the rest of the engine's output is derivable from the line itself.
STORED_OUTCOME_COLUMNS = [
    c for c in OUTCOME_SCHEMA if c not in ("order_key", "ordered_qty", "line_value")
]

# MonthlyOtif's columns for the late lines of each delay class, in DELAY_CLASSES order.
DELAY_COLUMNS = ("late_1_2", "late_3_7", "late_8_14", "late_over_14")


@dataclass(frozen=True)
class RefreshResult:
    client: str
    as_of: dt.date
    definition_version: int
    lines: int
    outcomes_written: int
    monthly_rows: int


@transaction.atomic
def set_definition(
    *, client: Client, parameters: dict[str, Any], actor: str, note: str = ""
) -> OtifDefinitionVersion:
    """Create the next version of a client's OTIF definition and recompute its outcomes.

    Raises tower.engine.DefinitionError (nothing written) when a parameter is invalid.
    """
    definition = OtifDefinition.from_mapping(parameters)
    current, _ = current_definition(client)
    version = OtifDefinitionVersion.objects.create(
        client=client,
        version=current + 1,
        parameters=definition.to_mapping(),
        created_by=actor,
        note=note,
    )
    refresh_outcomes(client=client, trigger="definition")
    return version


@transaction.atomic
def refresh_outcomes(
    *,
    client: Client,
    trigger: str,
    as_of: dt.date | None = None,
    inputs: tuple[pl.DataFrame, pl.DataFrame] | None = None,
) -> RefreshResult:
    """Evaluate all of a client's lines and store what changed; rebuild its monthly figures.

    The evaluation is columnar and whole-client (cheap); writes touch only lines whose outcome
    changed. `inputs` are the client's lines and deliveries in the engine's input schema when
    the caller already holds them (an import), otherwise they are read from the database.
    """
    as_of = as_of or timezone.localdate()
    version, definition = current_definition(client)
    lines, deliveries = inputs if inputs is not None else engine_inputs(client)
    outcomes = evaluate(lines, deliveries, definition, as_of)

    fresh = outcomes.select(STORED_OUTCOME_COLUMNS).with_columns(
        pl.lit(client.pk, dtype=pl.Int64).alias("client_id"),
        pl.lit(version, dtype=pl.Int64).alias("definition_version"),
    )
    written = _store_changed_outcomes(client, fresh)

    # Monthly rows need only each line's site and product, which came with the engine inputs.
    figures = with_dimensions(
        outcomes, lines.select("line_id", "site_id", "product_id"), root_causes(client)
    )
    monthly_rows = _write_monthly(client, figures, definition_version=version)

    OutcomeRefresh.objects.create(
        client=client,
        as_of=as_of,
        definition_version=version,
        trigger=trigger,
        lines=outcomes.height,
        outcomes_written=written,
    )
    return RefreshResult(client.code, as_of, version, outcomes.height, written, monthly_rows)


@transaction.atomic
def refresh_monthly(*, client: Client, periods: Iterable[dt.date]) -> int:
    """Rebuild the monthly figures of some months from the stored outcomes (no re-evaluation).

    Used after root-cause changes, which move net OTIF and the failure breakdown but no line's
    outcome; only the months of the lines concerned are read and rewritten.
    """
    periods = sorted(set(periods))
    if not periods:
        return 0
    version, _ = current_definition(client)
    outcomes = stored_outcomes(client, periods=periods)
    figures = with_dimensions(
        outcomes, line_places(client, periods=periods), root_causes(client, periods=periods)
    )
    return _write_monthly(client, figures, definition_version=version, periods=periods)


def _write_monthly(
    client: Client,
    figures: pl.DataFrame,
    *,
    definition_version: int,
    periods: list[dt.date] | None = None,
) -> int:
    """Replace a client's MonthlyOtif and MonthlyFailure rows (of `periods`, or all)."""
    monthly = monthly_figures(figures, client_id=client.pk, definition_version=definition_version)
    failures = monthly_failures(figures, client_id=client.pk)
    for model, frame in ((MonthlyOtif, monthly), (MonthlyFailure, failures)):
        rows = model.objects.filter(client=client)
        if periods is not None:
            rows = rows.filter(period__in=periods)
        rows.delete()
        insert_frame(model._meta.db_table, frame)
    return monthly.height


def _store_changed_outcomes(client: Client, fresh: pl.DataFrame) -> int:
    table = LineOutcome._meta.db_table
    columns = fresh.columns
    stored = read_frame(
        f"SELECT {', '.join(columns)} FROM {table} WHERE client_id = %s",
        [client.pk],
        schema=dict(fresh.schema),
    )
    changed = fresh.join(stored, on=columns, how="anti", nulls_equal=True)
    if changed.is_empty():
        return 0
    if changed.height > stored.height // 2:
        LineOutcome.objects.filter(client=client).delete()
        insert_frame(table, fresh)
        return fresh.height
    replaced = changed.join(stored.select("line_id"), on="line_id", how="semi")
    delete_where_in(table, "line_id", replaced["line_id"].to_list())
    insert_frame(table, changed)
    return changed.height


def monthly_failures(figures: pl.DataFrame, *, client_id: int) -> pl.DataFrame:
    """Failed lines per site x product x month x root cause and status (the cascade's level 3)."""
    col = pl.col
    failed = (col("state") == "measured") & col("otif").not_()
    return (
        figures.filter(failed.fill_null(False) & col("period").is_not_null())
        .with_columns(col("root_cause_status").fill_null("unclassified").alias("status"))
        .group_by("site_id", "product_id", "period", "functional_area", "root_cause", "status")
        .agg(
            pl.len().cast(pl.Int64).alias("lines"),
            col("excused").sum().cast(pl.Int64).alias("excused"),
        )
        .rename({"functional_area": "area_id", "root_cause": "code_id"})
        .with_columns(pl.lit(client_id, dtype=pl.Int64).alias("client_id"))
        .sort("period", "site_id", "product_id", "area_id", "code_id", nulls_last=True)
    )


def monthly_figures(
    figures: pl.DataFrame, *, client_id: int, definition_version: int
) -> pl.DataFrame:
    """Monthly rows per site x product from outcomes joined with their dimensions."""
    col = pl.col
    measured = col("state") == "measured"
    net = (col("otif") | col("excused")).fill_null(False)

    def count(condition: pl.Expr) -> pl.Expr:
        return (condition & measured).fill_null(False).sum().cast(pl.Int64)

    def weigh(weight: pl.Expr, condition: pl.Expr | None = None) -> pl.Expr:
        keep = measured if condition is None else (measured & condition).fill_null(False)
        return pl.when(keep).then(weight).otherwise(0.0).sum()

    qty = col("ordered_qty")
    value = col("line_value").fill_null(0.0)
    return (
        figures.filter(col("period").is_not_null())
        .group_by("site_id", "product_id", "period")
        .agg(
            measured.sum().cast(pl.Int64).alias("lines"),
            count(col("on_time")).alias("on_time"),
            count(col("in_full")).alias("in_full"),
            count(col("otif")).alias("otif"),
            count(col("on_time") | col("excused")).alias("net_on_time"),
            count(col("in_full") | col("excused")).alias("net_in_full"),
            count(net).alias("net_otif"),
            (col("state") == "pending").sum().cast(pl.Int64).alias("pending"),
            (col("state") == "excluded").sum().cast(pl.Int64).alias("excluded"),
            count(col("due_fallback")).alias("due_fallback"),
            weigh(qty).alias("qty"),
            weigh(qty, col("on_time")).alias("qty_on_time"),
            weigh(qty, col("in_full")).alias("qty_in_full"),
            weigh(qty, col("otif")).alias("qty_otif"),
            weigh(pl.min_horizontal("delivered_qty", "ordered_qty")).alias("qty_delivered_capped"),
            weigh(value).alias("value"),
            weigh(value, col("on_time")).alias("value_on_time"),
            weigh(value, col("in_full")).alias("value_in_full"),
            weigh(value, col("otif")).alias("value_otif"),
            *(
                count(col("delay_class") == delay_class).alias(column)
                for delay_class, column in zip(DELAY_CLASSES, DELAY_COLUMNS, strict=True)
            ),
            *(count(col("failure_kind") == kind).alias(f"failed_{kind}") for kind in FAILURE_KINDS),
        )
        .with_columns(
            pl.lit(client_id, dtype=pl.Int64).alias("client_id"),
            pl.lit(definition_version, dtype=pl.Int64).alias("definition_version"),
        )
        .sort("period", "site_id", "product_id")
    )
