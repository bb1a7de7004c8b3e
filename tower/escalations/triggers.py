"""The agreement's escalation triggers (kpis.md 9), evaluated for many clients at once.

Each trigger kind is one query over every client that has it switched on (not one per client),
so a run costs a handful of queries however many clients there are; only the subjects that need
a new escalation are then written one by one. A subject that already has an escalation from the
same trigger (open or resolved) is not escalated again by it: once resolved, the same finding
does not reopen it every few minutes (either side opens a new one by hand if it comes back).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from tower.agreements.models import EscalationTrigger
from tower.communications.models import DelayNotice
from tower.engine.business_hours import CalendarError
from tower.escalations.models import Escalation
from tower.escalations.services import Subject, calendar_from, open_escalation, snapshots
from tower.outlook.models import LineProjection
from tower.performance.models import RootCause, RootCauseStatus
from tower.quality.models import Deviation, Severity
from tower.stockouts.models import StockOutEvent
from tower.tenancy.models import Client
from tower.workflow import WorkflowError

Kind = EscalationTrigger.Kind


@dataclass(frozen=True)
class Finding:
    client_id: int
    subject: Subject
    title: str


def _line(kind: str, row: dict, label: str) -> Subject:
    return Subject(
        kind=kind,
        type=Escalation.Subject.LINE,
        id=row["line_id"],
        label=f"Line {row['line__order__number']}/{row['line__line_number']}{label}",
        url=reverse("performance:line", args=[row["line_id"]]),
        site_id=row["line__site_id"],
        lines=(row["line_id"],),
    )


LINE_FIELDS = ("client_id", "line_id", "line__order__number", "line__line_number", "line__site_id")


def _late_lines(thresholds: dict[int, int], today: dt.date) -> list[Finding]:
    rows = LineProjection.objects.filter(
        client_id__in=list(thresholds), projected_days_late__gte=min(thresholds.values())
    ).values(*LINE_FIELDS, "projected_days_late", "due_date", "projected_date")
    return [
        Finding(
            r["client_id"],
            _line(Kind.LINE_LATE, r, f", due {r['due_date']:%Y-%m-%d}"),
            f"Line projected {r['projected_days_late']} days late",
        )
        for r in rows
        if r["projected_days_late"] >= thresholds[r["client_id"]]
    ]


def _projected_stock_outs(thresholds: dict[int, int], today: dt.date) -> list[Finding]:
    horizon = today + dt.timedelta(days=max(thresholds.values()))
    rows = LineProjection.objects.filter(
        client_id__in=list(thresholds), stock_out_from__isnull=False, stock_out_from__lte=horizon
    ).values(*LINE_FIELDS, "stock_out_from")
    return [
        Finding(
            r["client_id"],
            _line(Kind.STOCK_OUT_PROJECTED, r, ""),
            f"Client stock-out projected from {r['stock_out_from']:%Y-%m-%d}",
        )
        for r in rows
        if r["stock_out_from"] <= today + dt.timedelta(days=thresholds[r["client_id"]])
    ]


def _unacknowledged_notices(
    thresholds: dict[int, int], now: dt.datetime, matrices: dict[int, dict]
) -> list[Finding]:
    # Business hours never exceed elapsed hours: only notices older than the smallest threshold
    # can be overdue; each is then checked against its client's first-level calendar.
    from tower.engine.business_hours import deadline

    oldest = now - dt.timedelta(hours=min(thresholds.values()))
    rows = DelayNotice.objects.filter(
        client_id__in=list(thresholds),
        superseded_by__isnull=True,
        acknowledged_at__isnull=True,
        sent_at__lte=oldest,
    ).values("client_id", "pk", "sent_at")
    found = []
    for r in rows:
        cal = calendar_from(matrices[r["client_id"]]["levels"][0])
        try:
            due = deadline(r["sent_at"], thresholds[r["client_id"]], cal)
        except CalendarError:
            continue
        if due <= now:
            found.append(
                Finding(
                    r["client_id"],
                    Subject(
                        kind=Kind.NOTICE_UNACKNOWLEDGED,
                        type=Escalation.Subject.NOTICE,
                        id=r["pk"],
                        label=f"Delay notice {r['pk']}",
                        url=reverse("communications:notice", args=[r["pk"]]),
                    ),
                    f"Delay notice {r['pk']} not acknowledged within "
                    f"{thresholds[r['client_id']]} business hours",
                )
            )
    return found


def _deviations(thresholds: dict[int, int], today: dt.date) -> list[Finding]:
    rows = (
        Deviation.objects.filter(
            client_id__in=list(thresholds),
            severity__in=[Severity.MAJOR, Severity.CRITICAL],
            closed_date__isnull=True,
            batch__isnull=False,
        )
        .order_by("client_id", "batch_id", "opened_date", "pk")
        .values("client_id", "batch_id", "batch__number", "batch__site_id", "number", "severity")
    )
    found: dict[tuple[int, int], Finding] = {}
    for r in rows:  # one escalation per batch, named after its first open deviation
        found.setdefault(
            (r["client_id"], r["batch_id"]),
            Finding(
                r["client_id"],
                Subject(
                    kind=Kind.DEVIATION,
                    type=Escalation.Subject.BATCH,
                    id=r["batch_id"],
                    label=f"Batch {r['batch__number']}",
                    site_id=r["batch__site_id"],
                ),
                f"{r['severity'].capitalize()} deviation {r['number']} on batch {r['batch__number']}",
            ),
        )
    return list(found.values())


def _reported_stock_outs(thresholds: dict[int, int], today: dt.date) -> list[Finding]:
    rows = StockOutEvent.objects.filter(
        client_id__in=list(thresholds),
        source=StockOutEvent.Source.REPORTED,
        end_date__isnull=True,
    ).values("client_id", "pk", "product__code", "location", "start_date")
    return [
        Finding(
            r["client_id"],
            Subject(
                kind=Kind.STOCK_OUT_REPORTED,
                type=Escalation.Subject.STOCK_OUT,
                id=r["pk"],
                label=f"Stock-out of {r['product__code']} in {r['location']}",
                url=reverse("scorecards:stock_out", args=[r["pk"]]),
            ),
            f"Stock-out of {r['product__code']} in {r['location']} reported by the client "
            f"(since {r['start_date']:%Y-%m-%d})",
        )
        for r in rows
    ]


def _disputed_causes(thresholds: dict[int, int], today: dt.date) -> list[Finding]:
    disputed_now = RootCause.objects.filter(
        client_id__in=list(thresholds), status=RootCauseStatus.DISPUTED
    ).values_list("line_id", flat=True)
    # Each dispute is one saved change to "disputed" in the cause's history.
    counts = (
        RootCause.history.filter(
            client_id__in=list(thresholds),
            status=RootCauseStatus.DISPUTED,
            line_id__in=disputed_now,
        )
        .values("client_id", "line_id", "line__order__number", "line__line_number", "line__site_id")
        .annotate(n=Count("history_id"))
        .order_by()
    )
    return [
        Finding(
            r["client_id"],
            _line(Kind.CAUSE_DISPUTED, r, ""),
            f"Root cause disputed {r['n']} times",
        )
        for r in counts
        if r["n"] >= thresholds[r["client_id"]]
    ]


def findings(*, now: dt.datetime, client_ids=None) -> tuple[list[Finding], dict[int, dict]]:
    """Every subject a switched-on trigger finds now, and the matrices in force."""
    triggers = EscalationTrigger.objects.filter(enabled=True)
    if client_ids is not None:
        triggers = triggers.filter(client_id__in=list(client_ids))
    by_kind: dict[str, dict[int, int]] = defaultdict(dict)
    for client_id, kind, threshold in triggers.values_list("client_id", "kind", "threshold"):
        by_kind[kind][client_id] = threshold
    matrices = snapshots({c for kinds in by_kind.values() for c in kinds})
    for kind in by_kind:  # a client without a matrix cannot escalate
        by_kind[kind] = {c: t for c, t in by_kind[kind].items() if c in matrices}
    today = timezone.localdate(now)
    found: list[Finding] = []
    for kind, evaluate in (
        (Kind.LINE_LATE, _late_lines),
        (Kind.STOCK_OUT_PROJECTED, _projected_stock_outs),
        (Kind.DEVIATION, _deviations),
        (Kind.STOCK_OUT_REPORTED, _reported_stock_outs),
        (Kind.CAUSE_DISPUTED, _disputed_causes),
    ):
        if by_kind.get(kind):
            found += evaluate(by_kind[kind], today)
    if by_kind.get(Kind.NOTICE_UNACKNOWLEDGED):
        found += _unacknowledged_notices(by_kind[Kind.NOTICE_UNACKNOWLEDGED], now, matrices)
    return found, matrices


KEY_CHUNK = 500


def evaluate_triggers(*, now: dt.datetime, client_ids=None) -> list[Escalation]:
    """Open an escalation for every new finding of the switched-on triggers; return them."""
    found, matrices = findings(now=now, client_ids=client_ids)
    if not found:
        return []
    keys = sorted({f.subject.key for f in found})
    seen: set[tuple[int, str]] = set()
    clients = sorted({f.client_id for f in found})
    for start in range(0, len(keys), KEY_CHUNK):
        seen.update(
            Escalation.objects.filter(
                client_id__in=clients, subject_key__in=keys[start : start + KEY_CHUNK]
            ).values_list("client_id", "subject_key")
        )
    new = [f for f in found if (f.client_id, f.subject.key) not in seen]
    if not new:
        return []
    by_id = Client.objects.in_bulk(sorted({f.client_id for f in new}))
    opened = []
    for finding in new:
        try:
            escalation = open_escalation(
                client=by_id[finding.client_id],
                subject=finding.subject,
                title=finding.title,
                user=None,
                now=now,
                matrix=matrices[finding.client_id],
            )
        except WorkflowError:
            continue
        if escalation is not None:
            opened.append(escalation)
    return opened
