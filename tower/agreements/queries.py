"""Reads of what a client agreed: the definition in force and the KPI targets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tower.agreements.models import (
    KpiDirection,
    KpiTarget,
    OtifDefinitionVersion,
    TeamFunction,
    TeamMember,
    TeamSide,
)
from tower.engine import OtifDefinition
from tower.engine.kpi_catalogue import KPI_BY_CODE, KPIS
from tower.engine.targets import DEFAULT_TOLERANCE, target_status
from tower.tenancy.models import Client

DEFAULT_VERSION = 0
DEFAULT_OTIF_TARGET = 95.0


def current_definition(client: Client) -> tuple[int, OtifDefinition]:
    """The version number and definition in force for a client (the default is version 0)."""
    latest = OtifDefinitionVersion.objects.filter(client=client).order_by("-version").first()
    if latest is None:
        return DEFAULT_VERSION, OtifDefinition()
    return latest.version, OtifDefinition.from_mapping(latest.parameters)


@dataclass(frozen=True)
class Target:
    value: float
    tolerance: float
    higher_is_better: bool
    is_default: bool

    def status(self, value: float | None) -> str:
        return target_status(
            value, self.value, higher_is_better=self.higher_is_better, tolerance=self.tolerance
        )


DEFAULT_TARGET = Target(DEFAULT_OTIF_TARGET, DEFAULT_TOLERANCE, True, True)


def kpi_targets(
    clients: Iterable[Client], kpis: Iterable[str] | None = None
) -> dict[int, dict[str, Target]]:
    """Per client id, the target of each KPI (all of the catalogue by default): the agreement's
    KpiTarget, or the catalogue default. One query for all the clients."""
    wanted = [KPI_BY_CODE[code] for code in kpis] if kpis is not None else list(KPIS)
    defaults = {
        k.code: Target(k.default_target, k.default_tolerance, k.higher_is_better, True)
        for k in wanted
    }
    targets = {c.pk: dict(defaults) for c in clients}
    for row in KpiTarget.objects.filter(client__in=list(targets), kpi__in=list(defaults)):
        targets[row.client_id][row.kpi] = Target(
            row.target, row.tolerance, row.direction == KpiDirection.HIGHER, False
        )
    return targets


def otif_targets(clients: Iterable[Client]) -> dict[int, dict[str, Target]]:
    """Per client id: the net and gross OTIF targets of its agreement (the default without)."""
    return kpi_targets(clients, ("otif_net", "otif_gross"))


def common_target(targets: dict[int, dict[str, Target]], kpi: str) -> Target | None:
    """The target shared by all clients in view, or None when they differ (or none is in view)."""
    found = {t[kpi] for t in targets.values()}
    return found.pop() if len(found) == 1 else None


# ---------------------------------------------------------------------------------------------
# The counterpart matrix of the service agreement's team


@dataclass(frozen=True)
class CounterpartRow:
    """One function of the team: the CMO's people and the client's, leads first."""

    function: str
    label: str
    cmo: list
    client: list


def team_of(client: Client) -> list[TeamMember]:
    """The client's team, both sides, with their linked sign-ins (one query)."""
    return list(
        TeamMember.objects.filter(client=client)
        .select_related("user")
        .order_by("function", "side", "deputy", "name")
    )


def counterpart_matrix(client: Client, members: list | None = None) -> list[CounterpartRow]:
    """Function -> CMO people <-> client people, in the order of TeamFunction, for the
    functions where either side has named someone (one query)."""
    members = team_of(client) if members is None else members
    rows = []
    for function in TeamFunction:
        mine = [m for m in members if m.function == function.value]
        if not mine:
            continue
        rows.append(
            CounterpartRow(
                function=function.value,
                label=function.label,
                cmo=sorted((m for m in mine if m.side == TeamSide.CMO), key=_lead_first),
                client=sorted((m for m in mine if m.side == TeamSide.CLIENT), key=_lead_first),
            )
        )
    return rows


def _lead_first(member: TeamMember) -> tuple:
    return member.deputy, member.name.lower()
