"""tower month check|close|reopen|list: month close from the command line (the page's services).

`close` follows the same rules as the page (services.close_month): unresolved failures need a
--note, and closing while an earlier month is open needs --out-of-order; `check` lists what a
close would freeze unresolved.
"""

from django.core.management.base import BaseCommand, CommandError

from tower.performance.cli import clients_for, month_option
from tower.performance.models import MonthClose
from tower.performance.queries import unresolved_lines
from tower.performance.services import (
    close_check,
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
        close.add_argument(
            "--note",
            default="",
            help="Kept with the close; required when failures are unresolved (the confirmation)",
        )
        close.add_argument(
            "--out-of-order",
            action="store_true",
            help="Close although an earlier month (since the first close) is still open",
        )
        check = actions.add_parser(
            "check", help="What closing a month would freeze unresolved, line by line"
        )
        check.add_argument("client", help="Client code")
        check.add_argument("month", type=month_option, help="YYYY-MM")
        reopen = actions.add_parser("reopen", help="Let a closed month's live figures count")
        reopen.add_argument("client", help="Client code")
        reopen.add_argument("month", type=month_option, help="YYYY-MM")
        reopen.add_argument("--reason", required=True, help="Why (kept in the history)")
        listing = actions.add_parser("list", help="Every close and reopen of a client")
        listing.add_argument("client", help="Client code")

    def handle(self, *args, action, client, **options):
        (client,) = clients_for(client)
        try:
            if action == "check":
                self._check(client, options["month"])
            elif action == "close":
                done = close_month(
                    client=client,
                    period=options["month"],
                    user=SYSTEM,
                    note=options["note"],
                    out_of_order=options["out_of_order"],
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

    def _check(self, client, month):
        check = close_check(client, month)
        for open_month in check.open_before:
            self.stdout.write(
                f"{open_month:%Y-%m} is still open (close it first or --out-of-order)"
            )
        lines = unresolved_lines(client, check.period)
        if not check.unresolved_total:
            self.stdout.write(f"{client.code} {check.period:%Y-%m}: no unresolved failures.")
            return
        counts = ", ".join(f"{n} {state}" for state, n in check.unresolved.items() if n)
        self.stdout.write(
            f"{client.code} {check.period:%Y-%m}: {check.unresolved_total} failed lines without "
            f"an approved root cause ({counts}); closing needs --note."
        )
        for outcome in lines:
            cause = outcome.line.root_cause
            state = f"{cause.status} {cause.code_id}" if cause else "unclassified"
            self.stdout.write(
                f"  {outcome.line.order.number}/{outcome.line.line_number}  "
                f"{outcome.line.product.code}  due {outcome.due_date}  {state}"
            )

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
