"""tower fmea ap-table [--format csv|json]: the whole Action Priority table the tower uses.

1,000 rows `s,o,d,ap` (kpis.md 10, AIAG-VDA 2019), so a quality manager can audit every
combination; it reads no data.
"""

from django.core.management.base import BaseCommand

from tower.engine.fmea import ap_table
from tower.output import write_frame


class Command(BaseCommand):
    help = "The customer-lens FMEA: print the Action Priority table the tower uses (kpis.md 10)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        table = actions.add_parser(
            "ap-table",
            help="Every combination of S, O and D (1,000 rows s,o,d,ap) and its Action Priority",
        )
        table.add_argument("--format", choices=("csv", "json"), default="csv")

    def handle(self, *args, action, **options):
        write_frame(ap_table(), options["format"], self.stdout)
