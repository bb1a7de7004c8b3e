"""tower import capas FILE [--client CODE] [--mapping MAP.toml] [--date-format FMT]
[--create-missing] [--dry-run] [--errors-to FILE.csv]"""

from tower.imports.command import RecordImportCommand
from tower.imports.kinds import CAPA_KIND, import_capas


class Command(RecordImportCommand):
    about = (
        "Import CAPAs from a CSV or XLSX export, one row per corrective action (client + CAPA "
        "number): deviation (imported before), title, due date, closed date."
    )
    record_kind = CAPA_KIND
    importer = staticmethod(import_capas)
