"""The harmonisation pages: the FMEA backlog (/harmonisation/), a row with its actions and
rating history, the steps that change them, and the backlog's CSV and XLSX export."""

from __future__ import annotations

from urllib.parse import urlencode

import polars as pl
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tower.harmonisation import services
from tower.harmonisation.forms import (
    CMO_WIDE,
    EXPORT_FORMATS,
    ActionForm,
    BacklogFilter,
    EditItemForm,
    NewItemForm,
    NoteForm,
    RatingForm,
    ReviseForm,
    problems,
)
from tower.harmonisation.models import FmeaAction, FmeaItem, ProcessArea, RatingLog
from tower.harmonisation.queries import evidence, ranked
from tower.masterdata.models import Site
from tower.performance.exports import response as file_response
from tower.performance.forms import default_period
from tower.quality.models import Deviation
from tower.tenancy.scoping import (
    CMO_ROLES,
    client_by_code,
    is_cmo_admin,
    is_cmo_side,
    role_for,
    sees_client_names,
    visible_clients,
)
from tower.web.forms import StepForm
from tower.web.pages import render_figures_page, run_step

ROWS_PER_PAGE = 25


def _backlog(request):
    """The filter form, the visible rows (filtered and ranked) and the evidence period."""
    clients = list(visible_clients(request.user).order_by("code"))
    areas = list(ProcessArea.objects.all())
    sites = list(Site.objects.all())
    form = BacklogFilter(request.GET, clients=clients, areas=areas, sites=sites)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    start, end = default_period()
    if data.get("from") or data.get("to"):
        start, end = data.get("from") or start, data.get("to") or end
        if start > end:
            start, end = default_period()
    items = FmeaItem.objects.visible_to(request.user)
    if data.get("client"):
        items = items.filter(client__code=data["client"])
    if data.get("area"):
        items = items.filter(process_area_id=data["area"])
    if data.get("site"):
        items = items.filter(sites__code=data["site"])
    if data.get("ap"):
        items = items.filter(ap=data["ap"], revised_ap="") | items.filter(revised_ap=data["ap"])
    if data.get("overdue"):
        overdue = FmeaAction.objects.filter(
            completed_on__isnull=True, due_date__lt=timezone.localdate()
        ).visible_to(request.user)
        items = items.filter(pk__in=overdue.values("item_id"))
    items = ranked(items.distinct()).select_related("process_area", "client")
    scope_clients = [c for c in clients if not data.get("client") or c.code == data["client"]]
    return form, valid, items, (start, end), clients, areas, sites, scope_clients


def _with_evidence(request, rows, scope_clients, period):
    deviations = Deviation.objects.filter(client__in=[c.pk for c in scope_clients]).visible_to(
        request.user
    )
    return evidence(rows, deviations, scope_clients, *period)


def _overdue_items(request, rows) -> set[int]:
    today = timezone.localdate()
    return set(
        FmeaAction.objects.filter(
            item__in=[r.pk for r in rows], completed_on__isnull=True, due_date__lt=today
        )
        .visible_to(request.user)
        .values_list("item_id", flat=True)
    )


def _export_query(form) -> str:
    """The filters as read (never a raw value typed into the URL)."""
    params = {}
    for name, value in form.cleaned_data.items():
        if name in ("from", "to") and value:
            params[name] = f"{value:%Y-%m}"
        elif value is True:
            params[name] = "1"
        elif value:
            params[name] = value
    return urlencode(params)


@login_required
@require_GET
def backlog(request):
    form, valid, items, period, clients, areas, sites, scope_clients = _backlog(request)
    page = Paginator(items.prefetch_related("sites"), ROWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    found = _with_evidence(request, rows, scope_clients, period)
    overdue = _overdue_items(request, rows)
    context = {
        "form": form,
        "page_obj": page,
        "rows": [(item, found.get(item.pk), item.pk in overdue) for item in rows],
        "period": period,
        "client_choices": clients,
        "area_choices": areas,
        "site_choices": sites,
        "selected": {k: str(request.GET.get(k, "")) for k in ("client", "area", "site", "ap")},
        "overdue_only": bool(valid and form.cleaned_data.get("overdue")),
        "show_clients": sees_client_names(request.user),
        "query": _export_query(form) if valid else "",
        "new_client": form.cleaned_data.get("client", "") if valid else "",
        "can_add": is_cmo_admin(request.user)
        or any(role_for(request.user, c) in CMO_ROLES for c in clients),
    }
    return render_figures_page(
        request,
        "harmonisation/backlog.html",
        "harmonisation/_backlog_body.html",
        context,
        status=200 if valid else 400,
    )


EXPORT_COLUMNS = {
    "rank": pl.Int64,
    "process_area": pl.String,
    "client": pl.String,
    "sites": pl.String,
    "difference": pl.String,
    "failure_mode": pl.String,
    "s_site": pl.Int64,
    "s_client": pl.Int64,
    "s_patient": pl.Int64,
    "s": pl.Int64,
    "o": pl.Int64,
    "d": pl.Int64,
    "ap": pl.String,
    "rpn": pl.Int64,
    "revised_s": pl.Int64,
    "revised_o": pl.Int64,
    "revised_d": pl.Int64,
    "revised_ap": pl.String,
    "revised_rpn": pl.Int64,
    "deviations": pl.Int64,
    "failed_lines": pl.Int64,
    "open_actions": pl.Int64,
    "overdue_actions": pl.Int64,
}


@login_required
@require_GET
def export(request, fmt: str):
    if fmt not in EXPORT_FORMATS:
        raise Http404("No such format.")
    form, valid, items, period, _, _, _, scope_clients = _backlog(request)
    if not valid:
        messages.error(request, f"The filters could not be read: {problems(form)}")
        return redirect(reverse("harmonisation:backlog"))
    rows = list(items.prefetch_related("sites", "actions"))
    found = _with_evidence(request, rows, scope_clients, period)
    today = timezone.localdate()
    records = []
    for rank, item in enumerate(rows, start=1):
        actions = list(item.actions.all())
        records.append(
            {
                "rank": rank,
                "process_area": item.process_area.name,
                "client": item.client.code if item.client else "",
                "sites": " ".join(s.code for s in item.sites.all()),
                "difference": item.difference,
                "failure_mode": item.failure_mode,
                "s_site": item.severity_site,
                "s_client": item.severity_client,
                "s_patient": item.severity_patient,
                "s": item.severity,
                "o": item.occurrence,
                "d": item.detection,
                "ap": item.ap,
                "rpn": item.rpn,
                "revised_s": item.revised_severity,
                "revised_o": item.revised_occurrence,
                "revised_d": item.revised_detection,
                "revised_ap": item.revised_ap or None,
                "revised_rpn": item.revised_rpn,
                "deviations": found[item.pk].deviations,
                "failed_lines": found[item.pk].failed_lines,
                "open_actions": sum(1 for a in actions if not a.is_completed),
                "overdue_actions": sum(1 for a in actions if a.is_overdue(today)),
            }
        )
    frame = pl.DataFrame(records, schema=EXPORT_COLUMNS)
    stamp = f"{period[0]:%Y-%m}-to-{period[1]:%Y-%m}"
    return file_response(frame, fmt, f"harmonisation-fmea-{stamp}.{fmt}")


def _item(request, pk: int) -> FmeaItem:
    item = (
        FmeaItem.objects.filter(pk=pk)
        .visible_to(request.user)
        .select_related("process_area", "client")
        .first()
    )
    if item is None:
        raise Http404("No FMEA row matches the given query.")
    return item


def _action(request, pk: int) -> FmeaAction:
    action = (
        FmeaAction.objects.filter(pk=pk)
        .visible_to(request.user)
        .select_related("item", "client")
        .first()
    )
    if action is None:
        raise Http404("No FMEA action matches the given query.")
    return action


def may_edit(user, item: FmeaItem) -> bool:
    return is_cmo_admin(user) if item.client is None else is_cmo_side(user, item.client)


@login_required
@require_GET
def item_detail(request, pk: int):
    item = _item(request, pk)
    today = timezone.localdate()
    actions = list(item.actions.all())
    ratings = list(RatingLog.objects.filter(item=item).visible_to(request.user))
    clients = [item.client] if item.client else list(visible_clients(request.user))
    start, end = default_period()
    found = _with_evidence(request, [item], clients, (start, end))
    editable = may_edit(request.user, item)
    return render(
        request,
        "harmonisation/item_detail.html",
        {
            "item": item,
            "sites": list(item.sites.all()),
            "actions": [(a, a.is_overdue(today)) for a in actions],
            "verified": [a for a in actions if a.is_verified],
            "ratings": ratings,
            "evidence": found[item.pk],
            "period": (start, end),
            "editable": editable,
            "rating_form": RatingForm(
                initial={f: getattr(item, f) for f in RatingForm.base_fields if f != "reason"}
            ),
            "action_form": ActionForm(),
            "show_clients": sees_client_names(request.user),
            "nav_active": "harmonisation:backlog",
        },
    )


def _post_step(request, item: FmeaItem, form, step, done: str):
    back = reverse("harmonisation:item", args=[item.pk])
    if not form.is_valid():
        messages.error(request, f"Nothing was changed. {problems(form)}")
        return redirect(back)

    def run():
        step(form.cleaned_data)
        return done

    return run_step(request, back, run)


@login_required
@require_POST
def rate(request, pk: int):
    item = _item(request, pk)
    form = RatingForm(request.POST)
    return _post_step(
        request,
        item,
        form,
        lambda data: services.rate_item(
            user=request.user, item=item, ratings=form.ratings(), reason=data["reason"]
        ),
        "The assessment was corrected; the reason is kept in the rating history.",
    )


@login_required
@require_POST
def revise(request, pk: int):
    item = _item(request, pk)
    form = ReviseForm(request.POST)

    def step(data):
        action = FmeaAction.objects.filter(pk=data["action"], item=item).visible_to(request.user)
        action = action.first()
        if action is None:
            raise services.WorkflowError("Choose one of this row's actions.")
        services.revise_item(
            user=request.user,
            item=item,
            action=action,
            ratings=form.ratings(),
            reason=data["reason"],
        )

    return _post_step(request, item, form, step, "Revised ratings recorded.")


@login_required
@require_POST
def action_add(request, pk: int):
    item = _item(request, pk)
    form = ActionForm(request.POST)
    return _post_step(
        request,
        item,
        form,
        lambda data: services.add_action(
            user=request.user,
            item=item,
            description=data["description"],
            owner=data["owner"],
            due_date=data["due_date"],
        ),
        "Action added.",
    )


def _action_step(request, action: int, service, done: str):
    found = _action(request, action)
    form = NoteForm(request.POST)
    return _post_step(
        request,
        found.item,
        form,
        lambda data: service(user=request.user, action=found, note=data["note"]),
        done,
    )


@login_required
@require_POST
def action_complete(request, action: int):
    return _action_step(
        request,
        action,
        services.complete_action,
        "Action completed; it now needs verifying by someone else.",
    )


@login_required
@require_POST
def action_verify(request, action: int):
    return _action_step(
        request, action, services.verify_action, "Action verified: the row may now be re-rated."
    )


# ---------------------------------------------------------------------------------------------
# Writing a row: a new one with its first assessment, or what differs corrected


class _NewItem(NewItemForm, StepForm):
    pass


class _EditItem(EditItemForm, StepForm):
    pass


def _choices():
    return list(ProcessArea.objects.all()), list(Site.objects.order_by("code"))


def _described(form, areas, sites) -> dict:
    """What the form says of the row: its process area, sites, difference and failure mode."""
    data = form.cleaned_data
    return {
        "process_area": next(a for a in areas if a.code == data["process_area"]),
        "sites": [s for s in sites if s.code in data["sites"]],
        "difference": data["difference"],
        "failure_mode": data["failure_mode"],
    }


def _form_page(request, context: dict, form):
    context["form"] = form
    status = 400 if form.errors else 200
    return render(request, "harmonisation/item_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def item_new(request):
    visible = list(visible_clients(request.user).order_by("code"))
    # ?client= (and the posted client) name a client the user sees; another one is a 404.
    named = client_by_code(visible, request.GET.get("client", ""))
    posted = request.POST.get("client", "").strip()
    if posted and posted != CMO_WIDE:
        client_by_code(visible, posted)
    clients = [c for c in visible if role_for(request.user, c) in CMO_ROLES]
    cmo_wide = is_cmo_admin(request.user)
    context = {"nav_active": "harmonisation:backlog", "editing": False}
    if not clients and not cmo_wide:
        if request.method == "POST":
            raise PermissionDenied("FMEA rows are written by the CMO's people.")
        return render(request, "harmonisation/item_form.html", context)
    areas, sites = _choices()
    form = _NewItem(
        request.POST or None, clients=clients, areas=areas, sites=sites, cmo_wide=cmo_wide
    )
    if named is not None:
        form.initial["client"] = named.code
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        client = None if data["client"] == CMO_WIDE else client_by_code(clients, data["client"])
        described = _described(form, areas, sites)
        item = form.run(
            lambda d: services.create_item(
                user=request.user,
                client=client,
                ratings=form.ratings(),
                reason=d["reason"],
                **described,
            )
        )
        if item is not None:
            messages.success(
                request, f"FMEA row added with priority {item.ap}: now add its actions."
            )
            return redirect("harmonisation:item", pk=item.pk)
    return _form_page(request, context, form)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk: int):
    item = _item(request, pk)
    context = {"item": item, "nav_active": "harmonisation:backlog", "editing": True}
    if not may_edit(request.user, item):
        if request.method == "POST":
            raise PermissionDenied("FMEA rows are written by the CMO's people.")
        return render(request, "harmonisation/item_form.html", context)
    areas, sites = _choices()
    initial = {
        "process_area": item.process_area_id,
        "sites": [s.code for s in item.sites.all()],
        "difference": item.difference,
        "failure_mode": item.failure_mode,
    }
    form = _EditItem(
        request.POST or None,
        initial=initial,
        clients=[],
        areas=areas,
        sites=sites,
        cmo_wide=False,
    )
    if request.method == "POST" and form.is_valid():
        described = _described(form, areas, sites)
        done = form.run(
            lambda d: services.edit_item(
                user=request.user, item=item, reason=d["reason"], **described
            )
        )
        if done is not None:
            messages.success(request, "FMEA row changed; the reason is kept in its history.")
            return redirect("harmonisation:item", pk=item.pk)
    return _form_page(request, context, form)
