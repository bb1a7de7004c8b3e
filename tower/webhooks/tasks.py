"""The worker's part of webhooks: the first attempt of each delivery as soon as it is queued,
and a sweep every minute for the retries whose back-off time has come (tower.webhooks.services).
The sweep also picks up a delivery whose worker died in the middle, once its claim has lapsed."""

from django.db import connection
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from tower.webhooks import services


# retries=0: the back-off is the delivery's own (services.BACKOFF), kept in the database.
@db_task(retries=0)
def deliver_webhook(delivery_id: int) -> None:
    try:
        services.attempt(delivery_id)
    finally:
        if not HUEY.immediate:
            connection.close()


@db_periodic_task(crontab(minute="*"))
def deliver_due_webhooks() -> None:
    services.deliver_due()
