"""tower month close|reopen|list: month close from the command line (the web page's services)."""

from django.core.management.base import BaseCommand, CommandError

from tower.performance.cli import clients_for, month_option
from tower.performance.models import MonthClose
from tower.performance.services import (
    close_month,
    closed_month,
    reopen_month,
)
from tower.tenancy.scoping import SYSTEM
from tower.workflow import WorkflowError


class Command(BaseCommand):
    help = (
        "Close a client's finished month (its figures are frozen with the definition in force), "
        "reopen it with a reason, or list the closes. Recorded in the month's history."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        close = actions.add_parser("close", help="Freeze a finished month's figures")
        close.add_argument("client", help="Client code")
        close.add_argument("month", type=month_option, help="YYYY-MM")
        close.add_argument("--note", default="", help="Kept with the close")
        reopen = actions.add_parser("reopen", help="Let a closed month's live figures count")
        reopen.add_argument("client", help="Client code")
        reopen.add_argument("month", type=month_option, help="YYYY-MM")
        reopen.add_argument("--reason", required=True, help="Why (kept in the history)")
        listing = actions.add_parser("list", help="Every close and reopen of a client")
        listing.add_argument("client", help="Client code")

    def handle(self, *args, action, client, **options):
        (client,) = clients_for(client)
        try:
            if action == "close":
                done = close_month(
                    client=client, period=options["month"], user=SYSTEM, note=options["note"]
                )
                self.stdout.write(
                    f"{client.code} {done.period:%Y-%m} closed: figures frozen as of {done.as_of} "
                    f"with definition v{done.definition_version}."
                )
            elif action == "reopen":
                current = closed_month(client, options["month"])
                if current is None:
                    raise WorkflowError(
                        f"{options['month']:%Y-%m} is not closed for {client.code}."
                    )
                reopen_month(close=current, user=SYSTEM, reason=options["reason"])
                self.stdout.write(f"{client.code} {current.period:%Y-%m} reopened.")
            else:
                self._list(client)
        except WorkflowError as exc:
            raise CommandError(str(exc)) from exc

    def _list(self, client):
        closes = MonthClose.objects.filter(client=client).order_by("-period", "-closed_at")
        if not closes:
            self.stdout.write(f"No month of {client.code} has been closed.")
        for c in closes:
            state = (
                "closed"
                if c.is_closed
                else f"reopened {c.reopened_at:%Y-%m-%d} by {c.reopened_by}: {c.reopen_reason}"
            )
            self.stdout.write(
                f"{c.period:%Y-%m}  closed {c.closed_at:%Y-%m-%d} by {c.closed_by}, "
                f"definition v{c.definition_version}, as of {c.as_of}  [{state}]"
            )
