"""The fictional CMO's master data and the behaviour parameters of the demo story.

Halvern Pharma Services runs three sites (Lyon, Cork, Basel) for eight clients. The tables here
say who orders what, where it is made, how much and at what price, and how and how often each
root cause makes a line fail; `tower.demo.generator` turns them into order lines. Pure data: no
numpy, no Polars, no randomness.
"""

from __future__ import annotations

from typing import NamedTuple

# --- master data --------------------------------------------------------------------------------

ORAL, LIQUID, STERILE, BIO = "Oral solids", "Liquids", "Sterile injectables", "Biologics"
GROUPS = (ORAL, LIQUID, STERILE, BIO)

SITES = (
    ("LYO", "Halvern Pharma Services Lyon (oral solids and liquids)", "FR"),
    ("CRK", "Halvern Pharma Services Cork (sterile injectables)", "IE"),
    ("BSL", "Halvern Pharma Services Basel (biologics and packaging)", "CH"),
)
MAIN_SITE = {ORAL: "LYO", LIQUID: "LYO", STERILE: "CRK", BIO: "BSL"}
BATCH_LETTER = {"LYO": "L", "CRK": "C", "BSL": "B"}


class Client(NamedTuple):
    code: str
    name: str
    currency: str
    volume: float  # share of order lines
    ship_to: tuple[str, ...]
    order_prefix: str
    order_start: int
    order_width: int
    line_step: int  # 10 for SAP-style line numbers 10, 20, 30
    cmo_factor: float  # how often the CMO fails this client's lines (relative)
    client_factor: float  # how often this client causes its own failures (relative)
    worsening: float  # growth of CMO failures over the period (0 = none)
    products: tuple[tuple[str, str, str | None], ...]  # (group, name, main site if not default)


# fmt: off
CLIENTS = (
    Client(
        code="ALPHA", name="Alphera Therapeutics Inc.", currency="USD", volume=0.17,
        ship_to=("US-Memphis DC", "US-Indianapolis DC", "CA-Mississauga DC", "NL-Venlo DC"),
        order_prefix="4500", order_start=180_000, order_width=6, line_step=10,
        cmo_factor=0.8, client_factor=0.8, worsening=0.0,
        products=(
            (ORAL, "Amlodipine 5 mg tablets 30s", None),
            (ORAL, "Atorvastatin 20 mg film-coated tablets 30s", None),
            (ORAL, "Metformin 850 mg tablets 60s", None),
            (ORAL, "Losartan 50 mg film-coated tablets 30s", None),
            (ORAL, "Sertraline 50 mg tablets 30s", None),
            (ORAL, "Montelukast 10 mg film-coated tablets 28s", None),
            (LIQUID, "Ibuprofen 100 mg/5 ml oral suspension 200 ml", None),
            (LIQUID, "Cetirizine 1 mg/ml oral solution 150 ml", None),
        ),
    ),
    Client(
        code="BOREAL", name="Boreal Biopharma AB", currency="EUR", volume=0.10,
        ship_to=("SE-Stockholm DC", "DE-Frankfurt DC", "FI-Vantaa DC", "DK-Kolding DC"),
        order_prefix="BB-", order_start=24_000, order_width=6, line_step=1,
        cmo_factor=1.0, client_factor=1.0, worsening=0.0,
        products=(
            (BIO, "Adalimumab biosimilar 40 mg/0.4 ml prefilled pens 2s", None),
            (BIO, "Trastuzumab biosimilar 150 mg powder vials", None),
            (BIO, "Pegfilgrastim biosimilar 6 mg prefilled syringes 1s", None),
            (BIO, "Etanercept biosimilar 50 mg prefilled syringes 4s", None),
            (STERILE, "Enoxaparin 40 mg/0.4 ml prefilled syringes 10s", None),
            (STERILE, "Ondansetron 4 mg/2 ml ampoules 5s", None),
        ),
    ),
    Client(
        code="CEDAR", name="Cedarline Pharmaceuticals S.A.", currency="EUR", volume=0.13,
        ship_to=("FR-Orleans DC", "ES-Madrid DC", "IT-Milan DC", "BE-Brussels DC"),
        order_prefix="CL", order_start=70_000, order_width=7, line_step=1,
        cmo_factor=0.9, client_factor=1.0, worsening=0.0,
        products=(
            (ORAL, "Omeprazole 20 mg gastro-resistant capsules 28s", None),
            (ORAL, "Pantoprazole 40 mg gastro-resistant tablets 28s", None),
            (ORAL, "Bisoprolol 5 mg tablets 30s", None),
            (ORAL, "Ramipril 10 mg capsules 28s", None),
            (ORAL, "Clopidogrel 75 mg film-coated tablets 28s", None),
            (STERILE, "Ceftriaxone 1 g powder for injection vials", None),
            (STERILE, "Meropenem 1 g powder for injection vials", None),
            (STERILE, "Dexamethasone 4 mg/ml solution for injection vials", None),
            (LIQUID, "Paracetamol 120 mg/5 ml oral suspension 100 ml", None),
            (LIQUID, "Lactulose 3.3 g/5 ml oral solution 500 ml", None),
        ),
    ),
    Client(
        code="DELTA", name="Deltamed Generics GmbH", currency="EUR", volume=0.22,
        ship_to=("DE-Hamburg DC", "PL-Warsaw DC", "CZ-Prague DC", "AT-Vienna DC", "NL-Venlo DC"),
        order_prefix="PO-DG-", order_start=100_000, order_width=7, line_step=10,
        cmo_factor=1.2, client_factor=1.2, worsening=0.7,
        products=(
            (ORAL, "Amlodipine 10 mg tablets 30s", None),
            (ORAL, "Atorvastatin 40 mg film-coated tablets 30s", None),
            (ORAL, "Levetiracetam 500 mg film-coated tablets 60s", None),
            (ORAL, "Metformin 1000 mg film-coated tablets 60s", None),
            (ORAL, "Simvastatin 20 mg film-coated tablets 28s", None),
            (ORAL, "Lisinopril 10 mg tablets 28s", None),
            (ORAL, "Escitalopram 10 mg film-coated tablets 28s", None),
            (ORAL, "Quetiapine 100 mg film-coated tablets 60s", None),
            (ORAL, "Rosuvastatin 10 mg film-coated tablets 28s", None),
            (ORAL, "Gabapentin 300 mg capsules 100s", None),
            (LIQUID, "Amoxicillin 250 mg/5 ml powder for oral suspension 100 ml", None),
            (LIQUID, "Levetiracetam 100 mg/ml oral solution 300 ml", None),
        ),
    ),
    Client(
        code="EMBER", name="Emberly Health Corp.", currency="USD", volume=0.09,
        ship_to=("US-Memphis DC", "US-Reno DC", "BR-Sao Paulo DC"),
        order_prefix="EH", order_start=5_000, order_width=6, line_step=1,
        cmo_factor=1.1, client_factor=0.8, worsening=0.0,
        products=(
            (STERILE, "Heparin 5,000 IU/ml solution for injection vials", None),
            (STERILE, "Vancomycin 500 mg powder for infusion vials", None),
            (STERILE, "Piperacillin/Tazobactam 4 g/0.5 g powder for infusion vials", None),
            (STERILE, "Midazolam 5 mg/ml ampoules 10s", None),
            (STERILE, "Ketorolac 30 mg/ml solution for injection vials", None),
            (BIO, "Insulin glargine 100 U/ml cartridges 5s", None),
        ),
    ),
    Client(
        code="FJORD", name="Fjordvik Pharma AS", currency="EUR", volume=0.11,
        ship_to=("NO-Oslo DC", "SE-Malmo DC", "DE-Frankfurt DC"),
        order_prefix="FV-", order_start=9_000, order_width=6, line_step=10,
        cmo_factor=0.9, client_factor=1.0, worsening=0.0,
        products=(
            # Bulk from the client's own API supplier, packed in Basel: artwork and
            # client-supplied API are where FJORD's lines fail.
            (ORAL, "Candesartan 8 mg tablets 28s", "BSL"),
            (ORAL, "Zolpidem 10 mg film-coated tablets 20s", "BSL"),
            (ORAL, "Tramadol 50 mg capsules 30s", "BSL"),
            (ORAL, "Esomeprazole 20 mg gastro-resistant tablets 28s", "BSL"),
            (LIQUID, "Salbutamol 2 mg/5 ml oral solution 150 ml", None),
            (LIQUID, "Prednisolone 5 mg/ml oral solution 100 ml", None),
            (STERILE, "Tranexamic acid 100 mg/ml ampoules 10s", None),
        ),
    ),
    Client(
        code="GRANITE", name="Granite Peak Biologics Inc.", currency="USD", volume=0.08,
        ship_to=("US-Indianapolis DC", "US-Memphis DC", "JP-Osaka DC", "SG-Singapore DC"),
        order_prefix="GPB", order_start=30_000, order_width=6, line_step=1,
        cmo_factor=1.0, client_factor=1.5, worsening=0.0,
        products=(
            (BIO, "Bevacizumab biosimilar 400 mg/16 ml vials", None),
            (BIO, "Rituximab biosimilar 500 mg/50 ml vials", None),
            (BIO, "Ustekinumab biosimilar 45 mg/0.5 ml prefilled syringes 1s", None),
            (BIO, "Denosumab biosimilar 60 mg/ml prefilled syringes 1s", None),
            (STERILE, "Bortezomib 3.5 mg powder for injection vials", None),
        ),
    ),
    Client(
        code="HELIX", name="Helixa Biosciences Ltd", currency="EUR", volume=0.10,
        ship_to=("GB-Daventry DC", "IE-Dublin DC", "DE-Cologne DC", "AU-Sydney DC"),
        order_prefix="HX-PO-", order_start=1_000, order_width=6, line_step=10,
        cmo_factor=0.75, client_factor=0.6, worsening=0.0,
        products=(
            (STERILE, "Octreotide 100 mcg/ml ampoules 5s", None),
            (STERILE, "Methotrexate 25 mg/ml solution for injection vials", None),
            (STERILE, "Zoledronic acid 4 mg/5 ml concentrate vials", None),
            (STERILE, "Fulvestrant 250 mg/5 ml prefilled syringes 2s", None),
            (BIO, "Infliximab biosimilar 100 mg powder vials", None),
            (BIO, "Filgrastim biosimilar 30 MU/0.5 ml prefilled syringes 5s", None),
            (ORAL, "Apixaban 5 mg film-coated tablets 60s", None),
            (ORAL, "Rivaroxaban 20 mg film-coated tablets 28s", None),
            (ORAL, "Ticagrelor 90 mg film-coated tablets 56s", None),
        ),
    ),
)
# fmt: on
OVERSEAS = ("US", "CA", "BR", "JP", "SG", "AU")

# Ordered quantity: median per group and unit, and rounding step. Price per unit (EUR or USD).
QTY_MEDIAN = {
    (ORAL, "packs"): 24_000,
    (LIQUID, "packs"): 9_000,
    (STERILE, "vials"): 12_000,
    (STERILE, "packs"): 4_000,
    (BIO, "vials"): 1_500,
    (BIO, "packs"): 1_200,
}
QTY_STEP = {ORAL: 100, LIQUID: 100, STERILE: 50, BIO: 10}
PRICE_RANGE = {ORAL: (1.2, 4.5), LIQUID: (2.5, 6.0), STERILE: (3.0, 45.0), BIO: (120.0, 650.0)}

# --- performance model ----------------------------------------------------------------------------

CMO_AREAS = ("materials", "planning", "manufacturing", "quality", "shipping")

# Chance (%) per line that the code makes it fail at each site (Lyon, Cork, Basel), before the
# client, trend and season factors. Cork fails mostly on quality; Basel, the packaging site, on
# printed components and artwork.
RATE_SITES = ("LYO", "CRK", "BSL")
BASE_RATES = {
    "MAT-SUPPLIER-LATE": (1.0, 0.5, 0.7),
    "MAT-SHORTAGE": (0.6, 0.3, 0.4),
    "MAT-COMPONENT-REJECTED": (0.3, 0.5, 0.8),
    "PLN-CAPACITY": (1.4, 0.7, 1.1),
    "PLN-SCHEDULE-CHANGE": (0.6, 0.3, 0.5),
    "MFG-EQUIPMENT": (0.9, 0.8, 0.6),
    "MFG-PROCESS": (0.4, 0.5, 0.4),
    "MFG-YIELD": (0.5, 0.3, 0.4),
    "QC-TESTING-DELAY": (0.5, 1.8, 0.7),
    "QC-DEVIATION": (0.4, 2.0, 0.6),
    "QC-RELEASE-LATE": (0.3, 1.9, 0.6),
    "SHP-PICKING": (0.3, 0.1, 0.4),
    "SHP-TRANSPORT": (0.5, 0.4, 0.6),
    "SHP-DOCUMENTS": (0.2, 0.3, 0.3),
    "CLI-ORDER-CHANGE": (0.5, 0.3, 0.4),
    "CLI-SUPPLIED-LATE": (0.2, 0.2, 0.3),
    "CLI-ARTWORK": (0.3, 0.1, 0.6),
    "CLI-QA-RELEASE": (0.1, 0.3, 0.3),
    "CLI-POSTPONE": (0.2, 0.2, 0.2),
    "EXT-REGULATOR": (0.03, 0.1, 0.05),
    "EXT-FORCE-MAJEURE": (0.05, 0.05, 0.05),
}
# Causes that sit in a batch: a batch late for one of them fails every line planned to ship from
# it (the client's own late API holds the batch too). The other causes belong to one shipment.
BATCH_CAUSES = (
    "MAT-SUPPLIER-LATE",
    "MAT-SHORTAGE",
    "MAT-COMPONENT-REJECTED",
    "PLN-CAPACITY",
    "PLN-SCHEDULE-CHANGE",
    "MFG-EQUIPMENT",
    "MFG-PROCESS",
    "MFG-YIELD",
    "QC-TESTING-DELAY",
    "QC-DEVIATION",
    "QC-RELEASE-LATE",
    "CLI-SUPPLIED-LATE",
)
# Causes that hold a shipment on its way (customs, a closed road): it left on the planned date.
IN_TRANSIT_CAUSES = ("SHP-DOCUMENTS", "EXT-REGULATOR", "EXT-FORCE-MAJEURE")

# Extra failures (%) a client brings on itself, on top of its client_factor.
CLIENT_EXTRA = {"FJORD": {"CLI-ARTWORK": 3.5, "CLI-SUPPLIED-LATE": 3.0, "CLI-ORDER-CHANGE": 0.5}}

# How a failure shows: (late, short, late and short), per area with per-code exceptions.
KIND_BY_AREA = {
    "materials": (0.75, 0.15, 0.10),
    "planning": (0.80, 0.12, 0.08),
    "manufacturing": (0.80, 0.10, 0.10),
    "quality": (0.90, 0.05, 0.05),
    "shipping": (0.90, 0.05, 0.05),
    "client": (0.90, 0.05, 0.05),
    "external": (0.95, 0.0, 0.05),
}
KIND_BY_CODE = {
    "MAT-SHORTAGE": (0.35, 0.50, 0.15),
    "MFG-YIELD": (0.10, 0.75, 0.15),
    "SHP-PICKING": (0.30, 0.65, 0.05),
    "CLI-ORDER-CHANGE": (0.60, 0.35, 0.05),
}
# Delay classes of a late delivery: 1-2, 3-7, 8-14, more than 14 days.
DELAY_BY_AREA = {
    "materials": (0.30, 0.35, 0.20, 0.15),
    "planning": (0.45, 0.35, 0.14, 0.06),
    "manufacturing": (0.35, 0.35, 0.18, 0.12),
    "quality": (0.30, 0.40, 0.20, 0.10),
    "shipping": (0.75, 0.22, 0.03, 0.00),
    "client": (0.25, 0.30, 0.25, 0.20),
    "external": (0.15, 0.30, 0.30, 0.25),
}
TRANSIT_DAYS = {"Road": (1, 3), "Courier": (1, 2), "Air": (3, 6), "Sea": (21, 35)}
MODES = ("Road", "Courier", "Air", "Sea")

# Planner comments per code: (general, general with {d} = days late, oral solids and liquids,
# sterile injectables and biologics).
COMMENTS = {
    "MAT-SUPPLIER-LATE": (
        "Excipient delivery from supplier late; batch start moved",
        "Supplier delivery late; shipped {d} days late",
        "Aluminium foil for blisters arrived late from supplier",
        "Vial supplier shipped late after their own QC hold",
    ),
    "MAT-SHORTAGE": (
        "Material shortage; shipped what was available",
        "Not enough packaging material for the full quantity; rest {d} days late",
        "Blister foil shortage limited the packed quantity",
        "Stopper shortage limited the batch size",
    ),
    "MAT-COMPONENT-REJECTED": (
        "Component lot rejected at incoming inspection",
        "Component lot rejected; replacement arrived, shipped {d} days late",
        "Printed cartons rejected at incoming inspection (wrong colour)",
        "Glass vial lot rejected for cosmetic defects",
    ),
    "PLN-CAPACITY": (
        "Line fully booked; order moved to the next free slot",
        "Capacity conflict; shipped {d} days late",
        "Compression and packaging rooms over capacity this week",
        "Filling line capacity exceeded",
    ),
    "PLN-SCHEDULE-CHANGE": (
        "Campaign resequenced inside the frozen horizon",
        "Batch swapped to a later slot; shipped {d} days late",
        "Schedule changed to prioritise another client's urgent order",
        "Filling campaign moved to combine with another product",
    ),
    "MFG-EQUIPMENT": (
        "Equipment breakdown, three shifts lost",
        "Equipment breakdown; shipped {d} days late",
        "Tablet press tooling failure",
        "Isolator glove breach; filling line stopped",
    ),
    "MFG-PROCESS": (
        "Process failure; batch reworked",
        "Process deviation on the line; shipped {d} days late",
        "Coating process failure; batch reworked",
        "Fill weight out of trend; line stopped for investigation",
    ),
    "MFG-YIELD": (
        "Yield below target; shipped available quantity",
        "Yield loss; remaining quantity {d} days late",
        "Batch yield under standard after blister sealing rejects",
        "High reject rate at visual inspection",
    ),
    "QC-TESTING-DELAY": (
        "QC lab backlog on release testing",
        "Release testing finished {d} days later than planned",
        "HPLC out of service; assay delayed",
        "Sterility test result later than planned",
    ),
    "QC-DEVIATION": (
        "Batch on hold pending deviation closure",
        "Deviation investigation; batch shipped {d} days late",
        "OOS investigation on dissolution; batch held",
        "Environmental monitoring excursion in filling room; batch held",
    ),
    "QC-RELEASE-LATE": (
        "Batch record review backlog before QP release",
        "QP release {d} days after plan",
        "Release delayed waiting for CoA of a component",
        "QP release waiting for media fill report",
    ),
    "SHP-PICKING": (
        "Picking error: one pallet left behind",
        "Wrong batch picked; corrected {d} days later",
        "Quantity mis-picked at loading",
        "Wrong temperature box picked; reloaded",
    ),
    "SHP-TRANSPORT": (
        "Carrier did not collect on the booked date",
        "Transport booking missed; delivered {d} days late",
        "Truck capacity not confirmed by carrier",
        "No temperature-controlled truck available",
    ),
    "SHP-DOCUMENTS": (
        "Export documents incomplete; held at customs",
        "Shipping documents corrected; delivered {d} days late",
        "Wrong Incoterm on the invoice; shipment re-booked",
        "CoA missing from the shipping paperwork",
    ),
    "CLI-ORDER-CHANGE": (
        "Client increased the quantity inside the frozen horizon",
        "Client changed the order inside the frozen horizon; {d} days late",
        "Client changed pack size after scheduling",
        "Client changed ship-to and labelling after scheduling",
    ),
    "CLI-SUPPLIED-LATE": (
        "Client-supplied API arrived late",
        "Client-supplied material late; shipped {d} days late",
        "Client-supplied bulk failed identity test; replacement sent",
        "Client-supplied drug substance arrived after the agreed date",
    ),
    "CLI-ARTWORK": (
        "Artwork approved by the client after the cut-off",
        "Artwork approval late; shipped {d} days late",
        "Late artwork change for new leaflet text",
        "Late label artwork change for new market",
    ),
    "CLI-QA-RELEASE": (
        "Waiting for client QA release of the batch",
        "Client QA release {d} days after plan",
        "Client QA requested additional documentation before release",
        "Client QA review of batch record took longer than agreed",
    ),
    "CLI-POSTPONE": (
        "Client asked to hold the shipment (warehouse full)",
        "Delivery postponed {d} days at the client's request",
        "Client moved the delivery for stock reasons",
        "Client postponed delivery; cold-chain slot not available at DC",
    ),
    "EXT-REGULATOR": (
        "Import licence pending with the authority",
        "Regulatory hold; released {d} days late",
        "Customs inspection by health authority",
        "Regulatory hold pending variation approval",
    ),
    "EXT-FORCE-MAJEURE": (
        "Port strike",
        "Snow storm closed the motorway; delivered {d} days late",
        "Road closure after flooding",
        "Airport closed by storm",
    ),
}

# --- production and quality ---------------------------------------------------------------------

# Planned days of manufacturing (start to end) and of QC testing and release (end to release).
PRODUCTION_DAYS = {
    ORAL: ((3, 5), (7, 10)),
    LIQUID: ((2, 4), (6, 9)),
    STERILE: ((4, 7), (16, 21)),  # the sterility test alone takes 14 days
    BIO: ((12, 20), (21, 28)),
}
# Yield the weekly plan counts on (planned quantity = batch size x this).
PLANNED_YIELD = 0.97

# The deviation a batch cause raises: (functional area, category, titles for oral solids and
# liquids, titles for sterile injectables and biologics). The CAPA titles are per category.
DEVIATIONS = {
    "QC-DEVIATION": (
        "quality",
        "Laboratory",
        (
            "OOS result on dissolution at release testing",
            "Assay result out of specification under investigation",
            "Microbial count above the alert limit",
        ),
        (
            "Environmental monitoring excursion in the grade A filling zone",
            "Sterility test investigation after a positive growth",
            "Endotoxin result above the alert limit",
        ),
    ),
    "MFG-PROCESS": (
        "manufacturing",
        "Process",
        (
            "Coating weight gain out of range",
            "Granulation end point not reached",
            "Tablet hardness out of trend during compression",
        ),
        (
            "Fill weight out of trend",
            "Filter integrity test failed after sterile filtration",
            "Lyophilisation cycle outside the validated range",
        ),
    ),
    "MFG-EQUIPMENT": (
        "manufacturing",
        "Equipment",
        (
            "Tablet press tooling failure during compression",
            "Blister sealing temperature alarm",
            "Mixer drive failure during blending",
        ),
        (
            "Isolator glove breach during filling",
            "Autoclave cycle aborted",
            "Capping machine jam; vials re-inspected",
        ),
    ),
    "MAT-COMPONENT-REJECTED": (
        "materials",
        "Incoming materials",
        (
            "Printed cartons in the wrong colour at incoming inspection",
            "Blister foil lot out of specification",
        ),
        (
            "Glass vial lot with cosmetic defects",
            "Stopper lot with visible particles",
        ),
    ),
}
CAPAS = {
    "Laboratory": (
        "Retrain analysts on the OOS investigation procedure",
        "Qualify a second instrument for release testing",
        "Revise the sampling plan for environmental monitoring",
    ),
    "Process": (
        "Tighten in-process control limits and alarm on trend",
        "Revalidate the process step with the new parameter range",
        "Update the batch record with the corrected instructions",
    ),
    "Equipment": (
        "Add the failed part to the preventive maintenance plan",
        "Keep a spare set of tooling on site",
        "Replace the worn equipment part and requalify",
    ),
    "Incoming materials": (
        "Audit the component supplier and agree a corrective plan",
        "Add a second approved supplier for the component",
        "Strengthen the incoming inspection checklist",
    ),
}

# --- the quarterly business review ------------------------------------------------------------

# Who answers each client's survey: usernames after the client's code in lower case. The first
# two clients' demo sign-ins answer too.
RESPONDENTS = {
    "signed-in": ("approver", "viewer", "quality"),
    "others": ("supply", "quality", "purchasing"),
}
SURVEY_COMMENTS = {
    "low": (
        "Too many late deliveries this quarter; we had to expedite from other sources.",
        "We heard about delays too late to react in our markets.",
        "Release delays keep hurting our supply plan. Please share recovery plans earlier.",
        "",
    ),
    "mid": (
        "Delivery has improved but is still uneven across products.",
        "Communication is good; reliability still needs work.",
        "Quality is solid; lead times are long.",
        "",
    ),
    "high": (
        "A reliable quarter; thank you to the planning team.",
        "Very responsive to our urgent requests.",
        "Good collaboration on the new pack size.",
        "",
    ),
}
# Agreement terms beyond the OTIF definition: KPI targets (target, amber band), penalty terms.
KPI_TARGETS = {
    "ALPHA": {
        "otif_net": (95.0, 5.0),
        "otif_gross": (90.0, 5.0),
        "qc_release_on_time": (92.0, 4.0),
        "yield": (96.0, 2.0),
        "escalations_acknowledged": (90.0, 10.0),
    },
    "BOREAL": {
        "otif_net": (92.0, 5.0),
        "otif_gross": (87.0, 5.0),
        "satisfaction": (4.2, 0.4),
        "escalations_acknowledged": (80.0, 10.0),
    },
    "CEDAR": {
        "otif_net": (97.0, 5.0),
        "otif_gross": (92.0, 5.0),
        "right_first_time": (95.0, 3.0),
        "escalations_acknowledged": (90.0, 5.0),
    },
    "DELTA": {
        "otif_net": (90.0, 5.0),
        "otif_gross": (85.0, 5.0),
        "schedule_adherence": (88.0, 5.0),
        "oos_days": (0.0, 10.0),
        "escalations_acknowledged": (85.0, 10.0),
    },
}
PENALTY_TERMS = {
    "ALPHA": (
        ("line_value_pct", 2.0, "2 % of the line value for each late or short line the CMO caused"),
    ),
    "DELTA": (
        ("month_below_target", 5_000.0, "EUR 5,000 for each month net OTIF is below target"),
    ),
    "EMBER": (
        ("line_value_pct", 1.5, "1.5 % of the line value for each CMO-attributable failure"),
    ),
    "GRANITE": (
        ("month_below_target", 10_000.0, "USD 10,000 for each month below the OTIF target"),
        ("line_value_pct", 1.0, "1 % of the line value for each CMO-attributable failure"),
    ),
}
STOCK_OUT_AGREEMENT_LOOKBACK = 60
# What the CMO writes next to a KPI in a review, per KPI.
KPI_COMMENTS = {
    "otif_net": (
        "Capacity was added on the packaging line mid-quarter; we expect the effect next quarter.",
        "Most failures trace back to a few late batches; see the quality KPIs.",
    ),
    "on_time": (
        "Late lines are reviewed one by one in the monthly call; recovery plan agreed.",
        "Pre-builds before the summer shutdown protected the on-time figure.",
    ),
    "qc_release_on_time": (
        "A second release shift runs since mid-quarter to clear the QC laboratory backlog.",
        "Release delays came from deviation investigations; see the incident rate.",
    ),
    "schedule_adherence": (
        "Plan changes inside the frozen horizon cost adherence; the horizon is now enforced.",
        "A weekly S&OP review with the client started this quarter.",
    ),
    "incident_rate": (
        "Deviations were reviewed with the client's QA; retraining done where needed.",
        "Every major deviation has a CAPA with an owner and a due date.",
    ),
    "oos_events": (
        "Each stock-out was reviewed line by line with the client's supply planner.",
        "Safety stock agreed for the products most exposed to stock-outs.",
    ),
    "yield": (
        "Tooling replaced on the line with the lowest yield.",
        "Yield losses are reviewed weekly by manufacturing and QA.",
    ),
    "ship_on_time": (
        "Carrier capacity in the last weeks of the quarter delayed some shipments.",
        "Transport is now booked two days earlier for overseas lanes.",
    ),
}
# Actions agreed in reviews: (title, owner, KPI it should move or "", days to the due date).
AGREED_ACTIONS = (
    (
        "Weekly capacity review with the client's supply planner",
        "CMO planning lead",
        "otif_net",
        45,
    ),
    ("Qualify a second supplier for blister foil", "CMO procurement", "material_readiness", 90),
    ("Bring the batch record review backlog under 5 days", "CMO QA", "qc_release_on_time", 60),
    ("Share the 13-week production plan every Monday", "CMO planning", "schedule_adherence", 30),
    ("Root-cause workshop on filling deviations", "CMO quality", "incident_rate", 45),
    (
        "Agree safety stock for the five largest products",
        "Client supply planning",
        "oos_events",
        60,
    ),
    ("Close the overdue CAPAs", "CMO QA", "capa_on_time", 30),
    ("Book overseas transport two days earlier", "CMO logistics", "ship_on_time", 30),
    ("Approve artwork within five working days", "Client regulatory affairs", "", 60),
)
STOCK_OUT_NOTES = {
    "cmo": (
        "Stock ran out at the DC after the delayed delivery",
        "Pharmacies without stock for the period; allocation to key accounts",
        "Hospital tenders served late after the batch delay",
    ),
    "other": (
        "Demand spike after a competitor's recall",
        "Tender won with volumes above forecast",
        "Safety stock at the DC below the agreed level",
        "Stock held at the DC for a labelling check",
    ),
}
