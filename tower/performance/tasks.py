"""The performance app's jobs (tower.jobs): work too long for a request, run by `tower worker`.

Each handler re-reads what it acts on inside the job's client (a job names ids, never trusts
them) and calls the same service as the command line; the service checks the user's role.
"""

from __future__ import annotations

import datetime as dt

from django.http import QueryDict
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tower.jobs.models import Job
from tower.jobs.services import Outcome, Report, handler, result_path
from tower.orders.models import OrderLine
from tower.performance import exports
from tower.performance.services import (
    close_month,
    propose_root_causes,
    refresh_outcomes,
    set_line_exclusion,
)
from tower.tenancy.models import Client


@handler("exclusion")
def exclude_line(job: Job, report: Report) -> Outcome:
    line = OrderLine.objects.select_related("client", "order").get(
        client=job.client, pk=job.params["line"]
    )
    reason = job.params["reason"]
    report(10, f"Re-evaluating every line of {job.client.name}")
    set_line_exclusion(line=line, reason=reason, user=job.user)
    return Outcome(
        f"Line {line.order.number}/{line.line_number} "
        + ("excluded from OTIF" if reason else "measured again")
        + f"; the figures of {job.client.name} are up to date."
    )


@handler("close_month")
def close(job: Job, report: Report) -> Outcome:
    report(10, "Bringing the outcomes up to date and freezing the month's figures")
    closed = close_month(
        client=job.client,
        period=dt.date.fromisoformat(job.params["period"]),
        user=job.user,
        note=job.params.get("note", ""),
    )
    return Outcome(
        f"{closed.period:%B %Y} is closed: its figures are frozen with definition "
        f"version {closed.definition_version}."
    )


@handler("propose_all")
def propose_all(job: Job, report: Report) -> Outcome:
    lines = job.params["lines"]
    report(10, f"Proposing the root cause for {len(lines)} lines")
    count = propose_root_causes(
        client=job.client,
        line_ids=lines,
        code=job.params["code"],
        comment=job.params["comment"],
        internal_note=job.params.get("internal_note", ""),
        user=job.user,
    )
    skipped = (
        f" {count.skipped_approved} already approved by the client were left as they are."
        if count.skipped_approved
        else ""
    )
    return Outcome(f"Root cause proposed for {count.proposed} lines.{skipped}")


@handler("export_lines")
def export_lines(job: Job, report: Report) -> Outcome:
    # The list's own filter reading, so the file holds exactly the lines the page showed.
    from tower.performance.views.lines import export_rows

    report(5, "Reading the lines")
    rows, figure_scope, internal = export_rows(QueryDict(job.params["query"]), job.user)
    frame = exports.lines_frame(rows, include_internal=internal)
    report(60, f"Writing {frame.height} lines to the workbook")
    path = result_path(job, ".xlsx")
    exports.write_xlsx(frame, path)
    return Outcome(f"{frame.height} lines.", path, exports.file_name(figure_scope, "xlsx"))


# Every day, so that open lines turn overdue on the right day (as `tower recompute` from cron).
@db_periodic_task(crontab(hour="2", minute="30"))
def daily_recompute() -> None:
    for client in Client.objects.order_by("code"):
        refresh_outcomes(client=client, trigger="recompute")
