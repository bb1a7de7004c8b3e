"""tower import deviations FILE [--client CODE] [--mapping MAP.toml] [--date-format FMT]
[--create-missing] [--dry-run] [--errors-to FILE.csv]"""

from tower.imports.command import RecordImportCommand
from tower.imports.kinds import DEVIATION_KIND, import_deviations


class Command(RecordImportCommand):
    about = (
        "Import deviations from a CSV or XLSX export, one row per deviation (client + deviation "
        "number): batch (imported before), site, opened and closed date, severity (minor, major "
        "or critical), category, functional area (code or name), title."
    )
    record_kind = DEVIATION_KIND
    importer = staticmethod(import_deviations)
