"""A team member of a client, made on first use (for the isolation walk and the team tests)."""

from __future__ import annotations

from tower.agreements.models import TeamFunction, TeamMember, TeamSide


def team_member(client) -> TeamMember:
    """The client's CMO-side supply chain lead (its name and e-mail carry the client's code)."""
    member, _ = TeamMember.objects.get_or_create(
        client=client,
        side=TeamSide.CMO,
        function=TeamFunction.SUPPLY_CHAIN,
        email=f"planner@{client.code.lower()}.example.com",
        defaults={"name": f"{client.name} planner", "phone": "+49 30 1234 5678"},
    )
    return member
