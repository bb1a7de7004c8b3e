"""Improvement projects (DMAIC): the list, chartering one, one project with its tollgates and
its KPI's real trend since the start, the tollgate decision and the trend as CSV.

Every read starts from tenancy.scoping (another client's project is a 404); writes go through
tower.improvement.services, which check the role and the tollgate rules.
"""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tower.csv_safe import neutralise
from tower.engine.kpi_catalogue import KPI_BY_CODE, format_value
from tower.improvement.forms import PROJECT_SORTS, ProjectFilterForm, ProjectForm, TollgateForm
from tower.improvement.models import PHASES, ImprovementProject, Phase, Tollgate
from tower.improvement.queries import project_trend
from tower.improvement.services import decide_tollgate, may_charter, start_project
from tower.masterdata.models import Product
from tower.tenancy.scoping import (
    client_by_code,
    get_or_404,
    is_cmo_side,
    scope,
    sees_client_names,
    visible_clients,
)
from tower.web.forms import form_error_text
from tower.web.pages import run_step, sort_links
from tower.workflow import NotAllowed, WorkflowError

PROJECTS_PER_PAGE = 25
NAV = "improvement:projects"


@login_required
@require_GET
def project_list(request):
    clients = list(visible_clients(request.user).order_by("code"))
    form = ProjectFilterForm(request.GET, clients=clients)
    valid = form.is_valid()
    data = form.cleaned_data  # the filters that could be read; the others are named (400)
    projects = ImprovementProject.objects.all().visible_to(request.user)
    if data.get("client"):
        projects = projects.filter(client=data["client"])
    for name in ("state", "phase", "kpi"):
        if data.get(name):
            projects = projects.filter(**{name: data[name]})
    sort = data.get("sort") or "-started"
    column = PROJECT_SORTS[sort.removeprefix("-")]
    projects = projects.select_related("client", "site", "product").order_by(
        f"-{column}" if sort.startswith("-") else column, "-pk"
    )
    page = Paginator(projects, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    for project in page.object_list:
        project.kpi_name = KPI_BY_CODE[project.kpi].name
        unit = KPI_BY_CODE[project.kpi].unit
        project.baseline_display = format_value(project.baseline, unit)
        project.target_display = format_value(project.target, unit)
    selected = {name: str(form.data.get(name, "")) for name in form.fields}
    context = {
        "form": form,
        "page_obj": page,
        "selected": selected,
        "sort_links": sort_links(request, sort, PROJECT_SORTS),
        "client_choices": clients,
        "show_clients": sees_client_names(request.user),
        "can_charter": any(may_charter(request.user, c) for c in clients),
        "filtered": any(data.get(k) for k in ("client", "state", "phase", "kpi")),
        "phases": Phase.choices,
    }
    return render(request, "improvement/project_list.html", context, status=200 if valid else 400)


# ---------------------------------------------------------------------------------------------
# Chartering one


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request):
    visible = list(visible_clients(request.user).order_by("code"))
    # ?client= names a client the user sees (another client's code is a 404, like an unknown one).
    named = client_by_code(visible, request.GET.get("client", ""))
    clients = [c for c in visible if may_charter(request.user, c)]
    client = named or (clients[0] if clients else None)
    if client not in clients:
        return render(request, "improvement/project_new.html", {"nav_active": NAV})
    products = Product.objects.filter(client=client).visible_to(request.user).order_by("code")
    form = ProjectForm(request.POST or None, client=client, products=products)
    if request.method == "POST" and form.is_valid():
        project = form.run(
            lambda data: start_project(
                client=client,
                title=data["title"],
                problem=data["problem"],
                kpi=data["kpi"],
                baseline=data["baseline"],
                target=data["target"],
                started_on=data["started_on"],
                sponsor=data["sponsor"],
                team=data["team"],
                site=data["site"],
                product=data["product"],
                approvers={p: data[f"approver_{p}"] for p in PHASES},
                planned={p: data[f"planned_{p}"] for p in PHASES if data[f"planned_{p}"]},
                user=request.user,
            )
        )
        if project is not None:
            messages.success(request, "Project chartered: the Define phase is open.")
            return redirect("improvement:project", pk=project.pk)
    context = {
        "form": form,
        "client": client,
        "client_choices": clients,
        "show_clients": sees_client_names(request.user),
        "nav_active": NAV,
        "status": 400 if form.errors else 200,
    }
    return render(request, "improvement/project_new.html", context, status=context["status"])


# ---------------------------------------------------------------------------------------------
# One project


def _scoped_project(request, pk: int) -> ImprovementProject:
    return get_or_404(
        ImprovementProject.objects.select_related("client", "site", "product", "created_by"),
        request.user,
        pk=pk,
    )


@login_required
@require_GET
def project_detail(request, pk: int):
    project = _scoped_project(request, pk)
    gates = sorted(
        Tollgate.objects.filter(client=project.client, project=project)
        .visible_to(request.user)
        .select_related("approver"),
        key=lambda g: g.order,
    )
    today = timezone.localdate()
    trend = project_trend(project, as_of=today)
    kpi = trend.kpi
    open_gate = next(
        (
            g
            for g in gates
            if g.phase == project.phase and project.state == ImprovementProject.State.OPEN
        ),
        None,
    )
    history = list(
        scope(
            Tollgate.history.filter(client_id=project.client_id, project_id=project.pk),
            request.user,
        )
        .select_related("history_user", "approver")
        .order_by("-history_date", "-history_id")
    )
    latest = trend.latest
    context = {
        "project": project,
        "kpi": kpi,
        "gates": gates,
        "open_gate": open_gate,
        "may_decide": open_gate is not None and open_gate.approver_id == request.user.pk,
        "decision_form": TollgateForm(
            initial={"phase": open_gate.phase if open_gate else "", "decided_on": today}
        ),
        "trend": trend,
        "trend_rows": trend.rows(),
        "chart": trend.chart(),
        "baseline_display": format_value(project.baseline, kpi.unit),
        "target_display": format_value(project.target, kpi.unit),
        "latest": latest,
        "latest_display": format_value(latest.value, kpi.unit) if latest else "no data",
        "project_history": list(
            project.history.select_related("history_user").order_by("-history_date", "-history_id")
        ),
        "gate_history": history,
        "cmo_side": is_cmo_side(request.user, project.client),
        "show_clients": sees_client_names(request.user),
        "scorecard_url": f"{reverse('scorecards:kpi', args=[project.kpi])}?client={project.client.code}",
        "nav_active": NAV,
    }
    return render(request, "improvement/project_detail.html", context)


@login_required
@require_POST
def tollgate_decide(request, pk: int):
    project = _scoped_project(request, pk)
    back = reverse("improvement:project", args=[project.pk])
    form = TollgateForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"The tollgate was not decided: {form_error_text(form)}")
        return redirect(back)
    data = form.cleaned_data
    gate = (
        Tollgate.objects.filter(client=project.client, project=project, phase=data["phase"])
        .visible_to(request.user)
        .first()
    )
    if gate is None:
        raise Http404("No such tollgate.")

    def step():
        try:
            decided = decide_tollgate(
                tollgate=gate,
                decision=data["decision"],
                comment=data["comment"],
                on=data["decided_on"],
                user=request.user,
            )
        except NotAllowed as exc:
            # Not the named approver: the page says who is, rather than a bare 403.
            raise WorkflowError(str(exc)) from exc
        return f"{Phase(decided.phase).label} tollgate: {decided.get_decision_display().lower()}."

    return run_step(request, back, step)


@login_required
@require_GET
def trend_csv(request, pk: int):
    """The KPI's monthly values since the start, with the baseline and target, as CSV."""
    project = _scoped_project(request, pk)
    trend = project_trend(project, as_of=timezone.localdate())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["month", "kpi", "value", "unit", "baseline", "target", "status", "of"])
    for row in trend.rows():
        writer.writerow(
            [
                row["period"],
                neutralise(trend.kpi.name),
                "" if row["value"] is None else round(row["value"], 4),
                trend.kpi.unit,
                project.baseline,
                project.target,
                row["status"],
                neutralise(trend.of),
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"improvement-{project.pk}-{project.kpi}-trend.csv"
    )
    return response
