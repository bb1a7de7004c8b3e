"""Customer stock-outs (kpis.md 5): the list, reporting one, one stock-out and why the CMO did or
did not cause it, and recording its end.

Every read starts from tenancy.scoping; writes go through tower.scorecards.services, which check
the role and re-attribute the stock-out to the lines that caused it.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tower.escalations.models import Escalation
from tower.escalations.services import open_on
from tower.masterdata.models import Product
from tower.performance.attribution import lookback_days
from tower.performance.models import LineOutcome
from tower.performance.queries import with_root_cause
from tower.scorecards.forms import (
    STOCK_OUT_SORTS,
    EndStockOutForm,
    StockOutFilterForm,
    StockOutReportForm,
    recent_quarters,
)
from tower.scorecards.services import STOCK_OUT_REPORTERS, end_stock_out, report_stock_out
from tower.stockouts.models import StockOutEvent, StockOutLink
from tower.tenancy.scoping import get_or_404, role_for, sees_client_names, visible_clients
from tower.web.forms import form_error_text
from tower.web.pages import run_step, sort_links

STOCK_OUTS_PER_PAGE = 50
QUARTERS_SHOWN = 8
OTHER_FAILED_SHOWN = 50
NAV = "scorecards:stock_outs"

# ---------------------------------------------------------------------------------------------
# The list


@login_required
@require_GET
def stock_out_list(request):
    clients = list(visible_clients(request.user).order_by("code"))
    form = StockOutFilterForm(request.GET, clients=clients)
    valid = form.is_valid()
    # The filters that could be read apply; the others are named in a notice (status 400).
    data = form.cleaned_data
    events = StockOutEvent.objects.all().visible_to(request.user)
    client = data.get("client")
    if client is not None:
        events = events.filter(client=client)
    period = data.get("period")
    if period is not None:  # lasted into the period (as the scorecard counts them)
        events = events.filter(start_date__lte=period.end).exclude(end_date__lt=period.start)
    if data.get("product"):
        events = events.filter(product__code=data["product"].strip())
    if data.get("caused"):
        wanted = {"yes": "caused", "no": "not_caused"}.get(data["caused"], data["caused"])
        events = events.filter(attribution=wanted)
    if data.get("open"):
        events = events.filter(end_date__isnull=True)
    sort = data.get("sort") or "-start"
    column = STOCK_OUT_SORTS[sort.removeprefix("-")]
    events = (
        events.annotate(linked_lines=Count("links"))
        .select_related("client", "product")
        .order_by(f"-{column}" if sort.startswith("-") else column, "-pk")
    )
    page = Paginator(events, STOCK_OUTS_PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    page.object_list = list(page.object_list)
    for event in page.object_list:
        event.days = ((event.end_date or today) - event.start_date).days + 1

    in_view = [client] if client else clients
    products = []
    if len(in_view) == 1:
        products = list(
            Product.objects.filter(client=in_view[0])
            .visible_to(request.user)
            .order_by("code")
            .values_list("code", "name")
        )
    selected = {name: str(form.data.get(name, "")) for name in form.fields}
    selected["open"] = "1" if data.get("open") else ""
    context = {
        "form": form,
        "page_obj": page,
        "selected": selected,
        "sort": sort,
        "sort_links": sort_links(request, sort, STOCK_OUT_SORTS),
        "client_choices": clients,
        "product_choices": products,
        "period": period,
        "quarters": recent_quarters(today, QUARTERS_SHOWN, period),
        "show_clients": sees_client_names(request.user),
        "can_report": any(role_for(request.user, c) in STOCK_OUT_REPORTERS for c in clients),
        "filtered": any(data.get(k) for k in ("client", "period", "product", "caused", "open")),
        "report_client": client.code if client else "",
    }
    return render(request, "scorecards/stock_out_list.html", context, status=200 if valid else 400)


# ---------------------------------------------------------------------------------------------
# Reporting one


@login_required
@require_http_methods(["GET", "POST"])
def report(request):
    clients = [
        c
        for c in visible_clients(request.user).order_by("code")
        if role_for(request.user, c) in STOCK_OUT_REPORTERS
    ]
    if not clients:
        return render(request, "scorecards/stock_out_report.html", {"nav_active": NAV})
    code = request.GET.get("client", "").strip()
    client = next((c for c in clients if c.code == code), None) if code else clients[0]
    if client is None:
        raise Http404("No such client.")

    if request.method == "POST":
        form = StockOutReportForm(request.POST, client=client)
        if form.is_valid():
            event = form.run(
                lambda data: report_stock_out(
                    client=client,
                    product=data["product"],
                    location=data["location"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    note=data["note"],
                    user=request.user,
                )
            )
            if event is not None:
                messages.success(request, _reported_message(event))
                return redirect("scorecards:stock_out", pk=event.pk)
    else:
        initial = {"start_date": timezone.localdate()}
        product = request.GET.get("product", "").strip()
        if product:  # e.g. from a product's lines; another client's code reads as unknown
            initial["product"] = (
                Product.objects.filter(client=client, code=product).visible_to(request.user).first()
            )
        form = StockOutReportForm(initial=initial, client=client)

    context = {
        "form": form,
        "client": client,
        "client_choices": clients,
        "show_clients": sees_client_names(request.user),
        "lookback": lookback_days(client),
        "nav_active": NAV,
    }
    return render(request, "scorecards/stock_out_report.html", context)


def _reported_message(event: StockOutEvent) -> str:
    lookback = lookback_days(event.client)
    if event.attribution == StockOutEvent.Attribution.UNDETERMINED:
        return (
            "Stock-out recorded. It is undetermined for now: a failed line of this product due "
            f"in the {lookback} days before it has no approved root cause yet; the client's "
            "decision on it will say whether the CMO caused it."
        )
    if not event.cmo_caused:
        return (
            "Stock-out recorded. No failed line of this product with an approved CMO root "
            f"cause was due in the {lookback} days before it: it does not count as caused "
            "by the CMO."
        )
    lines = event.links.count()
    return (
        f"Stock-out recorded. It counts as caused by the CMO: {lines} failed "
        f"line{'s' if lines != 1 else ''} of this product with an approved CMO root cause "
        f"{'were' if lines != 1 else 'was'} due in the {lookback} days before it."
    )


# ---------------------------------------------------------------------------------------------
# One stock-out


def _scoped_event(request, pk: int) -> StockOutEvent:
    return get_or_404(
        StockOutEvent.objects.select_related("client", "product", "reported_by"),
        request.user,
        pk=pk,
    )


@login_required
@require_GET
def stock_out_detail(request, pk: int):
    event = _scoped_event(request, pk)
    lookback = lookback_days(event.client)
    window_start = event.start_date - dt.timedelta(days=lookback)
    links = list(
        with_root_cause(
            StockOutLink.objects.filter(event=event)
            .visible_to(request.user)
            .select_related("line__order", "line__site", "line__outcome")
            .order_by("line__outcome__due_date", "line_id")
        )
    )
    linked = [_line_row(link.line, getattr(link.line, "outcome", None), event) for link in links]
    # Failed lines in the same window that do not count against the CMO (yet): the cause is
    # not approved, or it lies with the client or outside. They say why a stock-out is not
    # CMO-caused, or could become so.
    others = (
        LineOutcome.objects.all()
        .visible_to(request.user)
        .filter(
            client=event.client,
            line__product=event.product,
            state="measured",
            otif=False,
            due_date__gte=window_start,
            due_date__lt=event.start_date,
        )
        .exclude(line_id__in=[link.line_id for link in links])
        .select_related("line__order", "line__site")
        .order_by("due_date", "line_id")[:OTHER_FAILED_SHOWN]
    )
    others = with_root_cause(others)
    role = role_for(request.user, event.client)
    today = timezone.localdate()
    context = {
        "event": event,
        "lookback": lookback,
        "window_start": window_start,
        "window_end": event.start_date - dt.timedelta(days=1),
        "linked": linked,
        "others": [_line_row(o.line, o, event) for o in others],
        "days": ((event.end_date or today) - event.start_date).days + 1,
        "show_clients": sees_client_names(request.user),
        "can_end": role in STOCK_OUT_REPORTERS,
        # Either side may escalate it; one open escalation per stock-out (a link to it if so).
        "escalation": open_on(
            Escalation.objects.visible_to(request.user),
            event.client_id,
            Escalation.Subject.STOCK_OUT,
            event.pk,
        ),
        "can_escalate": role is not None,
        "end_form": EndStockOutForm(initial={"end_date": event.end_date or today}),
        "history": list(event.history.select_related("history_user").order_by("-history_date")),
        "nav_active": NAV,
    }
    return render(request, "scorecards/stock_out_detail.html", context)


def _line_row(line, outcome, event: StockOutEvent) -> dict:
    """A line behind a stock-out: its due date, how late, and its root cause (never the CMO's
    internal note)."""
    cause = line.root_cause
    due = outcome.due_date if outcome is not None else None
    return {
        "line": line,
        "outcome": outcome,
        "due_date": due,
        "days_before": (event.start_date - due).days if due else None,
        "cause": cause,
    }


@login_required
@require_POST
def end(request, pk: int):
    event = _scoped_event(request, pk)
    back = reverse("scorecards:stock_out", args=[event.pk])
    form = EndStockOutForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, f"Give the day the product was back in stock: {form_error_text(form)}"
        )
        return redirect(back)

    def step():
        end_stock_out(event=event, end_date=form.cleaned_data["end_date"], user=request.user)
        days = (event.end_date - event.start_date).days + 1
        return (
            f"Stock-out ended: back in stock on {event.end_date.day} {event.end_date:%B %Y}, "
            f"{days} day{'s' if days != 1 else ''} out of stock."
        )

    return run_step(request, back, step)
