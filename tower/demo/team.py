"""The demo's service agreement teams: for every client the CMO's dedicated cross-functional
team and the client's counterparts (tower.agreements.services.add_team_member, audited as the
CMO administrator), so the agreement page, its counterpart matrix and "who to call" have people.

The CMO's people are shared across clients (one supply chain planner serves several), as at a
real CMO; the client's people are the client's own. The demo's "planner" and the client
approvers are linked to their sign-ins where they exist. Names are fictitious; phone numbers are
in the ranges reserved for drama (+44 20 7946 0xxx, +1 555 01xx) so none rings anybody.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from tower.agreements.models import TeamFunction, TeamMember, TeamSide
from tower.agreements.services import add_team_member, team_user_choices
from tower.tenancy.models import Client

# (function, name, title) of the CMO's people, by the client's position in the demo: the same
# few people serve several clients, as at a real CMO.
CMO_PEOPLE = {
    TeamFunction.ACCOUNT: [
        ("Helena Marsh", "Key account manager"),
        ("Tomas Lind", "Key account manager"),
    ],
    TeamFunction.PROJECT: [("Priya Raman", "Project manager"), ("Jonas Weber", "Project manager")],
    TeamFunction.SUPPLY_CHAIN: [("Lea Fontaine", "Customer supply planner")],
    TeamFunction.MANUFACTURING: [
        ("Marco Bianchi", "Production manager, Lyon"),
        ("Aoife Byrne", "Production manager, Cork"),
    ],
    TeamFunction.QUALITY: [("Sofia Keller", "QA manager"), ("Daniel Okafor", "QA manager")],
    TeamFunction.TECHNICAL: [("Nina Petrova", "Technical services lead")],
}
# The client's side: (function, title); the names come from CLIENT_NAMES by position.
CLIENT_ROLES = [
    (TeamFunction.ACCOUNT, "External manufacturing lead"),
    (TeamFunction.PROJECT, "Alliance manager"),
    (TeamFunction.SUPPLY_CHAIN, "Supply planner"),
    (TeamFunction.QUALITY, "External quality manager"),
    (TeamFunction.TECHNICAL, "MSAT scientist"),
]
CLIENT_NAMES = [
    "Avery Collins",
    "Ben Hargreaves",
    "Chloe Dubois",
    "David Brandt",
    "Eva Lindqvist",
    "Felix Moreau",
    "Grace Okoye",
    "Hugo Jansen",
    "Ines Duarte",
    "Jakob Meier",
    "Kira Novak",
    "Liam O'Neill",
    "Maya Rossi",
    "Noah Fischer",
    "Olivia Berg",
]


def build_teams(clients: list[Client], admin) -> None:
    """A team for every client without one (nothing when it already has people)."""
    planner = get_user_model().objects.filter(username="planner").first()
    for index, client in enumerate(clients):
        if TeamMember.objects.filter(client=client).exists():
            continue
        slug = client.code.lower()
        for number, (function, people) in enumerate(CMO_PEOPLE.items()):
            name, title = people[index % len(people)]
            linked = planner if function == TeamFunction.SUPPLY_CHAIN else None
            add_team_member(
                client=client,
                side=TeamSide.CMO,
                function=function,
                name=name,
                title=title,
                email=_address(name, "cmo-tower.example"),
                phone=f"+44 20 7946 0{(number * 17 + index) % 100:02d}",
                linked_user=linked,
                user=admin,
                reason="demo",
            )
        for number, (function, title) in enumerate(CLIENT_ROLES):
            name = CLIENT_NAMES[(index * 2 + number) % len(CLIENT_NAMES)]
            members = {u.username: u for u in team_user_choices(client, TeamSide.CLIENT)}
            approver = members.get(f"{slug}-approver")
            add_team_member(
                client=client,
                side=TeamSide.CLIENT,
                function=function,
                name=name,
                title=title,
                email=_address(name, f"{slug}.example"),
                phone=f"+1 555 01{(index * 5 + number) % 100:02d}",
                # The client's approver account is their supply planner.
                linked_user=approver if function == TeamFunction.SUPPLY_CHAIN else None,
                user=admin,
                reason="demo",
            )
        # A deputy for supply chain on the CMO side: who answers when the planner is away.
        add_team_member(
            client=client,
            side=TeamSide.CMO,
            function=TeamFunction.SUPPLY_CHAIN,
            name="Omar Haddad",
            title="Deputy customer supply planner",
            email=_address("Omar Haddad", "cmo-tower.example"),
            phone="+44 20 7946 0999",
            deputy=True,
            user=admin,
            reason="demo",
        )


def _address(name: str, domain: str) -> str:
    local = ".".join(part.lower().replace("'", "") for part in name.split())
    return f"{local}@{domain}"
