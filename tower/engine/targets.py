"""Target status of a KPI (kpis.md 7): green, amber, red, or no data."""

from __future__ import annotations

from typing import Literal

Status = Literal["green", "amber", "red", "no_data"]

DEFAULT_TOLERANCE = 5.0

# A status is always written as a word as well as a colour (pages, deck, printed PDF); "off
# target" reads right for lower-is-better KPIs too.
STATUS_LABELS = {
    "green": "On target",
    "amber": "Within tolerance",
    "red": "Off target",
    "no_data": "No data",
}


def status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status or "no_data", STATUS_LABELS["no_data"])


def target_status(
    value: float | None,
    target: float,
    *,
    higher_is_better: bool = True,
    tolerance: float = DEFAULT_TOLERANCE,
) -> Status:
    """Green when the target is met, amber within `tolerance` points of it, red otherwise.

    A period with no measured lines (value None) is "no_data", never a colour.
    """
    if value is None:
        return "no_data"
    shortfall = target - value if higher_is_better else value - target
    if shortfall <= 0:
        return "green"
    if shortfall <= tolerance:
        return "amber"
    return "red"
