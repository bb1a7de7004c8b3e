"""The outlook app's jobs (tower.jobs, `tower worker`): the daily projection of every client,
and the projection of one client again after a change made below this app (an exclusion, a new
OTIF definition, a stock count on the stock page, `tower recompute`), queued by those services
with tower.jobs.services.queue_refresh(kind=PROJECT_OPEN_LINES)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tower.jobs.models import Job
from tower.jobs.services import PROJECT_OPEN_LINES, Outcome, Report, handler
from tower.outlook.services import refresh_projection
from tower.tenancy.models import Client


# Every day after the outcomes' recompute (02:30): today's projected dates, so a milestone not
# done yesterday is projected today and the lines turn late or tight on the right day.
@db_periodic_task(crontab(hour="2", minute="45"))
def daily_projection() -> None:
    for client in Client.objects.order_by("code"):
        refresh_projection(client=client)


@handler(PROJECT_OPEN_LINES)
def project_open_lines(job: Job, report: Report) -> Outcome:
    report(10, "Projecting the open lines")
    done = refresh_projection(client=job.client)
    return Outcome(
        f"{done.client}: {done.open_lines} open lines projected as of {done.as_of:%Y-%m-%d}, "
        f"{done.at_risk} at risk."
    )
