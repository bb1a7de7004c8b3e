"""One voice: delay notices to the client, its acknowledgements and replies, the e-mails that
carried them, and the client's communication log that every workflow writes to.

Every table is client-owned (a `client` key leading every index, ClientOwnedQuerySet), written
only through tower.communications.services; the admin is read-only.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from tower.orders.models import OrderLine
from tower.tenancy.models import Client
from tower.tenancy.scoping import ClientOwnedQuerySet


class Side(models.TextChoices):
    CMO = "cmo", "CMO"
    CLIENT = "client", "Client"


class DelayNotice(models.Model):
    """A delay notice: what the CMO tells the client about late lines, in one voice.

    A later notice on the same lines supersedes this one line by line (NoticeLine.superseded_by);
    once every line of it is superseded, `superseded_by` names the notice that took the last one.
    Nothing of a sent notice is edited: the history stays as the client read it.
    """

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="delay_notices", db_index=False
    )
    cause = models.TextField(help_text="Why the lines are late, in words for the client")
    expected_date = models.DateField(help_text="The new expected date (delivery or shipment)")
    remedial_actions = models.TextField(help_text="What the CMO does about it")
    cmo_contact = models.CharField(
        max_length=300, help_text="Who at the CMO the client calls: name, phone, e-mail"
    )
    internal_note = models.TextField(
        blank=True, help_text="CMO-internal: never shown to the client"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    sent_by_name = models.CharField(max_length=150, help_text="Who sent it, as shown")
    sent_at = models.DateTimeField()
    # The notice date of the KPIs (kpis.md 8): the day it was sent, in the server's TIME_ZONE.
    sent_on = models.DateField()
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    # The first acknowledgement by a client user (the inbox's order, the escalation triggers).
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    objects = ClientOwnedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["acknowledged_at"])

    class Meta:
        indexes = [
            models.Index(fields=["client", "sent_at"], name="notice_client_sent"),
            models.Index(fields=["client", "superseded_by"], name="notice_client_superseded"),
        ]

    def __str__(self) -> str:
        return f"Delay notice {self.pk}"

    @property
    def current(self) -> bool:
        return self.superseded_by_id is None


class NoticeLine(models.Model):
    """A line a notice covers; `superseded_by` is the later notice that covers it now."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+", db_index=False)
    notice = models.ForeignKey(
        DelayNotice, on_delete=models.CASCADE, related_name="notice_lines", db_index=False
    )
    line = models.ForeignKey(
        OrderLine, on_delete=models.CASCADE, related_name="notice_lines", db_index=False
    )
    superseded_by = models.ForeignKey(
        DelayNotice,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # The line's due date when the notice was sent (as the client read it).
    due_date = models.DateField(null=True, blank=True)

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "notice", "line"], name="notice_line_once")
        ]
        indexes = [
            models.Index(fields=["client", "line", "superseded_by"], name="notice_line_by_line"),
            models.Index(fields=["client", "superseded_by"], name="notice_line_superseded"),
        ]

    @property
    def lead_days(self) -> int | None:
        """Days between the notice and the line's due date (negative: sent after it was due)."""
        return (self.due_date - self.notice.sent_on).days if self.due_date else None


class NoticeRecipient(models.Model):
    """An extra address of the client that receives every delay notice by e-mail (besides the
    client's own users with an e-mail): a shared supply mailbox, a planner without an account."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="notice_recipients", db_index=False
    )
    email = models.EmailField()
    name = models.CharField(max_length=150, blank=True)

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "email"], name="notice_recipient_once")
        ]

    def __str__(self) -> str:
        return self.email


class Acknowledgement(models.Model):
    """A client user's acknowledgement of a notice, with an optional comment (one per user)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+", db_index=False)
    notice = models.ForeignKey(
        DelayNotice, on_delete=models.CASCADE, related_name="acknowledgements", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_name = models.CharField(max_length=150)
    comment = models.TextField(blank=True)
    at = models.DateTimeField()

    objects = ClientOwnedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "notice", "user"], name="one_ack_per_user")
        ]


class Reply(models.Model):
    """A message on a notice's thread, from either side (the client asks, the CMO answers)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+", db_index=False)
    notice = models.ForeignKey(
        DelayNotice, on_delete=models.CASCADE, related_name="replies", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_name = models.CharField(max_length=150)
    side = models.CharField(max_length=6, choices=Side.choices)
    text = models.TextField()
    at = models.DateTimeField()

    objects = ClientOwnedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "replies"
        indexes = [models.Index(fields=["client", "notice", "at"], name="reply_client_notice")]


class NoticeRead(models.Model):
    """When a user first opened a notice (the inbox's unread marker)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+", db_index=False)
    notice = models.ForeignKey(
        DelayNotice, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "notice", "user"], name="one_read_per_user")
        ]


class Mail(models.Model):
    """One e-mail the worker sends (a notice now; escalations later), and how it went."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+", db_index=False)
    notice = models.ForeignKey(
        DelayNotice,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="mails",
        db_index=False,
    )
    recipients = models.TextField(help_text="Addresses, one a line")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["client", "notice"], name="mail_client_notice")]

    @property
    def addresses(self) -> list[str]:
        return [a for a in self.recipients.splitlines() if a.strip()]


class LogEntry(models.Model):
    """One thing one side said or did, in the client's communication log.

    Written only by services.log (every workflow: notices, acknowledgements, replies, e-mails;
    escalations and meetings later). `subject_*` name what it is about (a notice, an
    escalation...) and link to it; the lines it concerns are LogEntryLine rows, so the log
    filters by order and line whatever the subject. `internal` entries are for the CMO only.
    """

    class Kind(models.TextChoices):
        NOTICE_SENT = "notice_sent", "Delay notice sent"
        NOTICE_SUPERSEDED = "notice_superseded", "Delay notice superseded"
        NOTICE_ACKNOWLEDGED = "notice_acknowledged", "Delay notice acknowledged"
        REPLY = "reply", "Reply"
        MAIL_SENT = "mail_sent", "E-mail sent"
        MAIL_FAILED = "mail_failed", "E-mail failed"
        MEETING_HELD = "meeting_held", "Meeting held"
        DECISION = "decision", "Decision taken"
        ESCALATION_OPENED = "escalation_opened", "Escalation opened"
        ESCALATION_ESCALATED = "escalation_escalated", "Escalation moved up a level"
        ESCALATION_ACKNOWLEDGED = "escalation_acknowledged", "Escalation acknowledged"
        ESCALATION_COMMENT = "escalation_comment", "Escalation comment"
        ESCALATION_RESOLVED = "escalation_resolved", "Escalation resolved"

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="log_entries", db_index=False
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    side = models.CharField(max_length=6, choices=Side.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    who = models.CharField(max_length=150, help_text="Who, as shown (kept if the user goes)")
    at = models.DateTimeField()
    summary = models.TextField()
    subject_type = models.CharField(max_length=40, blank=True, help_text="e.g. delay_notice")
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject_url = models.CharField(max_length=300, blank=True)
    internal = models.BooleanField(default=False, help_text="CMO only: never shown to the client")

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "log entries"
        indexes = [
            models.Index(fields=["client", "at"], name="log_client_at"),
            models.Index(fields=["client", "subject_type", "subject_id"], name="log_client_subj"),
        ]


class LogEntryLine(models.Model):
    """An order line a log entry concerns (for the log's order and line filters)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+", db_index=False)
    entry = models.ForeignKey(
        LogEntry, on_delete=models.CASCADE, related_name="entry_lines", db_index=False
    )
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="+", db_index=False)

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "entry", "line"], name="log_line_once")
        ]
        indexes = [models.Index(fields=["client", "line"], name="log_line_client_line")]
