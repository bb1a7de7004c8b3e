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
from tower.performance.models import ClosedMonthlyOtif, MonthClose, MonthlyOtif
from tower.performance.services import check_closable, reopen_month
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
    months = [
        {
            "period": month,
            "totals": totals.get(month),
            "close": closes.get(month),
            "stale": month in stale,
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


@login_required
@require_POST
def close(request):
    form = CloseMonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a client and a month (YYYY-MM).")
        return redirect("performance:closes")
    client = _visible_client(request, form.cleaned_data["client"])

    if role_for(request.user, client) != CMO_ADMIN:
        raise PermissionDenied("Your role does not allow you to close months for this client.")
    month = form.cleaned_data["month"]
    back = f"{reverse('performance:closes')}?client={client.code}"
    try:
        check_closable(client, month)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    # Closing brings the client's outcomes up to date first: the worker does it.
    return start(
        request,
        back,
        kind="close_month",
        client=client,
        title=f"Close {month:%B %Y} for {client.name}",
        params={"period": month.replace(day=1).isoformat(), "note": form.cleaned_data["note"]},
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
