"""The OTIF engine: pure, columnar computation of kpis.md sections 1 and 3.

No Django here. Feed it Polars frames; use it from a notebook as well as from the product:

    import datetime as dt
    import polars as pl
    from tower.engine import OtifDefinition, evaluate, summarise

    outcomes = evaluate(lines, deliveries, OtifDefinition(late_days=2), as_of=dt.date(2026, 6, 30))
    summarise(outcomes, by=["month"], grain="line")

Input frames (extra columns are ignored):

  lines       line_id (Int64, unique), order_key (any type: lines of one order share it),
              requested_date, first_committed_date, committed_date (Date, nullable),
              ordered_qty (Float64), line_value (Float64, nullable), status (String:
              "open" | "closed" | "cancelled"), manual_exclusion (String, nullable: a reason
              given by hand; a non-null value excludes the line). Optional.
  deliveries  line_id (Int64), shipped_date (Date, nullable), delivered_date (Date, nullable),
              quantity (Float64). Zero or more rows per line.

`evaluate` returns one row per line (see OUTCOME_SCHEMA in otif.py) and `summarise` turns
outcomes into figures per group at the line, order, quantity or value grain.
"""

from tower.engine.definition import DefinitionError, OtifDefinition
from tower.engine.otif import OUTCOME_SCHEMA, evaluate
from tower.engine.sigma import dpmo, sigma_level
from tower.engine.summary import DIMENSIONS, GRAINS, summarise

__all__ = [
    "DIMENSIONS",
    "GRAINS",
    "OUTCOME_SCHEMA",
    "DefinitionError",
    "OtifDefinition",
    "dpmo",
    "evaluate",
    "sigma_level",
    "summarise",
]
