"""The record imports: `tower import batches|deviations|capas|plan|stockouts|stock`, the web and the
demo call these. Each is the one pipeline, tower.imports.pipeline.import_file, with its kind
(order lines are its kind too: tower.imports.lines).

Every function takes the same keyword arguments as tower.imports.lines.import_lines:
`principal` is who the import runs for (tower.tenancy.scoping; clients it may not see are
unknown), `actor` names them in the log, `user` is the Django user when there is one. They raise
ImportFileError for a file that cannot be read at all; row problems come back in
`report.errors` with nothing written.
"""

from __future__ import annotations

from functools import partial

from tower.imports.pipeline import import_file
from tower.imports.records import RecordKind
from tower.imports.references import resolve_areas, resolve_numbers
from tower.ingest.specs import BATCHES, CAPAS, DEVIATIONS, PLAN, STOCK, STOCKOUTS
from tower.quality.models import Batch, Capa, Deviation, PlanWeek
from tower.stock.models import ClientStock
from tower.stockouts.models import StockOutEvent


def _deviation_batch(records, label, clients):
    reason = "unknown batch for this client: import the batches first"
    return resolve_numbers(records, "batch", Batch, label=label, reason=reason, clients=clients)


def _capa_deviation(records, label, clients):
    reason = "unknown deviation for this client: import the deviations first"
    return resolve_numbers(
        records, "deviation", Deviation, label=label, reason=reason, clients=clients
    )


def _deviation_area(records, label, clients):
    return resolve_areas(records, label=label)


BATCH_KIND = RecordKind(spec=BATCHES, model=Batch, noun="batches", renamed={"batch": "number"})

DEVIATION_KIND = RecordKind(
    spec=DEVIATIONS,
    model=Deviation,
    noun="deviations",
    renamed={"deviation": "number"},
    references={"batch": _deviation_batch, "area": _deviation_area},
)

CAPA_KIND = RecordKind(
    spec=CAPAS,
    model=Capa,
    noun="CAPAs",
    renamed={"capa": "number"},
    references={"deviation": _capa_deviation},
)

PLAN_KIND = RecordKind(spec=PLAN, model=PlanWeek, noun="plan weeks")

STOCKOUT_KIND = RecordKind(
    spec=STOCKOUTS,
    model=StockOutEvent,
    noun="stock-outs",
    on_insert={"source": StockOutEvent.Source.IMPORTED.value},
    refresh_label="Linking stock-outs to failed lines",
)

STOCK_KIND = RecordKind(spec=STOCK, model=ClientStock, noun="stock rows")

KINDS = {
    kind.spec.kind: kind
    for kind in (BATCH_KIND, DEVIATION_KIND, CAPA_KIND, PLAN_KIND, STOCKOUT_KIND, STOCK_KIND)
}


# One function per kind, with import_file's keyword arguments; a batch is identified by
# client + batch number, a deviation by client + deviation number (its batch must be stored
# already), a CAPA by client + CAPA number, a plan week by client + product + site + week, a
# stock-out by client + product + location + start date, a stock row by client + product +
# location + date.
import_batches = partial(import_file, BATCH_KIND)
import_deviations = partial(import_file, DEVIATION_KIND)
import_capas = partial(import_file, CAPA_KIND)
import_plan = partial(import_file, PLAN_KIND)
import_stockouts = partial(import_file, STOCKOUT_KIND)
import_stock = partial(import_file, STOCK_KIND)
