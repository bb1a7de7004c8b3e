"""The demo's teams: every client gets both sides of a counterpart matrix, through the audited
service, the demo's planner and client approvers linked to their sign-ins, and a second run
adds nobody."""

from __future__ import annotations

from tests.conftest import Role, make_user
from tower.agreements.models import TeamMember, TeamSide
from tower.agreements.queries import counterpart_matrix
from tower.demo.team import build_teams
from tower.tenancy.models import Client


def test_every_demo_client_gets_a_team_with_counterparts(db):
    clients = [
        Client.objects.create(code=code, name=f"{code.title()} Pharma")
        for code in ("ALPHA", "BOREAL", "CEDAR")
    ]
    admin = make_user("cmo-admin", admin=True)
    planner = make_user("planner")
    for client in clients:
        client.memberships.create(user=planner, role=Role.CMO_STAFF)
    approver = make_user("alpha-approver", clients[0], Role.CLIENT_APPROVER)
    make_user("boreal-approver")  # an account without a membership: not linked
    build_teams(clients, admin)
    build_teams(clients, admin)  # nothing added twice
    for client in clients:
        rows = counterpart_matrix(client)
        both = [r for r in rows if r.cmo and r.client]
        assert len(both) >= 5, client
        supply = next(r for r in rows if r.function == "supply_chain")
        assert [m.deputy for m in supply.cmo] == [False, True]
        assert supply.cmo[0].user == planner
    alpha_planner = TeamMember.objects.get(
        client=clients[0], side=TeamSide.CLIENT, function="supply_chain"
    )
    assert alpha_planner.user == approver
    assert not TeamMember.objects.filter(client=clients[1], side=TeamSide.CLIENT).exclude(user=None)
    assert TeamMember.history.filter(history_user=admin).count() == TeamMember.objects.count()
