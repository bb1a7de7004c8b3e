"""The escalation clock and triggers in the job worker (tower.jobs, `tower worker`)."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from tower.escalations.services import advance_clocks
from tower.escalations.triggers import evaluate_triggers


def run_clock(now=None) -> dict[str, int]:
    """One run of the worker: move the escalations whose level ran out (to the minute they ran
    out), then open those the triggers find. `now` is the run's clock (tests pass theirs)."""
    now = now or timezone.now()
    moved = advance_clocks(now=now)
    opened = len(evaluate_triggers(now=now))
    return {"moved": moved, "opened": opened}


# Every minute: a level runs out at a minute of its calendar, and its next level is told then.
@db_periodic_task(crontab(minute="*"))
def escalation_clock() -> None:
    run_clock()


# After data changes (an import, a stock-out reported): this client's triggers at once.
@db_task(retries=0)
def evaluate_client_triggers(client_id: int) -> None:
    try:
        evaluate_triggers(now=timezone.now(), client_ids=[client_id])
    finally:
        if not HUEY.immediate:
            connection.close()


def after_data_change(client_id: int) -> None:
    """Evaluate the client's triggers in the worker once the current transaction commits."""
    from tower.jobs import services as jobs

    jobs.on_commit(lambda: evaluate_client_triggers(client_id))
