"""Pages of one voice: composing and sending a delay notice, a notice with its acknowledgements
and replies, the inbox, a line's notices (the fragment the line page loads) and the client's
communication log with its downloads.

Every read starts from tenancy.scoping (visible_to, get_or_404): another client's notice, line
or log is a 404. Writes go through tower.communications.services.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tower.actions.forms import new_action_forms, new_actions
from tower.actions.models import Action, Source
from tower.communications import services
from tower.communications.forms import (
    LOG_SORTS,
    WIDEN,
    AcknowledgeForm,
    LogFilterForm,
    NoticeForm,
    ReplyForm,
    line_ids,
)
from tower.communications.models import (
    Acknowledgement,
    DelayNotice,
    LogEntry,
    Mail,
    NoticeLine,
    Reply,
    Side,
)
from tower.communications.queries import awaiting_acknowledgement, notice_lines, open_lines
from tower.communications.queries import inbox as inbox_query
from tower.orders.models import OrderLine
from tower.performance import exports
from tower.tenancy.models import CLIENT_ROLES
from tower.tenancy.scoping import (
    CMO_ROLES,
    client_by_code,
    get_or_404,
    is_cmo_side,
    role_for,
    sees_client_names,
    visible_clients,
)
from tower.web.pages import run_step

NOTICES_PER_PAGE = 25
LOG_PER_PAGE = 50
NAV_LOG = "communications:log"
NAV_INBOX = "communications:inbox"
REMEDIAL_ROWS = 3  # remedial actions with an owner the compose form takes at once

# ---------------------------------------------------------------------------------------------
# Compose and send


def _widened(lines: list[OrderLine], widen: str, user):
    """The open lines a notice covers: the chosen ones, or every open line of their orders,
    planned batches or products (of the same client). Widening by batch keeps a chosen line
    that has no planned batch."""
    if widen == "order":
        more = Q(order_id__in={line.order_id for line in lines})
    elif widen == "batch":
        batches = {line.planned_batch for line in lines if line.planned_batch}
        more = Q(planned_batch__in=batches) | Q(pk__in=[line.pk for line in lines])
    elif widen == "product":
        more = Q(product_id__in={line.product_id for line in lines})
    else:
        return lines
    client = lines[0].client
    found = open_lines(OrderLine.objects.filter(more, client=client).visible_to(user))
    return list(found.select_related("order", "product", "client").order_by("pk"))


@login_required
@require_http_methods(["GET", "POST"])
def compose(request):
    data = request.POST if request.method == "POST" else request.GET
    cmo_clients = [
        c for c in visible_clients(request.user) if role_for(request.user, c) in CMO_ROLES
    ]
    context = {"nav_active": NAV_INBOX, "widen_choices": WIDEN}
    try:
        # `lines=12,13` from a link, or one `line=12` per ticked box of the outlook page.
        ids = line_ids(",".join([data.get("lines", ""), *data.getlist("line")]))
    except django_forms.ValidationError as exc:
        context["problem"] = " ".join(exc.messages)
        return render(request, "communications/compose.html", context, status=400)
    if not ids:
        return render(
            request, "communications/compose.html", {**context, "not_cmo": not cmo_clients}
        )
    lines = list(
        OrderLine.objects.filter(pk__in=ids)
        .visible_to(request.user)
        .select_related("client", "order", "product", "outcome")
        .order_by("order__number", "line_number", "pk")
    )
    if len(lines) != len(ids):
        raise Http404("No such line.")  # another client's line reads like one that does not exist
    clients = {line.client for line in lines}
    if len(clients) > 1:
        context["problem"] = "A delay notice goes to one client: choose lines of one client."
        return render(request, "communications/compose.html", context, status=400)
    (client,) = clients
    if client not in cmo_clients:
        return render(request, "communications/compose.html", {**context, "not_cmo": True})
    still_open = set(
        open_lines(
            OrderLine.objects.filter(client=client, pk__in=ids).visible_to(request.user)
        ).values_list("pk", flat=True)
    )
    initial = {
        "lines": ",".join(map(str, ids)),
        "widen": "lines",
        "cmo_contact": _contact(request.user),
    }
    expected = request.GET.get("expected", "").strip()
    if expected:
        try:
            initial["expected_date"] = _date_in_range(dt.date.fromisoformat(expected))
        except ValueError:
            messages.warning(request, f"{expected[:20]!r} is not a date; choose the new date.")
    if request.method == "POST":
        form = NoticeForm(request.POST, initial=initial)
        action_rows = new_action_forms(request.POST, prefix="remedial", rows=REMEDIAL_ROWS)
        if form.is_valid() and all(row.is_valid() for row in action_rows):
            chosen = _widened(lines, form.cleaned_data["widen"], request.user)
            notice = form.run(
                lambda d: services.send_notice(
                    client=client,
                    lines=chosen,
                    cause=d["cause"],
                    expected_date=d["expected_date"],
                    remedial_actions=d["remedial_actions"],
                    cmo_contact=d["cmo_contact"],
                    internal_note=d["internal_note"],
                    actions_agreed=new_actions(action_rows),
                    user=request.user,
                )
            )
            if notice is not None:
                messages.success(request, _sent_message(notice))
                return redirect("communications:notice", pk=notice.pk)
    else:
        form = NoticeForm(initial=initial)
        action_rows = new_action_forms(prefix="remedial", rows=REMEDIAL_ROWS)
    widen_counts = {
        "lines": len(still_open),
        "order": len(_widened(lines, "order", request.user)),
        "batch": len(_widened(lines, "batch", request.user)),
        "product": len(_widened(lines, "product", request.user)),
    }
    current = services_current_notices(client, ids, request.user)
    context.update(
        {
            "form": form,
            "action_rows": action_rows,
            "client": client,
            "lines": [(line, line.pk in still_open, current.get(line.pk)) for line in lines],
            "closed": [line for line in lines if line.pk not in still_open],
            "widen_counts": widen_counts,
            "recipients": services.recipients(client),
            "show_clients": sees_client_names(request.user),
        }
    )
    return render(request, "communications/compose.html", context)


def services_current_notices(client, ids, user) -> dict[int, DelayNotice]:
    """The notice each line has now (a new one supersedes it)."""
    rows = (
        NoticeLine.objects.filter(client=client, line_id__in=ids, superseded_by__isnull=True)
        .visible_to(user)
        .select_related("notice")
    )
    return {row.line_id: row.notice for row in rows}


def _date_in_range(value: dt.date) -> dt.date:
    if not services.FIRST_DATE <= value <= services.LAST_DATE:
        raise ValueError(value)
    return value


def _contact(user) -> str:
    name = user.get_full_name() or user.get_username()
    return f"{name} <{user.email}>" if user.email else name


def _sent_message(notice: DelayNotice) -> str:
    mail = notice.mails.order_by("-pk").first()
    count = notice.notice_lines.count()
    lines = f"{count} line{'s' if count != 1 else ''}"
    if mail is None:
        return (
            f"Delay notice {notice.pk} sent on {lines}: the client sees it in its inbox. It was "
            "not e-mailed: the client has no contact address in the control tower."
        )
    to = len(mail.addresses)
    return (
        f"Delay notice {notice.pk} sent on {lines}: the client sees it in its inbox, and the "
        f"e-mail to {to} contact{'s' if to != 1 else ''} is "
        f"{'sent' if mail.status == Mail.Status.SENT else 'on its way (the worker sends it)'}."
    )


# ---------------------------------------------------------------------------------------------
# One notice


def _scoped_notice(request, pk: int) -> DelayNotice:
    return get_or_404(
        DelayNotice.objects.select_related("client", "superseded_by"), request.user, pk=pk
    )


@login_required
@require_GET
def notice_detail(request, pk: int):
    notice = _scoped_notice(request, pk)
    user = request.user
    client = notice.client
    role = role_for(user, client)
    cmo_side = is_cmo_side(user, client)
    if role in CLIENT_ROLES:
        services.mark_read(notice=notice, user=user)
    acks = list(
        Acknowledgement.objects.filter(client=client, notice=notice)
        .visible_to(user)
        .order_by("at", "pk")
    )
    mine = {"client": client}
    context = {
        "notice": notice,
        "lines": list(notice_lines(notice, NoticeLine.objects.filter(**mine).visible_to(user))),
        "supersedes": list(
            DelayNotice.objects.filter(
                client=client, notice_lines__superseded_by=notice, notice_lines__client=client
            )
            .visible_to(user)
            .distinct()
            .order_by("pk")
        ),
        "acknowledgements": acks,
        "replies": list(
            Reply.objects.filter(client=client, notice=notice).visible_to(user).order_by("at", "pk")
        ),
        "mails": list(
            Mail.objects.filter(client=client, notice=notice).visible_to(user).order_by("pk")
        )
        if cmo_side
        else [],
        "cmo_side": cmo_side,
        "can_acknowledge": role in CLIENT_ROLES and all(a.user_id != user.pk for a in acks),
        "can_reply": role is not None,
        "ack_form": AcknowledgeForm(),
        "register_actions": [
            {"action": a, "overdue": a.is_overdue(timezone.localdate())}
            for a in Action.objects.filter(client=client, source=Source.NOTICE, source_id=notice.pk)
            .visible_to(user)
            .order_by("due_date", "pk")
        ],
        "reply_form": ReplyForm(),
        "show_clients": sees_client_names(user),
        "history": list(notice.history.select_related("history_user").order_by("-history_date"))
        if cmo_side
        else [],
        "nav_active": NAV_INBOX,
    }
    return render(request, "communications/notice_detail.html", context)


@login_required
@require_POST
def acknowledge(request, pk: int):
    notice = _scoped_notice(request, pk)
    back = reverse("communications:notice", args=[notice.pk])
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The comment is too long: at most 4,000 characters.")
        return redirect(back)

    def step():
        services.acknowledge_notice(
            notice=notice, user=request.user, comment=form.cleaned_data["comment"]
        )
        return f"Delay notice {notice.pk} acknowledged: the CMO sees it in the communication log."

    return run_step(request, back, step)


@login_required
@require_POST
def reply(request, pk: int):
    notice = _scoped_notice(request, pk)
    back = reverse("communications:notice", args=[notice.pk]) + "#replies"
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write the reply (at most 4,000 characters).")
        return redirect(back)

    def step():
        services.reply_to_notice(notice=notice, user=request.user, text=form.cleaned_data["text"])
        return "Reply recorded in the communication log."

    return run_step(request, back, step)


@login_required
@require_POST
def resend(request, pk: int):
    notice = _scoped_notice(request, pk)
    back = reverse("communications:notice", args=[notice.pk]) + "#mail"

    def step():
        mail = services.resend_notice_mail(notice=notice, user=request.user)
        if mail is None:
            return "Not e-mailed: the client has no contact address in the control tower."
        return f"The notice is being e-mailed again to {len(mail.addresses)} address(es)."

    return run_step(request, back, step)


# ---------------------------------------------------------------------------------------------
# Inbox


@login_required
@require_GET
def inbox(request):
    clients = list(visible_clients(request.user).order_by("code"))
    client = client_by_code(clients, request.GET.get("client", ""))
    notices = DelayNotice.objects.all().visible_to(request.user)
    if client is not None:
        notices = notices.filter(client=client)
    page = Paginator(inbox_query(notices, request.user), NOTICES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    page.object_list = list(page.object_list)
    counts = dict(
        NoticeLine.objects.filter(notice__in=[n.pk for n in page.object_list])
        .visible_to(request.user)
        .values_list("notice_id")
        .annotate(n=Count("pk"))
        .values_list("notice_id", "n")
    )
    for notice in page.object_list:
        notice.line_count = counts.get(notice.pk, 0)
    context = {
        "page_obj": page,
        "client": client,
        "client_choices": clients,
        "show_clients": sees_client_names(request.user),
        "can_compose": any(role_for(request.user, c) in CMO_ROLES for c in clients),
        "waiting": awaiting_acknowledgement(notices).count(),
        "nav_active": NAV_INBOX,
    }
    return render(request, "communications/inbox.html", context)


@login_required
@require_GET
def inbox_count(request):
    """The navigation's count (an htmx fragment every page loads): notices of the user's
    clients not acknowledged yet."""
    waiting = awaiting_acknowledgement(DelayNotice.objects.all().visible_to(request.user)).count()
    return render(request, "communications/_inbox_count.html", {"waiting": waiting})


# ---------------------------------------------------------------------------------------------
# A line's notices (the line page loads this fragment; without htmx it is a page of its own)


@login_required
@require_GET
def line_notices(request, line: int):
    order_line = get_or_404(
        OrderLine.objects.select_related("client", "order"), request.user, pk=line
    )
    client = order_line.client
    rows = list(
        NoticeLine.objects.filter(client=client, line=order_line)
        .visible_to(request.user)
        .select_related("notice", "superseded_by")
        .order_by("-notice__sent_at", "-notice_id")
    )
    context = {
        "line": order_line,
        "rows": rows,
        "can_compose": is_cmo_side(request.user, client),
        "is_open": open_lines(
            OrderLine.objects.filter(client=client, pk=order_line.pk).visible_to(request.user)
        ).exists(),
        "nav_active": NAV_INBOX,
    }
    if request.htmx:
        return render(request, "communications/_line_notices.html", context)
    return render(request, "communications/line_notices.html", context)


# ---------------------------------------------------------------------------------------------
# The communication log


def _log_rows(request):
    """The log entries the filters select (and the form and client), scoped to the user."""
    clients = list(visible_clients(request.user).order_by("code"))
    form = LogFilterForm(request.GET)
    valid = form.is_valid()
    data = form.cleaned_data
    client = client_by_code(clients, data.get("client") or "")
    entries = LogEntry.objects.all().visible_to(request.user)
    # Client users never see the CMO's internal entries; the CMO sees them for its clients.
    cmo_clients = [c.pk for c in clients if is_cmo_side(request.user, c)]
    entries = entries.exclude(
        internal=True, client_id__in=[c.pk for c in clients if c.pk not in cmo_clients]
    )
    if client is not None:
        entries = entries.filter(client=client)
    if data.get("kind"):
        entries = entries.filter(kind=data["kind"])
    if data.get("side"):
        entries = entries.filter(side=data["side"])
    if data.get("start"):
        entries = entries.filter(at__date__gte=data["start"])
    if data.get("end"):
        entries = entries.filter(at__date__lte=data["end"])
    if data.get("order"):
        entries = entries.filter(entry_lines__line__order__number=data["order"].strip()).distinct()
    if data.get("line"):
        entries = entries.filter(entry_lines__line_id=data["line"]).distinct()
    sort = data.get("sort") or "-at"
    column = LOG_SORTS[sort.removeprefix("-")]
    entries = entries.select_related("client").order_by(
        f"-{column}" if sort.startswith("-") else column, "-pk" if sort.startswith("-") else "pk"
    )
    return entries, form, valid, client, clients, sort


@login_required
@require_GET
def log(request):
    entries, form, valid, client, clients, sort = _log_rows(request)
    page = Paginator(entries, LOG_PER_PAGE).get_page(request.GET.get("page"))
    selected = {name: str(form.data.get(name, "")) for name in form.fields}
    filtered = any(selected[k] for k in ("client", "kind", "side", "start", "end", "order", "line"))
    context = {
        "form": form,
        "page_obj": page,
        "selected": selected,
        "sort_links": _sort_links(request, sort),
        "client_choices": clients,
        "kinds": LogEntry.Kind.choices,
        "sides": Side.choices,
        "filtered": filtered,
        "show_clients": sees_client_names(request.user),
        "export_query": request.GET.urlencode(),
        "nav_active": NAV_LOG,
    }
    return render(request, "communications/log.html", context, status=200 if valid else 400)


def _sort_links(request, current: str) -> dict[str, dict]:
    links = {}
    for name in LOG_SORTS:
        params = request.GET.copy()
        params.pop("page", None)
        params["sort"] = name if current == f"-{name}" else f"-{name}"
        state = "asc" if current == name else "desc" if current == f"-{name}" else ""
        links[name] = {"url": f"?{params.urlencode()}", "state": state}
    return links


LOG_COLUMNS = {
    "client": pl.String,
    "at": pl.String,
    "side": pl.String,
    "who": pl.String,
    "kind": pl.String,
    "summary": pl.String,
    "subject": pl.String,
    "link": pl.String,
}
LOG_EXPORT_LIMIT = 100_000


@login_required
@require_GET
def log_export(request, fmt: str):
    """The filtered log as CSV (formula-safe) or XLSX: every matching entry, not one page."""
    if fmt not in exports.FORMATS:
        raise Http404("The log downloads as csv or xlsx.")
    entries, form, valid, client, clients, _ = _log_rows(request)
    if not valid:
        return render(request, "400.html", {"form_errors": form.errors}, status=400)
    rows = entries.values_list(
        "client__code",
        "at",
        "side",
        "who",
        "kind",
        "summary",
        "subject_type",
        "subject_id",
        "subject_url",
    )[:LOG_EXPORT_LIMIT]
    kinds = dict(LogEntry.Kind.choices)
    sides = dict(Side.choices)
    base = request.build_absolute_uri("/").rstrip("/")
    frame = pl.DataFrame(
        [
            (
                code,
                at.isoformat(timespec="seconds"),
                sides.get(side, side),
                who,
                kinds.get(kind, kind),
                summary,
                f"{subject} {subject_id}".strip() if subject else "",
                base + url if url else "",
            )
            for code, at, side, who, kind, summary, subject, subject_id, url in rows.iterator()
        ],
        schema=LOG_COLUMNS,
        orient="row",
    )
    who = client.code if client else "all-clients"
    return exports.response(frame, fmt, f"communication-log-{who}.{fmt}")
