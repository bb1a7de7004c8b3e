"""tower definition set CLIENT FILE.toml [--note TEXT] | tower definition show CLIENT"""

import getpass
import json
import tomllib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tower.agreements.models import OtifDefinitionVersion
from tower.agreements.queries import current_definition
from tower.engine import DefinitionError, OtifDefinition
from tower.performance.cli import clients_for
from tower.performance.services import set_definition

EXAMPLE = """\
# An OTIF definition: keys are exactly the parameter names (kpis.md 1); omitted keys take defaults.
basis = "committed"          # requested | first_committed | committed
measured_at = "delivery"     # delivery | shipment
# early_days = 3             # unset: early is always fine
late_days = 0                # grace days after the due date
under_pct = 0.0              # in full needs delivered >= ordered x (1 - under_pct/100)
# over_pct = 5.0             # unset: over-delivery is fine
open_overdue = "fail"        # fail | exclude
exclusions = ["cancelled", "zero_quantity"]
"""


class Command(BaseCommand):
    help = "Set (as a new version) or show a client's OTIF definition."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{set,show}")
        set_ = actions.add_parser(
            "set", help="Create a new definition version from a TOML file and recompute outcomes."
        )
        set_.add_argument("client", help="Client code")
        set_.add_argument(
            "file", type=Path, help="TOML file; see `tower definition show` for the keys"
        )
        set_.add_argument(
            "--note", default="", help="Why the definition changed (kept with the version)"
        )
        show = actions.add_parser("show", help="Show the definition in force and its history.")
        show.add_argument("client", help="Client code")
        show.add_argument("--format", choices=("toml", "json"), default="toml")

    def handle(self, *args, action, **options):
        (client,) = clients_for(options["client"])
        if action == "set":
            parameters = _read_toml(options["file"])
            try:
                version = set_definition(
                    client=client,
                    parameters=parameters,
                    actor=f"cli:{getpass.getuser()}",
                    note=options["note"],
                )
            except DefinitionError as exc:
                raise CommandError(f"{options['file']}: {exc}") from exc
            self.stdout.write(
                f"{client.code}: definition version {version.version} is in force; outcomes recomputed."
            )
            return
        number, definition = current_definition(client)
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(
                    {"client": client.code, "version": number, **definition.to_mapping()}, indent=2
                )
            )
            return
        label = f"version {number}" if number else "the default (no version set yet)"
        self.stdout.write(f"# {client.code}: OTIF definition in force: {label}")
        self.stdout.write(_as_toml(definition))
        history = OtifDefinitionVersion.objects.filter(client=client).order_by("-version")
        for old in history:
            note = f" — {old.note}" if old.note else ""
            self.stdout.write(
                f"# v{old.version} {old.created_at:%Y-%m-%d %H:%M} by {old.created_by}{note}"
            )


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise CommandError(f"{path}: not valid TOML ({exc}). Example:\n{EXAMPLE}") from None


def _as_toml(definition: OtifDefinition) -> str:
    lines = []
    for key, value in definition.to_mapping().items():
        if value is None:
            lines.append(f"# {key} unset")
        else:
            lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines)
