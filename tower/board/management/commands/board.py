"""tower board --site CODE [--date YYYY-MM-DD] [--client CODE]: the daily board as text, the
same sections as /board/ (tower.board.queries), for a site's stand-up or a script."""

from __future__ import annotations

import polars as pl
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.console import Console

from tower.board.queries import BOARD_ROWS, BoardScope, board, site_today
from tower.engine.business_hours import local_text
from tower.masterdata.models import Site
from tower.output import write_frame
from tower.performance.cli import clients_for, date_option
from tower.performance.queries import stored_as_of
from tower.tenancy.scoping import SYSTEM


def _outcomes(section) -> pl.DataFrame:
    return _frame(
        [
            {
                "client": o.client.code,
                "order": o.line.order.number,
                "line": o.line.line_number,
                "product": o.line.product.code,
                "site": o.line.site.code if o.line.site else None,
                "ordered": o.line.ordered_qty,
                "delivered": o.delivered_qty,
                "failure": (o.failure_kind or "").replace("_", " ") or "open",
                "days_late": o.days_late,
                "root_cause": (
                    f"{cause.code_id} ({cause.status})"
                    if (cause := o.line.root_cause) is not None
                    else None
                ),
            }
            for o in section.rows
        ],
        ["client", "order", "line", "product", "site", "ordered", "delivered", "failure"],
    )


def _risks(section) -> pl.DataFrame:
    return _frame(
        [
            {
                "client": p.client.code,
                "order": p.line.order.number,
                "line": p.line.line_number,
                "product": p.line.product.code,
                "site": p.line.site.code if p.line.site else None,
                "due": p.due_date,
                "projected": p.projected_date,
                "risk": p.risk_label,
                "days_late": p.projected_days_late,
                "cause": p.cause_label or None,
                "stock_out_from": p.stock_out_from,
            }
            for p in section.rows
        ],
        ["client", "order", "line", "product", "site", "due", "projected", "risk"],
    )


def _deviations(section) -> pl.DataFrame:
    return _frame(
        [
            {
                "client": d.client.code,
                "deviation": d.number,
                "severity": d.severity,
                "batch": d.batch.number if d.batch else None,
                "site": d.site.code if d.site else None,
                "title": d.title,
            }
            for d in section.rows
        ],
        ["client", "deviation", "severity", "batch", "site", "title"],
    )


def _releases(section, day) -> pl.DataFrame:
    return _frame(
        [
            {
                "client": b.client.code,
                "batch": b.number,
                "product": b.product.code,
                "site": b.site.code if b.site else None,
                "planned_release": b.planned_release_date,
                "overdue": "overdue" if b.planned_release_date < day else "",
                "status": b.get_disposition_display(),
            }
            for b in section.rows
        ],
        ["client", "batch", "product", "site", "planned_release", "overdue", "status"],
    )


def _escalations(section) -> pl.DataFrame:
    return _frame(
        [
            {
                "client": e.client_code,
                "escalation": e.pk,
                "what": e.title,
                "level": f"{e.level}/{e.levels}",
                "cmo": e.cmo,
                "client_contact": e.client_contact,
                "clock": "acknowledged"
                if e.acknowledged
                else (
                    f"{'overdue since' if e.overdue else 'due'} "
                    f"{local_text(e.deadline, e.zone, year=True)}"
                )
                if e.deadline
                else "",
            }
            for e in section.rows
        ],
        ["client", "escalation", "what", "level", "cmo", "client_contact", "clock"],
    )


def _actions(section, day) -> pl.DataFrame:
    return _frame(
        [
            {
                "client": a.client.code,
                "due": a.due_date,
                "overdue": "overdue" if a.due_date < day else "",
                "action": a.title,
                "owner": a.owner,
                "from": a.get_source_display(),
            }
            for a in section.rows
        ],
        ["client", "due", "overdue", "action", "owner", "from"],
    )


def _frame(rows: list[dict], columns: list[str]) -> pl.DataFrame:
    if not rows:
        return pl.DataFrame(schema={c: pl.String for c in columns})
    return pl.DataFrame(rows, infer_schema_length=None)


class Command(BaseCommand):
    help = (
        "Print a site's daily board: yesterday's missed lines (OTIF), the open lines at risk "
        "today and this week (the outlook), open escalations with their clocks, actions due and "
        "overdue, deviations opened yesterday and batches due for QC release this week, as "
        "/board/ shows them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--site", required=True, help="The site's code, e.g. EU1")
        parser.add_argument(
            "--date", type=date_option, help="The board's day, YYYY-MM-DD (default today)"
        )
        parser.add_argument("--client", help="Only this client (default: all)")

    def handle(self, *args, **options):
        site = Site.objects.filter(code=options["site"]).first()
        if site is None:
            known = ", ".join(Site.objects.values_list("code", flat=True)) or "none yet"
            raise CommandError(f"unknown site {options['site']!r} (known: {known})")
        clients = tuple(clients_for(options["client"]))
        today, zone = site_today(site.code)
        day = options["date"] or today
        scope = BoardScope(clients=clients, day=day, site=site.code, time_zone=zone)
        data = board(scope, SYSTEM)
        as_of = stored_as_of(clients)
        out = self.stdout
        Console(file=out, width=100).print(
            f"[bold]Daily board · {site.code} ({site.name}) · {day:%A %d %B %Y}[/bold]\n"
            f"{len(clients)} client(s) · outcomes as of {as_of or 'never evaluated'} · "
            f"yesterday = {scope.yesterday}, this week = {day} .. {scope.week_end}\n"
            f"times in the site's time ({zone}) · printed "
            f"{local_text(timezone.now(), zone, year=True)}"
        )
        sections = [
            ("Missed yesterday (due yesterday, failed OTIF)", data.missed, _outcomes),
            (
                "Still open inside the late tolerance (due yesterday, not in full yet)",
                data.still_open,
                _outcomes,
            ),
            ("At risk today (open lines due today)", data.risk_today, _risks),
            ("At risk this week (due in the next six days)", data.risk_week, _risks),
            ("Open escalations", data.escalations, _escalations),
            ("Actions due and overdue", data.actions, lambda s: _actions(s, day)),
            ("Deviations opened yesterday", data.deviations, _deviations),
            (
                "Batches due for QC release this week",
                data.releases,
                lambda s: _releases(s, day),
            ),
        ]
        for title, section, frame in sections:
            heading = f"{title}: {section.total}"
            if section.more:
                heading += f" (the first {BOARD_ROWS} shown)"
            if not section.total:
                out.write(f"\n{heading}\n")
                continue
            out.write("\n")
            write_frame(frame(section), "table", out, title=heading)
