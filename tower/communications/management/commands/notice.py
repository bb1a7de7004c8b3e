"""tower notice list CLIENT [--format table|csv|json]: a client's delay notices and their
acknowledgements, newest first (what the client's inbox and the communication log show)."""

from __future__ import annotations

import polars as pl
from django.core.management.base import BaseCommand

from tower.communications.models import Acknowledgement, DelayNotice, NoticeLine
from tower.output import FORMATS, write_frame
from tower.performance.cli import clients_for

COLUMNS = {
    "notice": pl.Int64,
    "sent_at": pl.String,
    "sent_by": pl.String,
    "lines": pl.String,
    "expected_date": pl.Date,
    "cause": pl.String,
    "remedial_actions": pl.String,
    "cmo_contact": pl.String,
    "status": pl.String,
    "superseded_by": pl.Int64,
    "acknowledgements": pl.String,
}


def notices_frame(client) -> pl.DataFrame:
    """One row per notice of the client (three queries whatever their number)."""
    notices = list(DelayNotice.objects.filter(client=client).order_by("-sent_at", "-pk"))
    lines: dict[int, list[str]] = {}
    for notice_id, order, number in (
        NoticeLine.objects.filter(client=client)
        .order_by("line__order__number", "line__line_number")
        .values_list("notice_id", "line__order__number", "line__line_number")
    ):
        lines.setdefault(notice_id, []).append(f"{order}/{number}")
    acks: dict[int, list[str]] = {}
    for ack in Acknowledgement.objects.filter(client=client).order_by("at", "pk"):
        said = f": {ack.comment}" if ack.comment else ""
        acks.setdefault(ack.notice_id, []).append(
            f"{ack.user_name} {ack.at.isoformat(timespec='minutes')}{said}"
        )
    rows = [
        (
            n.pk,
            n.sent_at.isoformat(timespec="minutes"),
            n.sent_by_name,
            " ".join(lines.get(n.pk, [])),
            n.expected_date,
            n.cause,
            n.remedial_actions,
            n.cmo_contact,
            "superseded" if n.superseded_by_id else "acknowledged" if acks.get(n.pk) else "sent",
            n.superseded_by_id,
            "; ".join(acks.get(n.pk, [])),
        )
        for n in notices
    ]
    return pl.DataFrame(rows, schema=COLUMNS, orient="row")


class Command(BaseCommand):
    help = "Delay notices sent to a client, with the client's acknowledgements."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser(
            "list", help="A client's delay notices and their acknowledgements, newest first"
        )
        listing.add_argument("client", help="Client code")
        listing.add_argument("--format", choices=FORMATS, default="table")

    def handle(self, *args, action, client, **options):
        (client,) = clients_for(client)
        frame = notices_frame(client)
        if options["format"] == "table" and frame.is_empty():
            self.stdout.write(f"No delay notice has been sent to {client.code}.")
            return
        title = f"Delay notices of {client.code}"
        write_frame(frame, options["format"], self.stdout, title=title)
