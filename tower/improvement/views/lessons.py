"""Lessons learned: the list, recording one, one lesson with the places it also applies to and
whether it was spread there, and the fragment of a client project's lessons that the project's
page loads (projects sit below this app, so they link to it by URL and never import it).

A client's lesson is seen by that client's users and the CMO; a CMO-wide lesson (no client) by
the CMO's people only (Lesson.objects.visible_to). Another client's lesson is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tower.improvement.forms import (
    CMO_WIDE,
    LESSON_SORTS,
    ApplicationForm,
    LessonFilterForm,
    LessonForm,
    SpreadForm,
)
from tower.improvement.models import Lesson, LessonApplication, LessonSource, SpreadStatus
from tower.improvement.queries import application_history, applications_shown, with_spread_counts
from tower.improvement.services import add_application, record_lesson, record_spread
from tower.projects.models import Project
from tower.quality.models import Capa, Deviation
from tower.tenancy.models import Client
from tower.tenancy.scoping import (
    CMO_ROLES,
    client_by_code,
    role_for,
    sees_client_names,
    visible_clients,
)
from tower.web.forms import form_error_text
from tower.web.pages import run_step, sort_links

LESSONS_PER_PAGE = 25
NAV = "improvement:lessons"


def _may_record(user, clients) -> list:
    """The clients the user may record lessons for (CMO staff of them, or a CMO admin)."""
    return [c for c in clients if role_for(user, c) in CMO_ROLES]


@login_required
@require_GET
def lesson_list(request):
    clients = list(visible_clients(request.user).order_by("code"))
    form = LessonFilterForm(request.GET, clients=clients)
    valid = form.is_valid()
    data = form.cleaned_data
    lessons = Lesson.objects.all().visible_to(request.user)
    if data.get("client"):
        lessons = lessons.filter(client=data["client"])
    if data.get("source"):
        lessons = lessons.filter(source=data["source"])
    words = (data.get("q") or "").strip()
    if words:
        lessons = lessons.filter(
            Q(title__icontains=words)
            | Q(lesson__icontains=words)
            | Q(what_happened__icontains=words)
        )
    lessons = with_spread_counts(lessons)
    spread = data.get("spread")
    if spread == "open":
        lessons = lessons.filter(open_places__gt=0)
    elif spread == "done":
        lessons = lessons.filter(places__gt=0, open_places=0)
    elif spread == "none":
        lessons = lessons.filter(places=0)
    sort = data.get("sort") or "-recorded"
    column = LESSON_SORTS[sort.removeprefix("-")]
    lessons = lessons.select_related("client").order_by(
        f"-{column}" if sort.startswith("-") else column, "-pk"
    )
    page = Paginator(lessons, LESSONS_PER_PAGE).get_page(request.GET.get("page"))
    cmo = sees_client_names(request.user)
    context = {
        "form": form,
        "page_obj": page,
        "selected": {name: str(form.data.get(name, "")) for name in form.fields},
        "sort_links": sort_links(request, sort, LESSON_SORTS),
        "client_choices": clients,
        "show_clients": cmo,
        "can_record": cmo or bool(_may_record(request.user, clients)),
        "filtered": any(data.get(k) for k in ("client", "source", "spread", "q")),
        "sources": LessonSource.choices,
    }
    return render(request, "improvement/lesson_list.html", context, status=200 if valid else 400)


# ---------------------------------------------------------------------------------------------
# Recording one


@login_required
@require_http_methods(["GET", "POST"])
def lesson_new(request):
    visible = list(visible_clients(request.user).order_by("code"))
    # ?client= preselects a client the user sees (another client's code is a 404).
    named = client_by_code(visible, request.GET.get("client", ""))
    clients = _may_record(request.user, visible)
    cmo_wide = sees_client_names(request.user)
    if not clients and not cmo_wide or (named is not None and named not in clients):
        return render(request, "improvement/lesson_new.html", {"nav_active": NAV})
    form = LessonForm(request.POST or None, clients=clients, cmo_wide=cmo_wide)
    if named is not None:
        form.initial["client"] = named.code
        # ?project= (from a project's page) names the source: one of the client's projects.
        source = (
            Project.objects.filter(client=named, code=request.GET.get("project", "").strip())
            .visible_to(request.user)
            .first()
        )
        if source is not None:
            form.initial.update(project=source.code, source=LessonSource.PROJECT)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        client = None if data["client"] == CMO_WIDE else client_by_code(clients, data["client"])
        deviation = _record_of(request, form, Deviation, client, data["deviation"], "deviation")
        capa = _record_of(request, form, Capa, client, data["capa"], "capa")
        project = _record_of(request, form, Project, client, data["project"], "project", "code")
        if not form.errors:
            lesson = form.run(
                lambda d: record_lesson(
                    client=client,
                    title=d["title"],
                    source=d["source"],
                    what_happened=d["what_happened"],
                    lesson=d["lesson"],
                    deviation=deviation,
                    capa=capa,
                    project=project,
                    reference=d["reference"],
                    user=request.user,
                )
            )
            if lesson is not None:
                messages.success(request, "Lesson recorded: now say where else it applies.")
                return redirect("improvement:lesson", pk=lesson.pk)
    context = {"form": form, "nav_active": NAV}
    return render(
        request, "improvement/lesson_new.html", context, status=400 if form.errors else 200
    )


def _record_of(
    request, form, model, client: Client | None, number: str, field: str, key: str = "number"
):
    """The client's deviation, CAPA or project of that number (code); a form error when it has
    none (another client's reads like one that does not exist)."""
    number = (number or "").strip()
    if not number:
        return None
    found = None
    if client is not None:
        found = (
            model.objects.filter(client=client, **{key: number}).visible_to(request.user).first()
        )
    if found is None:
        owner = "this client" if client is not None else "a CMO-wide lesson"
        form.add_error(field, f"No {model._meta.verbose_name} {number!r} for {owner}.")
    return found


# ---------------------------------------------------------------------------------------------
# One lesson


def _scoped_lesson(request, pk: int) -> Lesson:
    lesson = (
        Lesson.objects.filter(pk=pk)
        .visible_to(request.user)
        .select_related("client", "deviation", "capa", "project", "created_by")
        .first()
    )
    if lesson is None:
        raise Http404("No lesson matches the given query.")
    return lesson


@login_required
@require_GET
def lesson_detail(request, pk: int):
    lesson = _scoped_lesson(request, pk)
    cmo_side = role_for(request.user, lesson.client) in CMO_ROLES if lesson.client else True
    applications = list(
        applications_shown(
            LessonApplication.objects.filter(client=lesson.client, lesson=lesson).visible_to(
                request.user
            ),
            cmo_side=cmo_side,
        )
    )
    clients = list(visible_clients(request.user).order_by("code")) if cmo_side else []
    if lesson.client is not None:
        clients = [c for c in clients if c.pk == lesson.client_id]
    context = {
        "lesson": lesson,
        "applications": applications,
        "cmo_side": cmo_side,
        "show_clients": sees_client_names(request.user),
        "application_form": ApplicationForm(),
        "client_choices": clients,
        "spread_states": SpreadStatus.choices,
        "today": timezone.localdate(),
        "history": application_history(lesson),
        "nav_active": NAV,
    }
    return render(request, "improvement/lesson_detail.html", context)


@login_required
@require_POST
def application_add(request, pk: int):
    lesson = _scoped_lesson(request, pk)
    back = reverse("improvement:lesson", args=[lesson.pk])
    form = ApplicationForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"The place was not added: {form_error_text(form)}")
        return redirect(back)
    data = form.cleaned_data
    target = None
    if data["target_client"]:
        target = client_by_code(visible_clients(request.user), data["target_client"])

    def step():
        application = add_application(
            lesson=lesson,
            site=data["site"],
            target_client=target,
            area=data["area"],
            user=request.user,
        )
        return f"The lesson also applies to {application.place}: record when it is spread there."

    return run_step(request, back, step)


@login_required
@require_POST
def spread(request, pk: int):
    lesson = _scoped_lesson(request, pk)
    back = reverse("improvement:lesson", args=[lesson.pk])
    form = SpreadForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Nothing was recorded: {form_error_text(form)}")
        return redirect(back)
    data = form.cleaned_data
    application = (
        LessonApplication.objects.filter(
            client=lesson.client, lesson=lesson, pk=data["application"]
        )
        .visible_to(request.user)
        .select_related("lesson", "site", "area", "target_client")
        .first()
    )
    if application is None:
        raise Http404("No such place for this lesson.")

    def step():
        record_spread(
            application=application,
            status=data["status"],
            on=data["spread_on"],
            note=data["note"],
            user=request.user,
        )
        return f"{application.place}: {application.get_status_display().lower()}."

    return run_step(request, back, step)


# ---------------------------------------------------------------------------------------------
# A client project's lessons (the fragment its page loads)

PROJECT_LESSONS_SHOWN = 20


@login_required
@require_GET
def project_lessons(request, project: int):
    found = (
        Project.objects.filter(pk=project).visible_to(request.user).select_related("client").first()
    )
    if found is None:
        raise Http404("No project matches the given query.")
    cmo_side = role_for(request.user, found.client) in CMO_ROLES
    scoped = Lesson.objects.filter(client=found.client, project=found).visible_to(request.user)
    lessons = list(
        with_spread_counts(scoped).order_by("-created_at", "-pk")[:PROJECT_LESSONS_SHOWN]
    )
    places: dict[int, list] = {lesson.pk: [] for lesson in lessons}
    for application in applications_shown(
        LessonApplication.objects.filter(client=found.client, lesson__in=list(places)).visible_to(
            request.user
        ),
        cmo_side=cmo_side,
    ):
        places[application.lesson_id].append(application)
    context = {
        "project": found,
        "rows": [(lesson, places[lesson.pk]) for lesson in lessons],
        "total": scoped.count() if len(lessons) == PROJECT_LESSONS_SHOWN else len(lessons),
        "can_record": cmo_side,
    }
    return render(request, "improvement/_project_lessons.html", context)
