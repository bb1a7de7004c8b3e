"""Risk registers (kpis.md 10): every risk the user may see, a project's register with its heat
maps and downloads, the summary fragment the project page loads, one risk with its plan,
actions, ratings history and comments, and the steps on them. Reads start from
tenancy.scoping; writes are tower.risks.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tower.engine.risk import COLOUR_MEANINGS, COLOUR_NAMES, LEVEL_NAMES
from tower.projects.forms import CommentForm  # the same comment box as a project's
from tower.projects.models import Project
from tower.projects.services import COMMENTERS
from tower.risks import exports, services
from tower.risks.forms import (
    ActionForm,
    PlanForm,
    RatingForm,
    ReviewForm,
    RiskFilterForm,
    RiskForm,
)
from tower.risks.models import Risk, RiskAction, RiskComment
from tower.risks.queries import colour_counts, heat_maps, register_rows
from tower.tenancy.scoping import (
    CMO_ROLES,
    client_by_code,
    get_or_404,
    role_for,
    sees_client_names,
    visible_clients,
)
from tower.web.pages import form_refused, run_step

RISKS_PER_PAGE = 50
NAV = "risks:list"
LEGEND = [
    (code or "none", COLOUR_NAMES[code], meaning) for code, meaning in COLOUR_MEANINGS.items()
]


def _filtered(request, risks, data):
    if data.get("colour"):
        risks = risks.filter(colour="" if data["colour"] == "none" else data["colour"])
    if data.get("level"):
        risks = risks.filter(level=data["level"])
    if data.get("overdue"):
        risks = risks.filter(next_review_on__lt=timezone.localdate())
    return risks


@login_required
@require_GET
def risk_list(request):
    clients = list(visible_clients(request.user).order_by("code"))
    form = RiskFilterForm(request.GET)
    valid = form.is_valid()
    data = form.cleaned_data
    client = client_by_code(clients, data.get("client") or "")
    risks = Risk.objects.all().visible_to(request.user)
    if client is not None:
        risks = risks.filter(client=client)
    risks = _filtered(request, risks, data).order_by("client__code", "project__code", "number")
    page = Paginator(risks, RISKS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = register_rows(page.object_list, timezone.localdate())
    context = {
        "form": form,
        "page_obj": page,
        "client_choices": clients,
        "selected": {name: str(form.data.get(name, "")) for name in form.fields},
        "show_clients": sees_client_names(request.user),
        "filtered": any(data.get(k) for k in ("client", "colour", "level", "overdue")),
        "legend": LEGEND,
        "nav_active": NAV,
    }
    return render(request, "risks/risk_list.html", context, status=200 if valid else 400)


def _project(request, project: int) -> Project:
    return get_or_404(Project.objects.select_related("client"), request.user, pk=project)


def _project_rows(request, project: Project) -> list:
    risks = Risk.objects.filter(client=project.client, project=project).visible_to(request.user)
    return register_rows(risks.order_by("number"), timezone.localdate())


@login_required
@require_GET
def register(request, project: int):
    project = _project(request, project)
    form = RiskFilterForm(request.GET)
    valid = form.is_valid()
    rows = _project_rows(request, project)
    matrix = services.matrix_for(project.client) if rows else None
    shown = rows
    data = form.cleaned_data
    if data.get("colour"):
        shown = [r for r in shown if (r.colour or "none") == data["colour"]]
    if data.get("level"):
        shown = [r for r in shown if r.level == data["level"]]
    if data.get("overdue"):
        shown = [r for r in shown if r.overdue]
    context = {
        "project": project,
        "form": form,
        "selected": {name: str(form.data.get(name, "")) for name in form.fields},
        "rows": shown,
        "all_count": len(rows),
        "counts": colour_counts(rows),
        "maps": heat_maps(rows, matrix) if matrix else None,
        "matrix": matrix,
        "level_names": LEVEL_NAMES,
        "legend": LEGEND,
        "can_edit": role_for(request.user, project.client) in CMO_ROLES,
        "show_clients": sees_client_names(request.user),
        "nav_active": NAV,
    }
    return render(request, "risks/register.html", context, status=200 if valid else 400)


@login_required
@require_GET
def summary(request, project: int):
    """The fragment the project page loads (hx-get): counts per colour and overdue reviews."""
    project = _project(request, project)
    rows = _project_rows(request, project)
    context = {
        "project": project,
        "counts": colour_counts(rows),
        "total": len(rows),
        "attention": [r for r in rows if r.colour == "red" or r.overdue][:10],
    }
    return render(request, "risks/_summary.html", context)


@login_required
@require_GET
def export(request, project: int, fmt: str):
    if fmt not in exports.CONTENT_TYPES:
        raise Http404("The risk register downloads as xlsx or pdf.")
    project = _project(request, project)
    rows = _project_rows(request, project)
    content = exports.render(project, rows, timezone.localdate(), fmt)
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(
        True, exports.file_name(project, fmt)
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def risk_new(request, project: int):
    project = _project(request, project)
    if role_for(request.user, project.client) not in CMO_ROLES:
        return render(
            request,
            "risks/risk_new.html",
            {"project": project, "refused": True, "nav_active": NAV},
        )
    form = RiskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        risk = form.run(lambda d: services.record_risk(project=project, user=request.user, **d))
        if risk is not None:
            messages.success(
                request, f"R{risk.number} recorded: {LEVEL_NAMES[risk.level].lower()} risk."
            )
            return redirect("risks:risk", pk=risk.pk)
    matrix = services.matrix_for(project.client)
    context = {"project": project, "form": form, "matrix": matrix, "nav_active": NAV}
    return render(request, "risks/risk_new.html", context)


def _risk(request, pk: int) -> Risk:
    return get_or_404(
        Risk.objects.select_related("client", "project", "matrix", "rerated_by"),
        request.user,
        pk=pk,
    )


@login_required
@require_GET
def risk_detail(request, pk: int):
    risk = _risk(request, pk)
    [risk] = register_rows(
        Risk.objects.filter(pk=risk.pk, client=risk.client).visible_to(request.user),
        timezone.localdate(),
    )
    actions = list(
        RiskAction.objects.filter(client=risk.client, risk=risk)
        .visible_to(request.user)
        .select_related("closed_by")
    )
    comments = list(
        RiskComment.objects.filter(client=risk.client, risk=risk)
        .visible_to(request.user)
        .select_related("author")
    )
    role = role_for(request.user, risk.client)
    context = {
        "risk": risk,
        "actions": actions,
        "comments": comments,
        "can_edit": role in CMO_ROLES,
        "can_comment": role in COMMENTERS,
        "rating_form": RatingForm(initial={"probability": risk.probability, "impact": risk.impact}),
        "rerate_form": RatingForm(
            initial={
                "probability": risk.residual_probability,
                "impact": risk.residual_impact,
            },
            auto_id="rr-%s",
        ),
        "plan_form": PlanForm(
            initial={
                "owner": risk.owner,
                "response": risk.response,
                "contingency": risk.contingency,
            }
        ),
        "action_form": ActionForm(),
        "review_form": ReviewForm(),
        "comment_form": CommentForm(),
        "level_names": LEVEL_NAMES,
        "legend": LEGEND,
        "history": list(risk.history.select_related("history_user").order_by("-history_date")),
        "show_clients": sees_client_names(request.user),
        "nav_active": NAV,
    }
    return render(request, "risks/risk_detail.html", context)


def _back(risk) -> str:
    return reverse("risks:risk", args=[risk.pk])


def _step(request, pk: int, form_class, what: str, step):
    """Validate the form, then run `step(risk, cleaned_data)` (a service) and go back."""
    risk = _risk(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        return form_refused(request, _back(risk), form, f"{what}:", labelled=False)
    return run_step(request, _back(risk), lambda: step(risk, form.cleaned_data))


@login_required
@require_POST
def rate(request, pk: int):
    def step(risk, d):
        services.rate_risk(
            risk=risk,
            probability=d["probability"],
            impact=d["impact"],
            reason=d["reason"],
            user=request.user,
        )
        return f"Rated again: {LEVEL_NAMES[risk.level].lower()}."

    return _step(request, pk, RatingForm, "The risk was not rated", step)


@login_required
@require_POST
def rerate(request, pk: int):
    def step(risk, d):
        services.rerate_risk(
            risk=risk,
            probability=d["probability"],
            impact=d["impact"],
            reason=d["reason"],
            user=request.user,
        )
        return f"Re-rated after the plan: residual {LEVEL_NAMES[risk.residual_level].lower()}; colour {COLOUR_NAMES[risk.colour].lower()}."

    return _step(request, pk, RatingForm, "The risk was not re-rated", step)


@login_required
@require_POST
def plan(request, pk: int):
    def step(risk, d):
        services.update_plan(risk=risk, user=request.user, **d)
        return "Plan saved."

    return _step(request, pk, PlanForm, "The plan was not saved", step)


@login_required
@require_POST
def action_add(request, pk: int):
    def step(risk, d):
        services.add_action(risk=risk, user=request.user, **d)
        return "Action added to the plan."

    return _step(request, pk, ActionForm, "The action was not added", step)


@login_required
@require_POST
def action_close(request, pk: int, action: int):
    risk = _risk(request, pk)
    action_obj = get_or_404(
        RiskAction.objects.filter(risk=risk), request.user, pk=action, client=risk.client
    )

    def step():
        services.close_action(action=action_obj, user=request.user)
        return f"Action closed: {action_obj.title}"

    return run_step(request, _back(risk), step)


@login_required
@require_POST
def review(request, pk: int):
    def step(risk, d):
        services.review_risk(risk=risk, note=d["note"], user=request.user)
        return f"Reviewed; next review by {risk.next_review_on:%Y-%m-%d}."

    return _step(request, pk, ReviewForm, "The review was not recorded", step)


@login_required
@require_POST
def comment(request, pk: int):
    def step(risk, d):
        services.add_risk_comment(risk=risk, text=d["text"], user=request.user)
        return "Comment added."

    return _step(request, pk, CommentForm, "The comment was not saved", step)
