"""Reads for OTIF figures: the definition in force, and outcomes as frames for the engine.

Functions take clients already scoped by tower.tenancy.scoping; none of them widens access.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl
from django.db.models import Prefetch, Q, QuerySet

from tower.agreements.queries import current_definition
from tower.bulk import read_frame
from tower.engine import evaluate
from tower.engine import schemas as engine_schemas
from tower.engine.otif import OUTCOME_SCHEMA
from tower.performance.models import (
    LineOutcome,
    OutcomeRefresh,
    RootCause,
    RootCauseStatus,
)
from tower.tenancy.models import Client

# The engine's line columns plus where each line was made and of what (for the monthly figures).
LINE_SCHEMA = {**engine_schemas.LINE_SCHEMA, "site_id": pl.Int64, "product_id": pl.Int64}
DELIVERY_SCHEMA = engine_schemas.DELIVERY_SCHEMA
# The descriptive columns a figure can be grouped by, joined onto outcomes.
DIMENSION_SCHEMA = {
    "line_id": pl.Int64,
    "client": pl.String,
    "order": pl.String,
    "line": pl.String,
    "site": pl.String,
    "product": pl.String,
    "product_group": pl.String,
    "ship_to": pl.String,
    "transport_mode": pl.String,
    "site_id": pl.Int64,
    "product_id": pl.Int64,
}
ROOT_CAUSE_SCHEMA = {
    "line_id": pl.Int64,
    "root_cause": pl.String,
    "root_cause_status": pl.String,
    "root_cause_area": pl.String,
    "root_cause_attributable": pl.Boolean,
}


def engine_inputs(client: Client) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A client's lines and deliveries in the engine's input schema."""
    lines = read_frame(
        """SELECT id, order_id, requested_date, first_committed_date, committed_date,
                  ordered_qty, line_value, status, manual_exclusion, site_id, product_id
           FROM orders_orderline WHERE client_id = %s""",
        [client.pk],
        schema=LINE_SCHEMA,
    )
    deliveries = read_frame(
        """SELECT line_id, shipped_date, delivered_date, quantity
           FROM orders_delivery WHERE client_id = %s""",
        [client.pk],
        schema=DELIVERY_SCHEMA,
    )
    return lines, deliveries


def evaluate_client(client: Client, as_of: dt.date) -> tuple[int, pl.DataFrame]:
    """Evaluate a client's lines now with the definition in force: (version, outcomes)."""
    version, definition = current_definition(client)
    lines, deliveries = engine_inputs(client)
    return version, evaluate(lines, deliveries, definition, as_of)


def _outcome_filter(
    periods: list[dt.date] | None, products: list[int] | None = None
) -> tuple[str, list]:
    """An SQL condition (and its parameters) keeping the stored outcomes (alias o) of some months
    and, optionally, of some products (the order line's alias is l)."""
    condition, params = "", []
    if periods is not None:
        condition += f" AND o.period IN ({', '.join(['%s'] * len(periods))})"
        params += list(periods)
    if products is not None:
        condition += f" AND l.product_id IN ({', '.join(['%s'] * len(products))})"
        params += list(products)
    return condition, params


def stored_outcomes(
    client: Client,
    *,
    periods: list[dt.date] | None = None,
    products: list[int] | None = None,
) -> pl.DataFrame:
    """The materialised outcomes of a client (of some months and products), in the engine's
    output schema."""
    fields = [
        c for c in OUTCOME_SCHEMA if c not in ("line_id", "order_key", "ordered_qty", "line_value")
    ]
    schema = {
        "line_id": pl.Int64,
        "order_key": pl.Int64,
        "ordered_qty": pl.Float64,
        "line_value": pl.Float64,
    }
    schema |= {c: OUTCOME_SCHEMA[c] for c in fields}
    schema |= {"definition_version": pl.Int64}
    table = LineOutcome._meta.db_table
    condition, params = _outcome_filter(periods, products)
    frame = read_frame(
        f"""SELECT o.line_id, l.order_id, l.ordered_qty, l.line_value, {", ".join("o." + c for c in fields)},
                   o.definition_version
            FROM {table} o JOIN orders_orderline l ON l.id = o.line_id
            WHERE o.client_id = %s{condition} ORDER BY o.line_id""",
        [client.pk, *params],
        schema=schema,
    )
    return frame.select(*OUTCOME_SCHEMA, "definition_version")


def dimensions(client: Client) -> pl.DataFrame:
    """Per line: the codes and names figures can be grouped by."""
    return read_frame(
        """SELECT l.id, c.code, o.number, l.line_number, s.code, p.code, p.product_group,
                  l.ship_to, l.transport_mode, l.site_id, l.product_id
           FROM orders_orderline l
           JOIN tenancy_client c ON c.id = l.client_id
           JOIN orders_order o ON o.id = l.order_id
           JOIN masterdata_product p ON p.id = l.product_id
           LEFT JOIN masterdata_site s ON s.id = l.site_id
           WHERE l.client_id = %s""",
        [client.pk],
        schema=DIMENSION_SCHEMA,
    )


def line_places(
    client: Client,
    *,
    periods: list[dt.date] | None = None,
    products: list[int] | None = None,
) -> pl.DataFrame:
    """Each line's site and product (of the lines whose stored outcome is in `periods`)."""
    condition, params = _outcome_filter(periods, products)
    return read_frame(
        f"""SELECT l.id, l.site_id, l.product_id
            FROM performance_lineoutcome o JOIN orders_orderline l ON l.id = o.line_id
            WHERE o.client_id = %s{condition}""",
        [client.pk, *params],
        schema={"line_id": pl.Int64, "site_id": pl.Int64, "product_id": pl.Int64},
    )


def root_causes(client: Client, *, periods: list[dt.date] | None = None) -> pl.DataFrame:
    """The client's root causes with their functional area (a few rows per failed line at most)."""
    condition, params = _outcome_filter(periods)
    join = (
        "JOIN performance_lineoutcome o ON o.client_id = rc.client_id AND o.line_id = rc.line_id"
        if periods is not None
        else ""
    )
    return read_frame(
        f"""SELECT rc.line_id, rc.code_id, rc.status, a.code, a.cmo_attributable
            FROM performance_rootcause rc
            JOIN masterdata_rootcausecode k ON k.code = rc.code_id
            JOIN masterdata_functionalarea a ON a.code = k.area_id
            {join}
            WHERE rc.client_id = %s{condition}""",
        [client.pk, *params],
        schema=ROOT_CAUSE_SCHEMA,
    )


def with_dimensions(
    outcomes: pl.DataFrame, dims: pl.DataFrame, causes: pl.DataFrame
) -> pl.DataFrame:
    """Outcomes joined with their dimensions, root cause, functional area and `excused` flag.

    A failed line's functional area is its root cause's area, "unclassified" when it has none
    (kpis.md 2). It is excused (met in net OTIF) only when the cause is approved and not
    CMO-attributable.
    """
    col = pl.col
    failed = col("otif").not_().fill_null(False)
    joined = outcomes.join(dims, on="line_id", how="left").join(causes, on="line_id", how="left")
    return joined.with_columns(
        pl.when(failed)
        .then(col("root_cause_area").fill_null("unclassified"))
        .alias("functional_area"),
        (
            failed
            & (col("root_cause_status") == "approved").fill_null(False)
            & col("root_cause_attributable").not_().fill_null(False)
        ).alias("excused"),
    )


def figures_frame(clients: Iterable[Client], as_of: dt.date | None = None) -> pl.DataFrame:
    """Outcomes with dimensions and definition version for several clients.

    Without `as_of` the stored outcomes are read; with it, the lines are evaluated as of that date
    with each client's definition in force.
    """
    frames = []
    for client in clients:
        if as_of is None:
            outcomes = stored_outcomes(client)
        else:
            version, outcomes = evaluate_client(client, as_of)
            outcomes = outcomes.with_columns(
                pl.lit(version, dtype=pl.Int64).alias("definition_version")
            )
        frames.append(with_dimensions(outcomes, dimensions(client), root_causes(client)))
    if not frames:
        frames.append(
            with_dimensions(
                pl.DataFrame(schema=OUTCOME_SCHEMA | {"definition_version": pl.Int64}),
                pl.DataFrame(schema=DIMENSION_SCHEMA),
                pl.DataFrame(schema=ROOT_CAUSE_SCHEMA),
            )
        )
    # The label a figure carries to name the definition it was computed with, e.g. "ACME v2".
    label = pl.col("client") + pl.lit(" v") + pl.col("definition_version").cast(pl.String)
    return pl.concat(frames, how="vertical_relaxed").with_columns(label.alias("definition"))


def latest_refresh(client: Client) -> OutcomeRefresh | None:
    """The client's last evaluation: how current its stored outcomes are."""
    return OutcomeRefresh.objects.filter(client=client).order_by("-refreshed_at", "-id").first()


def stored_as_of(clients: Iterable[Client]) -> dt.date | None:
    """The as-of date of the stored outcomes: the oldest latest refresh among the clients."""
    dates = []
    for client in clients:
        latest = latest_refresh(client)
        if latest is not None:
            dates.append(latest.as_of)
    return min(dates) if dates else None


# ---------------------------------------------------------------------------------------------
# The lines behind a figure (the dashboard's drill-down), as a queryset of LineOutcome.

EXCUSED = Q(
    line__root_cause__status=RootCauseStatus.APPROVED,
    line__root_cause__code__area__cmo_attributable=False,
)
FAILED = Q(state="measured", otif=False)
OUTCOME_FILTERS = {
    "measured": Q(state="measured"),
    "otif": Q(state="measured", otif=True),
    "failed": FAILED,
    "net_failed": FAILED & ~EXCUSED,
    "late": Q(state="measured", on_time=False),
    "not_in_full": Q(state="measured", in_full=False),
    "pending": Q(state="pending"),
    "excluded": Q(state="excluded"),
}


def lines_in_scope(outcomes: QuerySet, scope) -> QuerySet:
    """Scoped LineOutcome rows narrowed to a FigureScope (clients, site, product, months)."""
    rows = outcomes.filter(
        client__in=[c.pk for c in scope.clients], period__gte=scope.start, period__lte=scope.end
    )
    if scope.site:
        rows = rows.filter(line__site__code=scope.site)
    if scope.product:
        rows = rows.filter(line__product__code=scope.product)
    return rows


def filter_lines(
    rows: QuerySet,
    *,
    outcome: str = "",
    kind: str = "",
    delay: str = "",
    area: str = "",
    code: str = "",
    status: str = "",
    q: str = "",
    due: dt.date | None = None,
) -> QuerySet:
    """Narrow line outcomes by what a figure counts: outcome, failure kind, root cause..."""
    if outcome:
        rows = rows.filter(OUTCOME_FILTERS[outcome])
    if kind:
        rows = rows.filter(failure_kind=kind)
    if delay:
        rows = rows.filter(delay_class=delay)
    unclassified = FAILED & Q(line__root_cause__isnull=True)
    if area == "unclassified":
        rows = rows.filter(unclassified)
    elif area:
        rows = rows.filter(FAILED, line__root_cause__code__area=area)
    if code:
        rows = rows.filter(line__root_cause__code=code)
    if status == "unclassified":
        rows = rows.filter(unclassified)
    elif status == "unresolved":
        rows = rows.filter(FAILED).exclude(line__root_cause__status=RootCauseStatus.APPROVED)
    elif status:
        rows = rows.filter(line__root_cause__status=status)
    if q:
        rows = rows.filter(line__order__number__icontains=q.strip())
    if due:
        rows = rows.filter(due_date=due)
    return rows


def with_root_cause(rows: QuerySet, line: str = "line") -> QuerySet:
    """`rows` (outcomes, links: anything with a `line`) with each line's root cause, its code
    and area, read in one more query, so that `row.line.root_cause` reads nothing more. A cause
    is unique per (client, line) but not a one-to-one, so select_related cannot join it."""
    causes = RootCause.objects.select_related("code__area")
    return rows.prefetch_related(Prefetch(f"{line}__root_causes", queryset=causes))


def unresolved_lines(client: Client, period: dt.date) -> QuerySet:
    """A month's failed lines without an approved root cause (what a close would freeze open),
    with their order, product and cause, oldest due first."""
    return with_root_cause(
        LineOutcome.objects.filter(FAILED, client=client, period=period)
        .exclude(line__root_cause__status=RootCauseStatus.APPROVED)
        .select_related("line__order", "line__product")
        .order_by("due_date", "line__order__number", "line__line_number")
    )
