"""Client projects: the list with health, a project's page (timeline, checklists, change
requests, comments; its risks come from the risk register as an htmx fragment), the template
library, and the steps on them. Every read starts from tenancy.scoping; every write is a service
in tower.projects.services (run through tower.web.pages.run_step or StepForm.run)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tower.engine.projects import HEALTH_NAMES, PROJECT_TYPES
from tower.projects import services
from tower.projects.forms import (
    ChangeRequestForm,
    ChecklistForm,
    CommentForm,
    DecisionForm,
    MilestoneForm,
    ProjectFilterForm,
    ProjectForm,
    StatusForm,
    TemplateForm,
    TickForm,
)
from tower.projects.models import (
    ChangeRequest,
    Checklist,
    ChecklistItem,
    ChecklistTemplate,
    Phase,
    Project,
    ProjectComment,
)
from tower.projects.queries import timeline, with_health
from tower.tenancy.scoping import (
    CMO_ROLES,
    client_by_code,
    get_or_404,
    role_for,
    sees_client_names,
    visible_clients,
)
from tower.web.pages import form_refused, run_step

PROJECTS_PER_PAGE = 50
NAV = "projects:list"


@login_required
@require_GET
def project_list(request):
    clients = list(visible_clients(request.user).order_by("code"))
    form = ProjectFilterForm(request.GET)
    valid = form.is_valid()
    data = form.cleaned_data
    client = client_by_code(clients, data.get("client") or "")
    projects = Project.objects.all().visible_to(request.user)
    if client is not None:
        projects = projects.filter(client=client)
    if data.get("kind"):
        projects = projects.filter(kind=data["kind"])
    if data.get("status"):
        projects = projects.filter(status=data["status"])
    if data.get("q"):
        projects = projects.filter(Q(code__icontains=data["q"]) | Q(name__icontains=data["q"]))
    rows = with_health(projects.order_by("client__code", "code"), timezone.localdate())
    # Health depends on today and on the milestones, so it is computed here, not stored: a
    # client has tens of projects, read with their phases in two queries.
    if data.get("health"):
        rows = [p for p in rows if p.health == data["health"]]
    page = Paginator(rows, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    cmo_clients = [c for c in clients if role_for(request.user, c) in CMO_ROLES]
    context = {
        "form": form,
        "page_obj": page,
        "client_choices": clients,
        "selected": {name: str(form.data.get(name, "")) for name in form.fields},
        "show_clients": sees_client_names(request.user),
        "filtered": any(data.get(k) for k in ("client", "kind", "status", "health", "q")),
        "can_create": bool(cmo_clients),
        "new_client": client.code if client in cmo_clients else "",
        "health_names": HEALTH_NAMES,
        "types": PROJECT_TYPES,
        "nav_active": NAV,
    }
    return render(request, "projects/project_list.html", context, status=200 if valid else 400)


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request):
    visible = list(visible_clients(request.user).order_by("code"))
    clients = [c for c in visible if role_for(request.user, c) in CMO_ROLES]
    code = request.GET.get("client", "").strip()
    # Any client the user may see is found (another one is a 404); a role that may not create
    # projects gets the refusal: 403 for a POST, the page saying so for a GET.
    client = client_by_code(visible, code) if code else (clients[0] if clients else None)
    if client is None or client not in clients:
        if request.method == "POST":
            raise PermissionDenied("Only the CMO's staff create projects.")
        return render(request, "projects/project_new.html", {"nav_active": NAV})
    if request.method == "POST":
        form = ProjectForm(request.POST)
        if form.is_valid():
            project = form.run(
                lambda d: services.create_project(
                    client=client,
                    code=d["code"],
                    name=d["name"],
                    kind=d["kind"],
                    start_date=d["start_date"],
                    client_contact=d["client_contact"],
                    description=d["description"],
                    cmo_manager=request.user if getattr(request.user, "pk", None) else None,
                    user=request.user,
                )
            )
            if project is not None:
                messages.success(request, f"Project {project.code} created with its phases.")
                return redirect("projects:project", pk=project.pk)
    else:
        form = ProjectForm(initial={"start_date": timezone.localdate()})
    context = {
        "form": form,
        "client": client,
        "client_choices": clients,
        "show_clients": sees_client_names(request.user),
        "nav_active": NAV,
    }
    return render(request, "projects/project_new.html", context)


def _project(request, pk: int) -> Project:
    return get_or_404(Project.objects.select_related("client", "cmo_manager"), request.user, pk=pk)


@login_required
@require_GET
def project_detail(request, pk: int):
    project = _project(request, pk)
    today = timezone.localdate()
    items = (
        ChecklistItem.objects.filter(client=project.client)
        .visible_to(request.user)
        .select_related("done_by")
        .order_by("position")
    )
    phases = list(
        Phase.objects.filter(client=project.client, project=project)
        .visible_to(request.user)
        .prefetch_related(
            Prefetch(
                "checklists",
                queryset=Checklist.objects.filter(client=project.client)
                .visible_to(request.user)
                .prefetch_related(Prefetch("items", queryset=items)),
            )
        )
        .order_by("position")
    )
    [project] = with_health(
        Project.objects.filter(pk=project.pk, client=project.client).visible_to(request.user),
        today,
    )
    changes = list(
        ChangeRequest.objects.filter(client=project.client, project=project)
        .visible_to(request.user)
        .select_related("proposed_by", "decided_by")
        .order_by("-number")
    )
    comments = list(
        ProjectComment.objects.filter(client=project.client, project=project)
        .visible_to(request.user)
        .select_related("author")
    )
    role = role_for(request.user, project.client)
    cmo = role in CMO_ROLES
    for phase in phases:
        for checklist in phase.checklists.all():
            done = [i for i in checklist.items.all() if i.done_at]
            checklist.done_count = len(done)
        phase.form = MilestoneForm(
            initial={"forecast_date": phase.forecast_date, "actual_date": phase.actual_date},
            auto_id=f"ph{phase.pk}-%s",
        )
    templates = list(ChecklistTemplate.objects.order_by("name")) if cmo else []
    context = {
        "project": project,
        "phases": phases,
        "timeline": timeline(phases, project.start_date, today),
        "changes": changes,
        "comments": comments,
        "can_edit": cmo,
        "can_decide": role == services.Role.CLIENT_APPROVER,
        "can_comment": role in services.COMMENTERS,
        "templates": templates,
        "change_form": ChangeRequestForm(),
        "comment_form": CommentForm(),
        "status_form": StatusForm(initial={"status": project.status}),
        "template_form": TemplateForm(),
        "show_clients": sees_client_names(request.user),
        "history": list(
            project.history.select_related("history_user").order_by("-history_date")[:20]
        ),
        "nav_active": NAV,
    }
    return render(request, "projects/project_detail.html", context)


def _back(project) -> str:
    return reverse("projects:project", args=[project.pk])


@login_required
@require_POST
def project_status(request, pk: int):
    project = _project(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return form_refused(request, _back(project), form, "Choose a status:", labelled=False)
    return run_step(
        request,
        _back(project),
        lambda: (
            services.set_project_status(
                project=project, status=form.cleaned_data["status"], user=request.user
            )
            and "Status changed."
        ),
    )


@login_required
@require_POST
def milestone(request, pk: int, phase: int):
    project = _project(request, pk)
    phase_obj = get_or_404(
        Phase.objects.filter(project=project), request.user, pk=phase, client=project.client
    )
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        return form_refused(
            request, _back(project), form, "The milestone was not changed:", labelled=False
        )
    d = form.cleaned_data

    def step():
        services.update_milestone(
            phase=phase_obj,
            forecast_date=d["forecast_date"],
            actual_date=d["actual_date"],
            reason=d["reason"],
            user=request.user,
        )
        return f"Milestone of {phase_obj.name} updated."

    return run_step(request, _back(project), step)


@login_required
@require_POST
def checklist_add(request, pk: int):
    project = _project(request, pk)
    form = ChecklistForm(request.POST)
    if not form.is_valid():
        return form_refused(
            request, _back(project), form, "Choose a phase and a template:", labelled=False
        )
    phase = get_or_404(
        Phase.objects.filter(project=project),
        request.user,
        pk=form.cleaned_data["phase"],
        client=project.client,
    )
    template = ChecklistTemplate.objects.filter(pk=form.cleaned_data["template"]).first()
    if template is None:
        messages.error(request, "That checklist template does not exist.")
        return redirect(_back(project))

    def step():
        services.add_checklist(phase=phase, template=template, user=request.user)
        return f"Checklist {template.name} added to {phase.name}."

    return run_step(request, _back(project), step)


@login_required
@require_POST
def template_add(request, pk: int):
    """Save a checklist in the library from a project (the library is the CMO's, shared)."""
    project = _project(request, pk)
    form = TemplateForm(request.POST)
    if not form.is_valid():
        return form_refused(
            request, _back(project), form, "The template was not saved:", labelled=False
        )
    d = form.cleaned_data

    def step():
        if role_for(request.user, project.client) not in CMO_ROLES:
            raise services.NotAllowed("Only the CMO's staff may add checklist templates.")
        services.create_checklist_template(
            name=d["name"],
            items=d["items"].splitlines(),
            phase=d["phase"],
            project_type=project.kind if d["for_type"] else "",
            user=request.user,
        )
        return f"Template {d['name']} saved in the library."

    return run_step(request, _back(project), step)


@login_required
@require_POST
def item_tick(request, pk: int, item: int):
    project = _project(request, pk)
    item_obj = get_or_404(
        ChecklistItem.objects.filter(checklist__phase__project=project),
        request.user,
        pk=item,
        client=project.client,
    )
    form = TickForm(request.POST)
    form.is_valid()
    done = bool(form.cleaned_data.get("done"))

    def step():
        services.tick_item(item=item_obj, done=done, user=request.user)
        return f"{'Ticked' if done else 'Unticked'}: {item_obj.text}"

    return run_step(request, _back(project), step)


@login_required
@require_POST
def change_add(request, pk: int):
    project = _project(request, pk)
    form = ChangeRequestForm(request.POST)
    if not form.is_valid():
        return form_refused(
            request, _back(project), form, "The change request was not proposed:", labelled=False
        )
    d = form.cleaned_data

    def step():
        change = services.propose_change_request(project=project, user=request.user, **d)
        return f"CR-{change.number} proposed: the client approves or rejects it."

    return run_step(request, _back(project), step)


@login_required
@require_POST
def change_decide(request, pk: int, change: int):
    project = _project(request, pk)
    change_obj = get_or_404(
        ChangeRequest.objects.filter(project=project),
        request.user,
        pk=change,
        client=project.client,
    )
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return form_refused(
            request, _back(project), form, "Choose approve or reject:", labelled=False
        )
    approve = form.cleaned_data["decision"] == "approve"

    def step():
        services.decide_change_request(
            change=change_obj,
            approve=approve,
            comment=form.cleaned_data["comment"],
            user=request.user,
        )
        return f"CR-{change_obj.number} {'approved' if approve else 'rejected'}."

    return run_step(request, _back(project), step)


@login_required
@require_POST
def comment(request, pk: int):
    project = _project(request, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return form_refused(
            request, _back(project), form, "The comment was not saved:", labelled=False
        )

    def step():
        services.add_project_comment(
            project=project, text=form.cleaned_data["text"], user=request.user
        )
        return "Comment added."

    return run_step(request, _back(project), step)


@login_required
@require_GET
def template_list(request):
    """The CMO's checklist library (no client data: every signed-in user may read it)."""
    templates = list(ChecklistTemplate.objects.select_related("created_by").order_by("name"))
    context = {
        "templates": templates,
        "types": PROJECT_TYPES,
        "show_authors": sees_client_names(request.user),
        "nav_active": NAV,
    }
    return render(request, "projects/template_list.html", context)
