"""What depends on imported data, refreshed after every import: one explicit call, one place.

The import pipeline (tower.imports.pipeline) calls `refresh_after_import` for every kind in
the import's transaction, after writing and before logging, for the clients whose records
changed. Order lines: each client's outcomes and monthly figures are recomputed
(refresh_outcomes, which also attributes the client's stock-outs again). Stock-outs: which the
CMO caused. Batches, deviations, CAPAs and plan weeks: nothing is materialised from them (the
scorecard reads them as they are), so there is nothing to refresh.

The early warning (tower.outlook) is projected again after lines, batches and client stock:
its milestones come from the lines, their planned batches and the shared stock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import polars as pl

from tower.escalations.tasks import after_data_change
from tower.imports.report import counted
from tower.outlook.services import refresh_projection
from tower.performance.attribution import attribute_stock_outs
from tower.performance.services import RefreshResult, refresh_outcomes
from tower.tenancy.models import Client


@dataclass
class Refreshed:
    notes: list[str] = field(default_factory=list)  # sentences for the import's report
    outcomes: list[RefreshResult] = field(default_factory=list)


def refresh_after_import(
    kind: str,
    clients: Iterable[Client],
    *,
    inputs: Callable[[int], tuple[pl.DataFrame, pl.DataFrame]] | None = None,
) -> Refreshed:
    """Refresh what depends on `kind`'s records of `clients`. `inputs(client_id)`, for order
    lines, gives the client's lines and deliveries in the engine's schema when the import
    already holds them (no second read)."""
    done = Refreshed()
    for client in clients:
        if kind == "lines":
            result = refresh_outcomes(
                client=client,
                trigger="import",
                inputs=inputs(client.pk) if inputs is not None else None,
            )
            done.outcomes.append(result)
            done.notes.append(
                f"{result.client}: outcomes as of {result.as_of} with definition "
                f"v{result.definition_version}: {result.outcomes_written} of "
                f"{result.lines} lines changed"
            )
        elif kind == "stockouts":
            result = attribute_stock_outs(client=client)
            events = counted(result.events, "stock-out")
            lines = counted(result.links, "failed order line")
            done.notes.append(
                f"{client.code}: {result.caused} of {events} caused by the CMO ({lines} linked)"
            )
        if kind in PROJECTED_FROM:
            refresh_projection(client=client)
        # New data can fire the client's escalation triggers: checked in the worker at once.
        after_data_change(client.pk)
    return done


# The record kinds the projection reads (tower.outlook.queries.projection_inputs).
PROJECTED_FROM = ("lines", "batches", "stock")
