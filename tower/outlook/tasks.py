"""The outlook app's jobs: the daily projection of every client (tower.jobs, `tower worker`)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tower.outlook.services import refresh_projection
from tower.tenancy.models import Client


# Every day after the outcomes' recompute (02:30): today's projected dates, so a milestone not
# done yesterday is projected today and the lines turn late or tight on the right day.
@db_periodic_task(crontab(hour="2", minute="45"))
def daily_projection() -> None:
    for client in Client.objects.order_by("code"):
        refresh_projection(client=client)
