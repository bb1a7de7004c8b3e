"""The Huey task that runs any job (tower.jobs.services.run). The work of each kind is in the
owning app's tasks.py, which the worker imports at start."""

from django.db import connection
from huey.contrib.djhuey import HUEY, db_task

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
