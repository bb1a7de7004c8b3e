"""Writes of one voice: sending a delay notice (superseding earlier ones on its lines),
acknowledging and replying, the e-mails the worker sends, and `log`, the one function every
workflow calls to write the client's communication log.

Keyword-only functions taking the acting user; a refusal is a WorkflowError (NotAllowed for a
role), which pages show as a message and commands as an error.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tower.actions import services as actions
from tower.actions.models import Source
from tower.actions.services import NewAction
from tower.agreements.models import TeamMember, TeamSide
from tower.communications.models import (
    Acknowledgement,
    DelayNotice,
    LogEntry,
    LogEntryLine,
    Mail,
    NoticeLine,
    NoticeRead,
    NoticeRecipient,
    Reply,
    Side,
)
from tower.communications.queries import open_lines
from tower.orders.models import OrderLine
from tower.performance.models import LineOutcome
from tower.tenancy.models import CLIENT_ROLES, Client, Membership
from tower.tenancy.scoping import CMO_ROLES, require_role, role_for
from tower.workflow import WorkflowError, acting_user, audit_as, checked_text

log_ = logging.getLogger(__name__)

MAX_LINES = 500  # lines one notice covers at most
TEXT_LIMIT = 4000  # characters of a cause, remedial actions, comment or reply
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
NOTICE = "delay_notice"  # LogEntry.subject_type of a notice
SYSTEM_NAME = "CMO Control Tower"


def person_name(user) -> str:
    """Who acted, as the log writes it: the user's name, or the system's."""
    if user is None:
        return SYSTEM_NAME
    return user.get_full_name() or user.get_username()


def side_of(user, client: Client) -> str:
    return Side.CMO if role_for(user, client) in CMO_ROLES else Side.CLIENT


# --- the log --------------------------------------------------------------------------------------


def log(
    *,
    client: Client,
    kind: str,
    user,
    summary: str,
    side: str | None = None,
    at: dt.datetime | None = None,
    subject_type: str = "",
    subject_id: int | None = None,
    subject_url: str = "",
    lines: Iterable[int] = (),
    internal: bool = False,
) -> LogEntry:
    """Write one entry of the client's communication log (the only writer of LogEntry).

    `user` is the acting user (None or SYSTEM: the tower itself, on the CMO side); `side` is
    taken from the user's role unless given; `lines` are ids of the client's order lines the
    entry concerns (the log filters by them).
    """
    person = acting_user(user)
    entry = LogEntry.objects.create(
        client=client,
        kind=kind,
        side=side or (side_of(person, client) if person else Side.CMO),
        user=person,
        who=person_name(person),
        at=at or timezone.now(),
        summary=summary,
        subject_type=subject_type,
        subject_id=subject_id,
        subject_url=subject_url,
        internal=internal,
    )
    LogEntryLine.objects.bulk_create(
        LogEntryLine(client=client, entry=entry, line_id=line) for line in sorted(set(lines))
    )
    return entry


def _log_notice(notice: DelayNotice, kind: str, user, summary: str, **extra) -> LogEntry:
    return log(
        client=notice.client,
        kind=kind,
        user=user,
        summary=summary,
        subject_type=NOTICE,
        subject_id=notice.pk,
        subject_url=reverse("communications:notice", args=[notice.pk]),
        lines=NoticeLine.objects.filter(client=notice.client, notice=notice).values_list(
            "line_id", flat=True
        ),
        **extra,
    )


# --- sending a notice -----------------------------------------------------------------------------


@transaction.atomic
def send_notice(
    *,
    client: Client,
    lines: Sequence[OrderLine],
    cause: str,
    expected_date: dt.date,
    remedial_actions: str,
    cmo_contact: str,
    internal_note: str = "",
    user,
    now: dt.datetime | None = None,
    actions_agreed: Sequence[NewAction] = (),
) -> DelayNotice:
    """Send a delay notice on open lines of one client.

    Records it, supersedes the earlier notices on the same lines (line by line; a notice whose
    every line is superseded is superseded as a whole), writes the log, and queues the e-mail
    to the client's contacts, sent by the worker once this transaction commits. The remedial
    actions given with an owner (and a due date) go to the actions register (tower.actions,
    source "notice"), besides the notice's free text.
    """
    require_role(user, client, CMO_ROLES, "send delay notices")
    cause = checked_text(cause, "cause for the client", limit=TEXT_LIMIT)
    remedial_actions = checked_text(remedial_actions, "remedial actions", limit=TEXT_LIMIT)
    cmo_contact = checked_text(cmo_contact, "CMO contact", limit=300)
    internal_note = checked_text(internal_note, "internal note", required=False, limit=TEXT_LIMIT)
    if not isinstance(expected_date, dt.date) or not FIRST_DATE <= expected_date <= LAST_DATE:
        raise WorkflowError("Give the new expected date, between the years 1900 and 2999.")
    ids = sorted({line.pk for line in lines})
    if not ids:
        raise WorkflowError("Choose at least one open line for the notice.")
    if len(ids) > MAX_LINES:
        raise WorkflowError(f"A notice covers at most {MAX_LINES} lines; split it.")
    if any(line.client_id != client.pk for line in lines):
        raise WorkflowError("A notice covers the lines of one client only.")
    still_open = set(
        open_lines(OrderLine.objects.filter(client=client, pk__in=ids)).values_list("pk", flat=True)
    )
    closed = [line for line in lines if line.pk not in still_open]
    if closed:
        named = ", ".join(sorted({f"{line.order.number}/{line.line_number}" for line in closed}))
        raise WorkflowError(
            f"Delay notices are for open lines; these are closed, cancelled, excluded or "
            f"delivered in full: {named}."
        )
    now = now or timezone.now()
    person = acting_user(user)
    notice = DelayNotice(
        client=client,
        cause=cause,
        expected_date=expected_date,
        remedial_actions=remedial_actions,
        cmo_contact=cmo_contact,
        internal_note=internal_note,
        sent_by=person,
        sent_by_name=person_name(person),
        sent_at=now,
        sent_on=timezone.localdate(now),
    )
    audit_as(notice, user, "sent")
    notice.save()
    due = dict(
        LineOutcome.objects.filter(client=client, line_id__in=ids).values_list(
            "line_id", "due_date"
        )
    )
    # Earlier notices still current on these lines: superseded by this one, line by line.
    earlier = list(
        NoticeLine.objects.filter(client=client, line_id__in=ids, superseded_by__isnull=True)
        .values_list("notice_id", flat=True)
        .distinct()
    )
    NoticeLine.objects.filter(client=client, line_id__in=ids, superseded_by__isnull=True).update(
        superseded_by=notice
    )
    NoticeLine.objects.bulk_create(
        NoticeLine(client=client, notice=notice, line_id=line, due_date=due.get(line))
        for line in ids
    )
    count = f"{len(ids)} line{'s' if len(ids) != 1 else ''}"
    _log_notice(
        notice,
        LogEntry.Kind.NOTICE_SENT,
        user,
        f"Delay notice {notice.pk} on {count}: new expected date {expected_date:%Y-%m-%d}. "
        f"Cause: {cause}",
        at=now,
    )
    for old in DelayNotice.objects.filter(client=client, pk__in=earlier).order_by("pk"):
        if NoticeLine.objects.filter(
            client=client, notice=old, superseded_by__isnull=True
        ).exists():
            continue  # some of its lines are not in the new notice: it still speaks for them
        old.superseded_by, old.superseded_at = notice, now
        audit_as(old, user, f"superseded by notice {notice.pk}")
        old.save(update_fields=["superseded_by", "superseded_at"])
        _log_notice(
            old,
            LogEntry.Kind.NOTICE_SUPERSEDED,
            user,
            f"Delay notice {old.pk} superseded by notice {notice.pk}.",
            at=now,
        )
    actions.add_agreed_actions(
        client=client,
        source=Source.NOTICE,
        source_id=notice.pk,
        source_label=f"Delay notice {notice.pk}",
        source_url=reverse("communications:notice", args=[notice.pk]),
        agreed=actions_agreed,
        user=user,
    )
    queue_notice_mail(notice=notice, user=user)
    return notice


def recipients(client: Client) -> list[str]:
    """Who a notice is e-mailed to: the client's own active users (viewers and approvers) with
    an e-mail address, the client's side of the service-agreement team (its counterparts), and
    the client's extra notice recipients; each address once."""
    found: dict[str, str] = {}
    users = Membership.objects.filter(
        client=client, role__in=CLIENT_ROLES, user__is_active=True
    ).exclude(user__email="")
    addresses = [*users.values_list("user__email", flat=True)]
    addresses += TeamMember.objects.filter(client=client, side=TeamSide.CLIENT).values_list(
        "email", flat=True
    )
    addresses += NoticeRecipient.objects.filter(client=client).values_list("email", flat=True)
    for address in addresses:
        address = address.strip()
        if address:
            found.setdefault(address.lower(), address)
    return sorted(found.values(), key=str.lower)


def notice_mail_text(notice: DelayNotice) -> tuple[str, str]:
    """The subject and plain-text body of a notice's e-mail (never the internal note)."""
    lines = (
        NoticeLine.objects.filter(client=notice.client, notice=notice)
        .select_related("line__order", "line__product")
        .order_by("line__order__number", "line__line_number")
    )
    listed = "\n".join(
        f"  - order {nl.line.order.number}, line {nl.line.line_number}, "
        f"{nl.line.product.code}, due {nl.due_date:%Y-%m-%d}"
        if nl.due_date
        else f"  - order {nl.line.order.number}, line {nl.line.line_number}, {nl.line.product.code}"
        for nl in lines
    )
    link = settings.TOWER_BASE_URL.rstrip("/") + reverse("communications:notice", args=[notice.pk])
    subject = f"Delay notice {notice.pk}: new expected date {notice.expected_date:%Y-%m-%d}"
    body = (
        f"{notice.client.name},\n\n"
        f"the following order lines will be late:\n{listed}\n\n"
        f"New expected date: {notice.expected_date:%Y-%m-%d}\n\n"
        f"Cause:\n{notice.cause}\n\n"
        f"What we are doing about it:\n{notice.remedial_actions}\n\n"
        f"Your contact at the CMO: {notice.cmo_contact}\n\n"
        f"Please acknowledge the notice, or reply to it, in the control tower:\n{link}\n"
    )
    return subject, body


def queue_notice_mail(*, notice: DelayNotice, user) -> Mail | None:
    """Record the notice's e-mail and queue it for the worker (after commit); None when the
    client has no contact address (the log says so, for the CMO)."""
    addresses = recipients(notice.client)
    if not addresses:
        _log_notice(
            notice,
            LogEntry.Kind.MAIL_FAILED,
            None,
            f"Delay notice {notice.pk} was not e-mailed: the client has no user with an e-mail "
            "address and no notice recipient.",
            internal=True,
        )
        return None
    subject, body = notice_mail_text(notice)
    mail = Mail.objects.create(
        client=notice.client,
        notice=notice,
        recipients="\n".join(addresses),
        subject=subject,
        body=body,
        queued_at=timezone.now(),
    )
    queue_mail(mail.pk)
    return mail


def queue_mail(mail_id: int) -> None:
    """Send the mail in the worker once the current transaction commits (never in the request)."""
    from tower.communications.tasks import send_mail_task
    from tower.jobs import services as jobs

    jobs.on_commit(lambda: send_mail_task(mail_id))


def deliver_mail(mail_id: int) -> Mail:
    """Send one queued mail through Django's mail (the SMTP server of the settings) and record
    how it went; a failure is logged (worker log and, for the CMO, the communication log)."""
    mail = Mail.objects.select_related("client", "notice").get(pk=mail_id)
    if mail.status == Mail.Status.SENT:
        return mail
    mail.attempts += 1
    try:
        EmailMessage(
            subject=mail.subject,
            body=mail.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=mail.addresses,
        ).send(fail_silently=False)
    except Exception as exc:  # SMTP refusals, an unreachable server, a bad address...
        log_.exception("mail %s of client %s failed", mail.pk, mail.client_id)
        mail.status, mail.error = Mail.Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        mail.save(update_fields=["status", "error", "attempts"])
        if mail.notice is not None:
            _log_notice(
                mail.notice,
                LogEntry.Kind.MAIL_FAILED,
                None,
                f"The e-mail of delay notice {mail.notice_id} to {len(mail.addresses)} "
                f"address(es) failed: {mail.error}",
                internal=True,
            )
        return mail
    mail.status, mail.error, mail.sent_at = Mail.Status.SENT, "", timezone.now()
    mail.save(update_fields=["status", "error", "attempts", "sent_at"])
    if mail.notice is not None:
        _log_notice(
            mail.notice,
            LogEntry.Kind.MAIL_SENT,
            None,
            f"Delay notice {mail.notice_id} e-mailed to {', '.join(mail.addresses)}.",
            at=mail.sent_at,
        )
    return mail


@transaction.atomic
def resend_notice_mail(*, notice: DelayNotice, user) -> Mail | None:
    """E-mail a notice again (after a failure, or to contacts added since), to today's contacts."""
    require_role(user, notice.client, CMO_ROLES, "e-mail delay notices")
    return queue_notice_mail(notice=notice, user=user)


# --- the client's answer -----------------------------------------------------------------------


@transaction.atomic
def acknowledge_notice(
    *, notice: DelayNotice, user, comment: str = "", now: dt.datetime | None = None
) -> Acknowledgement:
    """A client user acknowledges a notice of their own client (once), optionally commenting."""
    require_role(user, notice.client, CLIENT_ROLES, "acknowledge delay notices")
    comment = checked_text(comment, "comment", required=False, limit=TEXT_LIMIT)
    if Acknowledgement.objects.filter(client=notice.client, notice=notice, user=user).exists():
        raise WorkflowError("You have already acknowledged this notice.")
    now = now or timezone.now()
    ack = Acknowledgement(
        client=notice.client,
        notice=notice,
        user=user,
        user_name=person_name(user),
        comment=comment,
        at=now,
    )
    audit_as(ack, user, "acknowledged")
    ack.save()
    if notice.acknowledged_at is None:
        DelayNotice.objects.filter(pk=notice.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now
        )
        notice.acknowledged_at = now
    said = f": {comment}" if comment else "."
    _log_notice(
        notice,
        LogEntry.Kind.NOTICE_ACKNOWLEDGED,
        user,
        f"Delay notice {notice.pk} acknowledged{said}",
        at=now,
    )
    mark_read(notice=notice, user=user)
    return ack


@transaction.atomic
def reply_to_notice(
    *, notice: DelayNotice, user, text: str, now: dt.datetime | None = None
) -> Reply:
    """A message on a notice's thread, from the client or the CMO."""
    require_role(user, notice.client, CLIENT_ROLES | CMO_ROLES, "reply to delay notices")
    text = checked_text(text, "reply", limit=TEXT_LIMIT)
    now = now or timezone.now()
    side = side_of(user, notice.client)
    reply = Reply(
        client=notice.client,
        notice=notice,
        user=acting_user(user),
        user_name=person_name(acting_user(user)),
        side=side,
        text=text,
        at=now,
    )
    audit_as(reply, user, "replied")
    reply.save()
    _log_notice(
        notice, LogEntry.Kind.REPLY, user, f"Reply on delay notice {notice.pk}: {text}", at=now
    )
    return reply


def mark_read(*, notice: DelayNotice, user) -> None:
    """Remember that a user opened a notice (the inbox's unread marker)."""
    person = acting_user(user)
    if person is None:
        return
    NoticeRead.objects.get_or_create(
        client=notice.client, notice=notice, user=person, defaults={"at": timezone.now()}
    )
