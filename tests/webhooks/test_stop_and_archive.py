"""Switching an endpoint off or archiving it stops what is already queued for it: against the
real local HTTP receiver (tests/webhooks/conftest.py) on a controlled clock, nothing more is
posted, and each delivery stopped stays in the log, cancelled with its reason. Archiving (not
deleting: the deliveries keep their endpoint) is audited and isolated per client."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import Role, make_user
from tower.webhooks import services
from tower.webhooks.models import Delivery, DeliveryAttempt, Endpoint, Format
from tower.webhooks.services import add_endpoint, deliver_due, notify
from tower.workflow import NotAllowed, WorkflowError

T0 = dt.datetime(2030, 1, 7, 9, 0, tzinfo=dt.UTC)  # after the real clock: nothing is due early
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(acme):
    return make_user("anna", acme, Role.CMO_STAFF)


def hook(client, user, url, name="Integration") -> Endpoint:
    return add_endpoint(client=client, name=name, url=url, fmt=Format.JSON, user=user)[0]


def switch_off(endpoint: Endpoint, user) -> None:
    services.update_endpoint(
        endpoint=endpoint,
        name=endpoint.name,
        url=None,
        fmt=endpoint.format,
        active=False,
        user=user,
    )


def test_a_switched_off_endpoint_gets_no_queued_retry(acme, staff, receiver):
    endpoint = hook(acme, staff, receiver.url())
    receiver.answers = [500]
    [retried] = notify(acme, "escalation.opened", {"title": "first"}, now=T0)
    [waiting] = notify(acme, "escalation.level_changed", {"title": "second"}, now=T0 + MINUTE)
    assert deliver_due(now=T0) == 1  # the first fails once: its retry is due at T0 + 1 min
    retried.refresh_from_db()
    assert retried.status == "pending" and retried.next_attempt_at == T0 + MINUTE
    assert len(receiver.requests) == 1

    switch_off(endpoint, staff)

    # The retry's minute, and a day later: nothing is posted to the receiver.
    assert deliver_due(now=T0 + MINUTE) == 0
    assert deliver_due(now=T0 + dt.timedelta(days=1)) == 0
    assert len(receiver.requests) == 1
    for delivery in (retried, waiting):
        delivery.refresh_from_db()
        assert delivery.status == Delivery.Status.CANCELLED
        assert delivery.next_attempt_at is None
        assert "the endpoint was switched off by anna" in delivery.cancel_reason
    # Kept, not deleted: the first attempt stays in the log.
    assert DeliveryAttempt.objects.filter(delivery=retried).count() == 1
    # New events are not queued for it.
    assert notify(acme, "escalation.opened", {"title": "third"}, now=T0) == []
    # The history records who switched it off.
    last = endpoint.history.order_by("-history_id").first()
    assert (last.history_user, last.history_change_reason, last.active) == (
        staff,
        "switched off",
        False,
    )


def test_a_claimed_retry_of_an_endpoint_switched_off_meanwhile_is_cancelled_not_sent(
    acme, staff, receiver
):
    """The worker re-reads the endpoint when it takes a delivery: one switched off after the
    delivery was queued (here by a write that bypassed the service) is not posted to."""
    endpoint = hook(acme, staff, receiver.url())
    [delivery] = notify(acme, "escalation.opened", {"title": "x"}, now=T0)
    Endpoint.objects.filter(pk=endpoint.pk).update(active=False)
    assert services.attempt(delivery.pk, now=T0).status == Delivery.Status.CANCELLED
    assert receiver.requests == []
    delivery.refresh_from_db()
    assert delivery.cancel_reason.endswith("the endpoint is switched off.")
    # A test still goes to an endpoint that is off (to try it before use).
    endpoint.refresh_from_db()
    test = services.send_test(endpoint=endpoint, user=staff, now=T0)
    assert deliver_due(now=T0) == 1
    test.refresh_from_db()
    assert test.status == Delivery.Status.DELIVERED and len(receiver.requests) == 1


def test_a_cancelled_delivery_goes_again_once_the_endpoint_is_on(acme, staff, receiver):
    endpoint = hook(acme, staff, receiver.url())
    [delivery] = notify(acme, "escalation.opened", {"title": "x"}, now=T0)
    switch_off(endpoint, staff)
    delivery.refresh_from_db()
    with pytest.raises(WorkflowError, match="switch it on"):
        services.send_again(delivery=delivery, user=staff)
    services.update_endpoint(
        endpoint=endpoint, name=endpoint.name, url=None, fmt="json", active=True, user=staff
    )
    services.send_again(delivery=delivery, user=staff, now=T0)
    assert deliver_due(now=T0) == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.cancel_reason == ""
    assert len(receiver.requests) == 1


def test_archiving_cancels_the_queue_wipes_the_secret_and_keeps_the_deliveries(
    acme, staff, receiver
):
    endpoint = hook(acme, staff, receiver.url())
    receiver.answers = [503]
    [delivery] = notify(acme, "escalation.opened", {"title": "x"}, now=T0)
    deliver_due(now=T0)
    services.archive_endpoint(endpoint=endpoint, user=staff, reason="channel retired")
    assert deliver_due(now=T0 + dt.timedelta(days=1)) == 0
    assert len(receiver.requests) == 1
    endpoint.refresh_from_db()
    assert endpoint.archived_at is not None and not endpoint.active and endpoint.secret == ""
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.CANCELLED and delivery.endpoint_id == endpoint.pk
    assert "archived by anna" in delivery.cancel_reason
    last = endpoint.history.order_by("-history_id").first()
    assert last.history_user == staff
    assert last.history_change_reason == "archived: channel retired"
    # Archived for good: no change, no test, no second archiving; its name is free again.
    with pytest.raises(WorkflowError, match="archived"):
        services.send_test(endpoint=endpoint, user=staff)
    with pytest.raises(WorkflowError, match="archived"):
        services.renew_secret(endpoint=endpoint, user=staff)
    with pytest.raises(WorkflowError, match="archived"):
        services.archive_endpoint(endpoint=endpoint, user=staff)
    again = hook(acme, staff, receiver.url(), name="Integration")
    assert again.pk != endpoint.pk


def test_only_the_cmo_archives(acme, staff, receiver):
    endpoint = hook(acme, staff, receiver.url())
    viewer = make_user("vera", acme, Role.CLIENT_VIEWER)
    with pytest.raises(NotAllowed):
        services.archive_endpoint(endpoint=endpoint, user=viewer)
    endpoint.refresh_from_db()
    assert endpoint.archived_at is None


def test_the_endpoint_page_archives_after_a_confirmation_per_client(
    client, acme, globex, staff, receiver
):
    endpoint = hook(acme, staff, receiver.url())
    receiver.answers = [500]
    notify(acme, "escalation.opened", {"title": "x"}, now=T0)
    other = hook(globex, make_user("gus", globex, Role.CMO_STAFF), receiver.url())
    client.force_login(staff)
    page = client.get(f"/agreements/ACME/webhooks/{endpoint.pk}/").content.decode()
    assert f'href="/agreements/ACME/webhooks/{endpoint.pk}/archive/"' in page
    confirm = client.get(f"/agreements/ACME/webhooks/{endpoint.pk}/archive/").content.decode()
    assert 'id="archive-form"' in confirm and "its 1 delivery still waiting" in confirm
    assert Endpoint.objects.get(pk=endpoint.pk).archived_at is None  # asking archives nothing
    # Another client's endpoint, through this client's address or its own: 404, untouched.
    for url in (
        f"/agreements/ACME/webhooks/{other.pk}/archive/",
        f"/agreements/GLOBEX/webhooks/{other.pk}/archive/",
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "x"}).status_code == 404
    assert Endpoint.objects.get(pk=other.pk).archived_at is None
    answer = client.post(
        f"/agreements/ACME/webhooks/{endpoint.pk}/archive/", {"reason": "moved to Teams"}
    )
    assert answer.status_code == 302
    assert Endpoint.objects.get(pk=endpoint.pk).archived_at is not None
    assert Delivery.objects.get(endpoint=endpoint).status == Delivery.Status.CANCELLED
    page = client.get(answer["Location"]).content.decode()
    assert "archived" in page and 'id="endpoint-form"' not in page and "moved to Teams" in page
    section = client.get("/agreements/ACME/webhooks/").content.decode()
    assert 'id="webhook-endpoints"' not in section and 'id="webhook-archived"' in section
    detail = client.get(f"/webhooks/{Delivery.objects.get(endpoint=endpoint).pk}/").content
    assert b'id="cancel-reason"' in detail and b"archived by anna" in detail
    # A client user reads the endpoint but cannot archive it.
    client.force_login(make_user("vera", acme, Role.CLIENT_VIEWER))
    other_acme = hook(acme, staff, receiver.url(), name="Second")
    confirm = client.get(f"/agreements/ACME/webhooks/{other_acme.pk}/archive/").content.decode()
    assert 'id="archive-read-only"' in confirm and 'id="archive-form"' not in confirm
    assert client.post(f"/agreements/ACME/webhooks/{other_acme.pk}/archive/").status_code == 403
    assert "Archive this endpoint" not in (
        client.get(f"/agreements/ACME/webhooks/{other_acme.pk}/").content.decode()
    )
