"""The Huey task that runs any job (tower.jobs.services.run). The work of each kind is in the
owning app's tasks.py, which the worker imports at start."""

import logging

from django.db import connection
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from tower.jobs import services


# retries=0: a job whose work failed is reported to its user, who decides whether to ask again.
@db_task(retries=0)
def run_job(job_id: int) -> None:
    try:
        services.run(job_id)
    finally:
        # Jobs are long and few: a worker thread does not keep an idle connection between them
        # (PostgreSQL counts each against max_connections). Immediate mode runs in the request.
        if not HUEY.immediate:
            connection.close()


# Every night: downloads older than JOB_FILES_DAYS are deleted (tower.jobs.services).
@db_periodic_task(crontab(hour="3", minute="15"))
def expire_job_files() -> None:
    deleted = services.expire_results()
    logging.getLogger(__name__).info("deleted %s expired job files", deleted)
