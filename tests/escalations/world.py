"""Escalations of the web tests' two-client world (tests/web/conftest.py), built on first use:
for each client a one-level matrix and an escalation opened by hand on its failed line. Every
GLOBEX string contains "globex" (the isolation tests look for it)."""

from __future__ import annotations

from tower.agreements import services as agreements
from tower.escalations import services
from tower.escalations.models import Escalation
from tower.tenancy.scoping import SYSTEM


def escalation_of(world, client) -> Escalation:
    """The client's escalation of the web world, built once per world."""
    attribute = f"_escalation_{client.code}"
    if not hasattr(world, attribute):
        mark = client.code.lower()
        agreements.set_escalation_levels(
            client=client,
            levels=[
                {
                    "cmo_person": f"{mark} planner",
                    "client_person": f"{mark} buyer",
                    "response_hours": "4",
                }
            ],
            user=SYSTEM,
        )
        line = world.acme_late if client == world.acme else world.globex_late
        setattr(
            world,
            attribute,
            services.open_by_hand(
                client=client, title=f"{mark} late line", text=f"{mark}", user=SYSTEM, line=line
            ),
        )
    return getattr(world, attribute)
