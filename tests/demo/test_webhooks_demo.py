"""The demo's webhook endpoints: one per client, at a local address and switched off, saved
through the service (audited) although private addresses are not allowed, so an event of the
demo queues nothing and the demo never posts over the network."""

from __future__ import annotations

from tests.conftest import make_user
from tower.demo.webhooks import DEMO_URL, build_webhooks
from tower.tenancy.models import Client
from tower.webhooks.models import Delivery, Endpoint
from tower.webhooks.services import notify


def test_every_demo_client_gets_one_endpoint_switched_off(db, settings):
    settings.TOWER_WEBHOOK_ALLOW_PRIVATE = False
    clients = [Client.objects.create(code=c, name=c.title()) for c in ("ALPHA", "BOREAL", "CEDAR")]
    admin = make_user("cmo-admin", admin=True)
    build_webhooks(clients, admin)
    build_webhooks(clients, admin)  # nothing added twice
    endpoints = list(Endpoint.objects.order_by("client__code"))
    assert [(e.client.code, e.url, e.active) for e in endpoints] == [
        (c.code, DEMO_URL, False) for c in clients
    ]
    assert {e.format for e in endpoints} == {"teams", "slack", "json"}
    assert all(e.secret.startswith("whsec_") for e in endpoints)
    assert Endpoint.history.filter(history_user=admin).count() == 3
    assert notify(clients[0], "escalation.opened", {"title": "demo"}) == []
    assert not Delivery.objects.exists()
