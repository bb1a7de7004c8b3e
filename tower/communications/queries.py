"""Reads of one voice. Each takes an already scoped queryset (visible_to) and narrows or
summarises it; the outlook page imports `line_notice_status` to show each line's notice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When

from tower.communications.models import Acknowledgement, DelayNotice, NoticeLine, NoticeRead
from tower.orders.models import LineStatus


def open_lines(lines: QuerySet) -> QuerySet:
    """The open lines among `lines` (order lines): not cancelled or closed, not excluded (by
    hand or by the definition), and not yet delivered in full (kpis.md 8, "open line"; the
    running total is the stored outcome's delivered quantity)."""
    return lines.filter(
        status=LineStatus.OPEN,
        manual_exclusion__isnull=True,
    ).filter(
        Q(outcome__isnull=True)
        | (Q(outcome__exclusion__isnull=True) & Q(outcome__delivered_qty__lt=F("ordered_qty")))
    )


@dataclass(frozen=True)
class LineNotice:
    """The notice that speaks for a line now."""

    notice_id: int
    sent_at: dt.datetime
    expected_date: dt.date
    acknowledged: bool
    internal_note: str = ""  # the CMO's note on the notice: show it to the CMO side only

    @property
    def status(self) -> str:
        return "acknowledged" if self.acknowledged else "sent"


def line_notice_status(notice_lines: QuerySet) -> dict[int, LineNotice]:
    """Per line id, its current notice (one query). Pass
    `NoticeLine.objects.filter(line_id__in=ids).visible_to(user)`."""
    rows = notice_lines.filter(superseded_by__isnull=True).values_list(
        "line_id",
        "notice_id",
        "notice__sent_at",
        "notice__expected_date",
        "notice__acknowledged_at",
        "notice__internal_note",
    )
    return {
        line: LineNotice(notice, sent, expected, acknowledged is not None, note)
        for line, notice, sent, expected, acknowledged, note in rows
    }


def inbox(notices: QuerySet, user) -> QuerySet:
    """Notices with `is_read` and `acked_by_me`, unacknowledged first, then unread, newest
    first."""
    return (
        notices.annotate(
            is_read=Exists(
                NoticeRead.objects.filter(
                    client=OuterRef("client"), notice=OuterRef("pk"), user=user
                )
            ),
            acked_by_me=Exists(
                Acknowledgement.objects.filter(
                    client=OuterRef("client"), notice=OuterRef("pk"), user=user
                )
            ),
        )
        .annotate(
            answered=Case(
                When(acknowledged_at__isnull=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .select_related("client")
        .order_by("answered", "is_read", "-sent_at", "-pk")
    )


def awaiting_acknowledgement(notices: QuerySet) -> QuerySet:
    """Current notices nobody of the client has acknowledged yet."""
    return notices.filter(acknowledged_at__isnull=True, superseded_by__isnull=True)


def notice_lines(notice: DelayNotice, lines: QuerySet) -> QuerySet:
    """The lines of a notice (NoticeLine rows from a scoped queryset), with order and product."""
    return (
        lines.filter(client=notice.client, notice=notice)
        .select_related("notice", "line__order", "line__product", "line__site", "superseded_by")
        .order_by("line__order__number", "line__line_number")
    )


__all__ = ["NoticeLine"]
