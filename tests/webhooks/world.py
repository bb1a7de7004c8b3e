"""A client's webhook endpoint and a failed delivery to it, made on first use (the isolation
walk). The endpoint points at the discard port of 127.0.0.1, which the tower refuses to post to
unless TOWER_WEBHOOK_ALLOW_PRIVATE is on: a walk that sends a test posts nothing anywhere."""

from __future__ import annotations

from django.utils import timezone

from tower.webhooks.models import Delivery, Endpoint


def webhook_endpoint(client) -> Endpoint:
    endpoint, _ = Endpoint.objects.get_or_create(
        client=client,
        name=f"{client.name} hook",
        defaults={"url": f"http://127.0.0.1:9/{client.code.lower()}", "secret": "whsec_world"},
    )
    return endpoint


def webhook_delivery(client) -> Delivery:
    delivery = Delivery.objects.filter(client=client).order_by("pk").first()
    if delivery is None:
        delivery = Delivery.objects.create(
            client=client,
            endpoint=webhook_endpoint(client),
            event="escalation.opened",
            body=f'{{"title": "{client.name}"}}',
            status=Delivery.Status.FAILED,
            attempts=5,
            created_at=timezone.now(),
        )
    return delivery
