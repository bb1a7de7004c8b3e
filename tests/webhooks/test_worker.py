"""Webhooks through a REAL Huey consumer (worker threads on a SQLite queue file) and real
commits: the delivery notify() queues is posted by the worker once the caller's transaction
commits, and a rolled-back step posts nothing."""

from __future__ import annotations

import time

import pytest
from django.db import transaction
from huey.contrib.djhuey import HUEY

from tests.conftest import Role, make_user
from tower.jobs import services as job_services
from tower.tenancy.models import Client
from tower.webhooks.models import Delivery
from tower.webhooks.services import add_endpoint, notify, verify_signature

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker(tmp_path, settings, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setattr(job_services, "on_commit", transaction.on_commit)
    monkeypatch.setitem(HUEY.storage_kwargs, "filename", str(tmp_path / "queue.sqlite3"))
    HUEY.immediate = False
    consumer = HUEY.create_consumer(
        workers=2, worker_type="thread", periodic=False, check_worker_health=False
    )
    consumer.start()
    yield consumer
    consumer.stop(graceful=True)
    HUEY.immediate = True


def delivered(pk: int, seconds: float = 30) -> Delivery:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        delivery = Delivery.objects.get(pk=pk)
        if delivery.status != Delivery.Status.PENDING:
            return delivery
        time.sleep(0.1)
    raise AssertionError(f"delivery {pk} was not attempted")


def test_the_worker_posts_after_the_commit_and_nothing_after_a_rollback(receiver, worker):
    acme = Client.objects.create(code="ACME", name="Acme Pharma")
    staff = make_user("anna", acme, Role.CMO_STAFF)
    _, secret = add_endpoint(client=acme, name="Hook", url=receiver.url(), fmt="json", user=staff)
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(acme, "escalation.opened", {"title": "rolled back"})
        raise RuntimeError("the step failed after notifying")
    with transaction.atomic():
        [queued] = notify(acme, "escalation.opened", {"title": "committed"})
        time.sleep(0.3)
        assert receiver.requests == []  # not before the commit
    delivery = delivered(queued.pk)
    assert delivery.status == Delivery.Status.DELIVERED
    [got] = receiver.requests
    assert b"committed" in got.body
    assert verify_signature(
        secret, got.headers["X-Tower-Timestamp"], got.headers["X-Tower-Signature"], got.body
    )
    assert Delivery.objects.count() == 1
