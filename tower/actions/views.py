"""The actions register (/actions/): every agreed action the user may see, from scorecard
reviews, meetings, escalations and delay notices, with filters, sorting, pagination, CSV and
XLSX downloads and a print layout; one action with its history; the CMO's status, owner and
due-date steps; and the fragment "actions due and overdue" that other pages load (hx-get).

Reads start from tower.tenancy (client users see their own client's actions only); writes are
tower.actions.services.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from tower.actions import exports, queries, services
from tower.actions.forms import SORTS, RegisterFilterForm, RescheduleForm, StatusForm
from tower.actions.models import Action, Source, Status
from tower.tenancy.scoping import (
    CMO_ROLES,
    client_by_code,
    get_or_404,
    role_for,
    roles,
    sees_client_names,
    visible_clients,
)
from tower.web.forms import form_error_text
from tower.web.pages import run_step, sort_links
from tower.workflow import WorkflowError

PER_PAGE = 50
EXPORT_LIMIT = 20_000  # rows a download holds at most (a register is far smaller)
FRAGMENT_ROWS = 20
NAV = "actions:register"
FILTERS = ("client", "source", "owner", "status", "overdue", "due_from", "due_to")


def _filters(request):
    """The form, the clients the user may see, the chosen client and the cleaned filters (a
    filter that does not validate is left out; the page says so and answers 400)."""
    clients = list(visible_clients(request.user).order_by("code"))
    form = RegisterFilterForm(request.GET)
    valid = form.is_valid()
    data = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
    data["today"] = timezone.localdate()
    client = client_by_code(clients, data.get("client") or "")
    return form, valid, clients, client, data


def _can_keep(user, clients) -> bool:
    """Whether the user keeps the register of any client shown (CMO side)."""
    if not clients:
        return False
    return any(role_for(user, c) in CMO_ROLES for c in clients)


@login_required
@require_GET
def register(request):
    form, valid, clients, client, data = _filters(request)
    actions = queries.register(request.user, data, client)
    page = Paginator(actions, PER_PAGE).get_page(request.GET.get("page"))
    today = data["today"]
    rows = [
        {"action": a, "overdue": a.is_overdue(today), "source_url": queries.source_url(a)}
        for a in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    filtered = any(data.get(k) for k in FILTERS)
    context = {
        "form": form,
        "page_obj": page,
        "rows": rows,
        "today": today,
        "client_choices": clients,
        "selected": {name: str(form.data.get(name, "")) for name in form.fields},
        "sources": Source.choices,
        "statuses": Status.choices,
        "sorts": sort_links(request, data.get("sort", "due"), SORTS),
        "show_clients": sees_client_names(request.user) or len(clients) > 1,
        "filtered": filtered,
        "overdue_count": queries.register(
            request.user, {**data, "overdue": True, "status": ""}, client
        ).count(),
        "downloads": [
            ("CSV", f"{reverse('actions:export', args=['csv'])}?{query.urlencode()}"),
            ("Excel", f"{reverse('actions:export', args=['xlsx'])}?{query.urlencode()}"),
        ],
        "keeps": _can_keep(request.user, [client] if client else clients),
        "nav_active": NAV,
    }
    return render(request, "actions/register.html", context, status=200 if valid else 400)


@login_required
@require_GET
def export(request, fmt: str):
    if fmt not in exports.CONTENT_TYPES:
        raise Http404("The actions register downloads as csv or xlsx.")
    form, valid, clients, client, data = _filters(request)
    actions = list(queries.register(request.user, data, client)[:EXPORT_LIMIT])
    today = data["today"]
    response = HttpResponse(
        exports.render(actions, today, fmt), content_type=exports.CONTENT_TYPES[fmt]
    )
    name = f"actions-{client.code if client else 'all'}-{today.isoformat()}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _action(request, pk: int) -> Action:
    return get_or_404(Action.objects.select_related("client", "created_by"), request.user, pk=pk)


@login_required
@require_GET
def detail(request, pk: int):
    action = _action(request, pk)
    keeps = role_for(request.user, action.client) in CMO_ROLES
    history = list(
        action.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    context = {
        "action": action,
        "overdue": action.is_overdue(timezone.localdate()),
        "source_url": queries.source_url(action),
        "history": history,
        "keeps": keeps,
        "status_form": StatusForm(initial={"status": action.status}) if keeps else None,
        "reschedule_form": (
            RescheduleForm(initial={"owner": action.owner, "due_date": action.due_date})
            if keeps
            else None
        ),
        "show_clients": sees_client_names(request.user),
        "nav_active": NAV,
    }
    return render(request, "actions/detail.html", context)


def _back(action: Action) -> str:
    return reverse("actions:action", args=[action.pk])


@login_required
@require_POST
def set_status(request, pk: int):
    action = _action(request, pk)
    form = StatusForm(request.POST)

    def step():
        if not form.is_valid():
            raise WorkflowError(f"The status was not changed. {form_error_text(form)}")
        status = form.cleaned_data["status"]
        before = action.status
        services.set_status(action=action, status=status, user=request.user)
        if before == status:
            return f"Nothing changed: “{action.title}” was already {Status(status).label.lower()}."
        return f"“{action.title}” is now {Status(status).label.lower()}."

    return run_step(request, _back(action), step)


@login_required
@require_POST
def reschedule(request, pk: int):
    action = _action(request, pk)
    form = RescheduleForm(request.POST)

    def step():
        if not form.is_valid():
            raise WorkflowError(f"Nothing was changed. {form_error_text(form)}")
        services.reschedule(
            action=action,
            owner=form.cleaned_data["owner"],
            due_date=form.cleaned_data["due_date"],
            user=request.user,
        )
        return f"“{action.title}”: owner {action.owner}, due {action.due_date or 'not set'}."

    return run_step(request, _back(action), step)


@login_required
@require_GET
def due(request):
    """The fragment "actions due and overdue" (hx-get): open actions overdue or due in the next
    7 days, of one client (?client=CODE) or every client the user may see."""
    clients = list(visible_clients(request.user).order_by("code"))
    client = client_by_code(clients, request.GET.get("client", ""))
    today = timezone.localdate()
    actions = list(queries.due_and_overdue(request.user, today, client)[: FRAGMENT_ROWS + 1])
    rows = [{"action": a, "overdue": a.is_overdue(today)} for a in actions[:FRAGMENT_ROWS]]
    register_url = reverse("actions:register") + (f"?client={client.code}" if client else "")
    context = {
        "rows": rows,
        "more": len(actions) > FRAGMENT_ROWS,
        "client": client,
        "today": today,
        "days": queries.DUE_SOON_DAYS,
        "register_url": register_url,
        "show_clients": client is None
        and (sees_client_names(request.user) or len(roles(request.user)) > 1),
    }
    return render(request, "actions/_due.html", context)
