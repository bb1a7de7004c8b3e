"""tower import plan FILE [--client CODE] [--mapping MAP.toml] [--date-format FMT]
[--create-missing] [--dry-run] [--errors-to FILE.csv]"""

from tower.imports.command import RecordImportCommand
from tower.imports.kinds import PLAN_KIND, import_plan


class Command(RecordImportCommand):
    about = (
        "Import the weekly production plan from a CSV or XLSX export, one row per client, "
        "product, site and week (its Monday, or an ISO week such as 2026-W07): planned "
        "quantity, released quantity (empty: 0)."
    )
    record_kind = PLAN_KIND
    importer = staticmethod(import_plan)
