"""tower import stock FILE [--client CODE] [--mapping MAP.toml] [--date-format FMT]
[--create-missing] [--dry-run] [--errors-to FILE.csv]"""

from tower.imports.command import RecordImportCommand
from tower.imports.kinds import STOCK_KIND, import_stock


class Command(RecordImportCommand):
    about = (
        "Import the client's stock from a CSV or XLSX export, one row per client, product, "
        "location and date: on hand and daily demand (more than 0). The early warning projects "
        "from each location's latest row when the stock runs out."
    )
    record_kind = STOCK_KIND
    importer = staticmethod(import_stock)
