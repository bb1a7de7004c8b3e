"""tower recompute [--client CODE] [--as-of DATE]: bring stored outcomes up to date."""

from django.core.management.base import BaseCommand

from tower.jobs.services import PROJECT_OPEN_LINES, queue_refresh
from tower.performance.cli import clients_for, date_option
from tower.performance.services import refresh_outcomes


class Command(BaseCommand):
    help = (
        "Re-evaluate stored OTIF outcomes as of today (or --as-of). Run daily, e.g. from cron, "
        "so that open lines become overdue on the right day. The early warning's projection "
        "is queued for the job worker."
    )

    def add_arguments(self, parser):
        parser.add_argument("--client", help="Only this client (default: all)")
        parser.add_argument(
            "--as-of", type=date_option, help="Evaluate as of YYYY-MM-DD (default: today)"
        )

    def handle(self, *args, **options):
        for client in clients_for(options["client"]):
            result = refresh_outcomes(client=client, trigger="recompute", as_of=options["as_of"])
            self.stdout.write(
                f"{result.client}: {result.lines} lines as of {result.as_of} "
                f"(definition v{result.definition_version}), {result.outcomes_written} outcomes changed."
            )
            # The early warning is always projected as of today, by the job worker.
            queue_refresh(kind=PROJECT_OPEN_LINES, client=client, because="tower recompute")
        self.stdout.write("The job worker projects the open lines again (tower worker).")
