"""tower import lines FILE [--client CODE] [--mapping MAP.toml | --profile NAME]
[--date-format FMT] [--create-missing] [--dry-run] [--errors-to FILE.csv]"""

from tower.imports.command import ImportCommand
from tower.imports.lines import import_lines
from tower.ingest import FIELDS, available_profiles, load_profile


class Command(ImportCommand):
    about = "Import order lines and deliveries from a CSV or XLSX export."
    kind = "lines"
    fields = FIELDS
    steps = 6
    importer = staticmethod(import_lines)

    def add_mapping_arguments(self, parser):
        # Order-line exports of known systems have built-in mappings (profiles).
        source = parser.add_mutually_exclusive_group()
        super().add_mapping_arguments(source)
        source.add_argument(
            "--profile", help=f"Built-in mapping profile: {', '.join(available_profiles())}"
        )

    def mapping(self, options):
        if options["profile"]:
            return load_profile(options["profile"])
        return super().mapping(options)
