"""Each side's worklist for the dashboard (tower.performance loads it as an htmx fragment).

Counts are live (a closed month's frozen figures do not hide a dispute made since), as the lists
they link to are. CMO side (CMO admins, and CMO staff of a client): failed lines without a root cause, disputed
ones, ageing ones (failed lines of months that ended at least AGEING_DAYS ago still without an
approved cause) and delay notices the client has not acknowledged. Client side (client viewers
and approvers): root causes the CMO proposed that await the client's approval, each with the
CMO's explanation, and the notices to acknowledge. Every count comes with the link to the list
it counts. A user with both kinds of clients sees both lists, each over its own clients.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

from tower.communications.models import DelayNotice
from tower.communications.queries import awaiting_acknowledgement
from tower.engine.periods import add_months
from tower.escalations.models import Escalation
from tower.performance.dashboard import FigureScope, live_failures
from tower.performance.models import RootCause, RootCauseStatus
from tower.tenancy.scoping import is_cmo_side
from tower.web.pages import lines_url

AGEING_DAYS = 30
CAUSES_SHOWN = 5  # proposed causes listed with their explanation (the count links to all)


@dataclass
class Item:
    label: str
    count: int
    url: str
    help: str = ""


@dataclass
class Worklist:
    side: str  # "cmo" or "client"
    clients: tuple
    items: list[Item] = field(default_factory=list)
    causes: list = field(default_factory=list)  # client side: proposed causes shown

    @property
    def total(self) -> int:
        return sum(i.count for i in self.items)


def ageing_end(today: dt.date) -> dt.date:
    """The last month that ended at least AGEING_DAYS ago (a month's first day)."""
    return add_months((today - dt.timedelta(days=AGEING_DAYS)).replace(day=1), -1)


def _narrowed(scope: FigureScope, clients, **changes) -> FigureScope:
    values = {
        "clients": tuple(clients),
        "start": scope.start,
        "end": scope.end,
        "site": scope.site,
        "product": scope.product,
    }
    return FigureScope(**(values | changes))


def _inbox_url(clients) -> str:
    url = reverse("communications:inbox")
    return f"{url}?{urlencode({'client': clients[0].code})}" if len(clients) == 1 else url


def cmo_worklist(scope: FigureScope, user, today: dt.date) -> Worklist:
    by_status: dict[str, int] = defaultdict(int)
    for row in live_failures(scope):
        by_status[row.status] += row.lines
    last = ageing_end(today)
    ageing = 0
    ageing_scope = _narrowed(scope, scope.clients, end=min(scope.end, last))
    if ageing_scope.start <= ageing_scope.end:
        ageing = sum(
            row.lines
            for row in live_failures(ageing_scope)
            if row.status != RootCauseStatus.APPROVED
        )
    notices = awaiting_acknowledgement(
        DelayNotice.objects.filter(client__in=[c.pk for c in scope.clients]).visible_to(user)
    ).count()
    escalations = (
        Escalation.objects.filter(
            client__in=[c.pk for c in scope.clients], status=Escalation.Status.OPEN
        )
        .visible_to(user)
        .count()
    )
    escalations_url = reverse("escalations:list") + (
        f"?{urlencode({'client': scope.clients[0].code})}" if len(scope.clients) == 1 else ""
    )
    return Worklist(
        "cmo",
        scope.clients,
        [
            Item(
                "Failed lines without a root cause",
                by_status["unclassified"],
                lines_url(scope, outcome="failed", status="unclassified"),
                "Propose a cause for each: the client approves or disputes it.",
            ),
            Item(
                "Root causes the client disputed",
                by_status[RootCauseStatus.DISPUTED],
                lines_url(scope, outcome="failed", status=RootCauseStatus.DISPUTED),
                "Read the client's comment and propose again.",
            ),
            Item(
                f"Ageing failures (months ended {AGEING_DAYS}+ days ago, not approved)",
                ageing,
                lines_url(ageing_scope, outcome="failed", status="unresolved")
                if ageing_scope.start <= ageing_scope.end
                else lines_url(scope, outcome="failed", status="unresolved"),
                f"Failed lines due up to {last:%B %Y} still without an approved cause.",
            ),
            Item(
                "Delay notices not acknowledged by the client",
                notices,
                _inbox_url(scope.clients),
                "Current notices nobody of the client has acknowledged yet.",
            ),
            Item(
                "Open escalations",
                escalations,
                escalations_url,
                "Each with its clock: acknowledge, comment, resolve.",
            ),
        ],
    )


def client_worklist(scope: FigureScope, user) -> Worklist:
    ids = [c.pk for c in scope.clients]
    proposed = (
        RootCause.objects.filter(client__in=ids, status=RootCauseStatus.PROPOSED)
        .visible_to(user)
        .select_related("client", "code", "line__order")
        .order_by("proposed_at", "pk")
    )
    shown = list(proposed[:CAUSES_SHOWN])
    awaiting = proposed.count()
    notices = awaiting_acknowledgement(
        DelayNotice.objects.filter(client__in=ids).visible_to(user)
    ).count()
    # Proposed causes of any month: the list starts far back and ends with the scope.
    proposed_url = f"{reverse('performance:lines')}?" + urlencode(
        {
            **({"client": scope.clients[0].code} if len(scope.clients) == 1 else {}),
            "status": RootCauseStatus.PROPOSED,
            "from": "2000-01",
            "to": f"{scope.end:%Y-%m}",
        }
    )
    return Worklist(
        "client",
        scope.clients,
        [
            Item(
                "Root causes awaiting your approval",
                awaiting,
                proposed_url,
                "The CMO's explanation of each failed line: approve it or dispute it.",
            ),
            Item(
                "Delay notices to acknowledge",
                notices,
                _inbox_url(scope.clients),
                "The CMO told you a line will be late: acknowledge that you read it.",
            ),
        ],
        shown,
    )


def worklists(scope: FigureScope, user, today: dt.date) -> list[Worklist]:
    """The CMO side's and the client side's worklists over the scope's clients (either may be
    absent: a user sees the lists of the sides they are on)."""
    cmo = tuple(c for c in scope.clients if is_cmo_side(user, c))
    client = tuple(c for c in scope.clients if not is_cmo_side(user, c))
    lists = []
    if cmo:
        lists.append(cmo_worklist(_narrowed(scope, cmo), user, today))
    if client:
        lists.append(client_worklist(_narrowed(scope, client), user))
    return lists
