"""Month close: which months of a client are closed, closing one, reopening one (audited)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from tower.engine.periods import add_months, month_range
from tower.jobs.views import start
from tower.performance.dashboard import COUNTS, FigureScope, Totals, monthly_totals, stale_closes
from tower.performance.forms import CloseMonthForm, ReopenMonthForm
from tower.performance.frozen import unfrozen
from tower.performance.models import ClosedMonthlyOtif, MonthClose, MonthlyOtif
from tower.performance.queries import unresolved_lines
from tower.performance.services import (
    check_closable,
    close_check,
    refuse_unconfirmed,
    reopen_month,
)
from tower.tenancy.scoping import CMO_ADMIN, get_or_404, role_for, scope, visible_clients
from tower.web.pages import lines_url, run_step
from tower.workflow import WorkflowError

CLOSE_MONTHS_SHOWN = 24


@login_required
@require_GET
def close_list(request):
    """The last two years of one client's months: measured lines, net OTIF, closed or open."""
    clients = list(visible_clients(request.user).order_by("code"))
    if not clients:
        return render(request, "performance/close_list.html", {"clients": []})
    code = request.GET.get("client") or clients[0].code
    client = next((c for c in clients if c.code == code), None)
    if client is None:
        raise Http404("No such client.")
    last = add_months(timezone.localdate().replace(day=1), -1)
    first = add_months(last, -(CLOSE_MONTHS_SHOWN - 1))
    figure_scope = FigureScope(clients=(client,), start=first, end=last)
    totals = monthly_totals(figure_scope, first, last)
    closes = {
        c.period: c
        for c in MonthClose.objects.filter(
            client=client, period__gte=first, reopened_at__isnull=True
        ).visible_to(request.user)
    }
    stale = {s.close.period for s in stale_closes(figure_scope)}
    # Closed before some records were kept with the close: those are read live until reclosed.
    partly_live = set(unfrozen(list(closes.values())))
    months = [
        {
            "period": month,
            "totals": totals.get(month),
            "close": closes.get(month),
            "stale": month in stale,
            "partly_live": month in closes and closes[month].pk in partly_live,
            "url": lines_url(
                FigureScope(clients=(client,), start=month, end=month), outcome="measured"
            ),
        }
        for month in reversed(month_range(first, last))
    ]
    context = {
        "clients": clients,
        "client": client,
        "months": months,
        "can_close": role_for(request.user, client) == CMO_ADMIN,
        "history": scope(MonthClose.history.filter(client=client), request.user)
        .select_related("history_user")
        .order_by("-history_date")[:50],
    }
    return render(request, "performance/close_list.html", context)


# Unresolved lines listed on the confirmation page; the rest are one link away.
UNRESOLVED_SHOWN = 100


@login_required
@require_GET
def confirm(request):
    """What closing a month would freeze unresolved, and (for CMO admins) the confirmation
    with a note. Without a valid month it shows the client's next month to close."""
    clients = list(visible_clients(request.user).order_by("code"))
    code = request.GET.get("client") or (clients[0].code if clients else "")
    client = next((c for c in clients if c.code == code), None)
    if client is None:
        raise Http404("No such client.")
    form = CloseMonthForm(request.GET)
    month = form.cleaned_data["month"] if form.is_valid() else _next_to_close(client, request.user)
    check = close_check(client, month)
    month_scope = FigureScope(clients=(client,), start=check.period, end=check.period)
    lines = list(unresolved_lines(client, check.period)[: UNRESOLVED_SHOWN + 1])
    context = {
        "client": client,
        "month": check.period,
        "check": check,
        "already_closed": _is_closed(client, check.period, request.user),
        "can_close": role_for(request.user, client) == CMO_ADMIN,
        "unresolved": [
            (state, count, lines_url(month_scope, status=state))
            for state, count in check.unresolved.items()
        ],
        "lines": lines[:UNRESOLVED_SHOWN],
        "more_lines": len(lines) > UNRESOLVED_SHOWN,
        "all_failed_url": lines_url(month_scope, outcome="failed"),
        "form": CloseMonthForm(initial={"client": client.code, "month": f"{check.period:%Y-%m}"}),
    }
    return render(request, "performance/close_confirm.html", context)


def _next_to_close(client, user):
    """The month after the client's latest close, or the last finished month."""
    last = add_months(timezone.localdate().replace(day=1), -1)
    latest = (
        MonthClose.objects.filter(client=client, reopened_at__isnull=True)
        .visible_to(user)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    return min(add_months(latest, 1), last) if latest else last


def _is_closed(client, month, user) -> bool:
    return (
        MonthClose.objects.visible_to(user)
        .filter(client=client, period=month, reopened_at__isnull=True)
        .exists()
    )


@login_required
@require_POST
def close(request):
    """The close itself (services.close_month applies the rules, the same as the CLI's)."""
    form = CloseMonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a client and a month (YYYY-MM).")
        return redirect("performance:closes")
    client = _visible_client(request, form.cleaned_data["client"])
    month = form.cleaned_data["month"]

    if role_for(request.user, client) != CMO_ADMIN:
        raise PermissionDenied("Your role does not allow you to close months for this client.")
    note = form.cleaned_data["note"]
    out_of_order = form.cleaned_data["out_of_order"]
    # The rules are checked here so the user hears at once (a refusal goes back to the
    # confirmation, which shows why); the job's close_month checks them again on fresh outcomes.
    confirm = f"{reverse('performance:close_confirm')}?client={client.code}&month={month:%Y-%m}"
    try:
        check_closable(client, month)
        refuse_unconfirmed(close_check(client, month), note=note, out_of_order=out_of_order)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect(confirm)
    back = f"{reverse('performance:closes')}?client={client.code}"
    # Closing brings the client's outcomes up to date first: the worker does it.
    return start(
        request,
        back,
        kind="close_month",
        client=client,
        title=f"Close {month:%B %Y} for {client.name}",
        params={
            "period": month.replace(day=1).isoformat(),
            "note": note,
            "out_of_order": out_of_order,
        },
    )


def _visible_client(request, code: str):
    client = visible_clients(request.user).filter(code=code).first()
    if client is None:
        raise Http404("No such client.")
    return client


@login_required
@require_GET
def close_detail(request, pk: int):
    month_close = get_or_404(MonthClose.objects.select_related("client"), request.user, pk=pk)
    figure_scope = FigureScope(
        clients=(month_close.client,), start=month_close.period, end=month_close.period
    )
    snapshot = Totals.of(
        ClosedMonthlyOtif.objects.filter(client=month_close.client, close=month_close)
        .visible_to(request.user)
        .values(*COUNTS)
    )
    # The live figures of the month, as if it were open (the dashboard shows the snapshot).
    live = Totals.of(
        MonthlyOtif.objects.filter(client=month_close.client, period=month_close.period)
        .visible_to(request.user)
        .values(*COUNTS)
    )
    context = {
        "close": month_close,
        "snapshot": snapshot,
        "stale": any(s.close.pk == month_close.pk for s in stale_closes(figure_scope)),
        "can_reopen": month_close.is_closed
        and role_for(request.user, month_close.client) == CMO_ADMIN,
        "reopen_form": ReopenMonthForm(),
        "history": month_close.history.select_related("history_user").order_by("-history_date"),
        "lines_url": lines_url(figure_scope, outcome="measured"),
        "live": live,
    }
    return render(request, "performance/close_detail.html", context)


@login_required
@require_POST
def reopen(request, pk: int):
    month_close = get_or_404(MonthClose.objects.select_related("client"), request.user, pk=pk)
    form = ReopenMonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the reason for reopening the month.")
        return redirect("performance:close", pk=pk)

    def step():
        reopen_month(close=month_close, user=request.user, reason=form.cleaned_data["reason"])
        return f"{month_close.period:%B %Y} is open again; its live figures count."

    return run_step(request, reverse("performance:close", args=[pk]), step)
