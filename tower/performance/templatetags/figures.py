"""Formatting figures the same way on every page: percentages, counts, statuses."""

from django import template

from tower.engine import targets
from tower.engine.business_hours import local_text

register = template.Library()


@register.filter
def pct(value, digits: int = 1) -> str:
    """68.456 -> "68.5 %"; None (nothing measured) -> "no data", never 0 % or 100 %."""
    if value is None:
        return "no data"
    return f"{value:.{digits}f} %"


@register.filter
def count(value) -> str:
    """12345 -> "12,345"; None -> "—"."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.0f}"
    return f"{value:,}"


@register.filter
def status_label(status: str | None) -> str:
    return targets.status_label(status)


@register.filter
def share(part, whole) -> str:
    """Part of a whole as a percentage, "no data" when the whole is zero."""
    if not whole:
        return "no data"
    return f"{part / whole * 100:.1f} %"


@register.filter
def totals_pct(totals, name: str):
    """The percentage `name` of a dashboard Totals (None when absent or nothing measured)."""
    return totals.pct(name) if totals is not None else None


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping is not None else None


@register.filter
def local_time(moment, time_zone: str) -> str:
    """A stored (UTC) moment in a site's time zone, the zone named: "Mon 7 Dec 11:00
    (Europe/Berlin)"; "" for no moment."""
    if moment is None:
        return ""
    return local_text(moment, time_zone or "UTC")


@register.filter
def local_stamp(moment, time_zone: str) -> str:
    """As local_time, with the year: "Mon 7 Dec 2026 11:00 (Europe/Berlin)"."""
    if moment is None:
        return ""
    return local_text(moment, time_zone or "UTC", year=True)
