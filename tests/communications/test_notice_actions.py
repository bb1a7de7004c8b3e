"""Remedial actions of a delay notice with an owner and a due date go to the actions register
(source "notice"), besides the notice's free text, and show on the notice's page."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.communications.conftest import send
from tests.communications.test_notices import form
from tower.actions.models import Action
from tower.actions.services import NewAction
from tower.communications.models import DelayNotice
from tower.workflow import WorkflowError

pytestmark = pytest.mark.django_db


def test_the_compose_page_adds_remedial_actions_to_the_register(world, client, open_lines):
    client.force_login(world.acme_staff)
    data = form(
        [open_lines[0]],
        **{
            "remedial-0-title": "Run the weekend shift",
            "remedial-0-owner": "Production",
            "remedial-0-due_date": "2027-02-06",
            "remedial-2-title": "Expedite the vials",
            "remedial-2-owner": "Purchasing",
        },
    )
    response = client.post("/communications/notices/new/", data)
    assert response.status_code == 302
    notice = DelayNotice.objects.exclude(pk=world.acme_notice.pk).get(client=world.acme)
    assert notice.remedial_actions == "Release by Friday"  # the free text stays
    actions = Action.objects.filter(source="notice", source_id=notice.pk).order_by("pk")
    assert [(a.title, a.owner, a.due_date, a.source_label, a.source_url) for a in actions] == [
        (
            "Run the weekend shift",
            "Production",
            dt.date(2027, 2, 6),
            f"Delay notice {notice.pk}",
            f"/communications/notices/{notice.pk}/",
        ),
        (
            "Expedite the vials",
            "Purchasing",
            None,
            f"Delay notice {notice.pk}",
            f"/communications/notices/{notice.pk}/",
        ),
    ]
    # The client reads them on the notice, with the register's links.
    client.force_login(world.acme_viewer)
    page = client.get(f"/communications/notices/{notice.pk}/").content.decode()
    assert "Run the weekend shift" in page and f"/actions/{actions[0].pk}/" in page


def test_a_half_filled_action_row_sends_nothing(world, client, open_lines):
    client.force_login(world.acme_staff)
    data = form([open_lines[0]], **{"remedial-0-title": "No owner given"})
    response = client.post("/communications/notices/new/", data)
    assert response.status_code == 200  # the form again, with the row's error
    assert "This field is required." in response.content.decode()
    assert DelayNotice.objects.filter(client=world.acme).count() == 1  # the world's own
    assert not Action.objects.filter(source="notice").exists()


def test_the_service_refuses_a_bad_action_and_sends_no_notice(world, open_lines):
    with pytest.raises(WorkflowError, match="who does it"):
        send(world, [open_lines[0]], actions_agreed=[NewAction("Fix it", "")])
    assert DelayNotice.objects.filter(client=world.acme).count() == 1
