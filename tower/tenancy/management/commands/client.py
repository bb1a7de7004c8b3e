"""tower client add CODE --name NAME | tower client list [--format table|csv|json]"""

import polars as pl
from django.core.management.base import BaseCommand, CommandError

from tower.output import FORMATS, write_frame
from tower.tenancy import services
from tower.tenancy.scoping import SYSTEM, visible_clients


class Command(BaseCommand):
    help = "Add or list clients (the pharma companies the CMO manufactures for)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{add,list}")
        add = actions.add_parser("add", help="Add a client.")
        add.add_argument(
            "code", help="Short code used in files and URLs, e.g. ACME (letters, digits, - and _)"
        )
        add.add_argument("--name", required=True, help="The company's name")
        listing = actions.add_parser("list", help="List clients.")
        listing.add_argument("--format", choices=FORMATS, default="table")

    def handle(self, *args, action, **options):
        if action == "add":
            try:
                client = services.add_client(code=options["code"], name=options["name"])
            except services.TenancyError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"Added client {client.code} ({client.name}).")
        else:
            rows = list(visible_clients(SYSTEM).values("code", "name"))
            frame = pl.DataFrame(rows, schema={"code": pl.String, "name": pl.String})
            if options["format"] == "table" and frame.is_empty():
                self.stdout.write(
                    "No clients yet: add one with `tower client add CODE --name NAME`."
                )
                return
            write_frame(frame, options["format"], self.stdout, title="Clients")
