"""Benchmark: one worker run of the escalation triggers and clock for 100 clients, in SQLite.

    .venv/bin/python -m bench.escalation_triggers                  # 100 clients, temp folder
    .venv/bin/python -m bench.escalation_triggers --clients 20 --lines 100   # a quick check

Load (a fresh SQLite data folder, `tower migrate`, then the ORM in bulk): per client a
three-level escalation matrix on a site calendar, every trigger switched on, --lines open order
lines each with a stored projection (one in ten projected late beyond the threshold, one in
twenty with a projected stock-out), a reported stock-out, a major deviation on a batch, an
unacknowledged delay notice sent a week ago and a root cause disputed twice.

Measure, with `now` passed in (tower.escalations.tasks.run_clock):
  first run    every trigger finds its subjects and opens their escalations (writes, mail queue)
  steady run   the same findings again: nothing new to open (the every-minute cost)
  clock run    a week later: every unacknowledged escalation moves up the levels it missed

Goal: a steady run (the worker's every-minute run) under 2 s for 100 clients.
Last line: first_run_s=... steady_run_s=... clock_run_s=... escalations=...
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

GOAL_S = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--lines", type=int, default=200, help="open lines per client")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tower-bench-escalations-"))
    os.environ["TOWER_DATA_DIR"] = str(folder)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tower.settings")
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        call_command("migrate", verbosity=0)
        from huey.contrib.djhuey import HUEY

        HUEY.immediate = True  # mails are "sent" in the run, as the worker would
        started = time.perf_counter()
        load(args.clients, args.lines)
        print(
            f"load: {args.clients} clients x {args.lines} lines in {time.perf_counter() - started:.1f} s"
        )
        return measure(args.clients)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def load(clients: int, lines: int) -> None:
    from django.db import transaction

    from tower.agreements.models import EscalationLevel, EscalationTrigger
    from tower.calendars.services import build_calendar, set_calendar
    from tower.communications.models import DelayNotice
    from tower.masterdata.models import Product, RootCauseCode, Site
    from tower.orders.models import Order, OrderLine
    from tower.outlook.models import LineProjection
    from tower.performance.models import RootCause
    from tower.quality.models import Batch, Deviation
    from tower.stockouts.models import StockOutEvent
    from tower.tenancy.models import Client
    from tower.tenancy.scoping import SYSTEM

    now = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
    today = now.date()
    with transaction.atomic():
        site = Site.objects.create(code="EU1", name="Bench site")
        set_calendar(
            site=site,
            calendar=build_calendar(days="mon-fri", hours="08:00-17:00", time_zone="Europe/Berlin"),
            user=SYSTEM,
        )
        code = RootCauseCode.objects.first()
        made = Client.objects.bulk_create(
            Client(code=f"C{n:03d}", name=f"Client {n}") for n in range(clients)
        )
        levels, triggers = [], []
        for client in made:
            for number, hours in ((1, 4), (2, 4), (3, 8)):
                levels.append(
                    EscalationLevel(
                        client=client,
                        number=number,
                        cmo_person=f"CMO {number}",
                        client_person=f"Client {number}",
                        response_hours=hours,
                        site=site,
                    )
                )
            for kind, (_, default) in EscalationTrigger.THRESHOLDS.items():
                triggers.append(EscalationTrigger(client=client, kind=kind, threshold=default))
        EscalationLevel.objects.bulk_create(levels)
        EscalationTrigger.objects.bulk_create(triggers)
        products = Product.objects.bulk_create(
            Product(client=c, code=f"{c.code}-P", name="P") for c in made
        )
        orders = Order.objects.bulk_create(Order(client=c, number=f"{c.code}-SO") for c in made)
        order_lines = OrderLine.objects.bulk_create(
            OrderLine(
                client=c,
                order=o,
                line_number=str(n),
                product=p,
                site=site,
                ordered_qty=10,
                committed_date=today + dt.timedelta(days=10),
                status="open",
            )
            for c, o, p in zip(made, orders, products, strict=True)
            for n in range(lines)
        )
        LineProjection.objects.bulk_create(
            LineProjection(
                line=line,
                client_id=line.client_id,
                as_of=today,
                due_date=today + dt.timedelta(days=10),
                period=today.replace(day=1),
                overdue=False,
                remaining_qty=10,
                transit_days=2,
                transit_from_lane=False,
                risk="late" if n % 10 == 0 else "on_track",
                rank=1,
                rank_key=0,
                projected_days_late=5 if n % 10 == 0 else None,
                stock_out_from=today + dt.timedelta(days=7) if n % 20 == 1 else None,
            )
            for n, line in enumerate(order_lines)
        )
        StockOutEvent.objects.bulk_create(
            StockOutEvent(
                client=c, product=p, location="Market", start_date=today, source="reported"
            )
            for c, p in zip(made, products, strict=True)
        )
        batches = Batch.objects.bulk_create(
            Batch(client=c, number=f"{c.code}-B", product=p, site=site)
            for c, p in zip(made, products, strict=True)
        )
        Deviation.objects.bulk_create(
            Deviation(client=b.client, number="D", batch=b, opened_date=today, severity="major")
            for b in batches
        )
        DelayNotice.objects.bulk_create(
            DelayNotice(
                client=c,
                cause="x",
                expected_date=today,
                remedial_actions="x",
                cmo_contact="x",
                sent_by_name="x",
                sent_at=now - dt.timedelta(days=7),
                sent_on=today - dt.timedelta(days=7),
            )
            for c in made
        )
        first_lines = {}
        for line in order_lines:
            first_lines.setdefault(line.client_id, line)
        for line in first_lines.values():
            cause = RootCause.objects.create(
                client_id=line.client_id,
                line=line,
                code=code,
                status="disputed",
                proposed_by="x",
                proposed_at=now,
            )
            cause.status = "proposed"
            cause.save()
            cause.status = "disputed"
            cause.save()


def measure(clients: int) -> int:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from tower.escalations.models import Escalation
    from tower.escalations.tasks import run_clock

    now = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)

    def timed(label, when):
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = run_clock(when)
            seconds = time.perf_counter() - started
        print(f"{label:12} {seconds:7.3f} s  {len(queries):6,} queries  {result}")
        return seconds

    print(f"python {platform.python_version()}, sqlite {__import__('sqlite3').sqlite_version}")
    first = timed("first run", now)
    steady = timed("steady run", now + dt.timedelta(minutes=1))
    clock = timed("clock run", now + dt.timedelta(days=7))
    count = Escalation.objects.count()
    print(
        f"goal: steady run under {GOAL_S} s for 100 clients: {'met' if steady < GOAL_S else 'MISSED'}"
    )
    print(
        f"first_run_s={first:.3f} steady_run_s={steady:.3f} clock_run_s={clock:.3f} "
        f"escalations={count} clients={clients}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
