"""The meetings cadence pages (/meetings/): each client's recurring meetings with the next one
due and the overdue ones, the meetings held with their minutes, decisions and actions; the
CMO's steps (schedule a series, change it, record a meeting, add an action); and the fragment
"overdue meetings" that other pages load (hx-get).

Both sides see their client's meetings (reads start from tower.tenancy); the CMO's people
schedule and record (tower.meetings.services.RECORDERS).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tower.actions.forms import NewActionForm, new_actions
from tower.actions.models import Action, Source
from tower.actions.services import NewAction
from tower.meetings import queries, recurrence, services
from tower.meetings.forms import (
    MeetingFilterForm,
    RecordForm,
    SeriesEditForm,
    SeriesForm,
    action_forms,
)
from tower.meetings.models import Meeting, MeetingSeries
from tower.tenancy.scoping import (
    client_by_code,
    get_or_404,
    role_for,
    sees_client_names,
    visible_clients,
)
from tower.web.forms import form_error_text
from tower.web.pages import run_step
from tower.workflow import WorkflowError

NAV = "meetings:list"
MEETINGS_PER_PAGE = 25
FRAGMENT_ROWS = 20


def _records(user, client) -> bool:
    return role_for(user, client) in services.RECORDERS


def _series_rows(series_list, today):
    return [
        {
            "series": s,
            "rule": recurrence.describe(s.every, s.unit),
            "overdue": queries.is_overdue(s, today),
            "missed": queries.missed(s, today),
        }
        for s in series_list
    ]


@login_required
@require_GET
def meeting_list(request):
    clients = list(visible_clients(request.user).order_by("code"))
    form = MeetingFilterForm(request.GET)
    form.is_valid()
    client = client_by_code(clients, form.cleaned_data.get("client") or "")
    today = timezone.localdate()
    series = MeetingSeries.objects.select_related("client").visible_to(request.user)
    meetings = Meeting.objects.select_related("client", "series").visible_to(request.user)
    if client is not None:
        series, meetings = series.filter(client=client), meetings.filter(client=client)
    rows = _series_rows(series.order_by("-active", "next_due", "client__code", "pk"), today)
    page = Paginator(meetings.order_by("-held_on", "-pk"), MEETINGS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    recordable = [c for c in ([client] if client else clients) if _records(request.user, c)]
    context = {
        "form": form,
        "client": client,
        "client_choices": clients,
        "series_rows": rows,
        "overdue_rows": [r for r in rows if r["overdue"]],
        "page_obj": page,
        "today": today,
        "series_form": SeriesForm() if recordable else None,
        "recordable_clients": recordable,
        "show_clients": sees_client_names(request.user) or len(clients) > 1,
        "nav_active": NAV,
    }
    return render(request, "meetings/list.html", context)


@login_required
@require_POST
def series_add(request):
    clients = list(visible_clients(request.user).order_by("code"))
    client = client_by_code(clients, request.POST.get("client", ""))
    back = reverse("meetings:list") + (f"?client={client.code}" if client else "")
    form = SeriesForm(request.POST)

    def step():
        if client is None:
            raise WorkflowError("Choose the client the meetings are with.")
        if not form.is_valid():
            raise WorkflowError(f"The series was not scheduled. {form_error_text(form)}")
        d = form.cleaned_data
        series = services.add_series(
            client=client,
            kind=d["kind"],
            title=d["title"],
            every=d["every"],
            unit=d["unit"],
            first_date=d["first_date"],
            user=request.user,
        )
        rule = recurrence.describe(series.every, series.unit)
        return f"“{series.title}” scheduled {rule}, first on {series.next_due:%Y-%m-%d}."

    return run_step(request, back, step)


def _series(request, series: int) -> MeetingSeries:
    return get_or_404(MeetingSeries.objects.select_related("client"), request.user, pk=series)


def _series_page(request, series, *, record_form=None, rows=None, status=200):
    today = timezone.localdate()
    records = _records(request.user, series.client)
    meetings = Paginator(series.meetings.order_by("-held_on", "-pk"), MEETINGS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "series": series,
        "row": _series_rows([series], today)[0],
        "page_obj": meetings,
        "today": today,
        "records": records,
        "record_form": (record_form or RecordForm(initial={"held_on": today})) if records else None,
        "action_forms": (rows or action_forms()) if records else None,
        "edit_form": (
            SeriesEditForm(
                initial={
                    "title": series.title,
                    "every": series.every,
                    "unit": series.unit,
                    "next_due": series.next_due,
                    "active": series.active,
                }
            )
            if records
            else None
        ),
        "show_clients": sees_client_names(request.user),
        "nav_active": NAV,
    }
    return render(request, "meetings/series.html", context, status=status)


@login_required
@require_GET
def series_detail(request, series: int):
    return _series_page(request, _series(request, series))


@login_required
@require_POST
def series_edit(request, series: int):
    series = _series(request, series)
    form = SeriesEditForm(request.POST)

    def step():
        if not form.is_valid():
            raise WorkflowError(f"Nothing was changed. {form_error_text(form)}")
        d = form.cleaned_data
        services.update_series(
            series=series,
            title=d["title"],
            every=d["every"],
            unit=d["unit"],
            next_due=d["next_due"],
            active=d["active"],
            user=request.user,
            reason=d["reason"],
        )
        return f"“{series.title}” saved: {recurrence.describe(series.every, series.unit)}, next due {series.next_due:%Y-%m-%d}."

    return run_step(request, reverse("meetings:series", args=[series.pk]), step)


@login_required
@require_http_methods(["POST"])
def record(request, series: int):
    series = _series(request, series)
    form = RecordForm(request.POST)
    rows = action_forms(request.POST)
    if not _records(request.user, series.client):
        # The service's role rule, checked before any form error could be shown.
        raise PermissionDenied("Your role does not allow you to record meetings for this client.")
    if form.is_valid() and all(r.is_valid() for r in rows):
        agreed = new_actions(rows)
        meeting = form.run(
            lambda d: services.record_meeting(
                series=series,
                held_on=d["held_on"],
                attendees=d["attendees"],
                minutes=d["minutes"],
                decisions=form.decision_list(),
                actions_agreed=agreed,
                user=request.user,
            )
        )
        if meeting is not None:
            messages.success(
                request,
                f"{services.meeting_label(meeting)} recorded; next due {series.next_due:%Y-%m-%d}.",
            )
            return redirect("meetings:meeting", pk=meeting.pk)
    return _series_page(request, series, record_form=form, rows=rows, status=400)


def _meeting(request, pk: int) -> Meeting:
    return get_or_404(Meeting.objects.select_related("client", "series"), request.user, pk=pk)


@login_required
@require_GET
def meeting_detail(request, pk: int):
    meeting = _meeting(request, pk)
    today = timezone.localdate()
    agreed = (
        Action.objects.filter(client=meeting.client, source=Source.MEETING, source_id=meeting.pk)
        .visible_to(request.user)
        .order_by("due_date", "pk")
    )
    records = _records(request.user, meeting.client)
    context = {
        "meeting": meeting,
        "decisions": list(meeting.decisions.all()),
        "actions": [{"action": a, "overdue": a.is_overdue(today)} for a in agreed],
        "action_form": NewActionForm(prefix="new") if records else None,
        "show_clients": sees_client_names(request.user),
        "nav_active": NAV,
    }
    return render(request, "meetings/meeting.html", context)


@login_required
@require_POST
def meeting_action_add(request, pk: int):
    meeting = _meeting(request, pk)
    form = NewActionForm(request.POST, prefix="new")

    def step():
        if not form.is_valid():
            raise WorkflowError(f"The action was not added. {form_error_text(form)}")
        d = form.cleaned_data
        services.add_meeting_action(
            meeting=meeting,
            action=NewAction(d["title"], d["owner"], d["due_date"]),
            user=request.user,
        )
        return f"Action agreed: {d['title'].strip()}."

    return run_step(request, reverse("meetings:meeting", args=[meeting.pk]) + "#actions", step)


@login_required
@require_GET
def overdue(request):
    """The fragment "overdue meetings" (hx-get): the series whose due meeting was not held, of
    one client (?client=CODE) or every client the user may see."""
    clients = list(visible_clients(request.user).order_by("code"))
    client = client_by_code(clients, request.GET.get("client", ""))
    today = timezone.localdate()
    found = list(queries.overdue(request.user, today, client)[: FRAGMENT_ROWS + 1])
    context = {
        "rows": _series_rows(found[:FRAGMENT_ROWS], today),
        "more": len(found) > FRAGMENT_ROWS,
        "client": client,
        "list_url": reverse("meetings:list") + (f"?client={client.code}" if client else ""),
        "show_clients": client is None and (sees_client_names(request.user) or len(clients) > 1),
    }
    return render(request, "meetings/_overdue.html", context)
