"""tower rootcause reopen: correct an approved root cause from the command line.

The same service step as the line page's "Reopen" (services.reopen_root_cause): the cause goes
back to proposed, the figures and the stock-out attribution follow, the reason is kept.
"""

from django.core.management.base import BaseCommand, CommandError

from tower.orders.models import OrderLine
from tower.performance.cli import clients_for
from tower.performance.models import RootCause
from tower.performance.services import reopen_root_cause
from tower.tenancy.scoping import SYSTEM
from tower.workflow import WorkflowError


class Command(BaseCommand):
    help = (
        "Reopen a root cause the client approved: it goes back to proposed, net OTIF and the "
        "stock-out attribution no longer count it, and the reason is kept in its history."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        reopen = actions.add_parser("reopen", help="Put an approved root cause back to proposed")
        reopen.add_argument("client", help="Client code")
        reopen.add_argument("line", help="The order line as ORDER/LINE, e.g. SO-1002/1")
        reopen.add_argument("--reason", required=True, help="Why (both sides see it)")

    def handle(self, *args, action, client, line, reason, **options):
        (client,) = clients_for(client)
        order, _, number = line.rpartition("/")
        if not order or not number:
            raise CommandError(f"Name the line as ORDER/LINE (e.g. SO-1002/1), not {line!r}.")
        found = OrderLine.objects.filter(
            client=client, order__number=order, line_number=number
        ).first()
        if found is None:
            raise CommandError(f"{client.code} has no order line {line}.")
        cause = RootCause.objects.filter(line=found).select_related("client").first()
        if cause is None:
            raise CommandError(f"{client.code} {line} has no root cause.")
        try:
            done = reopen_root_cause(cause=cause, by=SYSTEM, reason=reason)
        except WorkflowError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{client.code} {line}: root cause {done.code_id} reopened; it is proposed again "
            "and no longer counts in net OTIF until the client approves it."
        )
