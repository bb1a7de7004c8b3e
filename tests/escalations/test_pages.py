"""Escalation pages: the matrix and triggers on the agreement page, the list with its filters and
empty state, the detail with its clock and snapshot, the forms of either side, opening by hand,
and the fragment other pages load."""

from __future__ import annotations

import pytest

from tower.agreements.models import EscalationLevel, EscalationTrigger
from tower.communications.models import LogEntry
from tower.escalations import services
from tower.escalations.models import Escalation

from .conftest import berlin

pytestmark = pytest.mark.django_db


def test_admins_edit_the_matrix_and_triggers_on_the_agreement_page(ew, client):
    client.force_login(ew.admin)
    page = client.get("/agreements/ACME/").content.decode()
    assert 'id="escalation-matrix-form"' in page and "Ann Planner" in page
    response = client.post(
        "/agreements/ACME/escalation-levels/",
        {
            "level1_cmo_role": "Planner",
            "level1_client_role": "Buyer",
            "level1_response_hours": "6",
            "level1_site": "EU1",
            "reason": "workshop",
        },
    )
    assert response.status_code == 302
    (level,) = EscalationLevel.objects.filter(client=ew.acme)
    assert (level.cmo_role, str(level.response_hours), level.site) == ("Planner", "6.00", ew.site)
    bad = client.post(
        "/agreements/ACME/escalation-levels/",
        {"level1_cmo_role": "Planner", "level1_response_hours": "6"},
        follow=True,
    )
    assert "name the client person or role" in bad.content.decode()
    client.post(
        "/agreements/ACME/escalation-triggers/",
        {"enabled_line_late": "on", "threshold_line_late": "5"},
    )
    trigger = EscalationTrigger.objects.get(client=ew.acme, kind="line_late")
    assert trigger.enabled and trigger.threshold == 5
    bad = client.post(
        "/agreements/ACME/escalation-triggers/", {"threshold_line_late": "x"}, follow=True
    )
    assert "whole number" in bad.content.decode()


def test_client_users_read_the_matrix_but_cannot_change_it(ew, client):
    client.force_login(ew.viewer)
    page = client.get("/agreements/ACME/").content.decode()
    assert "Bob Buyer" in page and 'id="escalation-matrix-form"' not in page
    response = client.post(
        "/agreements/ACME/escalation-levels/",
        {"level1_cmo_role": "x", "level1_client_role": "y", "level1_response_hours": "1"},
    )
    assert response.status_code == 403


def test_the_list_filters_sorts_and_says_when_empty(ew, client):
    client.force_login(ew.staff)
    assert "No open escalation" in client.get("/escalations/").content.decode()
    e = services.open_by_hand(client=ew.acme, title="Call us", text="", user=ew.viewer)
    page = client.get("/escalations/?sort=-opened").content.decode()
    assert "Call us" in page
    assert "Call us" not in client.get("/escalations/?status=resolved").content.decode()
    assert "Call us" not in client.get("/escalations/?site=EU1").content.decode()
    assert client.get("/escalations/?client=GLOBEX").status_code == 404
    assert client.get("/escalations/?sort=bogus&page=x").status_code == 200
    fragment = client.get("/escalations/open.fragment?client=ACME").content.decode()
    assert f"/escalations/{e.pk}/" in fragment


def test_either_side_acknowledges_comments_and_resolves_from_the_page(ew, client):
    client.force_login(ew.staff)
    response = client.post(
        "/escalations/new/", {"client": "ACME", "title": "Urgent supply", "text": "Call"}
    )
    escalation = Escalation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/escalations/{escalation.pk}/"
    detail = client.get(f"/escalations/{escalation.pk}/").content.decode()
    assert 'id="snapshot-matrix"' in detail and "Ann Planner" in detail

    client.force_login(ew.viewer)
    client.post(f"/escalations/{escalation.pk}/acknowledge/", {"text": "Seen"})
    client.post(f"/escalations/{escalation.pk}/comment/", {"text": "We wait for news"})
    empty = client.post(f"/escalations/{escalation.pk}/resolve/", {"text": ""}, follow=True)
    assert "Write the resolution" in empty.content.decode()
    client.post(f"/escalations/{escalation.pk}/resolve/", {"text": "Delivered"})
    escalation.refresh_from_db()
    assert escalation.status == "resolved" and escalation.acknowledged_by_name == "viewer"
    log = client.get("/communications/").content.decode()
    assert "acknowledged at level 1: Seen" in log
    assert LogEntry.objects.filter(client=ew.acme, subject_type="escalation").count() == 4


def test_opening_by_hand_on_a_line_and_bad_input(ew, client):
    client.force_login(ew.viewer)
    line = ew.lines[0]
    line_page = client.get(f"/lines/{line.pk}/").content.decode()
    assert f'href="/escalations/new/?line={line.pk}"' in line_page  # "Escalate this line"
    assert client.get(f"/escalations/new/?line={line.pk}").status_code == 200
    response = client.post("/escalations/new/", {"client": "ACME", "title": "", "line": line.pk})
    assert response.status_code == 400
    response = client.post(
        "/escalations/new/", {"client": "ACME", "title": "Line late", "line": str(line.pk)}
    )
    assert response.status_code == 302
    again = client.post(
        "/escalations/new/", {"client": "ACME", "title": "Line late", "line": str(line.pk)}
    )
    assert again.status_code == 400 and "already open" in again.content.decode()
    assert client.get("/escalations/new/?line=abc").status_code == 404
    assert client.get(f"/escalations/new/?line={line.pk + 1000}").status_code == 404


def test_the_deadline_shows_in_the_site_time(ew, client):
    e = services.open_by_hand(
        client=ew.acme,
        title="x",
        text="",
        user=ew.viewer,
        line=ew.lines[0],
        now=berlin("2026-12-04 16:00"),
    )
    client.force_login(ew.viewer)
    page = client.get(f"/escalations/{e.pk}/").content.decode()
    assert "Mon 7 Dec 2026 11:00 (Europe/Berlin)" in page


def test_acknowledging_from_another_page_goes_back_there_never_off_site(ew, client):
    first = services.open_by_hand(client=ew.acme, title="a", text="", user=ew.viewer)
    second = services.open_by_hand(client=ew.acme, title="b", text="", user=ew.viewer)
    client.force_login(ew.staff)
    back = client.post(f"/escalations/{first.pk}/acknowledge/", {"next": "/escalations/?x=1"})
    assert back["Location"] == "/escalations/?x=1"
    away = client.post(f"/escalations/{second.pk}/acknowledge/", {"next": "https://evil.example/"})
    assert away["Location"] == f"/escalations/{second.pk}/"


def test_resolving_records_the_remedial_actions_agreed_in_the_register(ew, client):
    """The CMO resolves with one remedial action (the second row left empty): it goes to the
    register with its owner, due date and a link back. A half-filled row resolves nothing.
    Client users resolve without the action rows (the register is kept by the CMO)."""
    from tower.actions.models import Action

    client.force_login(ew.staff)
    client.post("/escalations/new/", {"client": "ACME", "title": "Urgent supply", "text": "Call"})
    escalation = Escalation.objects.get()
    page = client.get(f"/escalations/{escalation.pk}/").content.decode()
    assert 'id="remedial-actions"' in page

    half = client.post(
        f"/escalations/{escalation.pk}/resolve/",
        {"text": "Air freight booked", "remedial-0-title": "Book air freight"},
        follow=True,
    )
    assert "Not resolved: a remedial action is incomplete" in half.content.decode()
    escalation.refresh_from_db()
    assert escalation.status == "open" and not Action.objects.exists()

    client.post(
        f"/escalations/{escalation.pk}/resolve/",
        {
            "text": "Air freight booked",
            "remedial-0-title": "Add a second supplier for the API",
            "remedial-0-owner": "Procurement lead",
            "remedial-0-due_date": "2027-03-31",
            "remedial-1-title": "",
            "remedial-1-owner": "",
            "remedial-1-due_date": "",
        },
    )
    escalation.refresh_from_db()
    (action,) = Action.objects.filter(client=ew.acme)
    assert escalation.status == "resolved"
    assert (action.source, action.source_id, action.owner, str(action.due_date)) == (
        "escalation",
        escalation.pk,
        "Procurement lead",
        "2027-03-31",
    )
    assert action.source_url == f"/escalations/{escalation.pk}/"

    client.force_login(ew.viewer)
    client.post("/escalations/new/", {"client": "ACME", "title": "Second", "text": "Call"})
    second = Escalation.objects.get(status="open")
    assert 'id="remedial-actions"' not in client.get(f"/escalations/{second.pk}/").content.decode()
