"""Escalation pages: the list (filters, sorting, pages), one escalation with its clock and the
matrix it started with, the acknowledge / comment / resolve forms, opening one by hand, and the
htmx fragment other pages load (the open escalations of a client or site)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tower.actions.forms import new_action_forms, new_actions
from tower.engine.business_hours import local_text
from tower.escalations import services
from tower.escalations.forms import CommentForm, OpenForm, ResolveForm
from tower.escalations.models import Escalation, EscalationStep
from tower.escalations.queries import open_escalations
from tower.masterdata.models import Site
from tower.orders.models import OrderLine
from tower.stockouts.models import StockOutEvent
from tower.tenancy.scoping import (
    client_by_code,
    get_or_404,
    is_cmo_side,
    role_for,
    scope,
    sees_client_names,
    visible_clients,
)
from tower.web.forms import form_error_text
from tower.web.pages import attempt_step, run_step, sort_links

PER_PAGE = 50
SORTS = {
    "opened": "opened_at",
    "deadline": "deadline",
    "level": "level",
    "client": "client__code",
}
REMEDIAL_ROWS = 2  # remedial actions with an owner the resolve form takes at once
NAV = "escalations:list"


@login_required
@require_GET
def escalation_list(request):
    clients = list(visible_clients(request.user).order_by("code"))
    client = client_by_code(clients, request.GET.get("client", ""))
    status = request.GET.get("status", "open")
    if status not in ("open", "resolved", "all"):
        status = "open"
    site = request.GET.get("site", "").strip()
    sort = request.GET.get("sort", "deadline")
    if sort.lstrip("-") not in SORTS:
        sort = "deadline"
    rows = scope(Escalation.objects.select_related("client", "site"), request.user)
    if client is not None:
        rows = rows.filter(client=client)
    if site:
        rows = rows.filter(site__code=site)
    # The KPI of kpis.md 9 over the escalations the filters (but the status) select.
    started = rows.count()
    in_time = rows.filter(
        acknowledged_at__isnull=False, acknowledged_at__lte=F("first_deadline")
    ).count()
    if status != "all":
        rows = rows.filter(status=status)
    field = SORTS[sort.lstrip("-")]
    rows = rows.order_by(f"-{field}" if sort.startswith("-") else field, "-pk")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    context = {
        "page_obj": page,
        "now": now,
        "client_choices": clients,
        "site_choices": list(Site.objects.order_by("code").values_list("code", flat=True)),
        "selected": {"client": client.code if client else "", "status": status, "site": site},
        "filtered": bool(client or site or status != "open"),
        "sort_links": sort_links(request, sort, SORTS),
        "show_clients": sees_client_names(request.user),
        "can_open": bool(clients),
        "kpi": {"started": started, "in_time": in_time},
        "nav_active": NAV,
    }
    return render(request, "escalations/list.html", context)


def _escalation(request, pk: int) -> Escalation:
    return get_or_404(Escalation.objects.select_related("client", "site"), request.user, pk=pk)


@login_required
@require_GET
def escalation_detail(request, pk: int):
    escalation = _escalation(request, pk)
    now = timezone.now()
    levels = []
    for level in escalation.levels:
        levels.append(
            {
                **level,
                "cmo": services.who_of(level, "cmo"),
                "client": services.who_of(level, "client"),
                "current": level["number"] == escalation.level,
                "passed": level["number"] < escalation.level,
            }
        )
    context = {
        "escalation": escalation,
        "levels": levels,
        "steps": EscalationStep.objects.filter(client=escalation.client, escalation=escalation)
        .visible_to(request.user)
        .order_by("at", "pk"),
        "overdue": escalation.is_open
        and escalation.acknowledged_at is None
        and escalation.deadline is not None
        and escalation.deadline <= now,
        "deadline_local": _local(escalation),
        "comment_form": CommentForm(),
        "resolve_form": ResolveForm(),
        "action_rows": new_action_forms(prefix="remedial", rows=REMEDIAL_ROWS),
        "cmo_side": is_cmo_side(request.user, escalation.client),
        "can_act": role_for(request.user, escalation.client) is not None,
        "show_clients": sees_client_names(request.user),
        "nav_active": NAV,
    }
    return render(request, "escalations/detail.html", context)


def _local(escalation: Escalation) -> str:
    if escalation.current_level is None or escalation.deadline is None:
        return ""
    return local_text(escalation.deadline, escalation.clock_zone, year=True)


@login_required
@require_POST
def acknowledge(request, pk: int):
    escalation = _escalation(request, pk)
    form = CommentForm(request.POST)
    comment = form.cleaned_data["text"] if form.is_valid() else ""
    # The board acknowledges from its own page and comes back to it (never to another site).
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("escalations:detail", args=[pk])

    def step():
        services.acknowledge(escalation=escalation, user=request.user, comment=comment)
        return f"Escalation {escalation.pk} acknowledged: its clock has stopped."

    return run_step(request, back, step)


@login_required
@require_POST
def comment(request, pk: int):
    escalation = _escalation(request, pk)
    text = request.POST.get("text", "")

    def step():
        services.add_comment(escalation=escalation, user=request.user, text=text)
        return "Comment added."

    return run_step(request, reverse("escalations:detail", args=[pk]) + "#steps", step)


@login_required
@require_POST
def resolve(request, pk: int):
    escalation = _escalation(request, pk)
    text = request.POST.get("text", "")
    rows = new_action_forms(request.POST, prefix="remedial", rows=REMEDIAL_ROWS)
    back = reverse("escalations:detail", args=[pk])
    if not all(row.is_valid() for row in rows):
        problems = "; ".join(form_error_text(row) for row in rows if row.errors)
        messages.error(request, f"Not resolved: a remedial action is incomplete ({problems}).")
        return redirect(back)

    def step():
        services.resolve(
            escalation=escalation,
            user=request.user,
            text=text,
            actions_agreed=new_actions(rows),
        )
        return f"Escalation {escalation.pk} resolved."

    return run_step(request, back, step)


@login_required
@require_http_methods(["GET", "POST"])
def escalation_new(request):
    clients = list(visible_clients(request.user).order_by("code"))
    code = request.POST.get("client") or request.GET.get("client", "")
    client = client_by_code(clients, code)
    if client is None and len(clients) == 1:
        client = clients[0]
    line = None
    line_id = request.POST.get("line") or request.GET.get("line", "")
    if line_id:
        if not line_id.isdigit():
            raise Http404("No such line.")
        line = get_or_404(
            OrderLine.objects.select_related("order", "client"), request.user, pk=int(line_id)
        )
        client = line.client
    stock_out = None
    stock_out_id = request.POST.get("stock_out") or request.GET.get("stock_out", "")
    if stock_out_id and line is None:
        if not stock_out_id.isdigit():
            raise Http404("No such stock-out.")
        stock_out = get_or_404(
            StockOutEvent.objects.select_related("product", "client"),
            request.user,
            pk=int(stock_out_id),
        )
        client = stock_out.client
        already = services.open_on(
            Escalation.objects.visible_to(request.user),
            client.pk,
            Escalation.Subject.STOCK_OUT,
            stock_out.pk,
        )
        if already is not None:
            messages.info(
                request,
                f"Escalation {already.pk} is already open on this stock-out: add to it here.",
            )
            return redirect("escalations:detail", pk=already.pk)
    initial = {"client": client and client.code}
    if stock_out is not None:
        initial["title"] = f"Stock-out of {stock_out.product.code} in {stock_out.location}"
    form = OpenForm(request.POST or None, clients=clients, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = client_by_code(clients, data["client"])
        message, error = attempt_step(
            lambda: (
                services.open_by_hand(
                    client=chosen,
                    title=data["title"],
                    text=data["text"],
                    user=request.user,
                    line=line,
                    stock_out=stock_out,
                ).pk
            )
        )
        if not error:
            return redirect("escalations:detail", pk=message)
        form.add_error(None, error)
    context = {
        "form": form,
        "line": line,
        "stock_out": stock_out,
        "client": client,
        "show_clients": sees_client_names(request.user),
        "nav_active": NAV,
    }
    return render(request, "escalations/new.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def fragment(request):
    """The open escalations with their clocks, for ?client= and/or ?site= (htmx)."""
    clients = list(visible_clients(request.user).order_by("code"))
    client = client_by_code(clients, request.GET.get("client", ""))
    site = request.GET.get("site", "").strip() or None
    rows = open_escalations([client] if client else clients, site=site, limit=PER_PAGE)
    context = {"rows": rows, "show_clients": sees_client_names(request.user), "client": client}
    return render(request, "escalations/_open.html", context)
