"""The webhook pages: a client's endpoints (a section of the agreement page, loaded as an htmx
fragment, and a page per endpoint), the secret shown once, and the deliveries with every
attempt. The CMO's people (CMO admins and the client's CMO staff) configure and send; the
client's users read the endpoints (URL shortened) and the deliveries' outcomes, not the
bodies or the receivers' answers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tower.tenancy.models import Client
from tower.tenancy.scoping import (
    client_by_code,
    get_or_404,
    is_cmo_side,
    scope,
    sees_client_names,
    visible_clients,
)
from tower.web.forms import form_error_text
from tower.web.pages import attempt_step, run_step
from tower.webhooks import services
from tower.webhooks.forms import DeliveryFilter, EndpointForm
from tower.webhooks.models import Delivery, DeliveryAttempt, Endpoint

DELIVERIES_PER_PAGE = 50
NAV = "webhooks:deliveries"


def _client(request, code: str) -> Client:
    return get_or_404(Client.objects.all(), request.user, client_field="", code=code)


def _endpoint(request, code: str, pk: int) -> Endpoint:
    return get_or_404(
        Endpoint.objects.select_related("client"), request.user, pk=pk, client__code=code
    )


def _back(client: Client) -> str:
    return reverse("scorecards:agreement", args=[client.code]) + "#webhooks"


def _row(endpoint: Endpoint) -> dict:
    return {
        "endpoint": endpoint,
        "url": services.display_url(endpoint.url),
        "secret": services.masked_secret(endpoint.secret),
    }


@login_required
@require_GET
def endpoints(request, code: str):
    """The webhooks section of the agreement page (hx-get on load)."""
    client = _client(request, code)
    can_edit = is_cmo_side(request.user, client)
    found = Endpoint.objects.filter(client=client).visible_to(request.user)
    rows = [_row(e) for e in found.filter(archived_at__isnull=True).order_by("name")]
    archived = list(found.filter(archived_at__isnull=False).order_by("-archived_at"))
    return render(
        request,
        "webhooks/_endpoints.html",
        {
            "client": client,
            "rows": rows,
            "archived": archived,
            "can_edit": can_edit,
            "form": EndpointForm() if can_edit else None,
        },
    )


def _secret_page(request, endpoint: Endpoint, secret: str, what: str):
    """The secret, this once (the views are never_cache: no copy is kept along the way)."""
    return render(
        request,
        "webhooks/secret.html",
        {
            "client": endpoint.client,
            "endpoint": endpoint,
            "secret": secret,
            "what": what,
            "nav_active": NAV,
        },
    )


@never_cache
@login_required
@require_POST
def endpoint_add(request, code: str):
    """Add an endpoint; the answer shows its secret, this once (never stored in a message)."""
    client = _client(request, code)
    if not is_cmo_side(request.user, client):
        raise PermissionDenied("Only the CMO's people configure webhooks.")
    form = EndpointForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"The endpoint was not added. {form_error_text(form)}")
        return redirect(_back(client))
    data = form.cleaned_data
    made = {}

    def step():
        made["endpoint"], made["secret"] = services.add_endpoint(
            client=client,
            name=data["name"],
            url=data["url"],
            fmt=data["format"],
            active=data["active"],
            user=request.user,
        )
        return ""

    _, error = attempt_step(step)
    if error:
        messages.error(request, f"The endpoint was not added. {error}")
        return redirect(_back(client))
    return _secret_page(request, made["endpoint"], made["secret"], "added")


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_detail(request, code: str, endpoint: int):
    target = _endpoint(request, code, endpoint)
    client = target.client
    can_edit = is_cmo_side(request.user, client)
    form = None
    if target.archived_at is not None:
        can_edit = False  # an archived endpoint is kept as a record; it no longer changes
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Only the CMO's people configure webhooks.")
        form = EndpointForm(request.POST, editing=True)
        if form.is_valid():
            changed = form.run(
                lambda data: services.update_endpoint(
                    endpoint=target,
                    name=data["name"],
                    url=data["url"],
                    fmt=data["format"],
                    active=data["active"],
                    user=request.user,
                )
            )
            if changed is not None:
                if changed:
                    messages.success(request, f"Endpoint {target.name}: saved.")
                else:
                    messages.info(request, f"Nothing changed: {target.name} is as it was.")
                return redirect("webhooks:endpoint", code=client.code, endpoint=target.pk)
    elif can_edit:
        form = EndpointForm(
            editing=True,
            initial={"name": target.name, "format": target.format, "active": target.active},
        )
    history = (
        scope(Endpoint.history.filter(id=target.pk), request.user)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:50]
    )
    recent = list(
        Delivery.objects.filter(endpoint=target).visible_to(request.user).order_by("-pk")[:10]
    )
    return render(
        request,
        "webhooks/endpoint.html",
        {
            "client": client,
            "row": _row(target),
            "endpoint": target,
            "form": form,
            "can_edit": can_edit,
            "can_archive": can_edit and target.archived_at is None,
            "history": [{"h": h, "url": services.display_url(h.url)} for h in history],
            "recent": recent,
            "nav_active": "scorecards:agreements",
        },
    )


@login_required
@require_POST
def endpoint_test(request, code: str, endpoint: int):
    target = _endpoint(request, code, endpoint)
    back = reverse("webhooks:deliveries") + f"?client={target.client.code}&endpoint={target.pk}"

    def step():
        services.send_test(endpoint=target, user=request.user)
        return (
            f"A test was queued for {target.name}: the worker posts it now; its outcome shows "
            "below."
        )

    return run_step(request, back, step)


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_archive(request, code: str, endpoint: int):
    """Archive an endpoint (the page asks for confirmation first): see
    services.archive_endpoint for why it is archived rather than deleted."""
    target = _endpoint(request, code, endpoint)
    can_edit = is_cmo_side(request.user, target.client)
    back = reverse("webhooks:endpoint", args=[target.client.code, target.pk])
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Only the CMO's people configure webhooks.")
        if target.archived_at is not None:
            messages.info(request, f"{target.name} is already archived.")
            return redirect(back)
        reason = request.POST.get("reason", "")[:90]

        def step():
            services.archive_endpoint(endpoint=target, user=request.user, reason=reason)
            return (
                f"Endpoint {target.name} archived: it receives nothing more; its deliveries "
                "stay in the log."
            )

        return run_step(request, back, step)
    pending = Delivery.objects.filter(
        client=target.client, endpoint=target, status=Delivery.Status.PENDING
    ).visible_to(request.user)
    return render(
        request,
        "webhooks/archive.html",
        {
            "client": target.client,
            "endpoint": target,
            "pending": pending.count(),
            "can_edit": can_edit,
            "nav_active": "scorecards:agreements",
        },
    )


@never_cache
@login_required
@require_POST
def endpoint_secret(request, code: str, endpoint: int):
    target = _endpoint(request, code, endpoint)
    made = {}

    def step():
        made["secret"] = services.renew_secret(endpoint=target, user=request.user)
        return ""

    _, error = attempt_step(step)
    if error:
        messages.error(request, error)
        return redirect("webhooks:endpoint", code=target.client.code, endpoint=target.pk)
    return _secret_page(request, target, made["secret"], "renewed")


# ---------------------------------------------------------------------------------------------
# Deliveries


@login_required
@require_GET
def deliveries(request):
    """Every delivery the user may see, newest first, filtered by client, endpoint, status,
    event and test; 50 a page."""
    clients = list(visible_clients(request.user).order_by("code"))
    form = DeliveryFilter(request.GET)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    client = client_by_code(clients, request.GET.get("client", ""))
    rows = Delivery.objects.visible_to(request.user).select_related("endpoint", "client")
    if client is not None:
        rows = rows.filter(client=client)
    if data.get("endpoint"):
        rows = rows.filter(endpoint_id=data["endpoint"])
    if data.get("status"):
        rows = rows.filter(status=data["status"])
    if data.get("event"):
        rows = rows.filter(event=data["event"].strip())
    if data.get("test") in ("0", "1"):
        rows = rows.filter(is_test=data["test"] == "1")
    page = Paginator(rows.order_by("-created_at", "-pk"), DELIVERIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    endpoint_choices = Endpoint.objects.visible_to(request.user).select_related("client")
    if client is not None:
        endpoint_choices = endpoint_choices.filter(client=client)
    selected = {name: str(request.GET.get(name, "")) for name in form.fields}
    context = {
        "form": form,
        "page_obj": page,
        "selected": selected,
        "client_choices": clients,
        "endpoint_choices": endpoint_choices.order_by("client__code", "name"),
        "status_choices": Delivery.Status.choices,
        "filtered": any(selected.values()),
        "show_clients": sees_client_names(request.user),
        "nav_active": NAV,
    }
    return render(request, "webhooks/deliveries.html", context, status=200 if valid else 400)


@login_required
@require_GET
def delivery_detail(request, pk: int):
    delivery = get_or_404(
        Delivery.objects.select_related("endpoint", "client"), request.user, pk=pk
    )
    cmo = is_cmo_side(request.user, delivery.client)
    attempts = (
        DeliveryAttempt.objects.filter(delivery=delivery)
        .visible_to(request.user)
        .order_by("number")
    )
    return render(
        request,
        "webhooks/delivery.html",
        {
            "delivery": delivery,
            "client": delivery.client,
            "attempts": attempts,
            "cmo": cmo,
            "url": services.display_url(delivery.endpoint.url),
            "max_attempts": services.MAX_ATTEMPTS,
            "nav_active": NAV,
        },
    )


@login_required
@require_POST
def delivery_retry(request, pk: int):
    delivery = get_or_404(Delivery.objects.select_related("client"), request.user, pk=pk)
    back = reverse("webhooks:delivery", args=[delivery.pk])

    def step():
        services.send_again(delivery=delivery, user=request.user)
        return "The delivery is sent again now, with a fresh round of retries."

    return run_step(request, back, step)
