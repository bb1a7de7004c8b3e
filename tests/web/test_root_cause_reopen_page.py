"""The line page's "Reopen" of an approved root cause: who is offered it, what it does, and that
both sides see the correction and its reason in the history (tests/web/conftest.py's world:
ACME-SO-1003 is short, its cause approved by the client)."""

from __future__ import annotations

import pytest

from tower.performance.models import RootCause, RootCauseStatus

REASON = "Carrier records show the shortage was ours"


def page(client, world) -> str:
    response = client.get(f"/lines/{world.acme_short.pk}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("who", ["admin", "acme_approver"])
def test_a_cmo_admin_or_the_client_approver_reopens_on_the_line_page(world, client, who):
    client.force_login(getattr(world, who))
    assert 'id="reopen-form"' in page(client, world)
    response = client.post(f"/lines/{world.acme_short.pk}/reopen/", {"reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == f"/lines/{world.acme_short.pk}/"
    cause = RootCause.objects.get(line=world.acme_short)
    assert cause.status == RootCauseStatus.PROPOSED and cause.reopen_reason == REASON
    after = client.get(response["Location"]).content.decode()
    assert "Root cause reopened" in after
    assert 'id="reopen-form"' not in after  # proposed now: nothing to reopen


def test_both_sides_see_the_reopen_and_its_reason(world, client):
    client.force_login(world.admin)
    client.post(f"/lines/{world.acme_short.pk}/reopen/", {"reason": REASON})
    for who in ("admin", "acme_viewer", "acme_staff"):
        client.force_login(getattr(world, who))
        body = page(client, world)
        reopened = body.split('id="reopened"', 1)[1].split("</dd>", 1)[0]
        assert "by boss" in reopened and REASON in reopened
        history = body.split('id="cause-history"', 1)[1].split("</table>", 1)[0]
        row = history.split("<tr>")[2]  # the newest entry, after the header row
        assert "reopened" in row and REASON in row and "proposed" in row


@pytest.mark.parametrize("who", ["acme_staff", "acme_viewer"])
def test_others_are_not_offered_the_reopen_and_are_refused(world, client, who):
    client.force_login(getattr(world, who))
    assert 'id="reopen-form"' not in page(client, world)
    response = client.post(f"/lines/{world.acme_short.pk}/reopen/", {"reason": REASON})
    assert response.status_code == 403
    assert RootCause.objects.get(line=world.acme_short).status == RootCauseStatus.APPROVED


def test_a_reopen_without_a_reason_is_refused_with_a_message(world, client):
    client.force_login(world.acme_approver)
    response = client.post(f"/lines/{world.acme_short.pk}/reopen/", {"reason": " "}, follow=True)
    assert "Give the reason for reopening" in response.content.decode()
    assert RootCause.objects.get(line=world.acme_short).status == RootCauseStatus.APPROVED
