"""The default process map a new site starts from (the demo's sites get it): departments,
activity packages per main task with their R / A / C / I, hand-overs, and which hand-over each
CMO functional area traces to. Data, applied by services.seed_default_map."""

DEPARTMENTS = (
    ("customer_service", "Customer service"),
    ("planning", "Planning"),
    ("procurement", "Procurement"),
    ("production", "Production"),
    ("qc", "Quality control"),
    ("qa", "Quality assurance"),
    ("warehouse", "Warehouse and shipping"),
)

# (task, package, {department: R/A/C/I})
PACKAGES = (
    (
        "plan",
        "Demand review and master schedule",
        {"planning": "A", "customer_service": "R", "production": "C", "procurement": "I"},
    ),
    (
        "plan",
        "Weekly production schedule",
        {"planning": "R", "production": "A", "qc": "C", "warehouse": "I"},
    ),
    (
        "procure",
        "Material requirements and purchase orders",
        {"procurement": "R", "planning": "A", "warehouse": "I"},
    ),
    (
        "procure",
        "Goods receipt and incoming inspection",
        {"warehouse": "R", "qc": "A", "procurement": "I"},
    ),
    (
        "manufacture",
        "Batch manufacture and packaging",
        {"production": "R", "qa": "A", "planning": "I"},
    ),
    ("manufacture", "Batch record review", {"production": "R", "qa": "A"}),
    ("qc_release", "Testing", {"qc": "R", "qa": "A", "planning": "I"}),
    (
        "qc_release",
        "Batch disposition",
        {"qc": "R", "qa": "A", "warehouse": "I", "customer_service": "I"},
    ),
    (
        "ship",
        "Picking, documents and transport booking",
        {"warehouse": "R", "customer_service": "A", "planning": "I"},
    ),
    (
        "customer_service",
        "Order confirmation and delivery promise",
        {"customer_service": "R", "planning": "A"},
    ),
    (
        "customer_service",
        "Telling the client early when something slips",
        {"planning": "R", "customer_service": "A", "qa": "I"},
    ),
)

# (from department, to department, what is handed over, functional areas traced to it)
INTERFACES = (
    ("customer_service", "planning", "Confirmed orders and forecasts", ()),
    ("planning", "procurement", "Material requirements", ()),
    ("procurement", "production", "Materials at the line", ("materials",)),
    ("planning", "production", "Released production schedule", ("planning",)),
    ("production", "qc", "Batch and samples for testing", ("manufacturing",)),
    ("qc", "warehouse", "Released batch", ("quality",)),
    ("warehouse", "customer_service", "Shipment and its documents", ("shipping",)),
)
