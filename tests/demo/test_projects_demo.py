"""The demo's projects and registers: every colour, an overdue review, three healths."""

import datetime as dt

from django.contrib.auth import get_user_model

from tower.demo.projects import build_projects
from tower.engine.projects import project_health
from tower.projects.models import ChangeRequest, Project
from tower.risks.models import Risk
from tower.tenancy.models import Client, Membership, Role

TODAY = dt.date(2026, 6, 15)


def test_the_demo_projects_show_every_colour(db):
    users = get_user_model().objects
    planner = users.create_user("planner")
    clients = [Client.objects.create(code=c, name=c) for c in ("ALPHA", "BETA", "GAMMA")]
    for client in clients:
        Membership.objects.create(user=planner, client=client, role=Role.CMO_STAFF)
    for client in clients[:2]:
        approver = users.create_user(f"{client.code.lower()}-approver")
        Membership.objects.create(user=approver, client=client, role=Role.CLIENT_APPROVER)
    build_projects(clients, today=TODAY)
    build_projects(clients, today=TODAY)  # reused: nothing doubled
    assert Project.objects.count() == 3
    first = Risk.objects.filter(client=clients[0])
    assert sorted(first.values_list("colour", flat=True)) == ["", "grey", "red", "yellow", "yellow"]
    overdue = [r for r in first if r.next_review_on < TODAY]
    assert [r.title for r in overdue] == ["Cleaning validation for the shared equipment"]
    assert ChangeRequest.objects.filter(client=clients[0], status="approved").count() == 1
    healths = {
        p.client.code: project_health(p.phases.all(), p.open_red_risks, TODAY)
        for p in Project.objects.select_related("client")
    }
    assert healths == {"ALPHA": "red", "BETA": "green", "GAMMA": "green"}
    assert set(Risk.objects.filter(client=clients[2]).values_list("colour", flat=True)) == {"grey"}
