"""Reads of the process map: the sites' maps in a few queries, and each hand-over's failed lines.

A failed line is traced to a hand-over through its root cause's functional area (InterfaceTrace,
per site). The counts come from the monthly failure figures (the closed months' snapshot for
closed months, as on the dashboard) of the clients in the scope, which the view has already
narrowed to what the reader may see. OTIF points lost = the hand-over's failed lines / the
scope's measured lines x 100: the gross OTIF points that hand-over cost, so the points of every
hand-over and of the untraced failures add up to 100 - gross OTIF.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from tower.performance.dashboard import FigureScope, client_totals, failures_by_site
from tower.processes.models import (
    TASK_ORDER,
    ActivityPackage,
    Interface,
    InterfaceTrace,
    Task,
)
from tower.web.pages import lines_url


@dataclass
class HandOver:
    interface: Interface
    areas: list[str] = field(default_factory=list)
    failed: int = 0
    points: float | None = None
    links: list[tuple[str, int, str]] = field(default_factory=list)  # (area, lines, url)


@dataclass
class SiteMap:
    site: object
    tasks: list[tuple[str, list[ActivityPackage]]]
    hand_overs: list[HandOver]
    untraced: int = 0

    @property
    def has_map(self) -> bool:
        return bool(self.hand_overs) or any(packages for _, packages in self.tasks)


def site_maps(sites: list, figure_scope: FigureScope) -> tuple[list[SiteMap], int]:
    """Each site's map with its hand-overs' failures, and the scope's measured lines."""
    site_ids = [s.pk for s in sites]
    packages = defaultdict(list)
    for package in (
        ActivityPackage.objects.filter(site__in=site_ids)
        .prefetch_related("responsibilities__department")
        .order_by("position", "id")
    ):
        packages[package.site_id].append(package)
    interfaces = defaultdict(list)
    for interface in Interface.objects.filter(site__in=site_ids).select_related(
        "from_department", "to_department"
    ):
        interfaces[interface.site_id].append(interface)
    traces = {
        (t.site_id, t.area_id): t.interface_id
        for t in InterfaceTrace.objects.filter(site__in=site_ids)
    }
    failed: dict[tuple[int, str], int] = defaultdict(int)
    measured = 0
    if figure_scope.clients:
        for (_, site, area), lines in failures_by_site(figure_scope).items():
            failed[site, area] += lines
        measured = sum(t.lines for t in client_totals(figure_scope).values())
    maps = []
    for site in sites:
        hand_overs = {i.pk: HandOver(i) for i in interfaces[site.pk]}
        untraced = 0
        for (site_id, area), lines in sorted(failed.items(), key=lambda kv: kv[0][1]):
            if site_id != site.pk:
                continue
            interface_id = traces.get((site.pk, area))
            if interface_id is None or interface_id not in hand_overs:
                untraced += lines
                continue
            hand_over = hand_overs[interface_id]
            hand_over.failed += lines
            site_scope = FigureScope(
                clients=figure_scope.clients,
                start=figure_scope.start,
                end=figure_scope.end,
                site=site.code,
                product=figure_scope.product,
            )
            hand_over.links.append((area, lines, lines_url(site_scope, area=area)))
        for (site_id, area), interface_id in traces.items():
            if site_id == site.pk and interface_id in hand_overs:
                hand_overs[interface_id].areas.append(area)
        for hand_over in hand_overs.values():
            hand_over.points = hand_over.failed / measured * 100 if measured else None
        tasks = [
            (label, [p for p in packages[site.pk] if p.task == value])
            for value, label in sorted(Task.choices, key=lambda c: TASK_ORDER[c[0]])
        ]
        maps.append(
            SiteMap(
                site=site,
                tasks=tasks,
                hand_overs=sorted(hand_overs.values(), key=lambda h: (-h.failed, h.interface.pk)),
                untraced=untraced,
            )
        )
    return maps, measured
