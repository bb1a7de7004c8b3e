"""tower import stockouts FILE [--client CODE] [--mapping MAP.toml] [--date-format FMT]
[--create-missing] [--dry-run] [--errors-to FILE.csv]"""

from tower.imports.command import RecordImportCommand
from tower.imports.kinds import STOCKOUT_KIND, import_stockouts


class Command(RecordImportCommand):
    about = (
        "Import customer stock-outs from a CSV or XLSX export, one row per client, product, "
        "location and start date: end date (empty while it lasts), note. Each stock-out is then "
        "linked to the failed order lines with an approved CMO cause that can explain it."
    )
    record_kind = STOCKOUT_KIND
    importer = staticmethod(import_stockouts)
