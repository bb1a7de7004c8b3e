"""Root-cause codes and functional areas of kpis.md section 2, as data.

The catalogue is loaded into the database (masterdata.RootCauseCode) by a migration so that
codes can be extended per installation; this module is the seed and the single place that says
which areas a CMO is accountable for.
"""

from typing import NamedTuple


class FunctionalArea(NamedTuple):
    code: str
    name: str
    cmo_attributable: bool


class RootCause(NamedTuple):
    code: str
    area: str
    name: str


AREAS = (
    FunctionalArea("materials", "Materials and procurement", True),
    FunctionalArea("planning", "Production planning", True),
    FunctionalArea("manufacturing", "Manufacturing", True),
    FunctionalArea("quality", "Quality control and release", True),
    FunctionalArea("shipping", "Warehouse and shipping", True),
    FunctionalArea("client", "Client", False),
    FunctionalArea("external", "External", False),
    # Not yet analysed: counts as CMO-attributable until classified (kpis.md 2).
    FunctionalArea("unclassified", "Unclassified", True),
)

ROOT_CAUSES = (
    RootCause("MAT-SUPPLIER-LATE", "materials", "Supplier late"),
    RootCause("MAT-SHORTAGE", "materials", "Material shortage"),
    RootCause("MAT-COMPONENT-REJECTED", "materials", "CMO-sourced component rejected"),
    RootCause("PLN-CAPACITY", "planning", "Capacity"),
    RootCause(
        "PLN-SCHEDULE-CHANGE", "planning", "Schedule change inside the frozen horizon by the CMO"
    ),
    RootCause("MFG-EQUIPMENT", "manufacturing", "Equipment breakdown"),
    RootCause("MFG-PROCESS", "manufacturing", "Process failure"),
    RootCause("MFG-YIELD", "manufacturing", "Yield loss"),
    RootCause("QC-TESTING-DELAY", "quality", "Testing delay"),
    RootCause("QC-DEVIATION", "quality", "Deviation investigation"),
    RootCause("QC-RELEASE-LATE", "quality", "Batch release late"),
    RootCause("SHP-PICKING", "shipping", "Picking error"),
    RootCause("SHP-TRANSPORT", "shipping", "Transport booking"),
    RootCause("SHP-DOCUMENTS", "shipping", "Shipping documents"),
    RootCause("CLI-ORDER-CHANGE", "client", "Order change inside the frozen horizon"),
    RootCause("CLI-SUPPLIED-LATE", "client", "Client-supplied API or components late"),
    RootCause("CLI-ARTWORK", "client", "Artwork approval late"),
    RootCause("CLI-QA-RELEASE", "client", "Client QA release"),
    RootCause("CLI-POSTPONE", "client", "Client asked to postpone"),
    RootCause("EXT-REGULATOR", "external", "Regulator hold"),
    RootCause("EXT-FORCE-MAJEURE", "external", "Force majeure"),
)

ATTRIBUTABLE_AREAS = frozenset(a.code for a in AREAS if a.cmo_attributable)
AREA_BY_CODE = {rc.code: rc.area for rc in ROOT_CAUSES}
