"""Notice e-mail through a real SMTP server (aiosmtpd on a local port), sent by the job worker's
task after the request's commit; a refused or unreachable server is recorded, logged for the
CMO and visible on the notice, and the CMO sends it again."""

from __future__ import annotations

import pytest

from tests.communications.conftest import send
from tests.security.test_password_reset import free_port, inbox  # noqa: F401 (the fixture)
from tower.agreements.models import TeamMember
from tower.communications import services
from tower.communications.models import LogEntry, Mail, NoticeRecipient

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacts(world):
    world.acme_viewer.email = "viewer@acme.example"
    world.acme_viewer.save()
    world.acme_staff.email = "staff@cmo.example"  # CMO staff: not a client contact
    world.acme_staff.save()
    world.globex_viewer.email = "viewer@globex.example"
    world.globex_viewer.save()
    NoticeRecipient.objects.create(client=world.acme, email="supply@acme.example", name="Supply")
    # The service agreement's team: the client's counterparts receive notices (the viewer's
    # address once), the CMO's own people do not.
    for side, email in (
        ("client", "planner@acme.example"),
        ("client", "Viewer@acme.example"),
        ("cmo", "kam@cmo.example"),
    ):
        TeamMember.objects.create(
            client=world.acme, side=side, function="supply_chain", name=email, email=email
        )
    return ["planner@acme.example", "supply@acme.example", "viewer@acme.example"]


def test_the_notice_is_mailed_to_the_clients_contacts_through_smtp(
    world,
    client,
    open_lines,
    contacts,
    inbox,  # noqa: F811
):
    assert services.recipients(world.acme) == contacts
    client.force_login(world.acme_staff)
    response = client.post(
        "/communications/notices/new/",
        {
            "lines": str(open_lines[0].pk),
            "widen": "lines",
            "expected_date": "2027-02-10",
            "cause": "The batch is held in QC for a retest",
            "remedial_actions": "Retest on the second shift",
            "cmo_contact": "Ann Planner, +41 61 000 00 00",
            "internal_note": "SECRET-LAB-NOTE",
        },
        follow=True,
    )
    assert "e-mail to 3 contacts is sent" in response.content.decode()
    (message,) = inbox.messages
    assert message["X-Envelope-To"] == ", ".join(contacts)
    assert message["From"] == "tower@cmo.example"
    assert message["Subject"].startswith("Delay notice ")
    body = message.get_payload(decode=True).decode()
    assert "The batch is held in QC for a retest" in body and "2027-02-10" in body
    assert "ACME-SO-2001, line 1" in body and "/communications/notices/" in body
    assert "SECRET-LAB-NOTE" not in body
    mail = Mail.objects.get(client=world.acme, status="sent")
    assert mail.attempts == 1 and mail.sent_at is not None
    sent = LogEntry.objects.get(client=world.acme, kind="mail_sent")
    assert "viewer@acme.example" in sent.summary and not sent.internal


def test_a_failed_mail_is_recorded_visible_and_sent_again(
    world,
    client,
    open_lines,
    contacts,
    settings,
    inbox,  # noqa: F811
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    good_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nobody listens there
    notice = send(world, [open_lines[0]])
    mail = Mail.objects.get(notice=notice)
    assert mail.status == "failed" and "ConnectionRefusedError" in mail.error
    failed = LogEntry.objects.get(client=world.acme, kind="mail_failed", subject_id=notice.pk)
    assert failed.internal  # for the CMO only
    client.force_login(world.acme_staff)
    page = client.get(f"/communications/notices/{notice.pk}/").content.decode()
    assert "Failed" in page and "ConnectionRefusedError" in page
    client.force_login(world.acme_viewer)
    assert (
        "ConnectionRefusedError"
        not in client.get(f"/communications/notices/{notice.pk}/").content.decode()
    )
    seen = client.get("/communications/").context["page_obj"]
    assert "mail_failed" not in [entry.kind for entry in seen]
    # Fixed: the CMO sends it again from the notice page.
    settings.EMAIL_PORT = good_port
    client.force_login(world.acme_staff)
    client.post(f"/communications/notices/{notice.pk}/mail/")
    assert Mail.objects.filter(notice=notice, status="sent").count() == 1
    assert len(inbox.messages) == 1
    client.force_login(world.acme_viewer)
    assert client.post(f"/communications/notices/{notice.pk}/mail/").status_code == 403


def test_the_mail_leaves_only_after_the_request_commits(world, open_lines, contacts, monkeypatch):
    """Sending queues the mail with tower.jobs' on_commit: a rolled-back send queues nothing."""
    from django.db import transaction

    from tower.jobs import services as jobs

    queued = []
    monkeypatch.setattr(jobs, "on_commit", queued.append)
    with transaction.atomic():
        send(world, [open_lines[0]])
        transaction.set_rollback(True)
    assert len(queued) == 1  # registered on commit, not run in the request
    assert not Mail.objects.filter(status="sent").exists()
