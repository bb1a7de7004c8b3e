"""The demo's webhook endpoints: one per client, pointing at a local address and switched off,
so the demo never posts anything over the network (tower.webhooks). Turn one on, and point it
at a receiver of your own, on the client's agreement page to try webhooks.

127.0.0.1 is a private address, which the tower refuses unless TOWER_WEBHOOK_ALLOW_PRIVATE is
set; the demo (the operator, on the server) saves it with that setting on for this step only.
Posting is checked again at connection time, so an endpoint turned on later still posts to it
only where the setting allows private addresses.
"""

from __future__ import annotations

from django.test import override_settings

from tower.tenancy.models import Client
from tower.webhooks.models import Endpoint, Format
from tower.webhooks.services import add_endpoint

DEMO_ENDPOINT = "Demo receiver (off)"
DEMO_URL = "http://127.0.0.1:9/tower-demo"  # the discard port: nothing answers there


def build_webhooks(clients: list[Client], admin) -> None:
    """One inactive endpoint per client that has none."""
    with override_settings(TOWER_WEBHOOK_ALLOW_PRIVATE=True):
        for index, client in enumerate(clients):
            if Endpoint.objects.filter(client=client).exists():
                continue
            add_endpoint(
                client=client,
                name=DEMO_ENDPOINT,
                url=DEMO_URL,
                fmt=(Format.TEAMS, Format.SLACK, Format.JSON)[index % 3],
                active=False,
                user=admin,
            )
