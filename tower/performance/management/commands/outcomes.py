"""tower outcomes --client CODE [--as-of DATE] --format csv|json: line-level outcomes."""

import polars as pl
from django.core.management.base import BaseCommand

from tower.output import write_frame
from tower.performance.cli import clients_for, date_option
from tower.performance.queries import figures_frame

COLUMNS = [
    "client",
    "order",
    "line",
    "product",
    "product_group",
    "site",
    "ship_to",
    "transport_mode",
    "state",
    "exclusion",
    "due_date",
    "due_basis",
    "due_fallback",
    "period",
    "ordered_qty",
    "line_value",
    "delivered_qty",
    "delivery_count",
    "completion_date",
    "decisive_date",
    "days_late",
    "on_time",
    "in_full",
    "otif",
    "delay_class",
    "failure_kind",
    "functional_area",
    "root_cause",
    "root_cause_status",
    "excused",
    "definition_version",
]


class Command(BaseCommand):
    help = "Print each line's OTIF outcome for one client (stored, or evaluated --as-of a date)."

    def add_arguments(self, parser):
        parser.add_argument("--client", required=True, help="Client code")
        parser.add_argument("--as-of", type=date_option, help="Evaluate as of YYYY-MM-DD")
        parser.add_argument("--format", choices=("csv", "json"), default="csv")

    def handle(self, *args, **options):
        clients = clients_for(options["client"])
        frame = figures_frame(clients, options["as_of"]).sort("order", "line")
        frame = frame.with_columns(pl.col("period").dt.strftime("%Y-%m"))
        write_frame(frame.select(COLUMNS), options["format"], self.stdout)
