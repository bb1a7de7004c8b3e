"""A job's page: its progress while it runs (htmx polls a fragment), then its outcome."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tower.jobs.models import Job, JobStatus
from tower.jobs.services import JobLimit, stored_result, submit

# A job queued longer than this while no worker takes it: the page says to start one.
NO_WORKER_AFTER_SECONDS = 10


def _visible_job(request, pk: int) -> Job:
    """A job of a client the user sees (scoped like every client row); a personal one (a
    download, which holds what its user may see) only to the user who asked for it. Anything
    else is a 404 like a job that does not exist."""
    job = Job.objects.select_related("client").visible_to(request.user).filter(pk=pk).first()
    if job is None or job.params.get("user", request.user.pk) != request.user.pk:
        raise Http404("No such job.")
    return job


@login_required
@require_GET
def job_detail(request, pk: int):
    job = _visible_job(request, pk)
    waiting = (timezone.now() - job.created_at).total_seconds()
    context = {
        "job": job,
        "no_worker": job.status == JobStatus.QUEUED and waiting > NO_WORKER_AFTER_SECONDS,
        "download": job.status == JobStatus.DONE and stored_result(job) is not None,
        "keep_days": settings.JOB_FILES_DAYS,
    }
    template = "jobs/_job.html" if request.htmx else "jobs/job.html"
    return render(request, template, context)


@login_required
@require_GET
def job_download(request, pk: int):
    job = _visible_job(request, pk)
    path = stored_result(job) if job.status == JobStatus.DONE else None
    if path is None:
        raise Http404("This job has no file to download.")
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result_name)


def start(request, back: str, **job) -> HttpResponse:
    """Submit a job for the request's user (tower.jobs.services.submit) and show its page; a
    user at the limit of unfinished jobs goes back with the reason."""
    try:
        submitted = submit(user=request.user, back_url=back, **job)
    except JobLimit as exc:
        messages.error(request, str(exc))
        return redirect(back)
    return redirect("jobs:job", pk=submitted.pk)
