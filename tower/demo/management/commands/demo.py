"""tower demo [--no-serve] [--lines N] [--seed N] [--port P]"""

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from tower.demo import services
from tower.engine import summarise
from tower.output import stepped_progress, write_frame
from tower.performance.queries import figures_frame
from tower.secret_key import demo_key
from tower.tenancy.models import Client


class Command(BaseCommand):
    help = (
        "Build (or reuse) a demo database — 3 sites, 8 clients, 2 years, about 50,000 order lines "
        "with their batches, deviations, CAPAs, plan, stock-outs and quarterly reviews — and serve "
        "the app at http://127.0.0.1:8000."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Only build the data")
        parser.add_argument(
            "--lines", type=int, default=50_000, help="Order lines to generate [50000]"
        )
        parser.add_argument("--seed", type=int, default=7, help="Random seed [7]")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, **options):
        if not os.environ.get("SECRET_KEY"):
            # The local demo works out of the box with its own random key (never the public
            # default one), kept in the data folder so sign-ins survive a restart.
            settings.SECRET_KEY = demo_key(settings.DATA_DIR)
        call_command("migrate", interactive=False, verbosity=0)
        if services.demo_exists():
            self.stdout.write(
                "Reusing the existing data (delete the database file to start afresh)."
            )
            accounts = services.accounts_for_existing_demo()
        else:
            with stepped_progress(self.stderr, services.BUILD_STEPS) as advance:
                report, accounts = services.build_demo(
                    lines=options["lines"], seed=options["seed"], progress=advance
                )
            self.stdout.write(report.summary())
        figures = summarise(
            figures_frame(Client.objects.order_by("code")), by=["client"], net=False
        )
        write_frame(
            figures.select(
                "client", "count", "on_time_pct", "in_full_pct", "otif_pct", "failed", "pending"
            ),
            "table",
            self.stdout,
            title="Gross OTIF by client (line grain, stored outcomes)",
        )
        self.stdout.write("Demo sign-ins:")
        for account in accounts:
            self.stdout.write(f"  {account.username:<18} {account.password:<20} {account.what}")
        if not options["no_serve"]:
            self.stdout.write(f"Serving at http://127.0.0.1:{options['port']}/ (Ctrl-C to stop)")
            # The pages queue long work (exclusions, month closes, large exports) for the job
            # worker: run one alongside the server, stopped with it.
            self.stdout.write("Starting the job worker (tower worker) alongside.")
            # With the demo's own key, like the server (anything either signs, the other reads).
            worker = subprocess.Popen(
                [sys.executable, "-m", "tower.cli", "worker"],
                env={**os.environ, "SECRET_KEY": settings.SECRET_KEY},
            )
            try:
                call_command("runserver", f"127.0.0.1:{options['port']}", use_reloader=False)
            finally:
                worker.terminate()
                worker.wait(timeout=30)
