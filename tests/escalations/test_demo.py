"""The demo's escalations: a calendar per site, a matrix per client, open (one moved up by the
clock, one acknowledged) and resolved escalations, all in the communication log."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tower.agreements.models import EscalationLevel
from tower.calendars.models import SiteCalendar
from tower.communications.models import LogEntry
from tower.demo.escalations import build_escalations
from tower.escalations.models import Escalation
from tower.masterdata.models import Site
from tower.tenancy.models import Membership, Role

pytestmark = pytest.mark.django_db


def test_the_demo_has_calendars_matrices_and_open_and_closed_escalations(ew):
    Site.objects.filter(code="EU1").update(country="IE")
    users = get_user_model().objects
    planner = users.create_user("planner")
    for client in (ew.acme, ew.globex):
        Membership.objects.create(user=planner, client=client, role=Role.CMO_STAFF)
        for suffix, role in (("viewer", Role.CLIENT_VIEWER), ("approver", Role.CLIENT_APPROVER)):
            user = users.create_user(f"{client.code.lower()}-{suffix}")
            Membership.objects.create(user=user, client=client, role=role)
    build_escalations([ew.acme, ew.globex])
    assert SiteCalendar.objects.get(site__code="EU1").time_zone == "Europe/Dublin"
    assert EscalationLevel.objects.filter(client=ew.globex).count() == 3
    acme = Escalation.objects.filter(client=ew.acme)
    assert acme.filter(status="resolved").count() == 1
    assert acme.filter(status="open", acknowledged_at__isnull=False).count() == 1
    assert acme.filter(status="open", acknowledged_at__isnull=True, level__gt=1).count() == 1
    assert LogEntry.objects.filter(client=ew.acme, kind="escalation_escalated").exists()
