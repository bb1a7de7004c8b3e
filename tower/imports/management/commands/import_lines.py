"""tower import lines FILE [--client CODE] [--mapping MAP.toml | --profile NAME]
[--date-format FMT] [--create-missing] [--dry-run] [--errors-to FILE.csv]"""

from tower.imports.command import RecordImportCommand
from tower.imports.lines import LINE_KIND, import_lines
from tower.ingest import available_profiles, load_profile


class Command(RecordImportCommand):
    about = "Import order lines and deliveries from a CSV or XLSX export."
    record_kind = LINE_KIND
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
