"""Reads of the customer-lens FMEA, each taking an already scoped queryset.

The backlog ranks by the current Action Priority (the revised one once a verified action led to
revised ratings), then S, O and D, all descending; the row's id breaks ties so pages are stable.
The evidence beside O counts, over a period, the deviations opened at the row's sites whose
functional area maps to the row's process area, and the failed lines of those sites traced to
those areas; a row about one client counts that client's only, a CMO-wide row every client the
reader may see.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, QuerySet
from django.db.models.functions import Coalesce

from tower.engine.periods import add_months
from tower.harmonisation.models import FmeaItem, ProcessArea
from tower.performance.dashboard import FigureScope, failures_by_site
from tower.quality.models import Deviation


def ranked(items: QuerySet[FmeaItem]) -> QuerySet[FmeaItem]:
    """The harmonisation backlog: AP, then S, O, D (current ratings), all descending."""
    return items.annotate(
        rank_ap=Coalesce("revised_ap_rank", "ap_rank"),
        rank_s=Coalesce("revised_severity", "severity"),
        rank_o=Coalesce("revised_occurrence", "occurrence"),
        rank_d=Coalesce("revised_detection", "detection"),
    ).order_by(
        F("rank_ap").desc(), F("rank_s").desc(), F("rank_o").desc(), F("rank_d").desc(), "id"
    )


def area_map() -> dict[str, set[str]]:
    """Process area code -> the functional area codes it maps to (the data of the mapping)."""
    mapping: dict[str, set[str]] = defaultdict(set)
    for code, area in ProcessArea.functional_areas.through.objects.values_list(
        "processarea_id", "functionalarea_id"
    ):
        mapping[code].add(area)
    return mapping


@dataclass(frozen=True)
class Evidence:
    deviations: int
    failed_lines: int


def evidence(
    items: list[FmeaItem], deviations: QuerySet[Deviation], clients, start: dt.date, end: dt.date
) -> dict[int, Evidence]:
    """Evidence per item id over the months start..end. `deviations` and `clients` are already
    scoped to the reader; items must have their sites prefetched. Three queries whatever the
    number of rows."""
    if not items:
        return {}
    mapping = area_map()
    site_ids = {s.pk for item in items for s in item.sites.all()}
    last_day = add_months(end, 1) - dt.timedelta(days=1)
    deviation_counts = {
        (row["client"], row["site"], row["area"]): row["n"]
        for row in deviations.filter(
            opened_date__gte=start, opened_date__lte=last_day, site__in=site_ids
        )
        .values("client", "site", "area")
        .annotate(n=Count("id"))
        .order_by()
    }
    failed = failures_by_site(FigureScope(clients=tuple(clients), start=start, end=end))
    result = {}
    for item in items:
        areas = mapping.get(item.process_area_id, set())
        sites = {s.pk for s in item.sites.all()}

        def counted(key, item=item, areas=areas, sites=sites) -> bool:
            client, site, area = key
            return (
                site in sites
                and area in areas
                and (item.client_id is None or client == item.client_id)
            )

        result[item.pk] = Evidence(
            deviations=sum(n for key, n in deviation_counts.items() if counted(key)),
            failed_lines=sum(n for key, n in failed.items() if counted(key)),
        )
    return result
