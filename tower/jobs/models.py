"""A job a user asked for: long work the worker runs, and what it produced."""

from django.conf import settings
from django.db import models

from tower.tenancy.models import Client
from tower.tenancy.scoping import ClientOwnedQuerySet


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


class Job(models.Model):
    """One piece of long work for one client (client-owned: scoped like every client row).

    `key` names the work (kind and parameters): while a job with the same client and key is
    unfinished, asking again returns it instead of queueing the same work twice (a unique
    constraint makes that hold under concurrent requests too).
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="jobs")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200, help_text="What the job does, in the user's words")
    key = models.CharField(max_length=64)
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done")
    step = models.CharField(max_length=200, blank=True, help_text="What it is doing now")
    message = models.TextField(blank=True, help_text="The outcome, for the user")
    error = models.TextField(blank=True)
    result_file = models.CharField(max_length=300, blank=True, help_text="In JOBS_DIR")
    result_name = models.CharField(max_length=200, blank=True, help_text="Download file name")
    back_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "key"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_unfinished_job_per_key",
            )
        ]
        indexes = [models.Index(fields=["client", "user", "status"], name="job_client_user")]

    def __str__(self) -> str:
        return f"{self.client_id} {self.kind} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
