"""Submitting jobs and running them: the part of the worker every app shares.

Apps register what a kind of job does with `@handler("kind")` in their own `tasks.py`; a view
calls `submit`, which records the Job and queues it when the request's transaction commits (a
rolled-back request queues nothing, and the worker never looks for a row not yet committed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from tower.jobs.models import UNFINISHED, Job, JobStatus
from tower.tenancy.models import Client
from tower.workflow import BUSY_MESSAGE, is_database_busy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What a finished job tells its user, and the file it made (if any)."""

    message: str
    file: Path | None = None
    name: str = ""  # the download's file name


# report(percent, what it is doing now)
Report = Callable[[int, str], None]
Handler = Callable[[Job, Report], Outcome]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register what a kind of job does (used in the apps' tasks.py)."""

    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


class JobLimit(Exception):
    """The user already has as many unfinished jobs as one user may (JOBS_PER_USER)."""


def submit(
    *,
    kind: str,
    client: Client,
    user,
    title: str,
    params: dict | None = None,
    back_url: str = "",
) -> Job:
    """Record a job and queue it on commit; an identical unfinished job is returned instead.

    Identical means same client, kind and parameters: put the user in `params` when the result
    is personal (a download shows what its user may see). Raises JobLimit when the user already
    has JOBS_PER_USER unfinished jobs, so that one user cannot fill the worker's queue.
    """
    params = params or {}
    key = hashlib.sha256(json.dumps([kind, params], sort_keys=True).encode()).hexdigest()
    with transaction.atomic():
        same = Job.objects.filter(client=client, key=key, status__in=UNFINISHED).first()
        if same is not None:
            return same
        waiting = Job.objects.filter(user=user, status__in=UNFINISHED).count() if user else 0
        if waiting >= settings.JOBS_PER_USER:
            raise JobLimit(
                f"You already have {waiting} jobs waiting or running; start this one when one "
                "of them has finished."
            )
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    client=client,
                    user=user if getattr(user, "pk", None) else None,
                    kind=kind,
                    title=title,
                    key=key,
                    params=params,
                    back_url=back_url,
                )
        except IntegrityError:
            # The same request at the same moment from another process: share its job.
            return Job.objects.get(client=client, key=key, status__in=UNFINISHED)
        on_commit(lambda: _enqueue(job.pk))
    return job


# Derived data refreshed by a higher app's handler after a change made in a lower one: the
# services that change what it reads queue it by kind (kinds registered in the apps' tasks.py).
PROJECT_OPEN_LINES = "project_open_lines"  # tower.outlook.tasks: the early warning


def queue_refresh(*, kind: str, client: Client, because: str) -> Job:
    """Queue a system job (no user) that refreshes `client`'s derived data of `kind`, once:
    a refresh already waiting will read this change too, so it is returned instead. One that
    is already running may have read its inputs before the change, so another is queued."""
    with transaction.atomic():
        waiting = Job.objects.filter(
            client=client, kind=kind, user=None, status=JobStatus.QUEUED
        ).first()
        if waiting is not None:
            return waiting
        job = Job.objects.create(
            client=client,
            user=None,
            kind=kind,
            title=f"Refresh after {because}"[:200],
            key=uuid.uuid4().hex,  # never shared with the one running
        )
        on_commit(lambda: _enqueue(job.pk))
    return job


def on_commit(queue) -> None:
    """Queue after the request's transaction commits: the worker must find the Job row, and a
    rolled-back request must queue nothing."""
    transaction.on_commit(queue)


def _enqueue(job_id: int) -> None:
    from tower.jobs.tasks import run_job

    run_job(job_id)


def run(job_id: int) -> None:
    """Run one queued job (the worker's task): claim it, run its handler, record the outcome."""
    claimed = _patiently(
        lambda: Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started_at=timezone.now(), step="Starting"
        )
    )
    if not claimed:
        return  # already run: a duplicate delivery of the task
    job = Job.objects.select_related("client", "user").get(pk=job_id)

    def report(percent: int, step: str) -> None:
        try:
            Job.objects.filter(pk=job_id).update(progress=max(0, min(100, percent)), step=step)
        except OperationalError as exc:
            # Progress is only shown: a busy database must not fail the work itself.
            if not is_database_busy(exc):
                raise

    try:
        outcome = HANDLERS[job.kind](job, report)
    except ValueError as exc:
        # The services' refusals (WorkflowError, DefinitionError, ...) are ValueErrors whose
        # message is written for the user.
        _finish(job_id, JobStatus.FAILED, message=str(exc))
    except OperationalError as exc:
        if not is_database_busy(exc):
            raise
        _finish(job_id, JobStatus.FAILED, message=BUSY_MESSAGE)
    except Exception as exc:
        log.exception("job %s (%s) failed", job_id, job.kind)
        _finish(
            job_id,
            JobStatus.FAILED,
            message="The job stopped on an unexpected error; nothing of it was saved. "
            "The administrators can find the cause in the worker's log.",
            error=repr(exc)[:2000],
        )
    else:
        _finish(
            job_id,
            JobStatus.DONE,
            message=outcome.message,
            result_file=outcome.file.name if outcome.file else "",
            result_name=outcome.name,
        )


def _finish(job_id: int, status: str, **fields) -> None:
    _patiently(
        lambda: Job.objects.filter(pk=job_id).update(
            status=status, finished_at=timezone.now(), progress=100, step="", **fields
        )
    )


# How long the worker waits, beyond SQLite's own busy timeout, to record that a job started or
# ended: a long import may hold the database's one write lock for minutes, and a job whose
# claim or outcome is lost would show "queued" or "running" to its user for ever.
BUSY_WAITS = (1, 2, 4, 8, 15, 30, 60)


def _patiently(write: Callable[[], int]) -> int:
    for wait in BUSY_WAITS:
        try:
            return write()
        except OperationalError as exc:
            if not is_database_busy(exc):
                raise
            log.warning("the database is busy; recording the job again in %s s", wait)
            time.sleep(wait)
    return write()


def result_path(job: Job, suffix: str) -> Path:
    """Where a job writes its result file (in JOBS_DIR, a name nobody can guess)."""
    directory = Path(settings.JOBS_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"{job.pk}-{uuid.uuid4().hex}{suffix}"


def expire_results(now=None) -> int:
    """Delete the download files of jobs finished more than JOB_FILES_DAYS ago (exports hold
    a client's data; the folder must not grow for ever). The job keeps its file name, so its
    page says the file was deleted. Returns how many files were deleted."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.JOB_FILES_DAYS)
    expired = Job.objects.filter(finished_at__lt=cutoff).exclude(result_file="")
    deleted = 0
    for job in expired.only("pk", "result_file").iterator():
        path = Path(settings.JOBS_DIR) / job.result_file
        if path.is_file():
            path.unlink()
            deleted += 1
    expired.update(result_file="")
    return deleted


def stored_result(job: Job) -> Path | None:
    if not job.result_file:
        return None
    path = Path(settings.JOBS_DIR) / job.result_file
    return path if path.is_file() else None
