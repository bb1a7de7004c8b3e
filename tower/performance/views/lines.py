"""The lines behind a figure, one line's page, and the root-cause and exclusion steps.

Every read starts from tenancy.scoping (scoped querysets, get_or_404); writes go through
performance.services, which check the role."""

from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from tower.engine.otif import DELAY_CLASSES
from tower.jobs.views import start
from tower.masterdata.models import RootCauseCode
from tower.orders.models import Delivery, OrderLine
from tower.performance import exports
from tower.performance.forms import (
    SORTS,
    ExclusionForm,
    LineFilterForm,
    ProposeRootCauseForm,
    ReopenRootCauseForm,
    ReviewRootCauseForm,
    functional_areas,
)
from tower.performance.models import (
    LineOutcome,
    RootCause,
    RootCauseStatus,
)
from tower.performance.queries import FAILED, filter_lines, lines_in_scope, with_root_cause
from tower.performance.services import (
    REOPENERS,
    approve_root_cause,
    approve_root_causes,
    dispute_root_cause,
    propose_root_cause,
    propose_root_causes,
    reopen_root_cause,
)
from tower.performance.views.filter_bar import LINES_PER_PAGE, filter_options
from tower.quality.models import Batch
from tower.tenancy.models import Role
from tower.tenancy.scoping import (
    CMO_ADMIN,
    CMO_ROLES,
    get_or_404,
    is_cmo_side,
    require_role,
    role_for,
    sees_client_names,
)
from tower.web.pages import render_figures_page, run_step, sort_links
from tower.workflow import NotAllowed

# ---------------------------------------------------------------------------------------------
# The lines behind a figure


def _line_filter_form(query: QueryDict, user) -> LineFilterForm:
    return LineFilterForm(
        query,
        principal=user,
        areas=functional_areas(),
        codes=list(RootCauseCode.objects.filter(active=True).select_related("area")),
    )


def _filtered_lines(form: LineFilterForm):
    """The scoped, filtered, sorted LineOutcome rows the form describes (none if invalid)."""
    rows = LineOutcome.objects.all().visible_to(form.principal)
    if not form.is_valid():
        return rows.none(), form.scope()
    figure_scope = form.scope()
    data = form.cleaned_data
    rows = filter_lines(
        lines_in_scope(rows, figure_scope),
        **{
            k: data.get(k) or ""
            for k in ("outcome", "kind", "delay", "area", "code", "status", "q")
        },
        due=data.get("due"),
    )
    sort = data["sort"]
    column = SORTS[sort.removeprefix("-")]
    order = f"-{column}" if sort.startswith("-") else column
    return rows.order_by(order, "line_id"), figure_scope


@login_required
@require_GET
def line_list(request):
    form = _line_filter_form(request.GET, request.user)
    rows, figure_scope = _filtered_lines(form)
    page = _page_of_lines(rows, request.GET.get("page"), request.user)
    sort = form.cleaned_data.get("sort", "") if form.is_valid() else ""
    proposable_clients = [c for c in figure_scope.clients if is_cmo_side(request.user, c)]
    context = {
        "form": form,
        "scope": figure_scope,
        "page_obj": page,
        "sort": sort,
        "sort_links": sort_links(request, sort, SORTS),
        "show_clients": sees_client_names(request.user),
        "can_propose": bool(proposable_clients),
        "can_approve": any(
            role_for(request.user, c) == Role.CLIENT_APPROVER for c in figure_scope.clients
        ),
        "propose_form": ProposeRootCauseForm() if proposable_clients else None,
        "query": request.GET.urlencode(),
        **filter_options(form, figure_scope),
    }
    return render_figures_page(
        request,
        "performance/line_list.html",
        "performance/_line_table.html",
        context,
        status=200 if form.is_valid() else 400,
    )


def _page_of_lines(rows, number, principal):
    """One page of line outcomes with their line, order, product, site and root cause.

    The page's ids are found on LineOutcome alone (its index covers the usual filters and
    sorts); only those rows are then joined, instead of joining every matching line first.
    """
    page = Paginator(rows.values_list("line_id", flat=True), LINES_PER_PAGE).get_page(number)
    ids = list(page.object_list)
    loaded = with_root_cause(
        LineOutcome.objects.filter(line_id__in=ids)
        .visible_to(principal)
        .select_related("client", "line__order", "line__product", "line__site")
    )
    by_id = {row.line_id: row for row in loaded}
    page.object_list = [by_id[i] for i in ids]
    return page


@login_required
@require_GET
def line_export(request, fmt: str):
    """The filtered lines as CSV or XLSX (every matching line, not one page).

    CSV streams as it is read. A workbook must be built whole, so a large one (more than
    EXPORT_INLINE_LINES lines) is made by the worker as a job, never in the request.
    """
    if fmt not in exports.FORMATS:
        raise Http404("Lines download as csv or xlsx.")
    form = _line_filter_form(request.GET, request.user)
    if not form.is_valid():
        return render(request, "400.html", {"form_errors": form.errors}, status=400)
    rows, figure_scope, internal = _export_selection(form, request.user)
    name = exports.file_name(figure_scope, fmt)
    if fmt == "csv":
        return exports.streamed_csv(rows, include_internal=internal, name=name)
    if rows.count() <= settings.EXPORT_INLINE_LINES:
        return exports.response(exports.lines_frame(rows, include_internal=internal), fmt, name)
    back = f"{reverse('performance:lines')}?{request.GET.urlencode()}"
    if len(figure_scope.clients) != 1:
        messages.error(
            request,
            f"A workbook of more than {settings.EXPORT_INLINE_LINES} lines is made for one client "
            "at a time: choose a client, or download CSV.",
        )
        return redirect(back)
    (client,) = figure_scope.clients
    return start(
        request,
        back,
        kind="export_lines",
        client=client,
        title=f"Lines workbook, {client.name}",
        # The user is part of the job: the file holds what this user may see.
        params={"query": request.GET.urlencode(), "user": request.user.pk},
    )


def _export_selection(form: LineFilterForm, user):
    rows, figure_scope = _filtered_lines(form)
    internal = bool(figure_scope.clients) and all(
        is_cmo_side(user, c) for c in figure_scope.clients
    )
    return rows, figure_scope, internal


def export_rows(query: QueryDict, user):
    """(rows, figure scope, internal notes or not) of a download's query, read again by the
    worker's job (tower.performance.tasks) with the same filters and scoping as the page."""
    form = _line_filter_form(query, user)
    if not form.is_valid():
        raise ValueError("The list's filters can no longer be read; download the lines again.")
    return _export_selection(form, user)


def _selected_lines(request, selectable: Q) -> dict:
    """The lines a bulk step acts on, per client: the ticked ones, or with "all" every line
    matching the list's filters (`query`) that is `selectable`. A ticked line the user may not
    see reads like one that does not exist (404, default deny)."""
    ids = [int(i) for i in request.POST.getlist("line") if i.isascii() and i.isdigit()]
    if request.POST.get("all") == "1":
        query = QueryDict(request.POST.get("query", ""))
        rows, _ = _filtered_lines(_line_filter_form(query, request.user))
        ids = list(rows.filter(selectable).values_list("line_id", flat=True))
    # An id past the database's integer range names no line (and must not reach the database).
    in_range = [i for i in ids if i < 2**63]
    lines = list(
        OrderLine.objects.filter(pk__in=in_range).visible_to(request.user).select_related("client")
    )
    if len(lines) != len(set(ids)):
        raise Http404("No order line matches the given query.")
    per_client = defaultdict(list)
    for line in lines:
        per_client[line.client].append(line.pk)
    return per_client


@login_required
@require_POST
def propose_for_lines(request):
    """Bulk: propose one root cause for the selected failed lines (or all that match)."""
    form = ProposeRootCauseForm(request.POST)
    back = f"{reverse('performance:lines')}?{request.POST.get('query', '')}"
    if not form.is_valid():
        messages.error(request, "Choose a root cause and write a comment for the client.")
        return redirect(back)
    per_client = _selected_lines(request, FAILED)
    if not per_client:
        messages.error(request, "Select at least one failed line.")
        return redirect(back)

    code = form.cleaned_data["code"].code
    for client in per_client:
        _require_role(request.user, client, CMO_ROLES, "propose root causes")
    if request.POST.get("all") == "1":
        # Every matching line can be thousands: the worker proposes them, one job per client.
        jobs = [
            start(
                request,
                back,
                kind="propose_all",
                client=client,
                title=f"Root cause {code} for {len(ids)} lines of {client.name}",
                params={
                    "lines": sorted(ids),
                    "code": code,
                    "comment": form.cleaned_data["comment"],
                    "internal_note": form.cleaned_data["internal_note"],
                },
            )
            for client, ids in per_client.items()
        ]
        return jobs[0] if len(jobs) == 1 else redirect(back)

    def step():
        done = skipped = 0
        for client, line_ids in per_client.items():
            count = propose_root_causes(
                client=client,
                line_ids=line_ids,
                code=code,
                comment=form.cleaned_data["comment"],
                internal_note=form.cleaned_data["internal_note"],
                user=request.user,
            )
            done += count.proposed
            skipped += count.skipped_approved
        note = (
            f" {skipped} already approved by the client were left as they are." if skipped else ""
        )
        return f"Root cause proposed for {done} lines.{note}"

    return run_step(request, back, step)


@login_required
@require_POST
def approve_for_lines(request):
    """Bulk: the client approver approves the proposed causes of the selected lines."""
    back = f"{reverse('performance:lines')}?{request.POST.get('query', '')}"
    per_client = _selected_lines(request, Q(line__root_cause__status=RootCauseStatus.PROPOSED))
    if not per_client:
        messages.error(request, "Select at least one line with a proposed root cause.")
        return redirect(back)
    comment = request.POST.get("comment", "")[:2000]

    def step():
        done = sum(
            approve_root_causes(client=client, line_ids=ids, user=request.user, comment=comment)
            for client, ids in per_client.items()
        )
        return f"{done} root cause{'s' if done != 1 else ''} approved; net OTIF now counts them."

    return run_step(request, back, step)


# ---------------------------------------------------------------------------------------------
# One line


def _require_role(user, client, allowed, action: str) -> None:
    """Before queueing a job: a role that may not take the step at all gets 403 now."""
    try:
        require_role(user, client, allowed, action)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc


def _scoped_line(request, pk: int) -> OrderLine:
    return get_or_404(
        OrderLine.objects.select_related("client", "order", "product", "site"),
        request.user,
        pk=pk,
    )


@login_required
@require_GET
def line_detail(request, pk: int):
    line = _scoped_line(request, pk)
    # Looked up by client and line (client first, as every index: design.md, Scale path).
    mine = {"client": line.client, "line": line}
    outcome = LineOutcome.objects.filter(**mine).visible_to(request.user).first()
    cause = (
        RootCause.objects.filter(**mine)
        .visible_to(request.user)
        .select_related("code__area")
        .first()
    )
    role = role_for(request.user, line.client)
    cmo_side = is_cmo_side(request.user, line.client)
    # The batch planned to fill the line: a batch number is CMO-internal detail.
    planned_batch = (
        Batch.objects.filter(client=line.client, number=line.planned_batch)
        .visible_to(request.user)
        .first()
        if cmo_side and line.planned_batch
        else None
    )
    failed = outcome is not None and outcome.state == "measured" and outcome.otif is False
    context = {
        "line": line,
        "outcome": outcome,
        "deliveries": Delivery.objects.filter(**mine)
        .visible_to(request.user)
        .order_by("delivered_date", "shipped_date", "id"),
        "root_cause": cause,
        "cause_history": list(
            cause.history.select_related("history_user").order_by("-history_date")
        )
        if cause
        else [],
        "exclusion_history": list(
            line.history.select_related("history_user").order_by("-history_date")
        ),
        "cmo_side": cmo_side,
        "planned_batch": planned_batch,
        "show_clients": sees_client_names(request.user),
        "can_propose": cmo_side
        and failed
        and (cause is None or cause.status != RootCauseStatus.APPROVED),
        "can_review": role == Role.CLIENT_APPROVER
        and cause is not None
        and cause.status == RootCauseStatus.PROPOSED,
        "can_reopen": role in REOPENERS
        and cause is not None
        and cause.status == RootCauseStatus.APPROVED,
        "can_exclude": role == CMO_ADMIN,
        # A new proposal starts from the current one, internal note included.
        "propose_form": ProposeRootCauseForm(
            initial={"code": cause.code_id, "internal_note": cause.internal_note} if cause else None
        ),
        "review_form": ReviewRootCauseForm(),
        "reopen_form": ReopenRootCauseForm(),
        "exclusion_form": ExclusionForm(initial={"reason": line.manual_exclusion or ""}),
        "delay_classes": DELAY_CLASSES,
    }
    return render(request, "performance/line_detail.html", context)


@login_required
@require_POST
def propose(request, pk: int):
    line = _scoped_line(request, pk)
    form = ProposeRootCauseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a root cause and write a comment for the client.")
        return redirect("performance:line", pk=line.pk)

    def step():
        propose_root_cause(
            line=line,
            code=form.cleaned_data["code"].code,
            comment=form.cleaned_data["comment"],
            internal_note=form.cleaned_data["internal_note"],
            user=request.user,
        )
        return "Root cause proposed; the client can now approve or dispute it."

    return run_step(request, reverse("performance:line", args=[line.pk]), step)


@login_required
@require_POST
def review(request, pk: int):
    line = _scoped_line(request, pk)
    cause = get_or_404(RootCause.objects.select_related("client"), request.user, line=line)
    form = ReviewRootCauseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve or dispute.")
        return redirect("performance:line", pk=line.pk)
    comment = form.cleaned_data["comment"]

    def step():
        if form.cleaned_data["decision"] == "approve":
            approve_root_cause(root_cause=cause, user=request.user, comment=comment)
            return "Root cause approved; net OTIF now counts it."
        dispute_root_cause(root_cause=cause, user=request.user, comment=comment)
        return "Root cause disputed; it goes back to the CMO with your comment."

    return run_step(request, reverse("performance:line", args=[line.pk]), step)


@login_required
@require_POST
def reopen(request, pk: int):
    """Correct an approved root cause: back to proposed, with the reason both sides see."""
    line = _scoped_line(request, pk)
    cause = get_or_404(RootCause.objects.select_related("client"), request.user, line=line)
    form = ReopenRootCauseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the reason for reopening (2,000 characters at most).")
        return redirect("performance:line", pk=line.pk)

    def step():
        reopen_root_cause(cause=cause, by=request.user, reason=form.cleaned_data["reason"])
        return "Root cause reopened: it is proposed again and net OTIF no longer counts it."

    return run_step(request, reverse("performance:line", args=[line.pk]), step)


@login_required
@require_POST
def exclusion(request, pk: int):
    line = _scoped_line(request, pk)
    form = ExclusionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The reason is too long (500 characters at most).")
        return redirect("performance:line", pk=line.pk)
    reason = form.cleaned_data["reason"].strip() or None

    # The whole client is evaluated again: the worker does it, the page shows its progress.
    _require_role(request.user, line.client, frozenset({CMO_ADMIN}), "exclude lines")
    return start(
        request,
        reverse("performance:line", args=[line.pk]),
        kind="exclusion",
        client=line.client,
        title=f"{'Exclude' if reason else 'Measure again'} line {line.order.number}/"
        f"{line.line_number}",
        params={"line": line.pk, "reason": reason},
    )
