"""tower import batches FILE [--client CODE] [--mapping MAP.toml] [--date-format FMT]
[--create-missing] [--dry-run] [--errors-to FILE.csv]"""

from tower.imports.command import RecordImportCommand
from tower.imports.kinds import BATCH_KIND, import_batches


class Command(RecordImportCommand):
    about = (
        "Import batches from a CSV or XLSX export, one row per batch (client + batch number): "
        "product, site, planned and actual start and end, material ready date, planned and "
        "actual release date, theoretical and actual output, disposition (released, rejected, "
        "on hold or reworked; empty while pending)."
    )
    record_kind = BATCH_KIND
    importer = staticmethod(import_batches)
