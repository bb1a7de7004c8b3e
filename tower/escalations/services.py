"""Writes of escalations (kpis.md 9): open (by a trigger or by hand), acknowledge, comment,
resolve, and the clock that moves an unacknowledged escalation to the next level.

Keyword-only functions taking the acting user and `now` (the clock is passed in, never read
behind the caller's back, so tests drive it minute by minute). Every step is an EscalationStep,
a history record and an entry of the client's communication log; the people of a level are told
by e-mail (the communications Mail queue) and by webhook (tower.webhooks.services.notify),
both sent by the worker once the step commits.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tower.actions import services as actions
from tower.actions.models import Source
from tower.actions.services import NewAction
from tower.agreements.models import EscalationLevel
from tower.calendars.services import calendars_by_site, default_calendar
from tower.communications import services as communications
from tower.communications.models import LogEntry, Mail
from tower.engine.business_hours import Calendar, CalendarError, deadline
from tower.escalations.models import Escalation, EscalationStep
from tower.tenancy.models import CLIENT_ROLES, Client
from tower.tenancy.scoping import CMO_ROLES, require_role
from tower.webhooks import services as webhooks
from tower.workflow import WorkflowError, acting_user, audit_as, checked_text

log_ = logging.getLogger(__name__)

EVERYONE = CLIENT_ROLES | CMO_ROLES
SUBJECT = "escalation"  # LogEntry.subject_type
TITLE_LIMIT = 300


# --- the matrix in force, copied into each escalation ---------------------------------------------


def _calendar_dict(cal: Calendar) -> dict:
    return {
        "weekdays": sorted(cal.weekdays),
        "start_minute": cal.start_minute,
        "end_minute": cal.end_minute,
        "time_zone": cal.time_zone,
        "holidays": sorted(d.isoformat() for d in cal.holidays),
    }


def calendar_from(level: dict) -> Calendar:
    c = level["calendar"]
    return Calendar(
        weekdays=frozenset(c["weekdays"]),
        start_minute=c["start_minute"],
        end_minute=c["end_minute"],
        time_zone=c["time_zone"],
        holidays=frozenset(dt.date.fromisoformat(d) for d in c["holidays"]),
    )


def snapshots(client_ids) -> dict[int, dict]:
    """The matrix in force of each client that has one (two queries whatever their number)."""
    levels = list(
        EscalationLevel.objects.filter(client_id__in=list(client_ids))
        .select_related("site", "cmo_member", "client_member")
        .order_by("client_id", "number")
    )
    calendars = calendars_by_site({lv.site_id for lv in levels if lv.site_id})
    default = default_calendar()
    found: dict[int, dict] = {}
    for lv in levels:
        cal = calendars.get(lv.site_id, default) if lv.site_id else default
        found.setdefault(lv.client_id, {"levels": []})["levels"].append(
            {
                "number": lv.number,
                **_side(lv, "cmo"),
                **_side(lv, "client"),
                "response_hours": str(lv.response_hours),
                "site": lv.site.code if lv.site else "",
                "calendar": _calendar_dict(cal),
                "calendar_text": cal.describe(),
            }
        )
    return found


def _side(level: EscalationLevel, side: str) -> dict:
    """One side of a level as the escalation keeps it: the team member's name, title and
    e-mail as they are now, else (or where the member has none) the level's own text."""
    member = getattr(level, f"{side}_member")
    person, role, email = (getattr(level, f"{side}_{p}") for p in ("person", "role", "email"))
    if member is not None:
        person = member.name
        role = role or member.title or member.get_function_display()
        email = member.email or email
    return {f"{side}_person": person, f"{side}_role": role, f"{side}_email": email}


def level_deadline(level: dict, start: dt.datetime) -> dt.datetime:
    return deadline(start, Decimal(level["response_hours"]), calendar_from(level))


def who_of(level: dict, side: str) -> str:
    person, role = level[f"{side}_person"], level[f"{side}_role"]
    return f"{person} ({role})" if person and role else person or role


# --- opening ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """What an escalation is about. `key` is unique among a client's open escalations."""

    kind: str
    type: str
    id: int | None
    label: str
    url: str = ""
    site_id: int | None = None
    lines: tuple[int, ...] = ()
    # The kind the key is made with, when it differs from `kind`: an escalation opened by hand
    # on a stock-out takes the reported-stock-out trigger's key, so that one stays open per
    # stock-out whoever opens it (the constraint), and the trigger does not open a second.
    key_kind: str = ""

    @property
    def key(self) -> str:
        return f"{self.key_kind or self.kind}:{self.type}:{self.id if self.id is not None else ''}"


def stock_out_subject(event, kind: str = Escalation.Kind.STOCK_OUT_REPORTED) -> Subject:
    """A stock-out as the subject of an escalation (by its trigger or by hand)."""
    return Subject(
        kind=kind,
        type=Escalation.Subject.STOCK_OUT,
        id=event.pk,
        label=f"Stock-out of {event.product.code} in {event.location}",
        url=reverse("scorecards:stock_out", args=[event.pk]),
        key_kind=Escalation.Kind.STOCK_OUT_REPORTED,
    )


def open_on(rows, client_id: int, subject_type: str, subject_id: int) -> Escalation | None:
    """The open escalation on a subject (a stock-out, a line...) among `rows` (escalations,
    scoped by a view), whatever opened it."""
    return (
        rows.filter(
            client_id=client_id,
            status=Escalation.Status.OPEN,
            subject_type=subject_type,
            subject_id=subject_id,
        )
        .order_by("pk")
        .first()
    )


def _url(escalation: Escalation) -> str:
    return reverse("escalations:detail", args=[escalation.pk])


def _lines(escalation: Escalation) -> list[int]:
    return [escalation.subject_id] if escalation.subject_type == Escalation.Subject.LINE else []


def _step(escalation: Escalation, kind: str, user, now: dt.datetime, text: str = "", side=None):
    person = acting_user(user)
    return EscalationStep.objects.create(
        client=escalation.client,
        escalation=escalation,
        kind=kind,
        level=escalation.level,
        at=now,
        user=person,
        who=communications.person_name(person),
        side=side or (communications.side_of(person, escalation.client) if person else "cmo"),
        text=text,
    )


def _log(escalation: Escalation, kind: str, user, summary: str, now: dt.datetime) -> None:
    communications.log(
        client=escalation.client,
        kind=kind,
        user=user,
        summary=summary,
        at=now,
        subject_type=SUBJECT,
        subject_id=escalation.pk,
        subject_url=_url(escalation),
        lines=_lines(escalation),
    )


def open_escalation(
    *,
    client: Client,
    subject: Subject,
    title: str,
    user,
    now: dt.datetime,
    matrix: dict | None = None,
    text: str = "",
) -> Escalation | None:
    """Open an escalation at level 1 with the matrix in force; None when one is already open
    on the subject (the database's constraint decides, so two workers cannot both open one).
    WorkflowError when the client has no escalation matrix."""
    if matrix is None:
        matrix = snapshots([client.pk]).get(client.pk)
    if not matrix or not matrix.get("levels"):
        raise WorkflowError(
            f"{client.code} has no escalation matrix yet: set its levels on the agreement page."
        )
    person = acting_user(user)
    first = matrix["levels"][0]
    try:
        due = level_deadline(first, now)
    except CalendarError as exc:
        raise WorkflowError(str(exc)) from None
    escalation = Escalation(
        client=client,
        kind=subject.kind,
        subject_type=subject.type,
        subject_id=subject.id,
        subject_key=subject.key,
        subject_label=subject.label[:300],
        subject_url=subject.url,
        title=title[:TITLE_LIMIT],
        site_id=subject.site_id,
        opened_at=now,
        opened_by=person,
        opened_by_name=communications.person_name(person),
        opened_side=communications.side_of(person, client) if person else "cmo",
        matrix={**matrix, "taken_at": now.isoformat()},
        level=1,
        level_started_at=now,
        deadline=due,
        first_deadline=due,
    )
    audit_as(escalation, user, "opened")
    try:
        with transaction.atomic():
            escalation.save()
    except IntegrityError:
        if Escalation.objects.filter(
            client=client, subject_key=subject.key, status=Escalation.Status.OPEN
        ).exists():
            return None
        raise
    _step(escalation, EscalationStep.Kind.OPENED, user, now, text)
    said = f" {text}" if text else ""
    _log(
        escalation,
        LogEntry.Kind.ESCALATION_OPENED,
        user,
        f"Escalation {escalation.pk} opened ({escalation.get_kind_display()}): {title}.{said} "
        f"Level 1: {who_of(first, 'cmo')} and {who_of(first, 'client')}, to acknowledge by "
        f"{_local(due, first)}.",
        now,
    )
    notify_level(escalation, now=now)
    return escalation


def open_by_hand(
    *,
    client: Client,
    title: str,
    text: str,
    user,
    now: dt.datetime | None = None,
    line=None,
    stock_out=None,
) -> Escalation:
    """Either side opens an escalation by hand, on a line or a stock-out of the client, or on
    its title alone."""
    require_role(user, client, EVERYONE, "open escalations")
    title = checked_text(title, "title", limit=TITLE_LIMIT)
    text = checked_text(text, "description", required=False, limit=communications.TEXT_LIMIT)
    now = now or timezone.now()
    if stock_out is not None:
        if stock_out.client_id != client.pk:
            raise WorkflowError("Choose a stock-out of the same client.")
        already = open_on(
            Escalation.objects.all(), client.pk, Escalation.Subject.STOCK_OUT, stock_out.pk
        )
        if already is not None:
            raise WorkflowError(
                f"Escalation {already.pk} is already open on this stock-out: add to it instead."
            )
        subject = stock_out_subject(stock_out, Escalation.Kind.MANUAL)
    elif line is not None:
        if line.client_id != client.pk:
            raise WorkflowError("Choose a line of the same client.")
        subject = Subject(
            kind=Escalation.Kind.MANUAL,
            type=Escalation.Subject.LINE,
            id=line.pk,
            label=f"Line {line.order.number}/{line.line_number}",
            url=reverse("performance:line", args=[line.pk]),
            site_id=line.site_id,
            lines=(line.pk,),
        )
    else:
        # No subject: a fresh key each time (nothing to deduplicate against).
        stamp = int(now.timestamp() * 1_000_000)
        subject = Subject(Escalation.Kind.MANUAL, Escalation.Subject.NONE, stamp, title)
    escalation = open_escalation(
        client=client, subject=subject, title=title, user=user, now=now, text=text
    )
    if escalation is None:
        what = "stock-out" if stock_out is not None else "line"
        raise WorkflowError(f"An escalation is already open on this {what}: add to it instead.")
    return escalation


# --- the client's and the CMO's answers ----------------------------------------------------------


def _require_open(escalation: Escalation) -> None:
    if not escalation.is_open:
        raise WorkflowError(f"Escalation {escalation.pk} is resolved.")


def _locked(escalation: Escalation) -> Escalation:
    return Escalation.objects.select_for_update().select_related("client").get(pk=escalation.pk)


@transaction.atomic
def acknowledge(*, escalation: Escalation, user, comment: str = "", now=None) -> Escalation:
    """Acknowledge the current level: its clock stops (the escalation moves no further)."""
    require_role(user, escalation.client, EVERYONE, "acknowledge escalations")
    comment = checked_text(comment, "comment", required=False, limit=communications.TEXT_LIMIT)
    now = now or timezone.now()
    escalation = _locked(escalation)
    _require_open(escalation)
    if escalation.acknowledged_at is not None:
        raise WorkflowError(
            f"Escalation {escalation.pk} was already acknowledged by "
            f"{escalation.acknowledged_by_name}."
        )
    person = acting_user(user)
    escalation.acknowledged_at = now
    escalation.acknowledged_by_name = communications.person_name(person)
    audit_as(escalation, user, "acknowledged")
    escalation.save(update_fields=["acknowledged_at", "acknowledged_by_name"])
    _step(escalation, EscalationStep.Kind.ACKNOWLEDGED, user, now, comment)
    said = f": {comment}" if comment else "."
    _log(
        escalation,
        LogEntry.Kind.ESCALATION_ACKNOWLEDGED,
        user,
        f"Escalation {escalation.pk} acknowledged at level {escalation.level}{said}",
        now,
    )
    return escalation


@transaction.atomic
def add_comment(*, escalation: Escalation, user, text: str, now=None) -> EscalationStep:
    require_role(user, escalation.client, EVERYONE, "comment on escalations")
    text = checked_text(text, "comment", limit=communications.TEXT_LIMIT)
    now = now or timezone.now()
    escalation = _locked(escalation)
    step = _step(escalation, EscalationStep.Kind.COMMENT, user, now, text)
    _log(
        escalation,
        LogEntry.Kind.ESCALATION_COMMENT,
        user,
        f"Comment on escalation {escalation.pk}: {text}",
        now,
    )
    return step


@transaction.atomic
def resolve(
    *,
    escalation: Escalation,
    user,
    text: str,
    now=None,
    actions_agreed: Sequence[NewAction] = (),
) -> Escalation:
    """Either side resolves an escalation, saying how; its clock ends. The remedial actions
    agreed with an owner (and a due date) go to the actions register (tower.actions, source
    "escalation"; the CMO's people record them, as every register action)."""
    require_role(user, escalation.client, EVERYONE, "resolve escalations")
    text = checked_text(text, "resolution", limit=communications.TEXT_LIMIT)
    now = now or timezone.now()
    escalation = _locked(escalation)
    _require_open(escalation)
    person = acting_user(user)
    escalation.status = Escalation.Status.RESOLVED
    escalation.resolved_at, escalation.resolution = now, text
    escalation.resolved_by_name = communications.person_name(person)
    audit_as(escalation, user, "resolved")
    escalation.save(update_fields=["status", "resolved_at", "resolution", "resolved_by_name"])
    _step(escalation, EscalationStep.Kind.RESOLVED, user, now, text)
    _log(
        escalation,
        LogEntry.Kind.ESCALATION_RESOLVED,
        user,
        f"Escalation {escalation.pk} resolved: {text}",
        now,
    )
    actions.add_agreed_actions(
        client=escalation.client,
        source=Source.ESCALATION,
        source_id=escalation.pk,
        source_label=f"Escalation {escalation.pk}",
        source_url=reverse("escalations:detail", args=[escalation.pk]),
        agreed=actions_agreed,
        user=user,
    )
    return escalation


# --- the clock ----------------------------------------------------------------------------------


def _local(moment: dt.datetime, level: dict) -> str:
    zone = calendar_from(level).zone
    return f"{moment.astimezone(zone):%a %Y-%m-%d %H:%M} ({zone.key})"


def advance_clocks(*, now: dt.datetime) -> int:
    """Move every open, unacknowledged escalation whose level's deadline has passed to the next
    level (the new level starts at the old deadline, to the minute, however late the worker
    runs), notifying the people of the new level; return how many moved. Escalations at their
    last level stay there, overdue."""
    due = list(
        Escalation.objects.filter(
            status=Escalation.Status.OPEN, acknowledged_at__isnull=True, deadline__lte=now
        )
        .order_by("deadline", "pk")
        .values_list("pk", flat=True)
    )
    moved = 0
    for pk in due:
        with transaction.atomic():
            escalation = (
                Escalation.objects.select_for_update()
                .select_related("client")
                .filter(pk=pk)
                .first()
            )
            if (
                escalation is None
                or not escalation.is_open
                or escalation.acknowledged_at is not None
                or escalation.deadline is None
                or escalation.deadline > now
            ):
                continue  # acknowledged, resolved or moved meanwhile
            while (
                not escalation.last_level
                and escalation.deadline is not None
                and escalation.deadline <= now
            ):
                _move_up(escalation)
                moved += 1
    return moved


def _move_up(escalation: Escalation) -> None:
    started = escalation.deadline
    missed = escalation.current_level
    escalation.level += 1
    level = escalation.current_level
    escalation.level_started_at = started
    escalation.deadline = level_deadline(level, started)
    audit_as(escalation, None, f"moved to level {escalation.level}")
    escalation.save(update_fields=["level", "level_started_at", "deadline"])
    _step(
        escalation,
        EscalationStep.Kind.ESCALATED,
        None,
        started,
        f"Not acknowledged within {missed['response_hours']} business hours at level "
        f"{escalation.level - 1}.",
    )
    _log(
        escalation,
        LogEntry.Kind.ESCALATION_ESCALATED,
        None,
        f"Escalation {escalation.pk} moved to level {escalation.level}: not acknowledged within "
        f"{missed['response_hours']} business hours. Now {who_of(level, 'cmo')} and "
        f"{who_of(level, 'client')}, to acknowledge by {_local(escalation.deadline, level)}.",
        started,
    )
    notify_level(escalation, now=started)


# --- telling the people of a level ---------------------------------------------------------------


def _webhook(escalation: Escalation, level: dict) -> None:
    # Posted now, whatever the step's clock (a level that ran out while the worker was down).
    opened = escalation.level == 1
    webhooks.notify(
        escalation.client,
        "escalation.opened" if opened else "escalation.level_changed",
        {
            "title": f"Escalation {escalation.pk}, level {escalation.level}: {escalation.title}",
            "text": (
                f"{escalation.get_kind_display()}: {escalation.subject_label}. "
                + ("Opened" if opened else "Not acknowledged in time: moved up")
                + f"; {who_of(level, 'cmo')} (CMO) and {who_of(level, 'client')} (client) to "
                f"acknowledge by {_local(escalation.deadline, level)}."
            ),
            "url": absolute_url(escalation),
            "escalation": escalation.pk,
            "kind": escalation.kind,
            "subject": escalation.subject_label,
            "level": escalation.level,
            "levels": len(escalation.levels),
            "cmo": who_of(level, "cmo"),
            "client_contact": who_of(level, "client"),
            "deadline": escalation.deadline,
        },
    )


def level_addresses(level: dict) -> list[str]:
    found: dict[str, str] = {}
    for address in (level.get("cmo_email", ""), level.get("client_email", "")):
        address = (address or "").strip()
        if address:
            found.setdefault(address.lower(), address)
    return sorted(found.values(), key=str.lower)


def mail_text(escalation: Escalation) -> tuple[str, str]:
    level = escalation.current_level
    subject = (
        f"Escalation {escalation.pk}, level {escalation.level}: {escalation.title}"
        f" ({escalation.client.name})"
    )[:300]
    body = "\n".join(
        [
            f"Escalation {escalation.pk} of {escalation.client.name} is at level "
            f"{escalation.level} of {len(escalation.levels)}.",
            "",
            f"What: {escalation.get_kind_display()}: {escalation.subject_label}",
            f"Title: {escalation.title}",
            f"Opened: {_local(escalation.opened_at, level)} by {escalation.opened_by_name}",
            "",
            f"This level: {who_of(level, 'cmo')} (CMO) and {who_of(level, 'client')} (client).",
            f"Acknowledge by {_local(escalation.deadline, level)} "
            f"({level['response_hours']} business hours, {level['calendar_text']}); "
            + (
                "otherwise it goes to the next level."
                if not escalation.last_level
                else "this is the last level."
            ),
            "",
            f"Open it in the CMO Control Tower: {absolute_url(escalation)}",
        ]
    )
    return subject, body


def absolute_url(escalation: Escalation) -> str:
    return settings.TOWER_BASE_URL.rstrip("/") + _url(escalation)


def notify_level(escalation: Escalation, *, now: dt.datetime) -> Mail | None:
    """Tell the people of the escalation's current level: an e-mail to their addresses, and a
    webhook to the client's endpoints (Teams, Slack, JSON), both sent by the worker after the
    step commits."""
    level = escalation.current_level
    if level is None:
        return None
    _webhook(escalation, level)
    addresses = level_addresses(level)
    if not addresses:
        return None
    subject, body = mail_text(escalation)
    mail = Mail.objects.create(
        client=escalation.client,
        recipients="\n".join(addresses),
        subject=subject,
        body=body,
        queued_at=now,
    )
    communications.queue_mail(mail.pk)
    return mail
